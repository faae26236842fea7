// Node worker_threads entry for tokenization: registers tsx in this thread (workers do not inherit
// the parent's loader hooks when spawned from a test runner), then runs the TypeScript entry.
import { register } from 'tsx/esm/api';

register();
await import('./tokenize-worker.ts');
