// A ModelSource that keeps every file it downloads in a BlobCache, so a second visit loads the
// model with no network request at all.
//
// Files are stored as fixed-size pieces (default 16 MiB), each written as soon as it arrives:
// a tab closed or a connection lost mid-download loses at most the piece in flight, and the
// next load asks the server only for the pieces still missing. Pieces are checked by size on
// every open; a missing or short one is fetched again on its own. A per-model manifest records
// each file's size and ETag (a changed ETag on `main` means the file changed: its pieces are
// dropped and it starts over), the commit the revision resolved to, and which paths exist, so
// `exists` is answered offline too.
//
// Keys: `model/{repo}/{revision}/manifest.json` and `model/{repo}/{revision}/p/{path}/{index}`,
// each component URI-encoded so that `/` in repo, revision or path cannot collide.
import type { ByteSource, ModelSource, ProgressEvent } from '../types.ts';
import { CacheQuotaError, isQuotaError, type BlobCache } from './blob-cache.ts';
import { checkRange } from './byte-source.ts';
import { idbBlobCache } from './idb-cache.ts';
import { hubFileUrl, hubModelSource, type HubOptions } from './model-source.ts';

export const DEFAULT_PIECE_BYTES = 16 * 1024 * 1024;
const ROOT = 'model/';
const MANIFEST = 'manifest.json';

interface FileRecord {
  size: number;
  pieceBytes: number;
  etag?: string;
  complete: boolean;
}

interface Manifest {
  version: 1;
  repo: string;
  revision: string;
  /** The commit `revision` resolved to when the files were fetched, if the server said. */
  commit?: string;
  files: Record<string, FileRecord>;
  /** Answers already given by the server to `exists(path)`. */
  exists: Record<string, boolean>;
}

/** What the server said about a file: its ETag and the commit the revision resolved to. */
export interface RemoteFileInfo {
  etag?: string;
  commit?: string;
}

export interface CachedSourceOptions {
  repo: string;
  /** Defaults to `main`. */
  revision?: string;
  /** Bytes of each file stored so far (cached pieces included) and its size. Never decreases within one load. */
  onProgress?: (e: ProgressEvent) => void;
  /** Size of the stored pieces: the most a resumed download repeats. Default 16 MiB. */
  pieceBytes?: number;
  signal?: AbortSignal;
  /** The server's ETag/commit for a file, read after `inner.open(path)` (cachedHubModelSource supplies it). */
  remoteInfo?: (path: string) => RemoteFileInfo | undefined;
}

export interface CachedModelSource extends ModelSource {
  /** Feed the inner source's byte-level progress here for progress finer than one piece. */
  innerProgress(e: ProgressEvent): void;
}

const enc = encodeURIComponent;
const modelPrefix = (repo: string, revision?: string) =>
  `${ROOT}${enc(repo)}/${revision === undefined ? '' : `${enc(revision)}/`}`;

/** Wrap any ModelSource with a persistent cache keyed by (repo, revision, path). */
export function cachedModelSource(
  inner: ModelSource,
  store: BlobCache,
  options: CachedSourceOptions,
): CachedModelSource {
  const repo = options.repo;
  const revision = options.revision ?? 'main';
  const defaultPiece = options.pieceBytes ?? DEFAULT_PIECE_BYTES;
  if (!Number.isSafeInteger(defaultPiece) || defaultPiece <= 0)
    throw new RangeError(`pieceBytes must be a positive integer, got ${defaultPiece}`);
  const base = modelPrefix(repo, revision);
  const manifestKey = base + MANIFEST;
  const piecePrefix = (path: string) => `${base}p/${enc(path)}/`;
  const pieceKey = (path: string, i: number) => piecePrefix(path) + i;
  const label = `${inner.label} (cached)`;

  let manifestP: Promise<Manifest> | undefined;
  let saving: Promise<void> = Promise.resolve();
  const inflight = new Map<string, Promise<ByteSource>>();
  const emitted = new Map<string, number>();
  // Byte-level progress relay: bytes already stored when the current piece began, and the inner
  // source's own counter at that moment.
  const live = new Map<string, { stored: number; innerAt: number; innerNow: number; total: number }>();

  function progress(path: string, loaded: number, total: number): void {
    const last = emitted.get(path) ?? -1;
    if (loaded <= last && !(loaded === total && last < total)) return;
    emitted.set(path, loaded);
    options.onProgress?.({ path, loaded, total });
  }

  function manifest(): Promise<Manifest> {
    manifestP ??= (async () => {
      const fresh: Manifest = { version: 1, repo, revision, files: {}, exists: {} };
      const bytes = await store.get(manifestKey);
      if (!bytes) return fresh;
      try {
        const m = JSON.parse(new TextDecoder().decode(bytes)) as Manifest;
        if (m.version !== 1 || typeof m.files !== 'object' || typeof m.exists !== 'object') return fresh;
        return m;
      } catch {
        return fresh; // A corrupt manifest: every file starts over (its pieces are replaced).
      }
    })();
    return manifestP;
  }

  async function put(key: string, bytes: Uint8Array, what: string, bytesNeeded: number): Promise<void> {
    try {
      await store.put(key, bytes);
    } catch (err) {
      if (!isQuotaError(err)) throw err;
      const est = await store.estimate?.().catch(() => undefined);
      throw new CacheQuotaError(what, bytesNeeded, est?.usage, est?.quota, { cause: err });
    }
  }

  function save(m: Manifest): Promise<void> {
    const bytes = new TextEncoder().encode(JSON.stringify(m));
    saving = saving
      .catch(() => {})
      .then(() => put(manifestKey, bytes, `${repo}@${revision} (file list)`, bytes.length));
    return saving;
  }

  const pieceLength = (rec: FileRecord, i: number) => Math.min(rec.pieceBytes, rec.size - i * rec.pieceBytes);
  const pieceCount = (rec: FileRecord) => Math.ceil(rec.size / rec.pieceBytes);

  /** Indices of the stored pieces whose size is right. */
  async function goodPieces(path: string, rec: FileRecord): Promise<Set<number>> {
    const good = new Set<number>();
    const prefix = piecePrefix(path);
    for (const { key, size } of await store.list(prefix)) {
      const i = Number(key.slice(prefix.length));
      if (Number.isInteger(i) && i >= 0 && i < pieceCount(rec) && size === pieceLength(rec, i)) good.add(i);
    }
    return good;
  }

  async function dropPieces(path: string): Promise<void> {
    for (const { key } of await store.list(piecePrefix(path))) await store.delete(key);
  }

  /** Serve a fully stored file from the cache. A piece gone missing since is fetched again. */
  function servedSource(path: string, rec: FileRecord): ByteSource {
    const recent: { i: number; bytes: Uint8Array }[] = [];
    let remote: Promise<ByteSource> | undefined;
    async function piece(i: number): Promise<Uint8Array> {
      const hit = recent.find((p) => p.i === i);
      if (hit) return hit.bytes;
      let bytes = await store.get(pieceKey(path, i));
      if (!bytes || bytes.length !== pieceLength(rec, i)) {
        remote ??= inner.open(path);
        const src = await remote;
        if (src.size !== rec.size)
          throw new Error(
            `${label}/${path}: cached file is damaged and the server's copy changed size (${rec.size} ` +
              `→ ${src.size}); clear the cache for ${repo}`,
          );
        bytes = await src.read(i * rec.pieceBytes, pieceLength(rec, i));
        await put(pieceKey(path, i), bytes, `${repo}/${path}`, bytes.length);
      }
      // Two pieces in memory: tensors read in file order straddle at most one boundary.
      recent.unshift({ i, bytes });
      recent.length = Math.min(recent.length, 2);
      return bytes;
    }
    return {
      size: rec.size,
      async read(offset, length) {
        checkRange(rec.size, offset, length, `${label}/${path}`);
        const first = Math.floor(offset / rec.pieceBytes);
        const last = Math.floor((offset + Math.max(length, 1) - 1) / rec.pieceBytes);
        if (length === 0) return new Uint8Array(0);
        if (first === last) {
          const p = await piece(first);
          const at = offset - first * rec.pieceBytes;
          return p.subarray(at, at + length);
        }
        const out = new Uint8Array(length);
        for (let i = first; i <= last; i++) {
          const p = await piece(i);
          const start = Math.max(offset, i * rec.pieceBytes);
          const end = Math.min(offset + length, i * rec.pieceBytes + p.length);
          out.set(p.subarray(start - i * rec.pieceBytes, end - i * rec.pieceBytes), start - offset);
        }
        return out;
      },
    };
  }

  async function download(path: string): Promise<ByteSource> {
    const m = await manifest();
    options.signal?.throwIfAborted();
    const src = await inner.open(path);
    const info = options.remoteInfo?.(path);
    if (info?.commit && m.commit !== info.commit) m.commit = info.commit;
    let rec = m.files[path];
    const changed =
      rec && (rec.size !== src.size || (rec.etag !== undefined && info?.etag !== undefined && rec.etag !== info.etag));
    if (!rec || changed) {
      // New file, or the server's copy is not the one the stored pieces came from.
      await dropPieces(path);
      rec = { size: src.size, pieceBytes: defaultPiece, etag: info?.etag, complete: false };
    } else if (rec.etag === undefined && info?.etag) rec.etag = info.etag;
    rec.complete = false;
    m.files[path] = rec;
    m.exists[path] = true;
    await save(m);

    const good = await goodPieces(path, rec);
    let stored = 0;
    for (const i of good) stored += pieceLength(rec, i);
    const est = await store.estimate?.().catch(() => undefined);
    if (est && rec.size - stored > est.quota - est.usage)
      throw new CacheQuotaError(`${repo}/${path}`, rec.size - stored, est.usage, est.quota);
    progress(path, stored, rec.size);
    const state = { stored, innerAt: 0, innerNow: 0, total: rec.size };
    live.set(path, state);
    try {
      for (let i = 0; i < pieceCount(rec); i++) {
        if (good.has(i)) continue;
        options.signal?.throwIfAborted();
        state.innerAt = state.innerNow;
        const len = pieceLength(rec, i);
        const bytes = await src.read(i * rec.pieceBytes, len);
        await put(pieceKey(path, i), bytes, `${repo}/${path}`, rec.size - state.stored);
        state.stored += len;
        progress(path, state.stored, rec.size);
      }
    } finally {
      live.delete(path);
    }
    rec.complete = true;
    await save(m);
    progress(path, rec.size, rec.size);
    return servedSource(path, rec);
  }

  async function open(path: string): Promise<ByteSource> {
    const m = await manifest();
    const rec = m.files[path];
    if (rec?.complete) {
      const good = await goodPieces(path, rec);
      if (good.size === pieceCount(rec)) {
        progress(path, rec.size, rec.size);
        return servedSource(path, rec);
      }
      // Some pieces are gone or damaged: fall through and fetch just those.
    }
    return download(path);
  }

  const source: CachedModelSource = {
    label,
    async exists(path) {
      const m = await manifest();
      if (m.files[path]) return true;
      if (path in m.exists) return m.exists[path];
      const found = await inner.exists(path);
      m.exists[path] = found;
      await save(m);
      return found;
    },
    async readText(path) {
      const src = await source.open(path);
      return new TextDecoder().decode(await src.read(0, src.size));
    },
    open(path) {
      let p = inflight.get(path);
      if (!p) {
        p = open(path).finally(() => inflight.delete(path));
        inflight.set(path, p);
      }
      return p;
    },
    innerProgress(e) {
      const s = live.get(e.path);
      if (!s) return;
      s.innerNow = e.loaded;
      progress(e.path, Math.min(s.stored + (e.loaded - s.innerAt), s.total), s.total);
    },
  };
  return source;
}

export interface CachedHubOptions extends HubOptions {
  cache: BlobCache;
  pieceBytes?: number;
}

/**
 * hubModelSource with a cache: byte-level progress, and the server's ETag and `X-Repo-Commit`
 * headers recorded so a file that changed on a branch is not resumed from stale pieces.
 */
export function cachedHubModelSource(options: CachedHubOptions): CachedModelSource {
  const revision = options.revision ?? 'main';
  const baseFetch = options.fetch ?? globalThis.fetch.bind(globalThis);
  const seen = new Map<string, RemoteFileInfo>();
  const watched: typeof fetch = async (input, init) => {
    const res = await baseFetch(input, init);
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    // Hub LFS files redirect to a CDN; X-Linked-Etag (when visible) names the content itself.
    const etag = res.headers.get('x-linked-etag') ?? res.headers.get('etag') ?? undefined;
    const commit = res.headers.get('x-repo-commit') ?? undefined;
    if (res.ok && (etag || commit)) seen.set(url, { etag, commit });
    return res;
  };
  let cached: CachedModelSource | undefined;
  const inner = hubModelSource({
    ...options,
    revision,
    fetch: watched,
    onProgress: (e) => cached?.innerProgress(e),
  });
  cached = cachedModelSource(inner, options.cache, {
    repo: options.repo,
    revision,
    onProgress: options.onProgress,
    pieceBytes: options.pieceBytes,
    signal: options.signal,
    remoteInfo: (path) => seen.get(hubFileUrl(options.repo, revision, path, options.endpoint)),
  });
  return cached;
}

export interface CachedModelInfo {
  repo: string;
  revision: string;
  /** The commit the revision resolved to when downloaded, where the server said. */
  commit?: string;
  /** Files stored whole. */
  files: number;
  /** Files with some pieces stored (a download to resume). */
  partialFiles: number;
  /** Everything stored for this model, partial pieces included. */
  bytes: number;
}

/** Every model in the cache with its size on disk, for the studio's storage panel. */
export async function listCachedModels(store: BlobCache): Promise<CachedModelInfo[]> {
  const groups = new Map<string, { repo: string; revision: string; bytes: number }>();
  for (const { key, size } of await store.list(ROOT)) {
    const [r, v] = key.slice(ROOT.length).split('/');
    if (r === undefined || v === undefined) continue;
    const id = `${r}/${v}`;
    let g = groups.get(id);
    if (!g) groups.set(id, (g = { repo: decodeURIComponent(r), revision: decodeURIComponent(v), bytes: 0 }));
    g.bytes += size;
  }
  const out: CachedModelInfo[] = [];
  for (const g of groups.values()) {
    let m: Manifest | undefined;
    try {
      const bytes = await store.get(modelPrefix(g.repo, g.revision) + MANIFEST);
      m = bytes && (JSON.parse(new TextDecoder().decode(bytes)) as Manifest);
    } catch {
      m = undefined;
    }
    const files = Object.values(m?.files ?? {});
    out.push({
      repo: g.repo,
      revision: g.revision,
      ...(m?.commit ? { commit: m.commit } : {}),
      files: files.filter((f) => f.complete).length,
      partialFiles: files.filter((f) => !f.complete).length,
      bytes: g.bytes,
    });
  }
  return out.sort((a, b) => a.repo.localeCompare(b.repo) || a.revision.localeCompare(b.revision));
}

/** Remove a model (every revision, or just `revision`) from the cache; returns the bytes freed. */
export async function deleteCachedModel(store: BlobCache, repo: string, revision?: string): Promise<number> {
  let freed = 0;
  for (const { key, size } of await store.list(modelPrefix(repo, revision))) {
    await store.delete(key);
    freed += size;
  }
  return freed;
}

/**
 * A Hub source for the browser: through the IndexedDB piece cache (`cache`, by default the
 * model cache database) so a second visit reads stored pieces and downloads only what is
 * missing; a plain Hub source where there is no IndexedDB (Node) or `cache` gives none.
 * `close` releases the cache's database once the files are read.
 */
export async function hubSourceWithCache(
  hub: HubOptions,
  cache: () => Promise<(BlobCache & { close?(): void }) | null> = async () =>
    typeof indexedDB !== 'undefined' ? idbBlobCache() : null,
): Promise<{ source: ModelSource; close(): void }> {
  const c = await cache();
  if (!c) return { source: hubModelSource(hub), close: () => {} };
  return { source: cachedHubModelSource({ ...hub, cache: c }), close: () => c.close?.() };
}
