// The gemm autotuner's choices in the browser: IndexedDB database `prism-gemm-tuning`, one record
// per adapter key ({ shape class: variant }, src/engine/kernels/tuner.ts). Its own small database,
// so the runs store's schema versions (src/adapters/store.ts) never have to know about it.
import { openDB } from 'idb';
import type { GemmVariant } from './matmul.ts';
import type { TunerStore } from './tuner.ts';

const STORE = 'choices';

export function idbTunerStore(name = 'prism-gemm-tuning'): TunerStore {
  const db = openDB(name, 1, {
    upgrade(d) {
      d.createObjectStore(STORE);
    },
  });
  return {
    get: async (adapter) => (await (await db).get(STORE, adapter)) as Record<string, GemmVariant> | undefined,
    set: async (adapter, choices) => {
      await (await db).put(STORE, { ...choices }, adapter);
    },
  };
}
