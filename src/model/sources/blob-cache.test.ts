// The BlobCache backends (memory; IndexedDB through fake-indexeddb) and quota error handling.
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { makeTinyModel } from '../tiny.ts';
import type { ByteSource, ModelSource } from '../types.ts';
import { CacheQuotaError, isQuotaError, memoryBlobCache, type BlobCache } from './blob-cache.ts';
import { bytesSource } from './byte-source.ts';
import { cachedModelSource, deleteCachedModel, listCachedModels } from './cached-source.ts';
import { idbBlobCache } from './idb-cache.ts';

async function exercise(store: BlobCache) {
  const big = new Uint8Array(10_000).map((_, i) => (i * 31 + 7) & 255);
  // A view into a larger buffer: only its own bytes may be stored.
  await store.put('a/1', big.subarray(100, 300));
  await store.put('a/2', big);
  await store.put('b/1', new Uint8Array([1, 2, 3]));
  expect(await store.get('a/1')).toEqual(big.subarray(100, 300));
  expect(await store.get('a/2')).toEqual(big);
  expect(await store.get('zzz')).toBeUndefined();
  const sorted = (xs: { key: string; size: number }[]) => [...xs].sort((x, y) => x.key.localeCompare(y.key));
  expect(sorted(await store.list('a/'))).toEqual([
    { key: 'a/1', size: 200 },
    { key: 'a/2', size: 10_000 },
  ]);
  expect(sorted(await store.list())).toHaveLength(3);
  await store.put('a/1', new Uint8Array([9]));
  expect(await store.get('a/1')).toEqual(new Uint8Array([9]));
  await store.delete('a/2');
  expect(sorted(await store.list('a'))).toEqual([{ key: 'a/1', size: 1 }]);
}

describe('BlobCache backends', () => {
  it('memory: get/put/delete/list with sizes, and a quota like a browser', async () => {
    await exercise(memoryBlobCache());
    const small = memoryBlobCache({ quotaBytes: 10 });
    await small.put('x', new Uint8Array(8));
    const err = await small.put('y', new Uint8Array(3)).catch((e) => e);
    expect(isQuotaError(err)).toBe(true);
    await small.put('x', new Uint8Array(10)); // replacing counts only the difference
    expect(small.bytes).toBe(10);
  });

  it('IndexedDB: the same contract, persisting across connections', async () => {
    const db = await idbBlobCache('prism-models-test-1');
    await exercise(db);
    db.close();
    const reopened = await idbBlobCache('prism-models-test-1');
    expect(await reopened.get('b/1')).toEqual(new Uint8Array([1, 2, 3]));
    reopened.close();
  });

  it('recognizes the ways browsers report a full store', () => {
    expect(isQuotaError(new DOMException('x', 'QuotaExceededError'))).toBe(true);
    expect(isQuotaError({ name: 'NS_ERROR_DOM_QUOTA_REACHED' })).toBe(true);
    expect(isQuotaError({ code: 22, name: 'Error' })).toBe(true);
    // An aborted IndexedDB transaction carries the reason in `error`.
    expect(isQuotaError({ name: 'AbortError', error: new DOMException('x', 'QuotaExceededError') })).toBe(true);
    expect(isQuotaError(new DOMException('x', 'AbortError'))).toBe(false);
    expect(isQuotaError(new Error('network'))).toBe(false);
    const e = new CacheQuotaError('org/m/model.safetensors', 3 * 1024 * 1024, 900, 1000);
    expect(e.message).toMatch(/needs 3145728 more bytes \(3\.0 MiB\)/);
    expect(e.message).toContain('org/m/model.safetensors');
  });
});

describe('cachedModelSource over IndexedDB', () => {
  const tiny = makeTinyModel({
    arch: 'llama',
    hidden: 16,
    layers: 1,
    heads: 2,
    kvHeads: 1,
    intermediate: 24,
    seed: 9,
    dtype: 'bfloat16',
    tokenizer: 'bytes',
  });

  /** An inner source over the tiny folder that counts every call and every byte read. */
  function counting() {
    const calls: string[] = [];
    let bytesRead = 0;
    const source: ModelSource = {
      label: 'counting',
      async exists(path) {
        calls.push(`exists ${path}`);
        return path in tiny.files;
      },
      async readText(path) {
        calls.push(`readText ${path}`);
        return new TextDecoder().decode(tiny.files[path]);
      },
      async open(path) {
        calls.push(`open ${path}`);
        const inner = bytesSource(tiny.files[path]);
        const src: ByteSource = {
          size: inner.size,
          async read(o, l) {
            bytesRead += l;
            return inner.read(o, l);
          },
        };
        return src;
      },
    };
    return { source, calls, bytesRead: () => bytesRead };
  }

  it('a second visit (new connection) is served from IndexedDB with no call to the network source', async () => {
    const name = 'prism-models-test-2';
    const w = 'model.safetensors';
    const one = counting();
    const store1 = await idbBlobCache(name);
    const first = cachedModelSource(one.source, store1, { repo: 'org/tiny', pieceBytes: 1000 });
    expect(await (await first.open(w)).read(0, tiny.files[w].length)).toEqual(tiny.files[w]);
    expect(await first.exists('model.safetensors.index.json')).toBe(false);
    expect(one.bytesRead()).toBe(tiny.files[w].length);
    store1.close();

    const two = counting();
    const store2 = await idbBlobCache(name);
    const second = cachedModelSource(two.source, store2, { repo: 'org/tiny', pieceBytes: 1000 });
    const src = await second.open(w);
    expect(await src.read(0, src.size)).toEqual(tiny.files[w]);
    expect(await src.read(995, 1010)).toEqual(tiny.files[w].subarray(995, 2005));
    expect(await second.exists(w)).toBe(true);
    expect(await second.exists('model.safetensors.index.json')).toBe(false);
    expect(two.calls).toEqual([]);

    const [info] = await listCachedModels(store2);
    expect(info).toMatchObject({ repo: 'org/tiny', revision: 'main', files: 1, partialFiles: 0 });
    expect(info.bytes).toBeGreaterThan(tiny.files[w].length);
    expect(await deleteCachedModel(store2, 'org/tiny')).toBe(info.bytes);
    expect(await store2.list()).toEqual([]);
    store2.close();
  });
});
