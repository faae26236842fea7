// The generated tokenizer must load in Hugging Face's own JS tokenizer (transformers.js) from
// the files we write, and round-trip text with special tokens exactly.
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AutoTokenizer, env } from '@huggingface/transformers';
import { describe, expect, it } from 'vitest';
import { bytesToUnicode, FAMILY_SPECIALS, makeByteTokenizer, type TemplateFamily } from './byte-tokenizer.ts';
import { makeTinyModel } from './tiny.ts';

const root = mkdtempSync(join(tmpdir(), 'prism-bytetok-'));

async function load(family: TemplateFamily) {
  const model = makeTinyModel({
    arch: 'llama',
    hidden: 16,
    layers: 1,
    heads: 2,
    kvHeads: 1,
    intermediate: 16,
    seed: 0,
    dtype: 'float32',
    tokenizer: 'bytes',
    template: family,
  });
  const dir = join(root, family);
  mkdirSync(dir, { recursive: true });
  for (const [name, bytes] of Object.entries(model.files)) writeFileSync(join(dir, name), bytes);
  env.allowRemoteModels = false;
  env.localModelPath = root + '/';
  return { tok: await AutoTokenizer.from_pretrained(family), model };
}

describe('byte-level BPE tokenizer', () => {
  it('has 256 byte tokens, learned merges and the family specials after them', () => {
    const t = makeByteTokenizer({ family: 'chatml' });
    const merges = (t.tokenizerJson.model as { merges: unknown[] }).merges;
    expect(merges.length).toBeGreaterThanOrEqual(150);
    expect(t.vocabSize).toBeLessThan(1024);
    expect(Object.keys(t.specialIds)).toEqual(FAMILY_SPECIALS.chatml.tokens);
    expect(new Set(bytesToUnicode()).size).toBe(256);
  });

  const samples: Record<TemplateFamily, string> = {
    chatml:
      '<|im_start|>system\nYou are helpful.<|im_end|>\n<|im_start|>user\nHéllo wörld — 日本語 🦊\t ' +
      'tabs  and  spaces<|im_end|>\n<|im_start|>assistant\n',
    llama3:
      '<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nWhat is 2+2? ünïcödé ' +
      '😀<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n4<|eot_id|>',
  };
  for (const family of ['chatml', 'llama3'] as const) {
    it(`${family}: loads with AutoTokenizer, encodes specials to their ids, decodes exactly`, async () => {
      const { tok, model } = await load(family);
      const specials = makeByteTokenizer({ family }).specialIds;
      for (const [content, id] of Object.entries(specials)) {
        expect(tok.encode(content, { add_special_tokens: false })).toEqual([id]);
      }
      const text = samples[family];
      const ids = tok.encode(text, { add_special_tokens: false });
      expect(tok.decode(ids)).toBe(text);
      // Specials are single tokens in the stream; ordinary text uses merges (fewer ids than bytes).
      const specialCount = FAMILY_SPECIALS[family].tokens.reduce((n, s) => n + text.split(s).length - 1, 0);
      expect(ids.filter((i) => Object.values(specials).includes(i))).toHaveLength(specialCount);
      expect(ids.length).toBeLessThan(new TextEncoder().encode(text).length);
      expect(tok.eos_token_id).toBe(specials[FAMILY_SPECIALS[family].eos]);
      // Every id fits the tiny model's embedding.
      expect(Math.max(...ids)).toBeLessThan(model.spec.vocab_size);
      const rendered = tok.apply_chat_template([{ role: 'user', content: 'hi' }], {
        tokenize: false,
        add_generation_prompt: true,
      });
      expect(rendered).toBe(
        family === 'chatml'
          ? '<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n'
          : '<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nhi<|eot_id|><|start_header_id|>' +
              'assistant<|end_header_id|>\n\n',
      );
    });
  }
});
