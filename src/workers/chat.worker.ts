// Worker entry for the Chat page (chat-client.ts → chat-generate.ts): one long-lived worker that
// keeps the chosen base model loaded and serves base and adapter replies side by side.
import { createChatEngine } from './chat-generate.ts';
import { idbTunerStore } from '../engine/kernels/tuner-idb.ts';
import type { ChatMessage, FromChatWorker, ToChatWorker } from './chat-client.ts';

const scope = self as unknown as {
  postMessage(m: FromChatWorker): void;
  onmessage: ((e: MessageEvent<ToChatWorker>) => void) | null;
};
const engine = createChatEngine({ tunerStore: () => idbTunerStore() });
const running = new Map<number, AbortController>();

scope.onmessage = (e) => {
  const m = e.data;
  if (m.type === 'stop') {
    running.get(m.id)?.abort();
    return;
  }
  const stop = new AbortController();
  running.set(m.id, stop);
  const post = (msg: ChatMessage) => scope.postMessage({ id: m.id, msg });
  void engine
    .generate(m.req, post, stop.signal)
    .catch((err: unknown) => post({ type: 'error', message: err instanceof Error ? err.message : String(err) }))
    .finally(() => running.delete(m.id));
};
