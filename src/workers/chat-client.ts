// The Chat page's side of the generation worker (chat.worker.ts → chat-generate.ts). One worker
// serves both sides (base and adapter): it keeps the base model loaded across requests, and the
// two replies stream side by side from the same weights (the adapter is applied unmerged).
import type { ModelRequest } from '../model/sources/request.ts';

export type ChatRequest = {
  type: 'generate';
  model: ModelRequest;
  /** The PEFT adapter to apply (unmerged); null for the base model. */
  adapter: { safetensors: Uint8Array; config: string } | null;
  /** The whole prompt text, generation prompt included (rendered by src/templates). */
  prompt: string;
  max_new_tokens: number;
  /** Generation stops at any of these strings (the template's stop words). */
  stop: string[];
  /** 0 is greedy. */
  temperature: number;
  /** Keep the k most likely tokens; 0 or absent: all. */
  top_k?: number;
  /** Nucleus sampling; 1 or absent: off. */
  top_p?: number;
  /** Sampling seed (same seed, same reply); default 0. */
  seed?: number;
};

export type ChatMessage =
  | { type: 'progress'; phase: string; loaded: number; total: number }
  | { type: 'token'; text: string }
  | { type: 'done'; tokens: number; tokens_per_second: number }
  | { type: 'error'; message: string };

/** What the page sends the worker: requests carry an id so replies and stops can be matched. */
export type ToChatWorker = { type: 'generate'; id: number; req: ChatRequest } | { type: 'stop'; id: number };
export type FromChatWorker = { id: number; msg: ChatMessage };

export function chatWorkerAvailable(): boolean {
  return typeof Worker !== 'undefined';
}

let worker: Worker | null = null;
let nextId = 1;
const listeners = new Map<number, (m: ChatMessage) => void>();

function chatWorker(): Worker {
  if (worker) return worker;
  // This exact `new Worker(new URL(…))` form is what Vite bundles as a worker entry.
  const w = new Worker(new URL('./chat.worker.ts', import.meta.url), { type: 'module', name: 'chat' });
  w.onmessage = (e: MessageEvent<FromChatWorker>) => {
    const on = listeners.get(e.data.id);
    if (!on) return;
    if (e.data.msg.type === 'done' || e.data.msg.type === 'error') listeners.delete(e.data.id);
    on(e.data.msg);
  };
  w.onerror = (e) => {
    // A crashed worker loses its model and device: fail what is running, start afresh next time.
    const message = e.message || 'the generation worker crashed';
    const pending = [...listeners.values()];
    closeChatWorker();
    for (const on of pending) on({ type: 'error', message });
  };
  worker = w;
  return w;
}

/** Run one generation; `onMessage` gets its progress, tokens and a final done/error. `stop()` ends it early. */
export async function generateInWorker(
  req: ChatRequest,
  onMessage: (m: ChatMessage) => void,
): Promise<{ stop(): void }> {
  const w = chatWorker();
  const id = nextId++;
  listeners.set(id, onMessage);
  w.postMessage({ type: 'generate', id, req } satisfies ToChatWorker);
  return {
    stop: () => {
      // The worker answers a stop with `done` for what was generated so far.
      if (listeners.has(id)) worker?.postMessage({ type: 'stop', id } satisfies ToChatWorker);
    },
  };
}

/** End the worker and free the GPU memory its model holds (the Chat page calls this when it closes). */
export function closeChatWorker(): void {
  worker?.terminate();
  worker = null;
  listeners.clear();
}
