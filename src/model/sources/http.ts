// A ByteSource over HTTP Range requests (the Hub, a CDN, a local server). Every read asks only
// for the bytes it needs; when a connection drops mid-body the read goes on from the last byte
// received instead of starting over, so a flaky link still finishes a 1 GB checkpoint.
import type { ByteSource } from '../types.ts';
import { checkRange } from './byte-source.ts';

export class HttpError extends Error {
  override name = 'HttpError';
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

export interface HttpSourceOptions {
  /** Extra request headers (an `Authorization` token for gated repos). */
  headers?: Record<string, string>;
  /** Bytes received so far by this source and the file size; called as chunks arrive. */
  onProgress?: (loaded: number, total: number) => void;
  /** How many times in a row a read may fail without receiving a byte before it gives up. */
  maxRetries?: number;
  /** Wait before retry k (1-based) is retryDelayMs × k. */
  retryDelayMs?: number;
  signal?: AbortSignal;
  fetch?: typeof fetch;
}

function describeStatus(url: string, status: number): string {
  if (status === 401 || status === 403)
    return `${url}: HTTP ${status} (gated or private: an access token with access is needed)`;
  if (status === 404) return `${url}: HTTP 404 (no such file)`;
  return `${url}: HTTP ${status}`;
}

/** Status codes worth retrying: server trouble and rate limits. */
function transient(status: number): boolean {
  return status >= 500 || status === 408 || status === 429;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Total size from `Content-Range: bytes a-b/TOTAL` (or `bytes *\/TOTAL` on a 416). */
function totalFromContentRange(v: string | null): number | null {
  const m = v && /\/(\d+)\s*$/.exec(v);
  return m ? Number(m[1]) : null;
}

/** Open a URL as a ByteSource: one small request learns the size. */
export async function openHttpSource(url: string, options: HttpSourceOptions = {}): Promise<ByteSource> {
  const doFetch = options.fetch ?? globalThis.fetch.bind(globalThis);
  const maxRetries = options.maxRetries ?? 5;
  const retryDelayMs = options.retryDelayMs ?? 500;
  const headers = options.headers ?? {};
  let loaded = 0;

  async function request(range: string): Promise<Response> {
    let failures = 0;
    for (;;) {
      let res: Response;
      try {
        res = await doFetch(url, { headers: { ...headers, Range: range }, signal: options.signal });
      } catch (err) {
        if (options.signal?.aborted || ++failures > maxRetries) throw err;
        await sleep(retryDelayMs * failures);
        continue;
      }
      if (res.ok || res.status === 416) return res;
      await res.body?.cancel().catch(() => {});
      if (!transient(res.status) || ++failures > maxRetries)
        throw new HttpError(describeStatus(url, res.status), res.status);
      await sleep(retryDelayMs * failures);
    }
  }

  const probe = await request('bytes=0-0');
  let size: number | null;
  if (probe.status === 206 || probe.status === 416) size = totalFromContentRange(probe.headers.get('content-range'));
  else size = Number(probe.headers.get('content-length') ?? NaN);
  await probe.body?.cancel().catch(() => {});
  if (size === null || !Number.isSafeInteger(size) || size < 0) {
    throw new HttpError(`${url}: the server gave no file size (no Content-Range or Content-Length)`, probe.status);
  }
  const total = size;

  async function read(offset: number, length: number): Promise<Uint8Array> {
    checkRange(total, offset, length, url);
    const out = new Uint8Array(length);
    let got = 0;
    let failures = 0;
    while (got < length) {
      const start = offset + got;
      const before = got;
      try {
        const res = await request(`bytes=${start}-${offset + length - 1}`);
        if (res.status === 416)
          throw new HttpError(`${url}: range ${start}-${offset + length - 1} not satisfiable (file changed?)`, 416);
        // A server that ignores Range answers 200 with the whole file: skip to where we are.
        let skip = res.status === 200 ? start : 0;
        if (res.status === 206) {
          const m = /bytes\s+(\d+)-/.exec(res.headers.get('content-range') ?? '');
          if (!m || Number(m[1]) !== start) {
            await res.body?.cancel().catch(() => {});
            throw new HttpError(
              `${url}: asked for bytes from ${start}, got Content-Range ${res.headers.get('content-range')}`,
              206,
            );
          }
        }
        if (!res.body) throw new HttpError(`${url}: empty response body`, res.status);
        const reader = res.body.getReader();
        try {
          while (got < length) {
            const { done, value } = await reader.read();
            if (done) break;
            let chunk = value;
            if (skip > 0) {
              const drop = Math.min(skip, chunk.length);
              skip -= drop;
              chunk = chunk.subarray(drop);
            }
            const take = Math.min(chunk.length, length - got);
            out.set(chunk.subarray(0, take), got);
            got += take;
            loaded += take;
            if (take) options.onProgress?.(loaded, total);
          }
        } finally {
          await reader.cancel().catch(() => {});
        }
        if (got < length) throw new Error(`${url}: connection closed after ${got - before} bytes`);
      } catch (err) {
        if (err instanceof HttpError && !transient(err.status)) throw err;
        if (options.signal?.aborted) throw err;
        failures = got > before ? 1 : failures + 1;
        if (failures > maxRetries) {
          throw new Error(
            `${url}: gave up after ${maxRetries} retries at byte ${offset + got} ` +
              `of ${total}: ${(err as Error).message}`,
          );
        }
        await sleep(retryDelayMs * failures);
      }
    }
    return out;
  }

  return { size: total, read };
}
