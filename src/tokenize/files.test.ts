// A model folder with only a SentencePiece tokenizer.model (InternLM2's layout) tokenizes through
// every reader — a ModelSource (studio, workers, `prism generate`) and the CLI's folder reader —
// with the ids SentencePiece gives (a model trained here by SentencePiece, testing.ts), and a
// rendered InternLM2 conversation gets the right labels.
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { readTokenizerFolder } from '../cli/tokenize-pool.ts';
import type { Conversation } from '../data/types.ts';
import { blobModelSource } from '../model/sources/model-source.ts';
import { render } from '../templates/render.ts';
import { getTemplate } from '../templates/specs.ts';
import { RecordEncoder } from './encode.ts';
import { TokenizerError } from './error.ts';
import { readTokenizerFiles } from './files.ts';
import { tokenizerFromFiles, tokenizerFromHub } from './load.ts';
import { COMMON_TRAINING, sentencePieceReference, type Reference } from './sentencepiece/testing.ts';
import { IGNORE_INDEX } from './types.ts';

const special = (content: string) => ({
  content,
  lstrip: false,
  normalized: false,
  rstrip: false,
  single_word: false,
  special: true,
});
/** internlm2_5's tokenizer_config.json, in short (its symbols at this model's ids). */
const CONFIG = {
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
  },
};

const conversation: Conversation = {
  system: 'Be brief.',
  source: { format: 'messages', line: 1 },
  messages: [
    { role: 'user', content: 'What is 2024 + 1? 你好' },
    { role: 'assistant', content: ' It is 2025. 😀\nDone.' },
  ],
};
const rendered = render(getTemplate('internlm2'), conversation);
const TEXTS = ['Hello world', '  leading spaces\n\nand 学习 😀', rendered.text];

let ref: Reference;
let modelBytes: Uint8Array;
beforeAll(() => {
  const added = { '<unk>': null, '<s>': null, '</s>': null, '<|im_start|>': null, '<|im_end|>': null };
  const train = { model_type: 'bpe', ...COMMON_TRAINING, control_symbols: ['<|im_start|>', '<|im_end|>'] };
  ref = sentencePieceReference({ models: [{ name: 'bpe', train }], texts: TEXTS, added: { bpe: added } }).bpe;
  modelBytes = new Uint8Array(readFileSync(ref.path));
}, 120_000);

const blobs = (files: Record<string, string | Uint8Array>) =>
  Object.fromEntries(Object.entries(files).map(([k, v]) => [k, new Blob([v as BlobPart])]));
/** InternLM2's layout: tokenizer.model and tokenizer_config.json, no tokenizer.json. */
const spmOnly = () =>
  blobModelSource(blobs({ 'tokenizer.model': modelBytes, 'tokenizer_config.json': JSON.stringify(CONFIG) }));

describe('readTokenizerFiles', () => {
  it('a folder with only tokenizer.model: ids of SentencePiece, BOS per add_bos_token', async () => {
    const source = spmOnly();
    const files = await readTokenizerFiles(source);
    expect(files.tokenizerConfig).toEqual(CONFIG);
    const tok = tokenizerFromFiles(files);
    TEXTS.forEach((t, i) => expect(tok.encode(t, { add_special_tokens: false }), `text ${i}`).toEqual(ref.encoded[i]));
    expect(tok.encode('Hello world')).toEqual([ref.ids.bos, ...ref.encoded[0]]);
  });

  it('a rendered InternLM2 conversation: template BOS not doubled, the reply and <|im_end|> trained', async () => {
    const source = spmOnly();
    const tok = tokenizerFromFiles(await readTokenizerFiles(source));
    const enc = new RecordEncoder(tok).encode(rendered, 1);
    expect(Array.from(enc.input_ids)).toEqual(ref.encoded[2]);
    expect(enc.input_ids[0]).toBe(ref.ids.bos);
    const trained = Array.from(enc.input_ids).filter((_, i) => enc.labels[i] !== IGNORE_INDEX);
    // The reply's leading space is its own '▁' piece after '\n'; decode's Strip drops one leading space.
    expect(tok.decode(trained, { skip_special_tokens: false })).toBe('It is 2025. 😀\nDone.<|im_end|>');
  });

  it('tokenizer.json wins over tokenizer.model', async () => {
    const json = { model: { type: 'BPE', vocab: { a: 0 }, merges: [] } };
    const source = blobModelSource(blobs({ 'tokenizer.model': modelBytes, 'tokenizer.json': JSON.stringify(json) }));
    expect((await readTokenizerFiles(source)).tokenizerJSON).toEqual(json);
  });

  it('neither file, or a broken tokenizer.model: a TokenizerError naming the file', async () => {
    await expect(readTokenizerFiles(blobModelSource(blobs({ 'config.json': '{}' }), 'm'))).rejects.toThrow(
      /^m: no tokenizer\.json \(nor a SentencePiece tokenizer\.model\)/,
    );
    const broken = blobModelSource(blobs({ 'tokenizer.model': modelBytes.subarray(0, 5000) }), 'm');
    const err = await readTokenizerFiles(broken).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TokenizerError);
    expect((err as Error).message).toMatch(/^byte 5000, m\/tokenizer\.model.*\(the file is cut short/);
  });
});

describe('the CLI folder reader (prism tokenize, prism train)', () => {
  it('builds the tokenizer from tokenizer.model when the folder has no tokenizer.json', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'prism-spm-folder-'));
    copyFileSync(ref.path, join(dir, 'tokenizer.model'));
    writeFileSync(join(dir, 'tokenizer_config.json'), JSON.stringify(CONFIG));
    const tok = tokenizerFromFiles(await readTokenizerFolder(dir));
    TEXTS.forEach((t, i) => expect(tok.encode(t, { add_special_tokens: false }), `text ${i}`).toEqual(ref.encoded[i]));
  });
});

describe('tokenizerFromHub (the Templates page)', () => {
  afterEach(() => vi.unstubAllGlobals());

  // transformers.js fetches through its own client (here it cannot reach the Hub; online it gets a 404
  // for this repo); the fallback reads the repo through hubModelSource, i.e. the stubbed fetch.
  it('a repo with only tokenizer.model: when transformers.js cannot load it, it is converted', async () => {
    const served: Record<string, Uint8Array> = {
      'tokenizer.model': modelBytes,
      'tokenizer_config.json': new TextEncoder().encode(JSON.stringify(CONFIG)),
    };
    const asked: string[] = [];
    vi.stubGlobal('fetch', async (input: string | URL | Request, init?: RequestInit) => {
      const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
      asked.push(`${init?.method ?? 'GET'} ${url}`);
      const m = /^https:\/\/huggingface\.co\/test\/spm-only\/resolve\/main\/(.+)$/.exec(url);
      const body = m ? served[decodeURIComponent(m[1])] : undefined;
      if (!body) return new Response('not found', { status: 404 });
      const range = /^bytes=(\d+)-(\d*)$/.exec(new Headers(init?.headers).get('range') ?? '');
      if (range) {
        const a = Number(range[1]);
        const b = range[2] ? Number(range[2]) + 1 : body.length;
        return new Response(body.slice(a, b) as BlobPart, {
          status: 206,
          headers: { 'Content-Range': `bytes ${a}-${b - 1}/${body.length}`, 'Content-Length': String(b - a) },
        });
      }
      const headers = { 'Content-Length': String(body.length) };
      return new Response(init?.method === 'HEAD' ? null : (body as BlobPart), { headers });
    });
    const { tokenizer, files } = await tokenizerFromHub('test/spm-only');
    expect(files.tokenizerConfig).toEqual(CONFIG);
    TEXTS.forEach((t, i) => {
      expect(tokenizer.encode(t, { add_special_tokens: false }), `text ${i}`).toEqual(ref.encoded[i]);
    });
    expect(asked.some((a) => a.endsWith('/tokenizer.json'))).toBe(true);
  });
});
