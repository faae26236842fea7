// Exactness against the real tokenizers: ids are the one-call encoding of the whole rendered text,
// and the labels split it exactly where the template's spans do — checked through the tokenizer's
// own decode, not through our offsets.
import { beforeAll, describe, expect, it } from 'vitest';
import type { PreTrainedTokenizer } from '@huggingface/transformers';
import { corpus } from '../templates/conformance/corpus.ts';
import { render, TemplateError } from '../templates/render.ts';
import { getTemplate } from '../templates/specs.ts';
import type { Rendered, Span } from '../templates/types.ts';
import { RecordEncoder } from './encode.ts';
import { AlignmentError } from './offsets.ts';
import { lenmlTokenizer, type LenmlName } from './testing.ts';
import { IGNORE_INDEX } from './types.ts';

/** Built-in templates and the shipped tokenizer of their family. */
const PAIRS: [string, LenmlName][] = [
  ['qwen2_5', 'qwen3'],
  ['qwen3', 'qwen3'],
  ['chatml', 'qwen3'],
  ['smollm2', 'qwen3'],
  ['llama3', 'llama3'],
  ['llama3_2', 'llama3_1'],
  ['gemma3', 'gemma3'],
  ['gemma2', 'gemma3'],
  // DeepSeek-V3's tokenizer has every special token the R1 distills' template writes (as strings;
  // the distills' ids differ), so the label split is checked on the same token boundaries.
  ['deepseek_r1', 'deepseek_v3'],
];

const dec = (tok: PreTrainedTokenizer, ids: number[]) =>
  ids.length ? tok.decode(ids, { skip_special_tokens: false, clean_up_tokenization_spaces: false }) : '';

/**
 * What decode can give back of `s`: the tokenizer's NFC normalizer (Qwen) is not undone, and
 * SentencePiece decoders turn a literal '▁' in the text into a space.
 */
const decodable = (tok: PreTrainedTokenizer, s: string) => {
  const json = JSON.stringify(tok._tokenizerJSON.decoder ?? null);
  const out = json.includes('\u2581') || json.includes('▁') ? s.replaceAll('▁', ' ') : s;
  return JSON.stringify(tok._tokenizerJSON.normalizer ?? null).includes('NFC') ? out.normalize('NFC') : out;
};

const textOf = (r: Rendered, trainable: boolean) =>
  r.spans
    .filter((s) => s.trainable === trainable)
    .map((s) => r.text.slice(s.start, s.end))
    .join('');

const rendered = (text: string, parts: [number, boolean][]): Rendered => {
  const spans: Span[] = [];
  let at = 0;
  for (const [len, trainable] of parts) {
    spans.push({ start: at, end: at + len, role: trainable ? 'assistant' : 'user', trainable });
    at += len;
  }
  expect(at).toBe(text.length);
  return { text, spans, warnings: [] };
};

describe.each(PAIRS)('template %s with the %s tokenizer', (templateId, tokName) => {
  let tok: PreTrainedTokenizer;
  let enc: RecordEncoder;
  beforeAll(async () => {
    tok = (await lenmlTokenizer(tokName)).tokenizer;
    enc = new RecordEncoder(tok, { returnOffsets: true });
  });

  it('encodes every corpus conversation exactly, with labels on the trainable text only', () => {
    const spec = getTemplate(templateId);
    let checked = 0;
    let trainedRecords = 0;
    const straddled: string[] = [];
    for (const c of corpus) {
      let r: Rendered;
      try {
        r = render(spec, c.conversation, { addGenerationPrompt: c.addGenerationPrompt });
      } catch (err) {
        if (err instanceof TemplateError) continue;
        throw err;
      }
      const e = enc.encode(r, c.conversation.source.line);
      const ids = Array.from(e.input_ids);
      // One call over the whole text; the only possible addition is the tokenizer's own BOS.
      const oneCall = tok.encode(r.text, { add_special_tokens: false });
      const skip = ids.length - oneCall.length;
      expect(skip === 0 || skip === 1, c.id).toBe(true);
      expect(ids.slice(skip), c.id).toEqual(oneCall);
      if (tok.bos_token_id !== undefined && tok.bos_token_id !== null) {
        expect(ids[0] === tok.bos_token_id && ids[1] === tok.bos_token_id, `${c.id}: doubled BOS`).toBe(false);
      }
      if (skip) expect(e.labels[0]).toBe(IGNORE_INDEX);
      // Labels are ids or -100, never anything else (unshifted HF convention).
      e.labels.forEach((l, i) => expect(l === IGNORE_INDEX || l === e.input_ids[i]).toBe(true));
      // The tokenizer's decode of the trained / masked tokens gives the trainable / other text.
      const trained = ids.filter((_, i) => e.labels[i] !== IGNORE_INDEX);
      const masked = ids.slice(skip).filter((_, i) => e.labels[i + skip] === IGNORE_INDEX);
      if (e.straddles === 0) {
        expect(dec(tok, trained), c.id).toBe(decodable(tok, textOf(r, true)));
        expect(dec(tok, masked), c.id).toBe(decodable(tok, textOf(r, false)));
      } else {
        // A straddling token is trained (encode.ts): the trained text is the trainable text plus
        // the untrained characters that share its straddling tokens, in order.
        straddled.push(c.id);
        const t = dec(tok, trained);
        let at = 0;
        for (const ch of decodable(tok, textOf(r, true))) {
          at = t.indexOf(ch, at);
          expect(at, `${c.id}: trainable ${JSON.stringify(ch)} not in trained text`).toBeGreaterThanOrEqual(0);
          at += ch.length;
        }
      }
      checked++;
      if (trained.length) trainedRecords++;
    }
    expect(checked).toBeGreaterThan(20);
    expect(trainedRecords).toBeGreaterThan(10);
    // Tokens straddle only where a reply starts with newlines that BPE merges with the header's
    // own `\n` (ChatML's `assistant\n`): the corpus's whitespace-at-the-edges cases.
    for (const id of straddled) {
      const c = corpus.find((x) => x.id === id)!;
      const replies = c.conversation.messages.filter((m) => m.role === 'assistant');
      expect(
        replies.some((m) => /^\s/.test(m.reasoning_content ?? m.content)),
        id,
      ).toBe(true);
    }
  });

  it('trains exactly each assistant reply plus its end-of-turn marker on plain chat', () => {
    const spec = getTemplate(templateId);
    const conv = {
      system: 'Answer briefly.',
      messages: [
        { role: 'user' as const, content: 'What is 2+2?' },
        { role: 'assistant' as const, content: 'It is 4.' },
        { role: 'user' as const, content: 'And 3 × 3? 🤔' },
        { role: 'assistant' as const, content: '9 — nine. 你好!' },
      ],
      source: { format: 'messages' as const, line: 1 },
    };
    const r = render(spec, conv);
    const e = enc.encode(r, 1);
    const trained = Array.from(e.input_ids).filter((_, i) => e.labels[i] !== IGNORE_INDEX);
    const eot = spec.assistant.suffix;
    expect(eot.length).toBeGreaterThan(0);
    expect(dec(tok, trained)).toBe(`It is 4.${eot}9 — nine. 你好!${eot}`);
  });

  it('locates every token: offsets tile the text', () => {
    const r = render(getTemplate(templateId), corpus[0].conversation);
    const e = enc.encode(r, 1);
    const o = e.offsets!;
    const skip = e.input_ids.length - tok.encode(r.text, { add_special_tokens: false }).length;
    expect(o[2 * skip]).toBe(0);
    expect(o[o.length - 1]).toBe(r.text.length);
    for (let i = skip + 1; i < e.input_ids.length; i++) {
      // Neighbours meet, or share one character that byte-level BPE split between them.
      expect(o[2 * i] === o[2 * i - 1] || o[2 * i] === o[2 * i - 1] - 1 || o[2 * i] === o[2 * i - 1] - 2).toBe(true);
    }
  });
});

describe('token boundaries', () => {
  it('trains a token that straddles the end of a trainable span (".\\n\\n" is one Qwen token)', async () => {
    const { tokenizer } = await lenmlTokenizer('qwen3');
    const text = 'Q: hi\nA: Fine.\n\nQ: ok';
    const enc = new RecordEncoder(tokenizer, { returnOffsets: true });
    const e = enc.encode(
      rendered(text, [
        [8, false],
        [6, true],
        [text.length - 14, false],
      ]),
      1,
    );
    const pieces = Array.from(e.input_ids, (id) => tokenizer.decode([id]));
    const k = pieces.indexOf('.\n\n');
    expect(k).toBeGreaterThan(0); // the tokenizer really merges across the boundary
    expect(e.labels[k]).toBe(e.input_ids[k]);
    expect(e.straddles).toBe(1);
    const trained = Array.from(e.input_ids).filter((_, i) => e.labels[i] !== IGNORE_INDEX);
    expect(tokenizer.decode(trained)).toBe(' Fine.\n\n');
  });

  it('trains a token that straddles the start of a trainable span', async () => {
    const { tokenizer } = await lenmlTokenizer('llama3_1');
    const text = 'A: Sure';
    const e = new RecordEncoder(tokenizer, { addBos: 'never' }).encode(
      rendered(text, [
        [3, false],
        [4, true],
      ]),
      1,
    );
    expect(Array.from(e.input_ids, (id) => tokenizer.decode([id]))).toEqual(['A', ':', ' Sure']);
    expect(Array.from(e.labels)).toEqual([IGNORE_INDEX, IGNORE_INDEX, e.input_ids[2]]);
    expect(e.straddles).toBe(1);
  });

  it('gives a character split across byte-level tokens to both of them', async () => {
    const { tokenizer } = await lenmlTokenizer('deepseek_v3');
    const text = 'x 😀';
    const enc = new RecordEncoder(tokenizer, { addBos: 'never', returnOffsets: true });
    const e = enc.encode(
      rendered(text, [
        [2, false],
        [2, true],
      ]),
      1,
    );
    const tokens = Array.from(e.input_ids, (id) => tokenizer._tokenizer.id_to_token(id));
    expect(tokens).toEqual(['x', 'ĠðŁĺ', 'Ģ']); // the emoji's 4 bytes are split 3 + 1 (after the space)
    expect(Array.from(e.offsets!)).toEqual([0, 1, 1, 4, 2, 4]);
    expect(Array.from(e.labels)).toEqual([IGNORE_INDEX, e.input_ids[1], e.input_ids[2]]);
    expect(tokenizer.decode(Array.from(e.input_ids.slice(1)))).toBe(' 😀');
  });

  it('maps offsets back through NFC normalization (Qwen normalizes, spans index the raw text)', async () => {
    const { tokenizer } = await lenmlTokenizer('qwen3');
    const text = 'Cafe\u0301 ok'; // "é" as e + combining acute: 5 + 3 UTF-16 units, NFC makes it 4 + 3
    const enc = new RecordEncoder(tokenizer, { returnOffsets: true });
    const e = enc.encode(
      rendered(text, [
        [5, false],
        [3, true],
      ]),
      1,
    );
    const o = e.offsets!;
    expect(o[o.length - 1]).toBe(text.length);
    const trained = Array.from(e.input_ids).filter((_, i) => e.labels[i] !== IGNORE_INDEX);
    expect(tokenizer.decode(trained)).toBe(' ok');
  });

  it('aligns SentencePiece byte-fallback pieces (<0xNN>) of Gemma', async () => {
    const { tokenizer } = await lenmlTokenizer('gemma3');
    const text = 'a 𓀀𓀁 b'; // hieroglyphs: not in the vocabulary, 4 UTF-8 bytes and 2 UTF-16 units each
    const enc = new RecordEncoder(tokenizer, { addBos: 'never', returnOffsets: true });
    const e = enc.encode(
      rendered(text, [
        [2, false],
        [4, true],
        [2, false],
      ]),
      1,
    );
    const tokens = Array.from(e.input_ids, (id) => tokenizer._tokenizer.id_to_token(id)!);
    expect(tokens.filter((t) => /^<0x[0-9A-F]{2}>$/.test(t)).length).toBe(8);
    const trained = Array.from(e.input_ids).filter((_, i) => e.labels[i] !== IGNORE_INDEX);
    expect(tokenizer.decode(trained)).toBe('𓀀𓀁');
  });

  it('refuses ids that are not the encoding of the text', async () => {
    const { tokenizer } = await lenmlTokenizer('qwen3');
    const enc = new RecordEncoder(tokenizer);
    const ids = tokenizer.encode('hello world', { add_special_tokens: false });
    expect(() => enc.aligner.align('hello there', ids)).toThrow(AlignmentError);
    expect(() => enc.aligner.align('hello world!', ids)).toThrow(AlignmentError);
  });
});

describe('BOS', () => {
  it('keeps the template BOS single and prepends it only when the text lacks it (Llama 3.1 adds BOS)', async () => {
    const { tokenizer } = await lenmlTokenizer('llama3_1');
    const bos = tokenizer.bos_token_id!;
    // The tokenizer's own default (add_special_tokens) would double it:
    expect(tokenizer.encode('<|begin_of_text|>Hi').slice(0, 2)).toEqual([bos, bos]);
    const enc = new RecordEncoder(tokenizer);
    const withBos = enc.encode(
      rendered('<|begin_of_text|>Hi', [
        [17, false],
        [2, true],
      ]),
      1,
    );
    expect(Array.from(withBos.input_ids)).toEqual([bos, ...tokenizer.encode('Hi', { add_special_tokens: false })]);
    const without = enc.encode(rendered('Hi', [[2, true]]), 1);
    expect(without.input_ids[0]).toBe(bos);
    expect(without.labels[0]).toBe(IGNORE_INDEX);
    expect(Array.from(without.input_ids)).toEqual(tokenizer.encode('Hi'));
    expect(
      new RecordEncoder(tokenizer, { addBos: 'never' }).encode(rendered('Hi', [[2, true]]), 1).input_ids[0],
    ).not.toBe(bos);
  });

  it('Gemma 3: one <bos> (id 2) as its post-processor adds it, also when the template writes it', async () => {
    const { tokenizer } = await lenmlTokenizer('gemma3');
    const bos = tokenizer.bos_token_id!;
    expect(bos).toBe(2);
    // The tokenizer's own one-call encoding adds <bos> to plain text…
    const plain = 'Hi there';
    expect(tokenizer.encode(plain)[0]).toBe(bos);
    const enc = new RecordEncoder(tokenizer);
    expect(Array.from(enc.encode(rendered(plain, [[plain.length, true]]), 1).input_ids)).toEqual(
      tokenizer.encode(plain),
    );
    // …and the chat template's own {{ bos_token }} is kept single.
    const text = '<bos><start_of_turn>user\nHi<end_of_turn>\n<start_of_turn>model\nHello<end_of_turn>\n';
    const e = enc.encode(
      rendered(text, [
        [text.length - 18, false],
        [18, true],
      ]),
      1,
    );
    expect(Array.from(e.input_ids).filter((id) => id === bos)).toEqual([bos]);
    expect(e.input_ids[0]).toBe(bos);
    expect(Array.from(e.input_ids)).toEqual(tokenizer.encode(text.slice(5)));
  });

  it('follows tokenizer_config add_bos_token (DeepSeek), adds none where the tokenizer has none (Qwen)', async () => {
    const ds = (await lenmlTokenizer('deepseek_v3')).tokenizer;
    expect(ds._tokenizerConfig.add_bos_token).toBe(true);
    expect(new RecordEncoder(ds).bosToPrepend).toBe(ds.bos_token_id);
    const qwen = (await lenmlTokenizer('qwen3')).tokenizer;
    expect(new RecordEncoder(qwen).bosToPrepend).toBe(null);
  });
});
