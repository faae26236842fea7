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
// - Weights (ms-swift's loss_scale): a character weighs its span's `weight` (1 when absent) if the
//   span is trainable, else 0. A token weighs the MAX of the weights of the characters it covers,
//   so it is trained (label = its id) when ANY of its characters is, and weighs 0 only when none
//   is. A token can straddle a span boundary (byte-level BPE merges `.` of the reply with the
//   `\n\n` after it; a multi-byte character split across tokens is shared by both). Training it is
//   the only way the model learns to emit the trainable characters inside it; not training it would
//   silently drop the reply's last character or the end-of-turn marker from the loss. The max,
//   rather than a mean, keeps an up-weighted piece (a tool call at 2) from being diluted by the
//   separator merged into its last token, and makes weights 0/1 give exactly the labels of the
//   any-character rule. (ms-swift tokenizes each weighted part apart, so its tokens never straddle;
//   we encode the whole text in one call, which is what the model sees at inference.) A token whose
//   characters carry more than one weight counts as a straddle, per record.
// - loss_scale is kept (aligned with input_ids, unshifted like labels, 0 where labels are -100)
//   only when some token weighs neither 0 nor 1; otherwise labels say everything (ms-swift stores
//   loss_scale only for non-binary scales).
// - labels are unshifted (Hugging Face convention): labels[i] = input_ids[i] when token i is
//   trained, else -100; the model shifts them by one when computing the loss.
import type { PreTrainedTokenizer } from '@huggingface/transformers';
import type { Rendered, Span } from '../templates/types.ts';
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

    const charWeight = characterWeights(text.length, spans);
    const labels = new Int32Array(n).fill(IGNORE_INDEX);
    const lossScale = new Float64Array(n);
    let straddles = 0;
    let weighted = false;
    for (let i = bos; i < n; i++) {
      const s = offsets[2 * i];
      const e = offsets[2 * i + 1];
      if (e <= s) continue;
      let max = charWeight[s];
      let min = max;
      for (let k = s + 1; k < e; k++) {
        const w = charWeight[k];
        if (w > max) max = w;
        else if (w < min) min = w;
      }
      if (min !== max) straddles++;
      if (max > 0) {
        labels[i] = input_ids[i];
        lossScale[i] = max;
        if (max !== 1) weighted = true;
      }
    }
    const out: EncodedRecord = { line, input_ids, labels, straddles };
    if (weighted) out.loss_scale = lossScale;
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

/** The loss weight of a span's characters: its `weight` (default 1) when trainable, else 0. */
export function spanWeight(span: Span): number {
  return span.trainable ? (span.weight ?? 1) : 0;
}

/** weight[k] of each character of the text. Checks that spans tile the text and weights are valid. */
function characterWeights(length: number, spans: readonly Span[]): Float64Array {
  const weight = new Float64Array(length);
  let at = 0;
  for (const sp of spans) {
    if (sp.start !== at || sp.end < sp.start || sp.end > length) {
      throw new Error(`spans do not tile the text: span [${sp.start}, ${sp.end}) after offset ${at}`);
    }
    const w = spanWeight(sp);
    if (!(Number.isFinite(w) && w >= 0))
      throw new Error(`span [${sp.start}, ${sp.end}) has weight ${w}: weights must be finite and ≥ 0`);
    weight.fill(w, sp.start, sp.end);
    at = sp.end;
  }
  if (at !== length) throw new Error(`spans cover ${at} of ${length} characters`);
  return weight;
}
