// SentencePiece tokenizer.model → fast tokenizer, checked against SentencePiece itself: models are
// trained here by Debian's python3-sentencepiece (spm_reference.py: BPE and Unigram, byte fallback,
// control and user-defined symbols), and every text's ids must equal the slow tokenizer's (the text
// split on the added tokens, each other piece `sp_model.encode`d). The protobuf reader is checked
// against the pieces, scores and types SentencePiece reports, and against the training options.
import { readFileSync } from 'node:fs';
import type { PreTrainedTokenizer } from '@huggingface/transformers';
import { beforeAll, describe, expect, it } from 'vitest';
import { RecordEncoder } from '../encode.ts';
import { tokenizerFromFiles } from '../load.ts';
import { tokenizerJSONFromSentencePiece } from './convert.ts';
import { ModelType, parseModelProto, PieceType, SentencePieceError } from './proto.ts';
import { COMMON_TRAINING as COMMON, sentencePieceReference, type Reference } from './testing.ts';

const SYMBOLS = { control_symbols: ['<|im_start|>', '<|im_end|>'], user_defined_symbols: ['<tool>'] };
const MODELS = [
  { name: 'bpe', train: { model_type: 'bpe', ...COMMON, ...SYMBOLS }, nonlegacy: true },
  { name: 'unigram', train: { model_type: 'unigram', ...COMMON, ...SYMBOLS } },
  { name: 'bpe_nodummy', train: { model_type: 'bpe', ...COMMON, add_dummy_prefix: false } },
];
/** An added token of tokenizer_config beyond the model's vocabulary (id 1000). */
const EXTRA = '<|extra|>';

function words(seed: number, n: number): string {
  const w = [
    'the',
    'model',
    'kari',
    'tone',
    'mu',
    'saing',
    'exth',
    'quzo',
    'print(x)',
    '2024',
    '学习',
    '你好世界',
    'café',
    'naïve',
  ];
  let s = seed;
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    out.push(w[(s >>> 8) % w.length] + ['', ' ', '  ', '\n', ', '][(s >>> 20) % 5]);
  }
  return out.join('');
}

const TEXTS = [
  'Hello world',
  'the model',
  ' leading space',
  '  two leading spaces',
  'trailing  ',
  'a   b    c',
  '',
  ' ',
  '\n',
  'line one\nline two\n\nline four',
  'tabs\tand\ttabs',
  'numbers 1234567 and 3.14159',
  '学习 机器 模型 你好世界',
  'rare CJK 龘 and 𠀀 (astral)',
  'emoji 😀🎉 mixed in',
  'Ünïcödé café naïve résumé',
  '▁literal metaspace ▁▁',
  'def main():\n    return x + y\n',
  '<|im_start|>user\nhi there<|im_end|>\n<|im_start|>assistant\n',
  '<s>bos inside</s> and eos',
  '<tool>call it</tool>',
  `${EXTRA} extra token${EXTRA}`,
  'a<|im_end|>b',
  '<unk> unk',
  'x<tool>y',
  '<|im_start|> spaced <|im_end|> ',
  '\u0000 nul and \u007f del',
  'ẞ ǅ ﬁ ① ㌀',
  ...Array.from({ length: 40 }, (_, i) => words(i + 1, 5 + (i % 17))),
];

const ADDED_BASE = { '<unk>': null, '<s>': null, '</s>': null, [EXTRA]: 1000 };
/** The added tokens of the slow tokenizer each config makes (null: the model's own piece). */
const ADDED: Record<string, Record<string, number | null>> = {
  bpe: { ...ADDED_BASE, '<|im_start|>': null, '<|im_end|>': null, '<tool>': null },
  unigram: { ...ADDED_BASE, '<|im_start|>': null, '<|im_end|>': null, '<tool>': null },
  bpe_nodummy: ADDED_BASE,
};

const special = (content: string) => ({
  content,
  lstrip: false,
  normalized: false,
  rstrip: false,
  single_word: false,
  special: true,
});
/** tokenizer_config.json as a Llama-family repo writes it (ids 0..2 and one token beyond the vocabulary). */
const LLAMA_CONFIG = {
  tokenizer_class: 'LlamaTokenizer',
  add_bos_token: true,
  add_eos_token: false,
  legacy: true,
  bos_token: '<s>',
  eos_token: '</s>',
  unk_token: '<unk>',
  pad_token: null,
  added_tokens_decoder: { 0: special('<unk>'), 1: special('<s>'), 2: special('</s>'), 1000: special(EXTRA) },
};
/** As InternLM2 writes it: every symbol of the model listed (ids 3..5 are checked by the reader test). */
const INTERNLM2_CONFIG = {
  tokenizer_class: 'InternLM2Tokenizer',
  bos_token: '<s>',
  eos_token: '</s>',
  unk_token: '<unk>',
  pad_token: '</s>',
  added_tokens_decoder: {
    0: special('<unk>'),
    1: special('<s>'),
    2: special('</s>'),
    3: special('<|im_start|>'),
    4: special('<|im_end|>'),
    5: special('<tool>'),
    1000: special(EXTRA),
  },
};
const INTERNLM2_PLAIN = {
  ...INTERNLM2_CONFIG,
  added_tokens_decoder: { 0: special('<unk>'), 1: special('<s>'), 2: special('</s>'), 1000: special(EXTRA) },
};

let ref: Record<string, Reference>;
beforeAll(() => {
  ref = sentencePieceReference({ models: MODELS, texts: TEXTS, added: ADDED });
}, 120_000);

const model = (name: string) => new Uint8Array(readFileSync(ref[name].path));
const build = (name: string, config: Record<string, unknown>): PreTrainedTokenizer =>
  tokenizerFromFiles({ tokenizerJSON: tokenizerJSONFromSentencePiece(model(name), config), tokenizerConfig: config });

const KIND: Record<number, string> = {
  [PieceType.NORMAL]: 'normal',
  [PieceType.USER_DEFINED]: 'normal',
  [PieceType.UNKNOWN]: 'unknown',
  [PieceType.CONTROL]: 'control',
  [PieceType.BYTE]: 'byte',
  [PieceType.UNUSED]: 'unused',
};

describe('the protobuf reader', () => {
  it.each(MODELS.map((m) => m.name))('%s: pieces, scores and types as SentencePiece reads them', (name) => {
    const proto = parseModelProto(model(name));
    expect(proto.pieces.map((p) => [p.piece, p.score, KIND[p.type]])).toEqual(
      ref[name].pieces.map(([p, s, k]) => [p, Math.fround(s), k]),
    );
    const { unk, bos, eos, pad } = ref[name].ids;
    expect(proto.trainerSpec).toMatchObject({ unkId: unk, bosId: bos, eosId: eos, padId: pad, byteFallback: true });
  });

  it('the training options: model type, dummy prefix, whitespace, rule name, user-defined symbols', () => {
    const bpe = parseModelProto(model('bpe'));
    expect(bpe.trainerSpec.modelType).toBe(ModelType.BPE);
    expect(parseModelProto(model('unigram')).trainerSpec.modelType).toBe(ModelType.UNIGRAM);
    expect(bpe.normalizerSpec).toMatchObject({
      name: 'identity',
      addDummyPrefix: true,
      removeExtraWhitespaces: false,
      escapeWhitespaces: true,
    });
    expect(parseModelProto(model('bpe_nodummy')).normalizerSpec.addDummyPrefix).toBe(false);
    expect(bpe.pieces.slice(3, 6).map((p) => [p.piece, p.type])).toEqual([
      ['<|im_start|>', PieceType.CONTROL],
      ['<|im_end|>', PieceType.CONTROL],
      ['<tool>', PieceType.USER_DEFINED],
    ]);
    expect(bpe.trainerSpec.padId).toBe(-1); // a negative int32: a 10-byte varint
  });

  it('bad bytes: a typed error that names the place', () => {
    const bytes = model('bpe');
    expect(() => parseModelProto(bytes.subarray(0, bytes.length - 3))).toThrow(SentencePieceError);
    expect(() => parseModelProto(bytes.subarray(0, bytes.length - 3))).toThrow(/byte \d+, tokenizer\.model/);
    expect(() => parseModelProto(new TextEncoder().encode('{"model": {}}'))).toThrow(SentencePieceError);
    expect(() => parseModelProto(new Uint8Array(0), 'x/tokenizer.model')).toThrow(/x\/tokenizer\.model: no pieces/);
  });
});

describe.each([
  ['bpe', 'Llama', LLAMA_CONFIG],
  ['unigram', 'Llama', LLAMA_CONFIG],
  ['bpe', 'InternLM2', INTERNLM2_CONFIG],
  ['bpe_nodummy', 'InternLM2', INTERNLM2_PLAIN],
] as const)('%s model, %s tokenizer: ids equal the slow tokenizer', (name, _flavor, config) => {
  it.each(TEXTS.map((t, i) => [i, t] as const))('text %i %j', (i, text) => {
    const tok = build(name, config);
    expect(tok.encode(text, { add_special_tokens: false })).toEqual(ref[name].encoded[i]);
  });

  it('add_bos_token: the tokenizer puts BOS first, and RecordEncoder knows it', () => {
    const tok = build(name, config);
    const { bos } = ref[name].ids;
    expect(tok.encode('Hello world')).toEqual([bos, ...ref[name].encoded[0]]);
    expect(new RecordEncoder(tok).bosToPrepend).toBe(bos);
    const noBos = build(name, { ...config, add_bos_token: false, add_eos_token: true });
    expect(noBos.encode('Hello world')).toEqual([...ref[name].encoded[0], ref[name].ids.eos]);
  });

  it('decodes back what SentencePiece decodes', () => {
    const tok = build(name, config);
    TEXTS.forEach((text, i) => {
      if (Object.keys(ADDED[name]).some((t) => text.includes(t))) return;
      const ids = tok.encode(text, { add_special_tokens: false });
      // InternLM2Converter's decoder strips one leading space even when the model adds no dummy
      // prefix (its fast tokenizer does; the slow one and SentencePiece keep it).
      const want = name === 'bpe_nodummy' ? ref[name].decoded[i].replace(/^ /, '') : ref[name].decoded[i];
      const opts = { skip_special_tokens: false, clean_up_tokenization_spaces: false };
      const got = ids.length ? tok.decode(ids, opts) : '';
      expect(got, `text ${i}`).toBe(want);
    });
  });
});

describe('legacy: false (Metaspace, prepend_scheme first)', () => {
  // The fast tokenizer adds no '▁' to a text that starts with a space (Metaspace sees the space as
  // its '▁'); the slow one does. transformers' own fast and slow disagree there: those texts are left out.
  const cases = TEXTS.map((t, i) => [i, t] as const).filter(([, t]) => !/^[ \u2581]/.test(t));
  it.each(cases)('text %i %j', (i, text) => {
    const tok = build('bpe', { ...LLAMA_CONFIG, legacy: false });
    expect(tok.encode(text, { add_special_tokens: false })).toEqual(ref.bpe.nonlegacy![i]);
  });
});
