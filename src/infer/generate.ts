// Token-by-token generation: a next-token logits function, CPU sampling, eos ids and the
// template's stop strings, streamed as an async iterator of text pieces.
import type { Decoder } from '../engine/decoder/decoder.ts';
import { sampler, type SamplingOptions } from './sample.ts';

/** Logits [V] of the position after `ids`. */
export type NextLogits = (ids: readonly number[]) => Promise<Float32Array>;

export interface GenerateOptions extends SamplingOptions {
  max_new_tokens: number;
  /** Token ids that end the reply (not emitted). */
  eos_token_ids?: readonly number[];
  /** Strings that end the reply (cut before them). */
  stop?: readonly string[];
  /** Text of the generated ids so far; without it only ids are streamed. */
  decode?: (ids: number[]) => string;
  signal?: AbortSignal;
}

export interface GeneratedPiece {
  id: number;
  /** New text since the last piece (may be empty while a multi-byte character is incomplete). */
  text: string;
}

/** Next-token logits by re-running the decoder over the whole sequence (no KV cache). */
export function recomputeLogits(decoder: Decoder): NextLogits {
  return (ids) => decoder.logits({ input_ids: [ids] }, { last: true });
}

export async function* generate(next: NextLogits, prompt: readonly number[], o: GenerateOptions): AsyncGenerator<GeneratedPiece> {
  const pick = sampler(o);
  const eos = new Set(o.eos_token_ids ?? []);
  const ids = [...prompt];
  const out: number[] = [];
  let text = '';
  for (let n = 0; n < o.max_new_tokens && !o.signal?.aborted; n++) {
    const id = pick(await next(ids));
    if (eos.has(id)) return;
    ids.push(id);
    out.push(id);
    if (!o.decode) { yield { id, text: '' }; continue; }
    const full = o.decode(out);
    const hits = (o.stop ?? []).map((s) => full.indexOf(s)).filter((i) => i >= 0);
    // A character split across byte tokens decodes as U+FFFD until its last byte arrives.
    const cut = (hits.length ? full.slice(0, Math.min(...hits)) : full).replace(/\uFFFD+$/, '');
    const piece = cut.length > text.length && cut.startsWith(text) ? cut.slice(text.length) : '';
    text = cut.startsWith(text) ? cut : text;
    yield { id, text: piece };
    if (hits.length) return;
  }
}
