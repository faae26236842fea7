import 'fake-indexeddb/auto';
import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { blobSha256, openFileStore, type FileStore } from './file-store.ts';

let n = 0;
let clock = 1_000;
const now = () => clock;
let store: FileStore;
afterEach(() => store?.close());

const bytes = (len: number, seed: number) =>
  Uint8Array.from({ length: len }, (_, i) => (i * 131 + seed * 7 + (i >> 9)) & 255);
const nodeSha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

describe('dataset file store', () => {
  it('hashes in chunks exactly as node:crypto hashes the whole file', async () => {
    for (const len of [0, 1, 63, 64, 65, 1000, 4099]) {
      const b = bytes(len, len);
      expect(await blobSha256(new Blob([b]), 64)).toBe(nodeSha(b));
    }
  });

  it('keeps a file as chunks under its SHA-256 and gives the same bytes back', async () => {
    store = await openFileStore({ name: `files-${++n}`, now, chunkBytes: 1000 });
    const b = bytes(4321, 1);
    const meta = await store.put('chats.jsonl', new Blob([b]));
    expect(meta).toMatchObject({ sha256: nodeSha(b), name: 'chats.jsonl', size: 4321, chunks: 5 });
    const back = await store.get(nodeSha(b));
    expect(new Uint8Array(await back!.blob.arrayBuffer())).toEqual(b);
    expect(await store.get('00'.repeat(32))).toBeUndefined();
  });

  it('an empty file is kept too (zero chunks)', async () => {
    store = await openFileStore({ name: `files-${++n}`, now, chunkBytes: 1000 });
    const meta = await store.put('empty.jsonl', new Blob([]));
    expect(meta.chunks).toBe(0);
    expect((await store.get(meta.sha256))!.blob.size).toBe(0);
  });

  it('the same bytes again are stored once (the newer name kept); a missing chunk means the file is gone', async () => {
    store = await openFileStore({ name: `files-${++n}`, now, chunkBytes: 1000 });
    const b = bytes(2500, 2);
    await store.put('a.jsonl', new Blob([b]));
    clock += 10;
    await store.put('b.jsonl', new Blob([b]));
    expect((await store.list()).map((f) => f.name)).toEqual(['b.jsonl']);
    const db = (store as unknown as { db: { delete(s: string, k: unknown): Promise<void> } }).db;
    await db.delete('chunks', [nodeSha(b), 1]);
    expect(await store.get(nodeSha(b))).toBeUndefined();
  });

  it('prune keeps the most recently used files and the ones in use', async () => {
    store = await openFileStore({ name: `files-${++n}`, now, chunkBytes: 1000 });
    const hashes: string[] = [];
    for (let i = 0; i < 5; i++) {
      clock += 10;
      hashes.push((await store.put(`f${i}.jsonl`, new Blob([bytes(1500, 10 + i)]))).sha256);
    }
    clock += 10;
    await store.get(hashes[0]); // reading counts as use
    expect(await store.prune(2, [hashes[1]])).toBe(2);
    expect((await store.list()).map((f) => f.name)).toEqual(['f0.jsonl', 'f4.jsonl', 'f1.jsonl']);
    expect(await store.get(hashes[2])).toBeUndefined();
  });
});
