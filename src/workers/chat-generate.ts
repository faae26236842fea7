// Generation for the Chat page on src/infer: a KV cache, greedy or seeded sampling, the model's
// eos ids and the template's stop strings, tokens streamed as they come. The engine keeps one
// base model loaded across requests (keyed by the model choice) and applies adapters unmerged,
// so base and tuned replies share the same weights; choosing another model frees the old one
// once its replies are finished. Without worker globals, so tests drive it in Node.
import type { PreTrainedTokenizer } from '@huggingface/transformers';
import { adapterExpectations, importAdapter, type ImportedAdapter } from '../adapters/peft.ts';
import { acquireDevice } from '../engine/device.ts';
import { generate, type NextLogits } from '../infer/generate.ts';
import { loadModel, type LoadedModel } from '../infer/load.ts';
import { createKvRunner, kvNextLogits } from '../infer/runner.ts';
import { eosList } from '../model/config.ts';
import type { BlobCache } from '../model/sources/blob-cache.ts';
import { hubSourceWithCache } from '../model/sources/cached-source.ts';
import { blobModelSource, type HubOptions } from '../model/sources/model-source.ts';
import type { ModelSource, ProgressEvent } from '../model/types.ts';
import { tokenizerFromFiles } from '../tokenize/load.ts';
import { tinyModel } from '../model/demo.ts';
import type { ModelRequest } from '../model/sources/request.ts';
import type { ChatMessage, ChatRequest } from './chat-client.ts';
import { autotune, modelGemmShapes, weightDtype } from '../engine/kernels/autotune.ts';
import type { TunerStore } from '../engine/kernels/tuner.ts';

export interface ChatEngineOptions {
  /** The GPU; default: one from navigator.gpu, acquired once and kept. */
  device?: () => Promise<GPUDevice>;
  /** Where Hub downloads are kept between visits; default: IndexedDB where it exists, else none. */
  cache?: () => Promise<(BlobCache & { close?(): void }) | null>;
  /** Extra Hub options (tests point these at a local server or a fake fetch). */
  hub?: Pick<HubOptions, 'endpoint' | 'fetch'>;
  /** Where the gemm autotuner keeps its choices (IndexedDB in the browser); in memory when absent. */
  tunerStore?: () => TunerStore;
}

export interface ChatEngine {
  /** Runs one reply, posting progress, tokens and `done`; returns the generated token ids. Errors reject. */
  generate(req: ChatRequest, post: (m: ChatMessage) => void, signal?: AbortSignal): Promise<number[]>;
  /** How many times a base model was loaded (a second request for the same model must not load it again). */
  readonly loads: number;
  /** Frees the loaded model (once its running replies finish). */
  dispose(): void;
}

interface Ready {
  model: LoadedModel;
  tokenizer: PreTrainedTokenizer;
}

interface Held {
  key: string;
  ready: Promise<Ready>;
  /** Replies using (or waiting for) this model. */
  users: number;
  /** Another model was chosen: destroy when the last user leaves. */
  retired: boolean;
  /** Who hears load progress while the model is loading. */
  listeners: Set<(m: ChatMessage) => void>;
}

/** Same key, same loaded weights. Picked folders are told apart by their files' names, sizes and dates. */
export function modelKey(m: ModelRequest): string {
  if (m.kind === 'tiny') return 'tiny';
  if (m.kind === 'hub') return `hub:${m.repo}`;
  const files = Object.entries(m.files).map(
    ([path, f]) => `${path}:${f.size}:${(f as Partial<File>).lastModified ?? ''}`,
  );
  return `local:${files.sort().join('|')}`;
}

/** Posts at most every `ms`, but always the last (complete) event of a file. */
function throttled(post: (e: ProgressEvent) => void, ms = 100): (e: ProgressEvent) => void {
  let last = 0;
  return (e) => {
    const now = Date.now();
    if (e.loaded < e.total && now - last < ms) return;
    last = now;
    post(e);
  };
}

function checkRequest(req: ChatRequest): void {
  const { max_new_tokens: n, temperature: t, top_k: k = 0, top_p: p = 1 } = req;
  if (!Number.isInteger(n) || n < 1) throw new Error(`max_new_tokens must be a positive integer, got ${n}`);
  if (!(t >= 0)) throw new Error(`temperature must be ≥ 0 (0 is greedy), got ${t}`);
  if (!Number.isInteger(k) || k < 0) throw new Error(`top_k must be a whole number ≥ 0 (0 is off), got ${k}`);
  if (!(p > 0 && p <= 1)) throw new Error(`top_p must be in (0, 1] (1 is off), got ${p}`);
}

export function createChatEngine(options: ChatEngineOptions = {}): ChatEngine {
  let held: Held | null = null;
  let loads = 0;
  let devicePromise: Promise<GPUDevice> | null = null;
  // One reply's GPU step at a time: base and tuned interleave token by token on one device.
  let turn: Promise<unknown> = Promise.resolve();

  function gpu(): Promise<GPUDevice> {
    devicePromise ??= options.device
      ? options.device()
      : (async () => {
          const nav = (globalThis as { navigator?: { gpu?: GPU } }).navigator;
          if (!nav?.gpu)
            throw new Error(
              'WebGPU is not available here: generation needs a browser with WebGPU (Chrome, Edge, or Safari 26+)',
            );
          const { device } = await acquireDevice(nav.gpu, {
            onLost: () => {
              // The weights lived on the lost device: the next request acquires a new one and reloads.
              devicePromise = null;
              if (held) held.retired = true;
              held = null;
            },
          });
          return device;
        })();
    devicePromise.catch(() => {
      devicePromise = null;
    });
    return devicePromise;
  }

  function tell(h: Held, m: ChatMessage): void {
    for (const post of h.listeners) post(m);
  }

  async function sourceFor(m: ModelRequest, h: Held): Promise<{ source: ModelSource; close(): void }> {
    if (m.kind === 'tiny') {
      const files = Object.fromEntries(
        Object.entries(tinyModel().files).map(([k, v]) => [k, new Blob([v as Uint8Array<ArrayBuffer>])]),
      );
      return { source: blobModelSource(files, 'tiny demo model'), close: () => {} };
    }
    if (m.kind === 'local') return { source: blobModelSource(m.files, `folder ${m.name}`), close: () => {} };
    const onProgress = throttled((e) =>
      tell(h, { type: 'progress', phase: `downloading ${e.path}`, loaded: e.loaded, total: e.total }),
    );
    const hub: HubOptions = { repo: m.repo, token: m.token, ...options.hub, onProgress };
    return hubSourceWithCache(hub, options.cache);
  }

  async function load(m: ModelRequest, h: Held): Promise<Ready> {
    const device = await gpu();
    const { source, close } = await sourceFor(m, h);
    try {
      const onProgress = throttled((e) =>
        tell(h, { type: 'progress', phase: 'loading the model', loaded: e.loaded, total: e.total }),
      );
      const model = await loadModel(source, device, {
        onProgress: (p) => onProgress({ path: p.tensor, loaded: p.loaded, total: p.total }),
      });
      loads++;
      const files = model.tokenizerFiles;
      if (!files['tokenizer.json']) {
        model.destroy();
        throw new Error(
          `${source.label}: no tokenizer.json nor tokenizer.model (the chat needs the model's tokenizer)`,
        );
      }
      const tokenizer = tokenizerFromFiles({
        tokenizerJSON: JSON.parse(files['tokenizer.json']),
        tokenizerConfig: files['tokenizer_config.json'] ? JSON.parse(files['tokenizer_config.json']) : {},
      });
      // The matmul kernels for this model on this GPU (skipped on CPU adapters): decode steps and
      // short, medium prompts' prefill; classes measured on an earlier visit are not measured again.
      tell(h, { type: 'progress', phase: 'tuning the matmul kernels for this GPU', loaded: 0, total: 0 });
      const shapes = modelGemmShapes(model.spec, {
        tokens: [1, 48, 256],
        dtype: weightDtype(model.spec.torch_dtype),
        head: true,
      });
      await autotune(device, shapes, 'auto', options.tunerStore);
      return { model, tokenizer };
    } finally {
      close();
    }
  }

  function free(h: Held): void {
    void h.ready.then(
      (r) => r.model.destroy(),
      () => {},
    );
  }

  function hold(m: ModelRequest): Held {
    const key = modelKey(m);
    if (held && held.key === key) {
      held.users++;
      return held;
    }
    if (held) {
      held.retired = true;
      if (held.users === 0) free(held);
    }
    const h: Held = {
      key,
      ready: Promise.resolve() as unknown as Promise<Ready>,
      users: 1,
      retired: false,
      listeners: new Set(),
    };
    h.ready = load(m, h);
    // A failed load is not kept: the next request tries again.
    h.ready.catch(() => {
      if (held === h) held = null;
    });
    held = h;
    return h;
  }

  function release(h: Held): void {
    h.users--;
    if (h.retired && h.users === 0) free(h);
  }

  function serialized(next: NextLogits): NextLogits {
    return (ids) => {
      const r = turn.then(() => next(ids));
      turn = r.catch(() => {});
      return r;
    };
  }

  function runnerFor(
    device: GPUDevice,
    model: LoadedModel,
    maxT: number,
    adapter: ImportedAdapter | null,
  ): { next: NextLogits; destroy(): void } {
    const { kv, destroy } = createKvRunner(device, model, maxT, adapter);
    return { next: kvNextLogits(kv), destroy };
  }

  return {
    get loads() {
      return loads;
    },
    dispose() {
      if (!held) return;
      held.retired = true;
      if (held.users === 0) free(held);
      held = null;
    },
    async generate(req, post, signal) {
      checkRequest(req);
      const h = hold(req.model);
      try {
        post({ type: 'progress', phase: 'loading the model', loaded: 0, total: 0 });
        h.listeners.add(post);
        let ready: Ready;
        try {
          ready = await h.ready;
        } finally {
          h.listeners.delete(post);
        }
        const device = await gpu();
        const { model, tokenizer } = ready;
        const prompt: number[] = Array.from(
          tokenizer.encode(req.prompt, { add_special_tokens: false }) as ArrayLike<number>,
        );
        if (prompt.length === 0) throw new Error('the prompt is empty');
        const adapter = req.adapter
          ? importAdapter(
              new Map([
                ['adapter_model.safetensors', req.adapter.safetensors],
                ['adapter_config.json', new TextEncoder().encode(req.adapter.config)],
              ]),
              adapterExpectations(model.spec),
            )
          : null;
        const runner = runnerFor(device, model, prompt.length + req.max_new_tokens, adapter);
        const out: number[] = [];
        const started = performance.now();
        try {
          for await (const piece of generate(serialized(runner.next), prompt, {
            max_new_tokens: req.max_new_tokens,
            temperature: req.temperature,
            top_k: req.top_k,
            top_p: req.top_p,
            seed: req.seed,
            eos_token_ids: eosList(model.spec),
            stop: req.stop,
            // Special tokens kept, so a stop string that is a special token (<|im_end|>) is seen.
            decode: (ids) => tokenizer.decode(ids, { skip_special_tokens: false }),
            signal,
          })) {
            if (piece.id !== null) out.push(piece.id);
            if (piece.text) post({ type: 'token', text: piece.text });
          }
        } finally {
          runner.destroy();
        }
        const seconds = (performance.now() - started) / 1000;
        post({ type: 'done', tokens: out.length, tokens_per_second: seconds > 0 ? out.length / seconds : 0 });
        return out;
      } finally {
        release(h);
      }
    },
  };
}
