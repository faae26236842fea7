// Token-by-token generation: a next-token logits function, CPU sampling, eos ids and the
// template's stop strings, streamed as an async iterator of text pieces.
import type { Decoder } from '../engine/decoder/decoder.ts';
import { sampler, type SamplingOptions } from './sample.ts';
import { visibleText } from './visible-text.ts';

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
  /** The sampled token; null on the last piece, which carries text held back until the end. */
  id: number | null;
  /** New text since the last piece (may be empty while a multi-byte character is incomplete or
   *  a tail could still turn out to be the start of a stop string). */
  text: string;
}

/** Next-token logits by re-running the decoder over the whole sequence (no KV cache). */
export function recomputeLogits(decoder: Decoder): NextLogits {
  return (ids) => decoder.logits({ input_ids: [ids] }, { last: true });
}

export async function* generate(
  next: NextLogits,
  prompt: readonly number[],
  o: GenerateOptions,
): AsyncGenerator<GeneratedPiece> {
  const pick = sampler(o);
  const eos = new Set(o.eos_token_ids ?? []);
  const stop = o.stop ?? [];
  const ids = [...prompt];
  const out: number[] = [];
  let shown = '';
  // Streamed text cannot be taken back: show only what no later token can cut.
  const more = (visible: string): string => {
    if (visible.length <= shown.length || !visible.startsWith(shown)) return '';
    const piece = visible.slice(shown.length);
    shown = visible;
    return piece;
  };
  for (let n = 0; n < o.max_new_tokens && !o.signal?.aborted; n++) {
    const id = pick(await next(ids));
    if (eos.has(id)) break;
    ids.push(id);
    out.push(id);
    if (!o.decode) {
      yield { id, text: '' };
      continue;
    }
    const full = o.decode(out);
    if (stop.some((s) => s && full.includes(s))) {
      yield { id, text: more(visibleText(full, stop, false)) };
      return;
    }
    yield { id, text: more(visibleText(full, stop, true)) };
  }
  // Ended by eos, max_new_tokens or abort: the held-back tail was not a stop string after all.
  if (o.decode) {
    const rest = more(visibleText(o.decode(out), stop, false));
    if (rest) yield { id: null, text: rest };
  }
}
