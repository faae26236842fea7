// ModelSources for the browser: a folder the user picked (Files keyed by relative path) and a
// Hub repository over HTTP. (The Node file-system one lives in src/cli/fs-source.ts.)
import type { ModelSource, ProgressEvent } from '../types.ts';
import { blobSource } from './byte-source.ts';
import { HttpError, openHttpSource, type HttpSourceOptions } from './http.ts';

/** A model folder from picked files, keyed by path relative to the folder (`config.json`). */
export function blobModelSource(
  files: ReadonlyMap<string, Blob> | Record<string, Blob>,
  label = 'picked folder',
): ModelSource {
  const map = files instanceof Map ? files : new Map(Object.entries(files));
  const get = (path: string) => {
    const b = map.get(path);
    if (!b) throw new Error(`${label}: no file ${path}`);
    return b;
  };
  return {
    label,
    async exists(path) {
      return map.has(path);
    },
    async readText(path) {
      return get(path).text();
    },
    async open(path) {
      return blobSource(get(path), `${label}/${path}`);
    },
  };
}

/**
 * Key picked files by their path inside the chosen folder: `webkitRelativePath` is
 * `folder/sub/file`, and the model's own paths start below `folder`.
 */
export function filesByRelativePath(files: Iterable<File>): Map<string, File> {
  const out = new Map<string, File>();
  for (const f of files) {
    const rel = (f as File & { webkitRelativePath?: string }).webkitRelativePath || f.name;
    const i = rel.indexOf('/');
    out.set(i >= 0 ? rel.slice(i + 1) : rel, f);
  }
  return out;
}

export interface HubOptions {
  repo: string;
  revision?: string;
  /** An access token for gated/private repos: sent as a header, kept only in this closure. */
  token?: string;
  /** Defaults to https://huggingface.co. */
  endpoint?: string;
  onProgress?: (e: ProgressEvent) => void;
  fetch?: typeof fetch;
  maxRetries?: number;
  retryDelayMs?: number;
  signal?: AbortSignal;
}

/** The Hub's file URL: `{endpoint}/{repo}/resolve/{revision}/{path}`. */
export function hubFileUrl(repo: string, revision: string, path: string, endpoint = 'https://huggingface.co'): string {
  const enc = (p: string) => p.split('/').map(encodeURIComponent).join('/');
  return `${endpoint.replace(/\/+$/, '')}/${enc(repo)}/resolve/${encodeURIComponent(revision)}/${enc(path)}`;
}

/** A Hub repository (or any server with the Hub's URL layout) as a ModelSource. */
export function hubModelSource(options: HubOptions): ModelSource {
  const revision = options.revision ?? 'main';
  const doFetch = options.fetch ?? globalThis.fetch.bind(globalThis);
  const headers: Record<string, string> = options.token ? { Authorization: `Bearer ${options.token}` } : {};
  const url = (path: string) => hubFileUrl(options.repo, revision, path, options.endpoint);
  const label = `${options.repo}@${revision}`;
  return {
    label,
    async exists(path) {
      const res = await doFetch(url(path), { method: 'HEAD', headers, signal: options.signal });
      await res.body?.cancel().catch(() => {});
      if (res.ok) return true;
      if (res.status === 404) return false;
      const gated = res.status === 401 || res.status === 403;
      const why = gated ? ' (gated or private: an access token with access is needed)' : '';
      throw new HttpError(`${url(path)}: HTTP ${res.status}${why}`, res.status);
    },
    async readText(path) {
      const res = await doFetch(url(path), { headers, signal: options.signal });
      if (!res.ok) {
        await res.body?.cancel().catch(() => {});
        throw new HttpError(`${url(path)}: HTTP ${res.status}`, res.status);
      }
      return res.text();
    },
    async open(path) {
      const opts: HttpSourceOptions = {
        headers,
        fetch: doFetch,
        maxRetries: options.maxRetries,
        retryDelayMs: options.retryDelayMs,
        signal: options.signal,
        onProgress: options.onProgress ? (loaded, total) => options.onProgress!({ path, loaded, total }) : undefined,
      };
      return openHttpSource(url(path), opts);
    },
  };
}
