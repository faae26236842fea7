// Where downloaded model files are kept between visits: a small key → bytes store. The cache
// layer (cached-source.ts) only needs these five calls, so the browser can back it with
// IndexedDB (idb-cache.ts) and tests with memory.

export interface CacheEntry {
  key: string;
  size: number;
}

export interface BlobCache {
  get(key: string): Promise<Uint8Array | undefined>;
  /** Rejects with a quota error (see isQuotaError) when storage is full. */
  put(key: string, bytes: Uint8Array): Promise<void>;
  delete(key: string): Promise<void>;
  /** Keys starting with `prefix` and their stored sizes, without reading the bytes. */
  list(prefix?: string): Promise<CacheEntry[]>;
  /** Bytes used and allowed, where the backend can tell (navigator.storage.estimate()). */
  estimate?(): Promise<{ usage: number; quota: number } | undefined>;
}

/** Storage is full: `bytesNeeded` more bytes are needed to finish caching `what`. */
export class CacheQuotaError extends Error {
  override name = 'CacheQuotaError';
  constructor(
    readonly what: string,
    readonly bytesNeeded: number,
    readonly usage?: number,
    readonly quota?: number,
    options?: { cause?: unknown },
  ) {
    const room =
      usage !== undefined && quota !== undefined ? ` (${formatBytes(usage)} of ${formatBytes(quota)} used)` : '';
    super(
      `browser storage is full${room}: caching ${what} needs ${bytesNeeded} more bytes ` +
        `(${formatBytes(bytesNeeded)}); ` +
        `delete cached models or free disk space, then load again to resume`,
      options,
    );
  }
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(1)} ${units[i]}`;
}

/**
 * Browsers report a full store in several ways: a DOMException named QuotaExceededError (Cache
 * API, IndexedDB in Chrome/Safari), legacy code 22, Firefox's NS_ERROR_DOM_QUOTA_REACHED, or an
 * aborted IndexedDB transaction whose `error` is one of those.
 */
export function isQuotaError(err: unknown): boolean {
  for (let e = err, depth = 0; e && typeof e === 'object' && depth < 4; depth++) {
    const x = e as { name?: unknown; code?: unknown; error?: unknown; cause?: unknown };
    if (x.name === 'QuotaExceededError' || x.name === 'NS_ERROR_DOM_QUOTA_REACHED' || x.code === 22) return true;
    e = x.error ?? x.cause;
  }
  return false;
}

export interface MemoryBlobCacheOptions {
  /** Reject puts that would take the total over this many bytes, as a browser would. */
  quotaBytes?: number;
}

/** A BlobCache in memory (tests; a session without persistent storage). */
export function memoryBlobCache(options: MemoryBlobCacheOptions = {}): BlobCache & { readonly bytes: number } {
  const map = new Map<string, Uint8Array>();
  let bytes = 0;
  return {
    get bytes() {
      return bytes;
    },
    async get(key) {
      return map.get(key)?.slice();
    },
    async put(key, value) {
      const next = bytes - (map.get(key)?.length ?? 0) + value.length;
      if (options.quotaBytes !== undefined && next > options.quotaBytes) {
        throw new DOMException(`quota of ${options.quotaBytes} bytes exceeded`, 'QuotaExceededError');
      }
      map.set(key, value.slice());
      bytes = next;
    },
    async delete(key) {
      bytes -= map.get(key)?.length ?? 0;
      map.delete(key);
    },
    async list(prefix = '') {
      return [...map].filter(([k]) => k.startsWith(prefix)).map(([key, v]) => ({ key, size: v.length }));
    },
    async estimate() {
      return options.quotaBytes === undefined ? undefined : { usage: bytes, quota: options.quotaBytes };
    },
  };
}
