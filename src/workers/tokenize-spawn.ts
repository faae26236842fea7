// The browser's spawn for the tokenize pool. `new Worker(new URL(…), {type: 'module'})` must stay
// literally in this form: it is how Vite finds and bundles the worker entry.
import type { PortLike, Spawn } from '../tokenize/pool.ts';

export const spawnBrowserWorker: Spawn = () =>
  new Worker(new URL('./tokenize.worker.ts', import.meta.url), {
    type: 'module',
    name: 'tokenize',
  }) as unknown as PortLike;
