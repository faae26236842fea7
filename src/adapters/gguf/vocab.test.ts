// The tokenizer KVs for small hand-made tokenizer files, each expectation read off convert_hf_to_gguf.py's
// rules (get_vocab_base, SpecialVocab) rather than from this code.
import { describe, expect, it } from 'vitest';
import { GgufError, TokenType } from './format.ts';
import { preTokenizerName, vocabKv } from './vocab.ts';

const byteLevel = { type: 'ByteLevel', add_prefix_space: false, trim_offsets: false, use_regex: true };

function tokenizer(extra: Record<string, unknown> = {}) {
  return {
    model: {
      type: 'BPE',
      vocab: { a: 0, b: 1, ab: 2, Ġx: 3 },
      merges: [
        ['a', 'b'],
        ['Ġ', 'x y'],
      ],
    },
    added_tokens: [
      { id: 4, content: '<|end|>', special: true },
      { id: 5, content: '<tool>', special: false },
      { id: 6, content: '<|marker|>', special: false },
    ],
    pre_tokenizer: byteLevel,
    ...extra,
  };
}

describe('vocabKv', () => {
  it('pads to vocab_size with UNUSED [PADi], types added tokens, joins merges', () => {
    const kv = new Map(
      vocabKv({
        tokenizerJson: tokenizer(),
        tokenizerConfig: { eos_token: '<|end|>', add_bos_token: false, chat_template: 'T' },
        config: { vocab_size: 9, eos_token_id: 0, pad_token_id: 5 },
      }),
    );
    expect(kv.get('tokenizer.ggml.model')).toEqual({ type: 'str', value: 'gpt2' });
    expect(kv.get('tokenizer.ggml.pre')).toEqual({ type: 'str', value: 'gpt-2' });
    expect(kv.get('tokenizer.ggml.tokens')!.value).toEqual([
      'a',
      'b',
      'ab',
      'Ġx',
      '<|end|>',
      '<tool>',
      '<|marker|>',
      '[PAD7]',
      '[PAD8]',
    ]);
    const { NORMAL, CONTROL, USER_DEFINED, UNUSED } = TokenType;
    // <|marker|> is not special in the file but looks special (<|…|>): CONTROL.
    expect(kv.get('tokenizer.ggml.token_type')!.value).toEqual([
      NORMAL,
      NORMAL,
      NORMAL,
      NORMAL,
      CONTROL,
      USER_DEFINED,
      CONTROL,
      UNUSED,
      UNUSED,
    ]);
    // A space inside a merge part is written as U+0120 so "a b" stays splittable.
    expect(kv.get('tokenizer.ggml.merges')!.value).toEqual(['a b', 'Ġ xĠy']);
    // tokenizer_config.json names win; config.json fills what is left.
    expect(kv.get('tokenizer.ggml.eos_token_id')).toEqual({ type: 'u32', value: 4 });
    expect(kv.get('tokenizer.ggml.padding_token_id')).toEqual({ type: 'u32', value: 5 });
    expect(kv.has('tokenizer.ggml.bos_token_id')).toBe(false);
    expect(kv.get('tokenizer.ggml.add_bos_token')).toEqual({ type: 'bool', value: false });
    expect(kv.get('tokenizer.chat_template')).toEqual({ type: 'str', value: 'T' });
  });

  it('reads add_bos from a TemplateProcessing post-processor (Llama 3)', () => {
    const post = {
      type: 'Sequence',
      processors: [
        byteLevel,
        { type: 'TemplateProcessing', single: [{ SpecialToken: { id: '<|end|>' } }, { Sequence: { id: 'A' } }] },
      ],
    };
    const kv = new Map(
      vocabKv({
        tokenizerJson: tokenizer({ post_processor: post }),
        tokenizerConfig: { bos_token: '<|end|>' },
        config: {},
      }),
    );
    expect(kv.get('tokenizer.ggml.add_bos_token')).toEqual({ type: 'bool', value: true });
    expect(kv.get('tokenizer.ggml.bos_token_id')).toEqual({ type: 'u32', value: 4 });
  });

  it('refuses what it cannot write, saying why', () => {
    expect(() => vocabKv({ tokenizerJson: { model: { type: 'Unigram' } }, tokenizerConfig: {}, config: {} })).toThrow(
      /byte-level BPE/,
    );
    expect(() => vocabKv({ tokenizerJson: tokenizer(), tokenizerConfig: {}, config: { vocab_size: 5 } })).toThrow(
      /id 6, but config.json's vocab_size is 5/,
    );
    expect(() => preTokenizerName({ pre_tokenizer: { type: 'Metaspace' } })).toThrow(GgufError);
    expect(
      preTokenizerName({
        pre_tokenizer: { type: 'Sequence', pretokenizers: [{ type: 'Digits', individual_digits: true }, byteLevel] },
      }),
    ).toBe('smollm');
  });
});
