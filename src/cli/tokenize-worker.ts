// The Node side of a tokenize worker: worker_threads' parentPort fed to the shared handler.
import { parentPort } from 'node:worker_threads';
import { createWorkerHandler } from '../tokenize/worker-core.ts';
import type { ToWorker } from '../tokenize/protocol.ts';

if (!parentPort) throw new Error('tokenize-worker.ts must run in a worker thread');
const port = parentPort;
const handle = createWorkerHandler((msg, transfer) => port.postMessage(msg, transfer));
port.on('message', (msg: ToWorker) => handle(msg));
