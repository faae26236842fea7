// The generation loop on scripted logits: eos ids, stop strings cut before the stop text, the
// streamed pieces concatenate to the reply, and max_new_tokens bounds it.
import { describe, expect, it } from 'vitest';
import { generate } from './generate.ts';

const VOCAB = ['a', 'b', '<|im_end|>', 'c', 'x', '<|im', '_end|>'];
// Each step's logits favour the next scripted token.
function scripted(tokens: number[]) {
  let i = 0;
  return async () => {
    const l = new Float32Array(VOCAB.length).fill(-5);
    l[tokens[Math.min(i++, tokens.length - 1)]] = 5;
    return l;
  };
}
const decode = (ids: number[]) => ids.map((i) => VOCAB[i]).join('');
async function collect(it: AsyncIterable<{ id: number | null; text: string }>) {
  const ids: number[] = [];
  const pieces: string[] = [];
  for await (const p of it) {
    if (p.id !== null) ids.push(p.id);
    pieces.push(p.text);
  }
  return { ids, text: pieces.join(''), pieces };
}

describe('generate loop', () => {
  it('stops at a stop string and streams only the text before it', async () => {
    const r = await collect(
      generate(scripted([0, 1, 2, 0]), [4], { max_new_tokens: 10, decode, stop: ['<|im_end|>'] }),
    );
    expect(r.ids).toEqual([0, 1, 2]);
    expect(r.text).toBe('ab');
  });
  it('stops at an eos id without emitting it', async () => {
    const r = await collect(generate(scripted([1, 1, 4, 0]), [0], { max_new_tokens: 10, decode, eos_token_ids: [4] }));
    expect(r.ids).toEqual([1, 1]);
    expect(r.text).toBe('bb');
  });
  it('honours max_new_tokens', async () => {
    const r = await collect(generate(scripted([0]), [0], { max_new_tokens: 3, decode }));
    expect(r.text).toBe('aaa');
  });
  it('passes the growing sequence to the logits function', async () => {
    const seen: number[][] = [];
    const next = scripted([1, 0]);
    for await (const _ of generate(
      async (ids) => {
        seen.push([...ids]);
        return next();
      },
      [4, 4],
      { max_new_tokens: 2 },
    ))
      void _;
    expect(seen).toEqual([
      [4, 4],
      [4, 4, 1],
    ]);
  });
  it('never streams the start of a stop string that spans tokens', async () => {
    const r = await collect(
      generate(scripted([0, 5, 6, 0]), [4], { max_new_tokens: 10, decode, stop: ['<|im_end|>'] }),
    );
    expect(r.ids).toEqual([0, 5, 6]);
    expect(r.pieces.join('|')).toBe('a||');
  });
  it('flushes a held-back tail when the reply ends without the stop string', async () => {
    const r = await collect(
      generate(scripted([0, 5, 4]), [4], { max_new_tokens: 10, decode, stop: ['<|im_end|>'], eos_token_ids: [4] }),
    );
    expect(r.ids).toEqual([0, 5]);
    expect(r.text).toBe('a<|im');
    expect(r.pieces).toEqual(['a', '', '<|im']);
  });
});
