// The Chat page's side of the generation worker (infer.worker.ts, run with src/infer once it
// lands). One worker per side (base, adapter), so the two replies stream side by side.
// Loaded through import.meta.glob so the studio builds while the worker is absent.
import type { ModelRequest } from './train-client.ts';

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
  temperature: number;
};

export type ChatMessage =
  | { type: 'progress'; phase: string; loaded: number; total: number }
  | { type: 'token'; text: string }
  | { type: 'done'; tokens: number; tokens_per_second: number }
  | { type: 'error'; message: string };

const found = import.meta.glob('./infer.worker.ts', { query: '?worker', import: 'default' }) as Record<string, () => Promise<new () => Worker>>;

export function chatWorkerAvailable(): boolean {
  return Object.keys(found).length > 0;
}

/** Run one generation; resolves when it is done. `stop()` ends it early. */
export async function generateInWorker(req: ChatRequest, onMessage: (m: ChatMessage) => void): Promise<{ stop(): void }> {
  const load = Object.values(found)[0];
  if (!load) throw new Error('This build has no generation worker yet (src/workers/infer.worker.ts).');
  const worker = new (await load())();
  worker.onmessage = (e: MessageEvent<ChatMessage>) => {
    onMessage(e.data);
    if (e.data.type === 'done' || e.data.type === 'error') worker.terminate();
  };
  worker.onerror = (e) => {
    onMessage({ type: 'error', message: e.message || 'the generation worker crashed' });
    worker.terminate();
  };
  worker.postMessage(req);
  return { stop: () => worker.terminate() };
}
