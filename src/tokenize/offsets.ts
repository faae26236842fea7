// Character offsets of each token of a one-call encoding. transformers.js returns ids and token
// strings but no offsets, so we rebuild them: every token stands for a known run of UTF-8 bytes of
// the (normalized) text — byte-level BPE through GPT-2's byte↔unicode table, SentencePiece-style
// vocabularies through `▁` and `<0xNN>` byte-fallback pieces, added tokens through their content —
// and the tokens' bytes, laid end to end, must reproduce the text's bytes exactly. Anything else
// throws: a label can only be trusted if the token it belongs to was located, never guessed.
import type { PreTrainedTokenizer } from '@huggingface/transformers';

export class AlignmentError extends Error {}

const encoder = new TextEncoder();
const METASPACE = '\u2581';
const METASPACE_BYTES = encoder.encode(METASPACE);

/** GPT-2's bytes_to_unicode, inverted: the printable character standing for each byte. */
function byteLevelDecoder(): Map<number, number> {
  const bs: number[] = [];
  for (let b = 0x21; b <= 0x7e; b++) bs.push(b);
  for (let b = 0xa1; b <= 0xac; b++) bs.push(b);
  for (let b = 0xae; b <= 0xff; b++) bs.push(b);
  const cs = bs.slice();
  let n = 0;
  for (let b = 0; b < 256; b++) {
    if (!bs.includes(b)) {
      bs.push(b);
      cs.push(256 + n++);
    }
  }
  const map = new Map<number, number>();
  bs.forEach((b, i) => map.set(cs[i], b));
  return map;
}

type NormalizeStep =
  { kind: 'unicode'; form: 'NFC' | 'NFD' | 'NFKC' | 'NFKD' } | { kind: 'replace'; from: string; to: string };

type Json = Record<string, unknown> | null | undefined;

function flatten(node: Json, listKey: string): Record<string, unknown>[] {
  if (!node) return [];
  if (node.type === 'Sequence' && Array.isArray(node[listKey])) {
    return (node[listKey] as Record<string, unknown>[]).flatMap((n) => flatten(n, listKey));
  }
  return [node];
}

interface AddedInfo {
  bytes: Uint8Array;
  lstrip: boolean;
  rstrip: boolean;
}

/** How one tokenizer's pieces turn back into text bytes. Built once per tokenizer. */
export class TokenAligner {
  private readonly mode: 'byte_level' | 'pieces';
  private readonly byteFallback: boolean;
  private readonly steps: NormalizeStep[] = [];
  /** Bytes a pre-tokenizer may prepend that are not in the text (`add_prefix_space`, `prepend_scheme`). */
  private readonly phantom: Uint8Array | null;
  private readonly added = new Map<number, AddedInfo>();
  private readonly cache: (Uint8Array | undefined)[] = [];
  private readonly byteOf = byteLevelDecoder();

  constructor(private readonly tokenizer: PreTrainedTokenizer) {
    const json = tokenizer._tokenizerJSON as Record<string, Json>;
    const model = json.model as Record<string, unknown>;
    const pre = flatten(json.pre_tokenizer, 'pretokenizers');
    const dec = flatten(json.decoder, 'decoders');
    const norms = flatten(json.normalizer, 'normalizers');
    const byteLevel = [...pre, ...dec].some((n) => n.type === 'ByteLevel');
    this.mode = byteLevel ? 'byte_level' : 'pieces';
    this.byteFallback = model.byte_fallback === true;
    if (model.type !== 'BPE' && model.type !== 'Unigram') {
      throw new AlignmentError(`tokenizer model ${String(model.type)} is not supported (BPE and Unigram are)`);
    }
    let phantom: Uint8Array | null = null;
    for (const n of norms) {
      if (n.type === 'NFC' || n.type === 'NFD' || n.type === 'NFKC' || n.type === 'NFKD') {
        this.steps.push({ kind: 'unicode', form: n.type });
      } else if (n.type === 'Replace') {
        const pat = n.pattern as { String?: string };
        const to = String(n.content);
        // Same UTF-16 length keeps offsets one-to-one (SentencePiece's ' ' → '▁').
        if (pat.String === undefined || pat.String.length !== to.length) {
          throw new AlignmentError(
            `normalizer Replace ${JSON.stringify(n.pattern)} → ${JSON.stringify(to)} is not supported`,
          );
        }
        this.steps.push({ kind: 'replace', from: pat.String, to });
      } else if (n.type === 'Prepend') {
        phantom = encoder.encode(String(n.prepend));
      } else {
        throw new AlignmentError(`normalizer ${String(n.type)} is not supported`);
      }
    }
    for (const p of pre) {
      if (p.type === 'Metaspace') {
        const rep = String(p.replacement ?? METASPACE);
        if (rep.length !== 1) throw new AlignmentError(`Metaspace replacement ${JSON.stringify(rep)} is not supported`);
        this.steps.push({ kind: 'replace', from: ' ', to: rep });
        if (p.prepend_scheme !== 'never' && p.add_prefix_space !== false) phantom = encoder.encode(rep);
      } else if (p.type === 'ByteLevel' && p.add_prefix_space === true) {
        phantom = new Uint8Array([0x20]);
      }
    }
    this.phantom = phantom;
    for (const [id, t] of tokenizer._tokenizer.get_added_tokens_decoder()) {
      this.added.set(id, {
        bytes: encoder.encode(t.normalized ? this.normalize(t.content) : t.content),
        lstrip: t.lstrip === true,
        rstrip: t.rstrip === true,
      });
    }
  }

  /** The text the tokenizer's model sees (its normalizers, and Metaspace's ' ' → '▁'). */
  normalize(text: string): string {
    let t = text;
    for (const s of this.steps) t = s.kind === 'unicode' ? t.normalize(s.form) : t.split(s.from).join(s.to);
    return t;
  }

  /** The UTF-8 bytes token `id` stands for in the normalized text. */
  bytesOf(id: number): Uint8Array {
    const hit = this.cache[id];
    if (hit) return hit;
    const added = this.added.get(id);
    let bytes: Uint8Array;
    if (added) bytes = added.bytes;
    else {
      const piece = this.tokenizer._tokenizer.id_to_token(id);
      if (piece === undefined) throw new AlignmentError(`token id ${id} is not in the vocabulary`);
      bytes = this.pieceBytes(piece);
    }
    this.cache[id] = bytes;
    return bytes;
  }

  private pieceBytes(piece: string): Uint8Array {
    if (this.byteFallback && piece.length === 6 && /^<0x[0-9A-Fa-f]{2}>$/.test(piece)) {
      return new Uint8Array([parseInt(piece.slice(3, 5), 16)]);
    }
    if (this.mode === 'pieces') return encoder.encode(piece);
    const out = new Uint8Array(piece.length);
    for (let i = 0; i < piece.length; i++) {
      const b = this.byteOf.get(piece.charCodeAt(i));
      if (b === undefined)
        throw new AlignmentError(`byte-level piece ${JSON.stringify(piece)} has a character outside the byte table`);
      out[i] = b;
    }
    return out;
  }

  /**
   * `[start, end)` UTF-16 offsets into `text` for each of `ids` (interleaved), from bytes that must
   * tile the text. A token holding part of a character (byte-level BPE splits multi-byte
   * characters) covers the whole character, so neighbours may share one. `skip` leading ids are
   * not in the text (a BOS added by the tokenizer): they get the empty range [0, 0).
   */
  align(text: string, ids: ArrayLike<number>, skip = 0): Int32Array {
    const norm = this.normalize(text);
    const bytes = encoder.encode(norm);
    const n = ids.length;
    const byteOffsets = new Int32Array(2 * n);
    let pos = 0;
    for (let i = skip; i < n; i++) {
      const id = ids[i];
      const tb = this.bytesOf(id);
      const added = this.added.get(id);
      const start = pos;
      if (added?.lstrip) pos = skipSpace(bytes, pos);
      if (matchAt(bytes, pos, tb, 0)) pos += tb.length;
      else if (this.phantom && startsWith(tb, this.phantom) && matchAt(bytes, pos, tb, this.phantom.length)) {
        pos += tb.length - this.phantom.length;
      } else {
        throw new AlignmentError(
          `token ${i} (id ${id}, ${JSON.stringify(new TextDecoder().decode(tb))}) does not ` +
            `match the text at byte ${pos}: ` +
            JSON.stringify(new TextDecoder().decode(bytes.subarray(pos, pos + 24))),
        );
      }
      if (added?.rstrip) pos = skipSpace(bytes, pos);
      byteOffsets[2 * i] = start;
      byteOffsets[2 * i + 1] = pos;
    }
    if (pos !== bytes.length) {
      throw new AlignmentError(`tokens cover ${pos} of ${bytes.length} bytes of the text`);
    }
    const { floor, ceil } = byteToUtf16(norm, bytes.length);
    const out = new Int32Array(2 * n);
    for (let i = skip; i < n; i++) {
      out[2 * i] = floor[byteOffsets[2 * i]];
      out[2 * i + 1] = ceil[byteOffsets[2 * i + 1]];
    }
    if (norm.length === text.length && (this.steps.every((s) => s.kind === 'replace') || norm === text)) return out;
    return mapBack(text, norm, out, this.steps, skip);
  }
}

function matchAt(hay: Uint8Array, pos: number, needle: Uint8Array, from: number): boolean {
  const len = needle.length - from;
  if (pos + len > hay.length) return false;
  for (let k = 0; k < len; k++) if (hay[pos + k] !== needle[from + k]) return false;
  return true;
}

function startsWith(a: Uint8Array, prefix: Uint8Array): boolean {
  return a.length >= prefix.length && matchAt(a, 0, prefix, 0);
}

function skipSpace(b: Uint8Array, pos: number): number {
  for (;;) {
    const c = b[pos];
    if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) pos++;
    else if (c === METASPACE_BYTES[0] && b[pos + 1] === METASPACE_BYTES[1] && b[pos + 2] === METASPACE_BYTES[2])
      pos += 3;
    else return pos;
  }
}

/**
 * For each UTF-8 byte offset of `s`: the UTF-16 offset of the character it falls in (`floor`) and
 * of the character boundary at or after it (`ceil`).
 */
function byteToUtf16(s: string, nbytes: number): { floor: Int32Array; ceil: Int32Array } {
  const floor = new Int32Array(nbytes + 1);
  const ceil = new Int32Array(nbytes + 1);
  let b = 0;
  for (let u = 0; u < s.length;) {
    const cp = s.codePointAt(u)!;
    const units = cp > 0xffff ? 2 : 1;
    // Lone surrogates are written by TextEncoder as U+FFFD: 3 bytes, like any BMP char ≥ 0x800.
    const len = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    floor[b] = ceil[b] = u;
    for (let k = 1; k < len; k++) {
      floor[b + k] = u;
      ceil[b + k] = u + units;
    }
    b += len;
    u += units;
  }
  floor[nbytes] = ceil[nbytes] = s.length;
  return { floor, ceil };
}

/**
 * Offsets in the normalized text back to the original, when Unicode normalization changed it.
 * Normalization acts within clusters (a base character and its combining marks; Hangul jamo
 * compose too), so normalizing cluster by cluster must give the same text; a token boundary inside
 * a cluster widens to the whole cluster.
 */
function mapBack(text: string, norm: string, offs: Int32Array, steps: NormalizeStep[], skip: number): Int32Array {
  const clusters =
    text.match(
      /[^\p{M}\u1160-\u11FF\uD7B0-\uD7FF][\p{M}\u1160-\u11FF\uD7B0-\uD7FF]*|[\p{M}\u1160-\u11FF\uD7B0-\uD7FF]+/gsu,
    ) ?? [];
  const nFloor = new Int32Array(norm.length + 1);
  const nCeil = new Int32Array(norm.length + 1);
  let o = 0;
  let p = 0;
  for (const c of clusters) {
    let nc = c;
    for (const s of steps) nc = s.kind === 'unicode' ? nc.normalize(s.form) : nc.split(s.from).join(s.to);
    if (norm.slice(p, p + nc.length) !== nc) {
      throw new AlignmentError(`normalization does not act cluster by cluster at character ${o}`);
    }
    for (let k = 0; k < nc.length; k++) {
      nFloor[p + k] = o;
      nCeil[p + k] = k === 0 ? o : o + c.length;
    }
    o += c.length;
    p += nc.length;
  }
  if (p !== norm.length || o !== text.length) throw new AlignmentError('normalization does not act cluster by cluster');
  nFloor[p] = nCeil[p] = o;
  const out = new Int32Array(offs.length);
  for (let i = 2 * skip; i < offs.length; i += 2) {
    out[i] = nFloor[offs[i]];
    out[i + 1] = nCeil[offs[i + 1]];
  }
  return out;
}
