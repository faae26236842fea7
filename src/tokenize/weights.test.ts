// Per-token loss weights (ms-swift's loss_scale) from weighted spans, with real tokenizers: each
// token's expected weight is written by hand from the tokenizer's own pieces (decode of each id),
// so the test does not go through our offsets. The rule (encode.ts): a token weighs the max of the
// weights of the characters it covers; 0 only when none of them is trained.
import { describe, expect, it } from 'vitest';
import type { Rendered, Span } from '../templates/types.ts';
import { RecordEncoder } from './encode.ts';
import { applyLength } from './length.ts';
import { buildRows } from './pack.ts';
import { lenmlTokenizer } from './testing.ts';
import { IGNORE_INDEX } from './types.ts';

/** Spans from [length, weight] pieces: weight 0 = untrained, undefined = trained at the default 1. */
function weighted(text: string, parts: [number, number | undefined][]): Rendered {
  const spans: Span[] = [];
  let at = 0;
  for (const [len, w] of parts) {
    const span: Span = { start: at, end: at + len, role: w === 0 ? 'user' : 'assistant', trainable: w !== 0 };
    if (w !== undefined && w !== 0) span.weight = w;
    spans.push(span);
    at += len;
  }
  expect(at).toBe(text.length);
  return { text, spans, warnings: [] };
}

describe('per-token weights', () => {
  it('a token straddling weight 2 and untrained text weighs 2 (Qwen merges ".\\n\\n")', async () => {
    const { tokenizer } = await lenmlTokenizer('qwen3');
    const text = 'Q: hi\nA: Fine.\n\nQ: ok';
    const e = new RecordEncoder(tokenizer).encode(
      weighted(text, [
        [8, 0],
        [6, 2],
        [text.length - 14, 0],
      ]),
      1,
    );
    const pieces = Array.from(e.input_ids, (id) => tokenizer.decode([id]));
    expect(pieces).toEqual(['Q', ':', ' hi', '\n', 'A', ':', ' Fine', '.\n\n', 'Q', ':', ' ok']);
    expect(Array.from(e.loss_scale!)).toEqual([0, 0, 0, 0, 0, 0, 2, 2, 0, 0, 0]);
    expect(Array.from(e.labels)).toEqual(pieces.map((_, i) => (i === 6 || i === 7 ? e.input_ids[i] : IGNORE_INDEX)));
    expect(e.straddles).toBe(1);
  });

  it('a token straddling two trained weights takes the larger (3 over 0.5)', async () => {
    const { tokenizer } = await lenmlTokenizer('qwen3');
    const text = 'A: Fine.\n\nQ';
    // ' Fine.' at 3, '\n\n' trained at 0.5, 'Q' untrained.
    const e = new RecordEncoder(tokenizer).encode(
      weighted(text, [
        [2, 0],
        [6, 3],
        [2, 0.5],
        [1, 0],
      ]),
      1,
    );
    expect(Array.from(e.input_ids, (id) => tokenizer.decode([id]))).toEqual(['A', ':', ' Fine', '.\n\n', 'Q']);
    expect(Array.from(e.loss_scale!)).toEqual([0, 0, 3, 3, 0]);
    expect(e.straddles).toBe(1);
  });

  it('a character split across byte-level tokens gives its weight to both', async () => {
    const { tokenizer } = await lenmlTokenizer('deepseek_v3');
    const text = 'x 😀';
    const e = new RecordEncoder(tokenizer, { addBos: 'never' }).encode(
      weighted(text, [
        [2, 0.5],
        [2, 2],
      ]),
      1,
    );
    expect(Array.from(e.input_ids, (id) => tokenizer._tokenizer.id_to_token(id))).toEqual(['x', 'ĠðŁĺ', 'Ģ']);
    // 'x' at 0.5; the space (0.5) and the emoji's first 3 bytes (2); the emoji's last byte (2).
    expect(Array.from(e.loss_scale!)).toEqual([0.5, 2, 2]);
    expect(Array.from(e.labels)).toEqual(Array.from(e.input_ids));
  });

  it('weights of 0 and 1 only: labels alone, no loss_scale, the same labels as unweighted spans', async () => {
    const { tokenizer } = await lenmlTokenizer('llama3_1');
    const text = 'A: Sure thing.';
    const enc = new RecordEncoder(tokenizer, { addBos: 'never' });
    const one = enc.encode(
      weighted(text, [
        [3, 0],
        [11, 1],
      ]),
      1,
    );
    const plain = enc.encode(
      weighted(text, [
        [3, 0],
        [11, undefined],
      ]),
      1,
    );
    expect(one.loss_scale).toBeUndefined();
    expect(Array.from(one.labels)).toEqual(Array.from(plain.labels));
    expect(Array.from(one.labels, (l) => l !== IGNORE_INDEX)).toEqual([false, false, true, true, true]);
  });

  it('a trainable span of weight 0 is not trained', async () => {
    const { tokenizer } = await lenmlTokenizer('llama3_1');
    const text = 'A: Sure thing.';
    const r = weighted(text, [
      [3, 0],
      [5, 2],
      [6, 1],
    ]);
    r.spans[1] = { ...r.spans[1], weight: 0 };
    const e = new RecordEncoder(tokenizer, { addBos: 'never' }).encode(r, 1);
    expect(Array.from(e.input_ids, (id) => tokenizer.decode([id]))).toEqual(['A', ':', ' Sure', ' thing', '.']);
    expect(Array.from(e.labels, (l) => l !== IGNORE_INDEX)).toEqual([false, false, false, true, true]);
    expect(e.loss_scale).toBeUndefined();
  });

  it('refuses a negative or non-finite weight, naming the span', async () => {
    const { tokenizer } = await lenmlTokenizer('llama3_1');
    const r = weighted('ab', [
      [1, 0],
      [1, 1],
    ]);
    r.spans[1].weight = -1;
    expect(() => new RecordEncoder(tokenizer).encode(r, 1)).toThrow(/span \[1, 2\) has weight -1/);
    r.spans[1].weight = NaN;
    expect(() => new RecordEncoder(tokenizer).encode(r, 1)).toThrow(/weight NaN/);
  });

  it('truncation and packing keep each token with its weight', async () => {
    const { tokenizer } = await lenmlTokenizer('qwen3');
    const enc = new RecordEncoder(tokenizer);
    const a = enc.encode(
      weighted('Q: hi\nA: Fine.\n\nQ: ok', [
        [8, 0],
        [6, 2],
        [7, 0],
      ]),
      1,
    );
    const b = enc.encode(
      weighted('A: yes', [
        [2, 0],
        [4, undefined],
      ]),
      2,
    );
    const left = applyLength(a, { max_length: 6, truncation: 'left' }).record!;
    expect(Array.from(left.loss_scale!)).toEqual([0, 2, 2, 0, 0, 0]);
    const [row] = buildRows([a, b], [[1, 0]], { max_length: 16, padId: 0 });
    // b has no loss_scale: its trained tokens weigh 1; each sequence's first token is never trained.
    expect(Array.from(row.loss_scale!)).toEqual([0, 0, 1, ...Array.from(a.loss_scale!), 0, 0]);
    expect(Array.from(row.labels, (l) => l !== IGNORE_INDEX)).toEqual(Array.from(row.loss_scale!, (w) => w > 0));
  });
});
