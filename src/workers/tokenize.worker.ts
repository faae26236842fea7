// Browser entry of a tokenize worker (a dedicated module Worker; see src/workers/tokenize-spawn.ts).
import { createWorkerHandler } from '../tokenize/worker-core.ts';
import type { ToWorker } from '../tokenize/protocol.ts';

const scope = self as unknown as DedicatedWorkerGlobalScope;
const handle = createWorkerHandler((msg, transfer) => scope.postMessage(msg, transfer));
scope.onmessage = (ev: MessageEvent<ToWorker>) => handle(ev.data);
