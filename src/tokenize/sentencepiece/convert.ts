// A SentencePiece model → the tokenizer.json a Hugging Face fast tokenizer would be built from, the
// way transformers converts a slow tokenizer (convert_slow_tokenizer.py) when a repo ships only
// tokenizer.model (InternLM2, early Llama repos, Baichuan, Yi):
//
// - LlamaConverter (LlamaTokenizer, CodeLlamaTokenizer, and any class not named below):
//   model: pieces 0..2 named as the tokenizer names ids 0..2; model_type 1 → Unigram(unk_id 0),
//   2 → BPE(unk_token = trainer_spec.unk_piece, fuse_unk, byte_fallback) with merges from
//   generate_merges (every split of a piece into two pieces, ordered by the piece's score);
//   normalizer (legacy, the default): [Prepend('▁') if add_prefix_space] + Replace(' ', '▁');
//   non-legacy: no normalizer, pre-tokenizer Metaspace(prepend_scheme 'first'/'never', split false);
//   decoder Replace('▁', ' '), ByteFallback, Fuse, [Strip(' ', 1, 0) if add_prefix_space].
// - InternLM2Converter (tokenization_internlm2_fast.py, InternLM2TokenizerFast): pieces 0..2 are
//   <unk> <s> </s> and every id in added_tokens_decoder is renamed to that token's content; BPE
//   only; normalizer Prepend('▁') only if the model's normalizer_spec.add_dummy_prefix, then
//   Replace(' ', '▁'), whatever `legacy` says; no pre-tokenizer; decoder always strips one space.
// - Added tokens (SpmConverter.tokenizer, then PreTrainedTokenizerFast.__init__): CONTROL pieces
//   (special) and USER_DEFINED pieces (not special), normalized=false; then tokenizer_config's
//   added_tokens_decoder with its flags; then the named special tokens (bos/eos/unk/pad,
//   additional_special_tokens) not already added.
// - Post-processor (LlamaTokenizerFast / InternLM2TokenizerFast.update_post_processor):
//   TemplateProcessing "[bos:0] $A:0 [eos:0]" per add_bos_token (default true) and add_eos_token.
// Text normalization the converters do not reproduce (a precompiled_charsmap, removal of extra
// whitespace) is refused for classes other than those two, whose fast tokenizers ignore it too.
import { SentencePieceError, ModelType, PieceType, parseModelProto, type ModelProto } from './proto.ts';

const SPIECE = '\u2581';

export type Flavor = 'llama' | 'internlm2';

interface AddedTokenJSON {
  id: number;
  content: string;
  single_word: boolean;
  lstrip: boolean;
  rstrip: boolean;
  normalized: boolean;
  special: boolean;
}

type Config = Record<string, unknown>;

/** A special token's text: tokenizer_config writes a string or an AddedToken object. */
function tokenText(v: unknown): string | null {
  if (typeof v === 'string') return v;
  const content = v && typeof v === 'object' ? (v as { content?: unknown }).content : undefined;
  if (typeof content === 'string') return content;
  return null;
}

function flag(config: Config, key: string, dflt: boolean): boolean {
  const v = config[key];
  return typeof v === 'boolean' ? v : dflt;
}

/** Which converter transformers would pick for this tokenizer_config's tokenizer_class. */
export function flavorOf(config: Config): Flavor {
  const cls = typeof config.tokenizer_class === 'string' ? config.tokenizer_class : '';
  return /^InternLM2?Tokenizer(Fast)?$/.test(cls) ? 'internlm2' : 'llama';
}

const LLAMA_CLASS = /^(Code)?LlamaTokenizer(Fast)?$/;

/**
 * generate_merges(vocab, vocab_scores): for each piece (in id order) every split into two pieces of
 * the model's own vocabulary, ordered within the piece by the two halves' ids; then all merges by
 * the piece's score, highest first, longer left half first on ties (a stable sort).
 */
export function generateMerges(
  vocab: readonly [string, number][],
  original: ReadonlyMap<string, number>,
): [string, string][] {
  // dict(vocab_scores): one entry per piece, at its first position, with its last score.
  const scores = new Map<string, number>();
  for (const [piece, score] of vocab) scores.set(piece, score);
  const merges: { l: string; r: string; score: number; order: number }[] = [];
  for (const [piece, score] of scores) {
    const cps = Array.from(piece);
    if (cps.length < 2) continue;
    const local: { l: string; r: string; li: number; ri: number }[] = [];
    let left = '';
    for (let i = 1; i < cps.length; i++) {
      left += cps[i - 1];
      const right = piece.slice(left.length);
      const li = original.get(left);
      const ri = original.get(right);
      if (li !== undefined && ri !== undefined) local.push({ l: left, r: right, li, ri });
    }
    local.sort((a, b) => a.li - b.li || a.ri - b.ri);
    for (const m of local) merges.push({ l: m.l, r: m.r, score, order: merges.length });
  }
  const len = (s: string) => Array.from(s).length;
  merges.sort((a, b) => b.score - a.score || len(b.l) - len(a.l) || len(b.r) - len(a.r) || a.order - b.order);
  return merges.map((m) => [m.l, m.r]);
}

export interface ConvertOptions {
  /** For messages: where the model file came from. */
  label?: string;
}

/** tokenizer.json (as an object) for a parsed SentencePiece model and its tokenizer_config.json. */
export function tokenizerJSONFromModel(
  proto: ModelProto,
  config: Config = {},
  opts: ConvertOptions = {},
): Record<string, unknown> {
  const label = opts.label ?? 'tokenizer.model';
  const flavor = flavorOf(config);
  const cls = typeof config.tokenizer_class === 'string' ? config.tokenizer_class : '';
  const { trainerSpec: ts, normalizerSpec: ns } = proto;
  const n = proto.pieces.length;
  if (flavor === 'llama' && !LLAMA_CLASS.test(cls)) {
    if (ns.precompiledCharsmap.length > 0 || ns.removeExtraWhitespaces) {
      const what =
        ns.precompiledCharsmap.length > 0
          ? `normalizes text (rule "${ns.name || 'custom'}")`
          : 'removes extra whitespace';
      throw new SentencePieceError(
        `${label}: this SentencePiece model ${what}, which the Llama-style conversion does not reproduce` +
          (cls ? ` (tokenizer_class ${cls})` : '') +
          '; use a copy of the model with its tokenizer.json',
      );
    }
  }
  if (ts.modelType !== ModelType.BPE && ts.modelType !== ModelType.UNIGRAM) {
    throw new SentencePieceError(
      `${label}: trainer_spec.model_type ${ts.modelType} (WORD or CHAR); only BPE and Unigram models convert`,
    );
  }
  if (flavor === 'internlm2' && ts.modelType !== ModelType.BPE) {
    throw new SentencePieceError(`${label}: InternLM2's tokenizer must be a BPE model, this one is Unigram`);
  }
  const decoderEntries = addedTokensDecoder(config, label);
  // vocab(proto): the converter's names for the first ids.
  const vocab: [string, number][] = proto.pieces.map((p) => [p.piece, p.score]);
  if (flavor === 'internlm2') {
    (['<unk>', '<s>', '</s>'] as const).forEach((name, i) => {
      if (i < n) vocab[i] = [name, 0];
    });
    for (const [id, t] of decoderEntries) if (id < n) vocab[id] = [t.content, vocab[id][1]];
  } else {
    // convert_ids_to_tokens(i): an added token's content at that id, else the model's piece.
    for (let i = 0; i < Math.min(3, n); i++) vocab[i] = [decoderEntries.get(i)?.content ?? proto.pieces[i].piece, 0];
  }
  // Both converters set handle_byte_fallback: the fast model falls back to <0xNN> pieces whatever
  // trainer_spec.byte_fallback says (without such pieces it still yields the unknown token).
  const byteFallback = true;
  let model: Record<string, unknown>;
  if (ts.modelType === ModelType.BPE) {
    const original = new Map<string, number>();
    proto.pieces.forEach((p, i) => original.set(p.piece, i));
    const bpeVocab: Record<string, number> = Object.create(null) as Record<string, number>;
    vocab.forEach(([piece], i) => {
      bpeVocab[piece] = i;
    });
    model = {
      type: 'BPE',
      dropout: null,
      unk_token: ts.unkPiece,
      continuing_subword_prefix: null,
      end_of_word_suffix: null,
      fuse_unk: true,
      byte_fallback: byteFallback,
      ignore_merges: false,
      vocab: bpeVocab,
      merges: generateMerges(vocab, original),
    };
  } else {
    model = { type: 'Unigram', unk_id: 0, vocab, byte_fallback: byteFallback };
  }

  const legacy = flag(config, 'legacy', true);
  const addPrefixSpace = flag(config, 'add_prefix_space', true);
  const replace = { type: 'Replace', pattern: { String: ' ' }, content: SPIECE };
  let normalizer: Record<string, unknown> | null = null;
  let preTokenizer: Record<string, unknown> | null = null;
  const prepend = flavor === 'internlm2' ? ns.addDummyPrefix : addPrefixSpace;
  if (flavor === 'internlm2' || legacy) {
    const steps = prepend ? [{ type: 'Prepend', prepend: SPIECE }, replace] : [replace];
    normalizer = { type: 'Sequence', normalizers: steps };
  } else {
    const scheme = addPrefixSpace ? 'first' : 'never';
    preTokenizer = { type: 'Metaspace', replacement: SPIECE, prepend_scheme: scheme, split: false };
  }
  const strip = flavor === 'internlm2' || addPrefixSpace;
  const decoder = {
    type: 'Sequence',
    decoders: [
      { type: 'Replace', pattern: { String: SPIECE }, content: ' ' },
      { type: 'ByteFallback' },
      { type: 'Fuse' },
      ...(strip ? [{ type: 'Strip', content: ' ', start: 1, stop: 0 }] : []),
    ],
  };

  const added = addedTokens(proto, vocab, decoderEntries, config, flavor);
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: added,
    normalizer,
    pre_tokenizer: preTokenizer,
    post_processor: postProcessor(config, flavor, added, vocab, label),
    decoder,
    model,
  };
}

/** tokenizer_config's added_tokens_decoder, by id (keys are decimal strings). */
function addedTokensDecoder(config: Config, label: string): Map<number, AddedTokenJSON> {
  const out = new Map<number, AddedTokenJSON>();
  const raw = config.added_tokens_decoder;
  if (raw === undefined || raw === null) return out;
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    throw new SentencePieceError(
      `tokenizer_config.json: added_tokens_decoder must map ids to tokens (beside ${label})`,
    );
  }
  for (const [key, v] of Object.entries(raw as Record<string, unknown>)) {
    const id = Number(key);
    const content = tokenText(v);
    if (!Number.isInteger(id) || id < 0 || content === null) {
      throw new SentencePieceError(
        `tokenizer_config.json: added_tokens_decoder["${key}"] needs an integer id and a "content"`,
      );
    }
    const o = (typeof v === 'object' ? v : {}) as Record<string, unknown>;
    const special = o.special === true;
    out.set(id, {
      id,
      content,
      single_word: o.single_word === true,
      lstrip: o.lstrip === true,
      rstrip: o.rstrip === true,
      // AddedToken's default: normalized = not special.
      normalized: typeof o.normalized === 'boolean' ? o.normalized : !special,
      special,
    });
  }
  return out;
}

function addedTokens(
  proto: ModelProto,
  vocab: [string, number][],
  decoder: Map<number, AddedTokenJSON>,
  config: Config,
  flavor: Flavor,
): AddedTokenJSON[] {
  const ids = new Map<string, number>();
  vocab.forEach(([piece], i) => ids.set(piece, i));
  const named = ['bos_token', 'eos_token', 'unk_token', 'pad_token'].map((k) => namedToken(config, flavor, k));
  const extra = Array.isArray(config.additional_special_tokens) ? config.additional_special_tokens.map(tokenText) : [];
  const specials = new Set([...named, ...extra].filter((t): t is string => t !== null));
  const byId = new Map<number, AddedTokenJSON>();
  const contents = new Set<string>();
  let next = vocab.length;
  // tokenizers' AddedVocabulary.add_tokens: a token already in the model's vocabulary keeps its id.
  const add = (t: Omit<AddedTokenJSON, 'id'>, declared?: number) => {
    const id = ids.get(t.content) ?? declared ?? next;
    if (id >= next) next = id + 1;
    byId.set(id, { ...t, id });
    contents.add(t.content);
  };
  const plain = { single_word: false, lstrip: false, rstrip: false, normalized: false };
  if (flavor === 'llama') {
    // SpmConverter.tokenizer: control pieces are special, user-defined ones are not.
    proto.pieces.forEach((p, i) => {
      if (p.type === PieceType.CONTROL || p.type === PieceType.USER_DEFINED) {
        add({ ...plain, content: vocab[i][0], special: p.type === PieceType.CONTROL }, i);
      }
    });
  }
  // PreTrainedTokenizerFast.__init__: added_tokens_decoder entries whose id is not added yet (special
  // when flagged or named); InternLM2Converter adds them all as special tokens.
  for (const [id, t] of [...decoder].sort((a, b) => a[0] - b[0])) {
    if (byId.has(id)) continue;
    add({ ...t, special: flavor === 'internlm2' || t.special || specials.has(t.content) }, id);
  }
  // ... then the named special tokens written as strings that are not added yet.
  for (const content of specials) if (!contents.has(content)) add({ ...plain, content, special: true });
  return [...byId.values()].sort((a, b) => a.id - b.id);
}

/** A named special token: the config's (null if it says null), else the slow tokenizer class's default. */
function namedToken(config: Config, flavor: Flavor, key: string): string | null {
  if (key in config) return tokenText(config[key]);
  const defaults: Record<string, string | null> = {
    bos_token: '<s>',
    eos_token: '</s>',
    unk_token: '<unk>',
    pad_token: flavor === 'internlm2' ? '</s>' : null,
  };
  return defaults[key] ?? null;
}

function postProcessor(
  config: Config,
  flavor: Flavor,
  added: AddedTokenJSON[],
  vocab: [string, number][],
  label: string,
): Record<string, unknown> {
  const addBos = flag(config, 'add_bos_token', true);
  const addEos = flag(config, 'add_eos_token', false);
  const idOf = (content: string) =>
    added.find((t) => t.content === content)?.id ?? vocab.findIndex(([p]) => p === content);
  const special: Record<string, unknown> = {};
  const single: unknown[] = [];
  const pair: unknown[] = [];
  const tok = (key: 'bos_token' | 'eos_token', typeId: number) => {
    const content = namedToken(config, flavor, key);
    if (content === null) {
      throw new SentencePieceError(`tokenizer_config.json: add_${key} is true but ${key} is null (beside ${label})`);
    }
    const id = idOf(content);
    if (id < 0) {
      throw new SentencePieceError(`tokenizer_config.json: ${key} ${JSON.stringify(content)} is not in ${label}`);
    }
    special[content] = { id: content, ids: [id], tokens: [content] };
    return { SpecialToken: { id: content, type_id: typeId } };
  };
  for (const [out, typeId] of [
    [single, 0],
    [pair, 0],
  ] as const) {
    if (addBos) out.push(tok('bos_token', typeId));
    out.push({ Sequence: { id: 'A', type_id: typeId } });
    if (addEos) out.push(tok('eos_token', typeId));
  }
  if (addBos) pair.push(tok('bos_token', 1));
  pair.push({ Sequence: { id: 'B', type_id: 1 } });
  if (addEos) pair.push(tok('eos_token', 1));
  return { type: 'TemplateProcessing', single, pair, special_tokens: special };
}

/** tokenizer.json (as an object) from the bytes of a tokenizer.model and its tokenizer_config.json. */
export function tokenizerJSONFromSentencePiece(
  bytes: Uint8Array,
  config: Config = {},
  opts: ConvertOptions = {},
): Record<string, unknown> {
  return tokenizerJSONFromModel(parseModelProto(bytes, opts.label), config, opts);
}
