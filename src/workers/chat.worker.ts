// Worker entry for one Chat reply (chat-generate.ts): one worker per side, terminated when done.
import { generate } from './chat-generate.ts';
import type { ChatMessage, ChatRequest } from './chat-client.ts';

const scope = self as unknown as { postMessage(m: ChatMessage): void; onmessage: ((e: MessageEvent<ChatRequest>) => void) | null };
scope.onmessage = (e) => {
  void generate(e.data, (m) => scope.postMessage(m), () => false).catch((err: unknown) =>
    scope.postMessage({ type: 'error', message: err instanceof Error ? err.message : String(err) }));
};
