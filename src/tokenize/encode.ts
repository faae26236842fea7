// A rendered conversation → input_ids and labels.
//
// input_ids are the tokenizer's encoding of the WHOLE rendered text in one call — exactly what the
// model sees at inference — never pieces tokenized apart and concatenated (BPE merges differently
// at the seams). Labels come from each token's character range (offsets.ts) laid on the spans.
//
// Rules:
// - BOS: the text is encoded with add_special_tokens=false, since templates write their own BOS
//   (`<|begin_of_text|>`, `<bos>`, …). Only when the tokenizer would add a BOS itself (its
//   post-processor does, or tokenizer_config says add_bos_token) and the text does not already
//   start with it is one prepended, untrained. So a BOS is never doubled and never missing.
//   Tokenizer-added EOS is never appended: the template's end-of-turn markers are the ends.
// - A token is trained when ANY of its characters is in a trainable span. A token can straddle a
//   span boundary (byte-level BPE merges `.` of the reply with the `\n\n` after it; a multi-byte
//   character split across tokens is shared by both). Training it is the only way the model learns
//   to emit the trainable characters inside it; not training it would silently drop the reply's
//   last character or the end-of-turn marker from the loss. Straddles are counted per record.
// - labels are unshifted (Hugging Face convention): labels[i] = input_ids[i] when token i is
//   trained, else -100; the model shifts them by one when computing the loss.
import type { PreTrainedTokenizer } from '@huggingface/transformers';
import type { Rendered } from '../templates/types.ts';
import { TokenAligner } from './offsets.ts';
import { IGNORE_INDEX, type EncodedRecord } from './types.ts';

export interface EncoderOptions {
  /** `auto` (default): prepend BOS per the rule above; `never`: the text alone. */
  addBos?: 'auto' | 'never';
  /** Keep per-token offsets in the result (tests, the UI's token view). */
  returnOffsets?: boolean;
}

export class RecordEncoder {
  readonly aligner: TokenAligner;
  /** The BOS id to prepend when the text lacks it, or null when the tokenizer adds none. */
  readonly bosToPrepend: number | null;
  /** Pad id: the tokenizer's pad token, else its EOS (as transformers.js), else 0. */
  readonly padId: number;

  constructor(
    readonly tokenizer: PreTrainedTokenizer,
    private readonly opts: EncoderOptions = {},
  ) {
    this.aligner = new TokenAligner(tokenizer);
    this.bosToPrepend = opts.addBos === 'never' ? null : tokenizerBos(tokenizer);
    this.padId = tokenizer.pad_token_id ?? tokenizer.eos_token_id ?? 0;
  }

  encode(rendered: Rendered, line: number): EncodedRecord {
    const { text, spans } = rendered;
    const body = this.tokenizer.encode(text, { add_special_tokens: false });
    const bos = this.bosToPrepend !== null && body[0] !== this.bosToPrepend ? 1 : 0;
    const n = body.length + bos;
    const input_ids = new Int32Array(n);
    if (bos) input_ids[0] = this.bosToPrepend!;
    input_ids.set(body, bos);
    const offsets = this.aligner.align(text, input_ids, bos);

    const trainedBefore = trainablePrefix(text.length, spans);
    const labels = new Int32Array(n).fill(IGNORE_INDEX);
    let straddles = 0;
    for (let i = bos; i < n; i++) {
      const s = offsets[2 * i];
      const e = offsets[2 * i + 1];
      const k = trainedBefore[e] - trainedBefore[s];
      if (k > 0) {
        labels[i] = input_ids[i];
        if (k < e - s) straddles++;
      }
    }
    const out: EncodedRecord = { line, input_ids, labels, straddles };
    if (this.opts.returnOffsets) out.offsets = offsets;
    return out;
  }
}

/** The id of the BOS the tokenizer itself would put first, or null. */
export function tokenizerBos(tokenizer: PreTrainedTokenizer): number | null {
  const bos = tokenizer.bos_token_id;
  if (bos === undefined || bos === null) return null;
  const withSpecial = tokenizer.encode('a', { add_special_tokens: true });
  const plain = tokenizer.encode('a', { add_special_tokens: false });
  const postProcessorAdds = withSpecial.length > plain.length && withSpecial[0] === bos;
  return postProcessorAdds || tokenizer.add_bos_token === true ? bos : null;
}

/** prefix[k] = number of trainable characters in text[0, k). Checks that spans tile the text. */
function trainablePrefix(length: number, spans: Rendered['spans']): Int32Array {
  const prefix = new Int32Array(length + 1);
  let at = 0;
  for (const sp of spans) {
    if (sp.start !== at || sp.end < sp.start || sp.end > length) {
      throw new Error(`spans do not tile the text: span [${sp.start}, ${sp.end}) after offset ${at}`);
    }
    const base = prefix[at];
    for (let k = sp.start + 1; k <= sp.end; k++) prefix[k] = base + (sp.trainable ? k - sp.start : 0);
    at = sp.end;
  }
  if (at !== length) throw new Error(`spans cover ${at} of ${length} characters`);
  return prefix;
}
