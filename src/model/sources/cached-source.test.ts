// The cache layer end to end against a local node:http server in the Hub's URL layout
// (`/{repo}/resolve/{revision}/{path}`, Range, ETag, X-Repo-Commit). The server's request log
// is the ground truth: what a second visit asks for, and which byte ranges a resumed download
// requests after a dropped connection, an abort, or a damaged piece.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openModel } from '../open.ts';
import { openSafetensors } from '../safetensors/reader.ts';
import { makeTinyModel, type ModelFiles } from '../tiny.ts';
import type { ProgressEvent } from '../types.ts';
import { CacheQuotaError, memoryBlobCache, type BlobCache } from './blob-cache.ts';
import { bytesSource } from './byte-source.ts';
import { cachedHubModelSource, deleteCachedModel, listCachedModels } from './cached-source.ts';

const tiny = makeTinyModel({
  arch: 'qwen2',
  hidden: 32,
  layers: 2,
  heads: 4,
  kvHeads: 2,
  intermediate: 48,
  seed: 5,
  dtype: 'float32',
  tokenizer: 'bytes',
});
const WEIGHTS = 'model.safetensors';
const TOKENIZER = ['tokenizer.json', 'tokenizer_config.json'];
const P = 4096;
const size = tiny.files[WEIGHTS].length;
const pieces = Math.ceil(size / P);
const pieceRange = (i: number) => `bytes=${i * P}-${Math.min((i + 1) * P, size) - 1}`;

interface Logged {
  repo: string;
  path: string;
  method: string;
  range?: string;
  status: number;
}
interface Repo {
  files: ModelFiles;
  commit: string;
  etags?: Record<string, string>;
  dropAt?: { path: string; start: number };
}
const log: Logged[] = [];
const repos: Record<string, Repo> = {};
let server: Server;
let endpoint: string;

function handle(req: IncomingMessage, res: ServerResponse) {
  const m = /^\/([^/]+\/[^/]+)\/resolve\/([^/]+)\/(.+)$/.exec(decodeURIComponent(req.url ?? ''));
  const entry: Logged = {
    repo: m?.[1] ?? '',
    path: m?.[3] ?? '',
    method: req.method ?? '',
    range: req.headers.range,
    status: 0,
  };
  log.push(entry);
  const send = (status: number, headers: Record<string, string | number> = {}, body?: Uint8Array) => {
    entry.status = status;
    res.writeHead(status, headers);
    res.end(req.method === 'HEAD' ? undefined : body);
  };
  const repo = m && repos[m[1]];
  if (!m || !repo || m[2] !== 'main') return send(404);
  const file = repo.files[m[3]];
  if (!file) return send(404);
  const meta = { ETag: `"${repo.etags?.[m[3]] ?? `v1-${m[3]}`}"`, 'X-Repo-Commit': repo.commit };
  const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
  if (!range) return send(200, { ...meta, 'Content-Length': file.length }, file);
  const start = Number(range[1]);
  const end = range[2] ? Math.min(Number(range[2]), file.length - 1) : file.length - 1;
  if (start >= file.length) return send(416, { 'Content-Range': `bytes */${file.length}` });
  const body = file.subarray(start, end + 1);
  const headers = { ...meta, 'Content-Range': `bytes ${start}-${end}/${file.length}`, 'Content-Length': body.length };
  if (repo.dropAt && repo.dropAt.path === m[3] && repo.dropAt.start === start) {
    repo.dropAt = undefined;
    entry.status = -206;
    res.writeHead(206, headers);
    res.write(body.subarray(0, Math.floor(body.length / 3)), () => setTimeout(() => res.socket?.destroy(), 20));
    return;
  }
  send(206, headers, body);
}

beforeAll(async () => {
  server = createServer(handle);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

let n = 0;
/** A fresh repo per test, so logs and server state never mix. */
function newRepo(extra: Partial<Repo> = {}): string {
  const name = `tiny/m${++n}`;
  repos[name] = { files: { ...tiny.files }, commit: `c0ffee${n}`.padEnd(40, '0'), ...extra };
  return name;
}
const requests = (repo: string) => log.filter((l) => l.repo === repo);
const dataRanges = (repo: string, from = 0) =>
  log
    .slice(from)
    .filter((l) => l.repo === repo && l.path === WEIGHTS && l.method === 'GET')
    .map((l) => l.range);

async function tensorsOf(source: Parameters<typeof openModel>[0]) {
  const model = await openModel(source);
  const out = new Map<string, number[]>();
  for await (const t of model.checkpoint.stream()) out.set(t.name, [...t.data]);
  return out;
}

let expected: Map<string, number[]>;
beforeAll(async () => {
  expected = new Map();
  const whole = await openSafetensors(bytesSource(tiny.files[WEIGHTS]));
  for await (const t of whole.stream()) expected.set(t.name, [...t.data]);
});

function expectMonotonic(events: ProgressEvent[], path: string, first?: number) {
  const mine = events.filter((e) => e.path === path);
  const fileSize = tiny.files[path].length;
  expect(mine.length).toBeGreaterThan(0);
  expect(mine.every((e) => e.total === fileSize)).toBe(true);
  expect(mine.every((e, i) => i === 0 || e.loaded > mine[i - 1].loaded)).toBe(true);
  expect(mine.at(-1)!.loaded).toBe(fileSize);
  if (first !== undefined) expect(mine[0].loaded).toBe(first);
  return mine;
}

describe('cached Hub model source', () => {
  let cache: ReturnType<typeof memoryBlobCache>;
  beforeEach(() => {
    cache = memoryBlobCache();
  });

  it('downloads on the first load and makes no request at all on the second', async () => {
    expect(pieces).toBeGreaterThan(6);
    const repo = newRepo();
    const events: ProgressEvent[] = [];
    const first = cachedHubModelSource({ repo, endpoint, cache, pieceBytes: P, onProgress: (e) => events.push(e) });
    expect(await tensorsOf(first)).toEqual(expected);
    // The studio reads the tokenizer files too.
    for (const path of TOKENIZER) expect(await first.readText(path)).toBe(new TextDecoder().decode(tiny.files[path]));
    expect(await first.exists('model.safetensors.index.json')).toBe(false);
    // Every piece of the weights was asked for once, after the 1-byte size probe.
    expect(dataRanges(repo)).toEqual(['bytes=0-0', ...Array.from({ length: pieces }, (_, i) => pieceRange(i))]);
    const mine = expectMonotonic(events, WEIGHTS, 0);
    expect(mine.length).toBeGreaterThan(pieces); // byte-level, not only per piece
    expectMonotonic(events, 'config.json', 0);

    const before = log.length;
    const again: ProgressEvent[] = [];
    const second = cachedHubModelSource({ repo, endpoint, cache, pieceBytes: P, onProgress: (e) => again.push(e) });
    expect(await tensorsOf(second)).toEqual(expected);
    for (const path of ['config.json', WEIGHTS, ...TOKENIZER]) {
      const src = await second.open(path);
      expect(src.size).toBe(tiny.files[path].length);
      expect(await src.read(0, src.size)).toEqual(tiny.files[path]);
      // Reads across piece boundaries and inside one piece return the server's bytes.
      if (src.size > 2 * P) {
        expect(await src.read(P - 7, P + 20)).toEqual(tiny.files[path].subarray(P - 7, 2 * P + 13));
        expect(await src.read(P + 3, 11)).toEqual(tiny.files[path].subarray(P + 3, P + 14));
      }
    }
    expect(await second.readText('config.json')).toBe(new TextDecoder().decode(tiny.files['config.json']));
    expect(await second.exists('model.safetensors.index.json')).toBe(false);
    expect(log.length).toBe(before);
    // A cached file reports itself complete at once.
    expect(again.filter((e) => e.path === WEIGHTS)).toEqual([{ path: WEIGHTS, loaded: size, total: size }]);
  });

  it('resumes after the server drops the connection mid-file, asking only for the missing pieces', async () => {
    const repo = newRepo({ dropAt: { path: WEIGHTS, start: 3 * P } });
    const first = cachedHubModelSource({ repo, endpoint, cache, pieceBytes: P, maxRetries: 0, retryDelayMs: 1 });
    await expect(tensorsOf(first)).rejects.toThrow(/connection closed|gave up/);
    expect(requests(repo).some((l) => l.status === -206)).toBe(true);
    const [partial] = await listCachedModels(cache);
    expect(partial).toMatchObject({ repo, revision: 'main', partialFiles: 1 });

    const mark = log.length;
    const events: ProgressEvent[] = [];
    const second = cachedHubModelSource({ repo, endpoint, cache, pieceBytes: P, onProgress: (e) => events.push(e) });
    expect(await tensorsOf(second)).toEqual(expected);
    expect(dataRanges(repo, mark)).toEqual([
      'bytes=0-0',
      ...Array.from({ length: pieces - 3 }, (_, i) => pieceRange(i + 3)),
    ]);
    // config.json and the negative index lookup came from the cache.
    expect(log.slice(mark).filter((l) => l.repo === repo && l.path !== WEIGHTS)).toEqual([]);
    expectMonotonic(events, WEIGHTS, 3 * P);
  });

  it('resumes after the client aborts mid-file', async () => {
    const repo = newRepo();
    const controller = new AbortController();
    const first = cachedHubModelSource({
      repo,
      endpoint,
      cache,
      pieceBytes: P,
      signal: controller.signal,
      onProgress: (e) => e.path === WEIGHTS && e.loaded > 2.5 * P && controller.abort(),
    });
    await expect(tensorsOf(first)).rejects.toThrow(/abort/i);
    const stored = (await cache.list())
      .filter((e) => e.key.includes(`/p/${WEIGHTS}/`))
      .map((e) => Number(e.key.split('/').at(-1)));
    const k = stored.length;
    expect(k).toBeGreaterThanOrEqual(2);
    expect(k).toBeLessThan(pieces);
    expect(stored.sort((a, b) => a - b)).toEqual(Array.from({ length: k }, (_, i) => i));

    const mark = log.length;
    const second = cachedHubModelSource({ repo, endpoint, cache, pieceBytes: P });
    expect(await tensorsOf(second)).toEqual(expected);
    expect(dataRanges(repo, mark)).toEqual([
      'bytes=0-0',
      ...Array.from({ length: pieces - k }, (_, i) => pieceRange(i + k)),
    ]);
  });

  it('fetches again only a damaged piece, and a whole file whose ETag changed', async () => {
    const repo = newRepo();
    expect(await tensorsOf(cachedHubModelSource({ repo, endpoint, cache, pieceBytes: P }))).toEqual(expected);
    const key = (await cache.list()).find((e) => e.key.endsWith(`/p/${WEIGHTS}/4`))!.key;
    await cache.put(key, new Uint8Array(100).fill(7)); // short: a write cut off, say
    let mark = log.length;
    expect(await tensorsOf(cachedHubModelSource({ repo, endpoint, cache, pieceBytes: P }))).toEqual(expected);
    expect(dataRanges(repo, mark)).toEqual(['bytes=0-0', pieceRange(4)]);

    // A partial download whose file then changed on `main` (same size, new ETag) starts over.
    const changedRepo = newRepo({ dropAt: { path: WEIGHTS, start: 2 * P } });
    await expect(
      tensorsOf(cachedHubModelSource({ repo: changedRepo, endpoint, cache, pieceBytes: P, maxRetries: 0 })),
    ).rejects.toThrow();
    const flipped = tiny.files[WEIGHTS].slice();
    flipped[100] ^= 0xff; // inside piece 0, which was already stored
    repos[changedRepo].files[WEIGHTS] = flipped;
    repos[changedRepo].etags = { [WEIGHTS]: 'v2' };
    mark = log.length;
    const src = await cachedHubModelSource({ repo: changedRepo, endpoint, cache, pieceBytes: P }).open(WEIGHTS);
    expect(await src.read(0, size)).toEqual(flipped);
    expect(dataRanges(changedRepo, mark)).toEqual([
      'bytes=0-0',
      ...Array.from({ length: pieces }, (_, i) => pieceRange(i)),
    ]);
  });

  it('lists cached models with sizes and the resolved commit, and deletes them', async () => {
    const a = newRepo();
    const b = newRepo();
    await tensorsOf(cachedHubModelSource({ repo: a, endpoint, cache, pieceBytes: P }));
    await tensorsOf(cachedHubModelSource({ repo: b, endpoint, cache, pieceBytes: P }));
    const list = await listCachedModels(cache);
    expect(list.map((m) => m.repo)).toEqual([a, b]);
    const fetched = size + tiny.files['config.json'].length;
    for (const m of list) {
      expect(m).toMatchObject({ revision: 'main', commit: repos[m.repo].commit, files: 2, partialFiles: 0 });
      // The files themselves plus a small manifest.
      expect(m.bytes).toBeGreaterThan(fetched);
      expect(m.bytes).toBeLessThan(fetched + 2048);
    }
    expect(list[0].bytes + list[1].bytes).toBe(cache.bytes);

    expect(await deleteCachedModel(cache, a)).toBe(list[0].bytes);
    expect((await listCachedModels(cache)).map((m) => m.repo)).toEqual([b]);
    expect(cache.bytes).toBe(list[1].bytes);
    const mark = log.length;
    await tensorsOf(cachedHubModelSource({ repo: a, endpoint, cache, pieceBytes: P }));
    expect(dataRanges(a, mark)).toHaveLength(pieces + 1);
  });

  it('names the bytes needed when storage is full, keeps what was stored, and resumes', async () => {
    // A store that knows its quota refuses before downloading.
    const repo = newRepo();
    const small = memoryBlobCache({ quotaBytes: 20_000 });
    const err = await tensorsOf(cachedHubModelSource({ repo, endpoint, cache: small, pieceBytes: P })).catch((e) => e);
    expect(err).toBeInstanceOf(CacheQuotaError);
    expect(err.bytesNeeded).toBe(size);
    expect(err.message).toContain(`needs ${size} more bytes`);
    expect(err.message).toContain(WEIGHTS);
    expect(dataRanges(repo)).toEqual(['bytes=0-0']);

    // A store that only finds out on write (no estimate()), as IndexedDB does mid-download.
    let limit = 5 * P + 3000;
    const mem = memoryBlobCache();
    const tight: BlobCache = {
      get: (k) => mem.get(k),
      delete: (k) => mem.delete(k),
      list: (p) => mem.list(p),
      async put(k, v) {
        if (mem.bytes + v.length > limit) throw new DOMException('full', 'QuotaExceededError');
        return mem.put(k, v);
      },
    };
    const repo2 = newRepo();
    const err2 = await tensorsOf(cachedHubModelSource({ repo: repo2, endpoint, cache: tight, pieceBytes: P })).catch(
      (e) => e,
    );
    expect(err2).toBeInstanceOf(CacheQuotaError);
    const storedPieces = (await mem.list()).filter((e) => e.key.includes(`/p/${WEIGHTS}/`)).length;
    expect(storedPieces).toBeGreaterThan(0);
    expect(err2.bytesNeeded).toBe(size - storedPieces * P);
    expect((err2 as CacheQuotaError).cause).toBeInstanceOf(DOMException);

    limit = Infinity;
    const mark = log.length;
    expect(await tensorsOf(cachedHubModelSource({ repo: repo2, endpoint, cache: tight, pieceBytes: P }))).toEqual(
      expected,
    );
    expect(dataRanges(repo2, mark)).toEqual([
      'bytes=0-0',
      ...Array.from({ length: pieces - storedPieces }, (_, i) => pieceRange(i + storedPieces)),
    ]);
  });
});
