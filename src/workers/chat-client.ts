// The Chat page's side of the generation worker (chat.worker.ts → chat-generate.ts). One worker
// per side (base, adapter), so the two replies stream side by side.
import type { ModelRequest } from '../ui/train/prepare.ts';

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

export function chatWorkerAvailable(): boolean {
  return typeof Worker !== 'undefined';
}

/** Run one generation; resolves when it is done. `stop()` ends it early. */
export async function generateInWorker(req: ChatRequest, onMessage: (m: ChatMessage) => void): Promise<{ stop(): void }> {
  // This exact `new Worker(new URL(…))` form is what Vite bundles as a worker entry.
  const worker = new Worker(new URL('./chat.worker.ts', import.meta.url), { type: 'module', name: 'chat' });
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
