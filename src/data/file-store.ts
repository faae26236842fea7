// Dataset files kept in IndexedDB by the SHA-256 of their bytes, so a reloaded tab gets its
// dataset back and a training worker can read the file it is told to train on by hash alone.
//
// A file is stored as chunks (CHUNK_BYTES each, keyed [sha256, index]) under one `files` entry
// that is written last, in the same transaction: a file is either whole or absent, and no single
// IndexedDB value grows with the file (browsers handle many 8 MiB values better than one 1 GB).
// Storage is behind the browser's `indexedDB` global (fake-indexeddb in tests); nothing else.
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import { Sha256 } from '../adapters/hash.ts';

export const FILE_DB_NAME = 'prism-datasets';
const FILE_DB_VERSION = 1;
export const CHUNK_BYTES = 8 << 20;
/** Files kept besides the ones in use (the most recently used first). */
export const DEFAULT_KEEP_FILES = 3;

export interface StoredFile {
  sha256: string;
  /** The name the user gave it (the file name), e.g. "support.jsonl". */
  name: string;
  size: number;
  chunks: number;
  /** When it was last saved or read (ms since the epoch), to keep the most recent. */
  used: number;
}

interface FileDB extends DBSchema {
  files: { key: string; value: StoredFile; indexes: { used: number } };
  chunks: { key: [string, number]; value: { sha256: string; index: number; bytes: Uint8Array } };
}

/** SHA-256 of a Blob read in chunks (never the whole file in memory at once). */
export async function blobSha256(blob: Blob, chunkBytes = CHUNK_BYTES): Promise<string> {
  const h = new Sha256();
  for (let at = 0; at < blob.size; at += chunkBytes)
    h.update(new Uint8Array(await blob.slice(at, at + chunkBytes).arrayBuffer()));
  return h.hex();
}

export class FileStore {
  constructor(
    private readonly db: IDBPDatabase<FileDB>,
    private readonly now: () => number = Date.now,
    private readonly chunkBytes = CHUNK_BYTES,
  ) {}

  /**
   * Keep `blob` under its SHA-256 (once per content: the same bytes again only refresh `used`).
   * `sha256` may be passed when already known. Quota errors propagate (the caller says so).
   */
  async put(name: string, blob: Blob, sha256?: string): Promise<StoredFile> {
    const hash = sha256 ?? (await blobSha256(blob));
    const have = await this.db.get('files', hash);
    if (have) {
      const next = { ...have, name, used: this.now() };
      await this.db.put('files', next);
      return next;
    }
    // Read every chunk before the transaction: an IndexedDB transaction closes on any other await.
    const chunks: Uint8Array[] = [];
    for (let at = 0; at < blob.size; at += this.chunkBytes) {
      chunks.push(new Uint8Array(await blob.slice(at, at + this.chunkBytes).arrayBuffer()));
    }
    const meta: StoredFile = { sha256: hash, name, size: blob.size, chunks: chunks.length, used: this.now() };
    const tx = this.db.transaction(['files', 'chunks'], 'readwrite');
    try {
      await Promise.all([
        ...chunks.map((bytes, index) => tx.objectStore('chunks').put({ sha256: hash, index, bytes })),
        tx.objectStore('files').put(meta),
        tx.done,
      ]);
    } catch (err) {
      try {
        tx.abort();
      } catch {
        /* already finished */
      }
      throw err;
    }
    return meta;
  }

  async info(sha256: string): Promise<StoredFile | undefined> {
    return this.db.get('files', sha256);
  }

  /** The file's bytes as a Blob, or undefined when it is not stored (or a chunk went missing). */
  async get(sha256: string): Promise<{ file: StoredFile; blob: Blob } | undefined> {
    const file = await this.db.get('files', sha256);
    if (!file) return undefined;
    const parts: Uint8Array<ArrayBuffer>[] = [];
    for (let i = 0; i < file.chunks; i++) {
      const c = await this.db.get('chunks', [sha256, i]);
      if (!c) return undefined;
      parts.push(c.bytes as Uint8Array<ArrayBuffer>);
    }
    const blob = new Blob(parts);
    if (blob.size !== file.size) return undefined;
    await this.db.put('files', { ...file, used: this.now() });
    return { file, blob };
  }

  /** Every stored file, most recently used first. */
  async list(): Promise<StoredFile[]> {
    return (await this.db.getAllFromIndex('files', 'used')).reverse();
  }

  async delete(sha256: string): Promise<void> {
    const tx = this.db.transaction(['files', 'chunks'], 'readwrite');
    const keys = await tx.objectStore('chunks').getAllKeys(IDBKeyRange.bound([sha256, 0], [sha256, Infinity]));
    await Promise.all([
      ...keys.map((k) => tx.objectStore('chunks').delete(k)),
      tx.objectStore('files').delete(sha256),
      tx.done,
    ]);
  }

  /** Drop all but the `keep` most recently used files and those in `inUse`. Returns how many went. */
  async prune(keep = DEFAULT_KEEP_FILES, inUse: Iterable<string> = []): Promise<number> {
    const used = new Set(inUse);
    let n = 0;
    for (const [i, f] of (await this.list()).entries()) {
      if (i < keep || used.has(f.sha256)) continue;
      await this.delete(f.sha256);
      n++;
    }
    return n;
  }

  close(): void {
    this.db.close();
  }
}

export async function openFileStore(
  options: { name?: string; now?: () => number; chunkBytes?: number } = {},
): Promise<FileStore> {
  const db = await openDB<FileDB>(options.name ?? FILE_DB_NAME, FILE_DB_VERSION, {
    upgrade(db) {
      db.createObjectStore('files', { keyPath: 'sha256' }).createIndex('used', 'used');
      db.createObjectStore('chunks', { keyPath: ['sha256', 'index'] });
    },
  });
  return new FileStore(db, options.now, options.chunkBytes);
}
