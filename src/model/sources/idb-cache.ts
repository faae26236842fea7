// The browser's BlobCache on IndexedDB (database `prism-models`). Sizes live in their own store
// so listing cached models never loads weights; bytes and size are written in one transaction,
// so an entry is either whole or absent even when the tab closes mid-write.
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { BlobCache } from './blob-cache.ts';

export const MODEL_CACHE_DB = 'prism-models';

interface ModelCacheDB extends DBSchema {
  blobs: { key: string; value: ArrayBuffer };
  sizes: { key: string; value: number };
}

/** Open (creating on first use) the IndexedDB-backed model cache. */
export async function idbBlobCache(name = MODEL_CACHE_DB): Promise<BlobCache & { close(): void }> {
  const db: IDBPDatabase<ModelCacheDB> = await openDB<ModelCacheDB>(name, 1, {
    upgrade(d) {
      d.createObjectStore('blobs');
      d.createObjectStore('sizes');
    },
  });
  const range = (prefix: string) => (prefix ? IDBKeyRange.bound(prefix, prefix + '\uffff') : undefined);
  return {
    async get(key) {
      const buf = await db.get('blobs', key);
      return buf === undefined ? undefined : new Uint8Array(buf);
    },
    async put(key, bytes) {
      const tx = db.transaction(['blobs', 'sizes'], 'readwrite');
      // Copy out exactly this view's bytes: a subarray's buffer may be much larger.
      const buf = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
      const writes = Promise.all([
        tx.objectStore('blobs').put(buf, key),
        tx.objectStore('sizes').put(bytes.byteLength, key),
      ]);
      // On a quota failure both the request and tx.done reject; surface the transaction's error.
      await Promise.all([writes.catch(() => {}), tx.done]);
      await writes;
    },
    async delete(key) {
      const tx = db.transaction(['blobs', 'sizes'], 'readwrite');
      await Promise.all([tx.objectStore('blobs').delete(key), tx.objectStore('sizes').delete(key), tx.done]);
    },
    async list(prefix = '') {
      const tx = db.transaction('sizes');
      const [keys, sizes] = await Promise.all([tx.store.getAllKeys(range(prefix)), tx.store.getAll(range(prefix))]);
      return keys.map((key, i) => ({ key, size: sizes[i] }));
    },
    async estimate() {
      const storage = (
        globalThis as { navigator?: { storage?: { estimate?: () => Promise<{ usage?: number; quota?: number }> } } }
      ).navigator?.storage;
      if (!storage?.estimate) return undefined;
      const e = await storage.estimate();
      return e.usage !== undefined && e.quota !== undefined ? { usage: e.usage, quota: e.quota } : undefined;
    },
    close() {
      db.close();
    },
  };
}
