// The Chat page's generation engine (KV cache, sampling, unmerged adapter, stop strings, model
// kept loaded) on a tiny random model. Ground truth is independent of the engine's code path:
// the model is loaded a second time and every next token is the argmax of the full-sequence
// forward recomputed from scratch (src/infer/forward.gpu.test.ts checks that forward against
// PyTorch), with the prompt encoded by @huggingface/tokenizers rather than the engine's
// transformers.js tokenizer.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { exportAdapter, importAdapter, type LoraTensor } from '../adapters/peft.ts';
import { nodeDevice } from '../cli/node-gpu.ts';
import { recomputeLogits } from '../infer/generate.ts';
import { loadModel } from '../infer/load.ts';
import { createRunner } from '../infer/runner.ts';
import { argmax } from '../infer/sample.ts';
import { eosList } from '../model/config.ts';
import { memoryBlobCache } from '../model/sources/blob-cache.ts';
import { blobModelSource } from '../model/sources/model-source.ts';
import { makeTinyModel, type TinyModelOptions } from '../model/tiny.ts';
import { allLinear } from '../model/layout.ts';
import type { ModelRequest } from '../model/sources/request.ts';
import type { ChatMessage, ChatRequest } from './chat-client.ts';
import { createChatEngine, modelKey, type ChatEngine } from './chat-generate.ts';

const OPTS: TinyModelOptions = {
  arch: 'llama',
  hidden: 32,
  layers: 2,
  heads: 4,
  kvHeads: 2,
  intermediate: 48,
  seed: 21,
  dtype: 'float32',
  tokenizer: 'bytes',
  template: 'chatml',
};
const tiny = makeTinyModel(OPTS);
const PROMPT = '<|im_start|>user\nHello there, how are you?<|im_end|>\n<|im_start|>assistant\n';
const NEW = 10;

const asFiles = (files: Record<string, Uint8Array>, lastModified = 1) =>
  Object.fromEntries(
    Object.entries(files).map(([k, v]) => [k, new File([v as Uint8Array<ArrayBuffer>], k, { lastModified })]),
  );
const MODEL: ModelRequest = { kind: 'local', name: 'tiny', files: asFiles(tiny.files) };

/** An adapter on every linear module whose B is far from zero, so it changes the greedy path. */
function adapterFiles(): Map<string, Uint8Array> {
  const spec = tiny.spec;
  const D = spec.hidden_size,
    I = spec.intermediate_size,
    q = spec.num_attention_heads * spec.head_dim,
    kv = spec.num_key_value_heads * spec.head_dim;
  const io: Record<string, [number, number]> = {
    q_proj: [D, q],
    k_proj: [D, kv],
    v_proj: [D, kv],
    o_proj: [q, D],
    gate_proj: [D, I],
    up_proj: [D, I],
    down_proj: [I, D],
  };
  let s = 12345;
  const rnd = () => (s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32 - 0.5;
  const t: LoraTensor[] = [];
  for (let layer = 0; layer < spec.num_hidden_layers; layer++) {
    for (const module of allLinear('llama')) {
      const [inF, outF] = io[module];
      t.push({
        layer,
        module,
        in_features: inF,
        out_features: outF,
        A: Float32Array.from({ length: 4 * inF }, () => rnd() * 0.5),
        B: Float32Array.from({ length: outF * 4 }, () => rnd() * 0.5),
      });
    }
  }
  return exportAdapter(t, { base_model_name_or_path: 'tiny', r: 4, lora_alpha: 8, lora_dropout: 0, use_rslora: false });
}
const PEFT = adapterFiles();
const ADAPTER = {
  safetensors: PEFT.get('adapter_model.safetensors')!,
  config: new TextDecoder().decode(PEFT.get('adapter_config.json')!),
};

function request(o: Partial<ChatRequest> = {}): ChatRequest {
  return {
    type: 'generate',
    model: MODEL,
    adapter: null,
    prompt: PROMPT,
    max_new_tokens: NEW,
    stop: [],
    temperature: 0,
    ...o,
  };
}

interface Reply {
  ids: number[];
  text: string;
  messages: ChatMessage[];
}
async function reply(engine: ChatEngine, req: ChatRequest): Promise<Reply> {
  const messages: ChatMessage[] = [];
  const ids = await engine.generate(req, (m) => messages.push(m));
  const text = messages.map((m) => (m.type === 'token' ? m.text : '')).join('');
  return { ids, text, messages };
}

let device: GPUDevice;
let engine: ChatEngine;
let promptIds: number[];
let decode: (ids: number[]) => string;
/** Greedy continuation by recomputing the full forward from scratch at every step. */
let reference: (withAdapter: boolean, n: number) => Promise<number[]>;

beforeAll(async () => {
  device = await nodeDevice();
  engine = createChatEngine({ device: async () => device });
  const { Tokenizer } = await import('@huggingface/tokenizers');
  const text = (name: string) => JSON.parse(new TextDecoder().decode(tiny.files[name]));
  const tok = new Tokenizer(text('tokenizer.json'), text('tokenizer_config.json'));
  promptIds = Array.from(tok.encode(PROMPT, { add_special_tokens: false }).ids as ArrayLike<number>);
  decode = (ids) => tok.decode(ids, { skip_special_tokens: false });
  const files = Object.fromEntries(
    Object.entries(tiny.files).map(([k, v]) => [k, new Blob([v as Uint8Array<ArrayBuffer>])]),
  );
  const model = await loadModel(blobModelSource(files, 'reference copy'), device);
  const eos = new Set(eosList(model.spec));
  reference = async (withAdapter, n) => {
    const adapter = withAdapter ? importAdapter(PEFT, { num_hidden_layers: model.spec.num_hidden_layers }) : null;
    const decoder = createRunner(device, model, promptIds.length + n, adapter);
    const next = recomputeLogits(decoder);
    const ids = [...promptIds];
    try {
      for (let i = 0; i < n; i++) {
        const id = argmax(await next(ids));
        if (eos.has(id)) break;
        ids.push(id);
      }
    } finally {
      decoder.destroy();
    }
    return ids.slice(promptIds.length);
  };
}, 120_000);

afterAll(() => engine?.dispose());

describe('chat engine', () => {
  let greedy: Reply;
  let tuned: Reply;

  test('greedy output is the argmax of the full forward recomputed at each step', async () => {
    greedy = await reply(engine, request());
    const want = await reference(false, NEW);
    console.log(`greedy ids ${greedy.ids.join(',')} text ${JSON.stringify(greedy.text)}`);
    expect(want.length).toBeGreaterThan(2);
    expect(greedy.ids).toEqual(want);
    expect(greedy.text).toBe(decode(want).replace(/\uFFFD+$/, ''));
    const done = greedy.messages.at(-1);
    expect(done?.type).toBe('done');
    expect(done).toMatchObject({ tokens: want.length });
    expect((done as { tokens_per_second: number }).tokens_per_second).toBeGreaterThan(0);
    expect(engine.loads).toBe(1);
  }, 120_000);

  test('a seeded sampled reply repeats, and a high temperature leaves the greedy path', async () => {
    const hot = request({ temperature: 5, top_k: 0, top_p: 1, seed: 7 });
    const a = await reply(engine, hot);
    const b = await reply(engine, hot);
    const c = await reply(engine, { ...hot, seed: 8 });
    console.log(`sampled seed 7: ${a.ids.join(',')}; seed 8: ${c.ids.join(',')}`);
    expect(a.ids.length).toBeGreaterThan(0);
    expect(b.ids).toEqual(a.ids);
    expect(b.text).toBe(a.text);
    expect(a.ids).not.toEqual(greedy.ids);
    expect(c.ids).not.toEqual(a.ids);
    // top_k 1 keeps only the most likely token: greedy whatever the temperature.
    expect((await reply(engine, { ...hot, top_k: 1 })).ids).toEqual(greedy.ids);
    expect(engine.loads).toBe(1);
  }, 120_000);

  test('an adapter changes the reply; the base reply after it is unchanged, with the base loaded once', async () => {
    tuned = await reply(engine, request({ adapter: ADAPTER }));
    expect(tuned.ids).toEqual(await reference(true, NEW));
    expect(tuned.ids).not.toEqual(greedy.ids);
    const again = await reply(engine, request());
    expect(again.ids).toEqual(greedy.ids);
    expect(again.text).toBe(greedy.text);
    expect(engine.loads).toBe(1);
  }, 120_000);

  test('base and tuned side by side (concurrently, one loaded model) give the replies of one at a time', async () => {
    const [b, t] = await Promise.all([reply(engine, request()), reply(engine, request({ adapter: ADAPTER }))]);
    expect(b.ids).toEqual(greedy.ids);
    expect(t.ids).toEqual(tuned.ids);
    expect(engine.loads).toBe(1);
  }, 120_000);

  test('a stop string cuts the text before it and ends the reply', async () => {
    const full = greedy.text;
    expect(full.length).toBeGreaterThanOrEqual(6);
    const stop = full.slice(4, 6);
    const cut = await reply(engine, request({ stop: ['never appears \u0000', stop] }));
    // The stop string may span tokens: its first part is held back, never streamed.
    expect(cut.text).toBe(full.slice(0, full.indexOf(stop)));
    expect(cut.ids.length).toBeLessThan(greedy.ids.length);
    expect(cut.ids).toEqual(greedy.ids.slice(0, cut.ids.length));
  }, 120_000);

  test('an aborted reply ends with done and what it had', async () => {
    const stop = new AbortController();
    const messages: ChatMessage[] = [];
    const ids = await engine.generate(
      request(),
      (m) => {
        messages.push(m);
        if (m.type === 'token') stop.abort();
      },
      stop.signal,
    );
    expect(ids.length).toBeGreaterThan(0);
    expect(ids.length).toBeLessThan(greedy.ids.length);
    expect(messages.at(-1)).toMatchObject({ type: 'done', tokens: ids.length });
  }, 120_000);

  test('bad sampling settings are refused with a message', async () => {
    await expect(engine.generate(request({ top_p: 0 }), () => {})).rejects.toThrow(/top_p/);
    await expect(engine.generate(request({ temperature: -1 }), () => {})).rejects.toThrow(/temperature/);
    await expect(engine.generate(request({ max_new_tokens: 0 }), () => {})).rejects.toThrow(/max_new_tokens/);
  });

  test('another model is loaded in place of the first', async () => {
    const other = makeTinyModel({ ...OPTS, seed: 22 });
    // Same names and sizes (same shapes), another date: another folder.
    const r = await reply(
      engine,
      request({ model: { kind: 'local', name: 'tiny', files: asFiles(other.files, 2) }, max_new_tokens: 3 }),
    );
    expect(r.messages.at(-1)?.type).toBe('done');
    expect(engine.loads).toBe(2);
    expect(modelKey({ kind: 'local', name: 'tiny', files: asFiles(other.files, 2) })).not.toBe(modelKey(MODEL));
    expect(modelKey({ kind: 'local', name: 'tiny', files: asFiles(tiny.files) })).toBe(modelKey(MODEL));
  }, 120_000);
});

describe('Hub models come from the piece cache on a second visit', () => {
  const requests: string[] = [];
  let server: Server;
  let endpoint = '';
  beforeAll(async () => {
    // The Hub's URL layout: /{repo}/resolve/{revision}/{path}, with Range requests.
    server = createServer((req, res) => {
      requests.push(`${req.method} ${req.url} ${req.headers.range ?? ''}`);
      const m = /^\/tiny\/chat\/resolve\/main\/(.+)$/.exec(req.url ?? '');
      const file = m ? tiny.files[decodeURIComponent(m[1])] : undefined;
      if (!file) {
        res.writeHead(404);
        res.end();
        return;
      }
      const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
      const start = range ? Number(range[1]) : 0;
      const end = range?.[2] ? Math.min(Number(range[2]), file.length - 1) : file.length - 1;
      const body = file.subarray(start, end + 1);
      res.writeHead(range ? 206 : 200, {
        ETag: '"v1"',
        'Content-Length': body.length,
        ...(range ? { 'Content-Range': `bytes ${start}-${end}/${file.length}` } : {}),
      });
      res.end(req.method === 'HEAD' ? undefined : body);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  test('the first load downloads with progress; a fresh engine on the same cache makes no request', async () => {
    const cache = memoryBlobCache();
    const hubReq = request({ model: { kind: 'hub', repo: 'tiny/chat' }, max_new_tokens: 4 });
    const first = createChatEngine({ device: async () => device, cache: async () => cache, hub: { endpoint } });
    const a = await reply(first, hubReq);
    first.dispose();
    const weights = a.messages.filter((m) => m.type === 'progress' && m.phase === 'downloading model.safetensors');
    expect(weights.at(-1)).toMatchObject({
      loaded: tiny.files['model.safetensors'].length,
      total: tiny.files['model.safetensors'].length,
    });
    expect(requests.length).toBeGreaterThan(0);
    expect(a.ids).toEqual(await reference(false, 4));

    requests.length = 0;
    const second = createChatEngine({ device: async () => device, cache: async () => cache, hub: { endpoint } });
    const b = await reply(second, hubReq);
    second.dispose();
    expect(requests).toEqual([]);
    expect(b.ids).toEqual(a.ids);
  }, 120_000);
});
