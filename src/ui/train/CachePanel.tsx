// Downloaded models take space in the browser. Shows the model cache (src/model's IndexedDB
// piece store) model by model, and other Cache API storage (e.g. tokenizer files fetched by
// transformers.js), each with a way to free it.
import { useCallback, useEffect, useState } from 'react';
import { deleteCachedModel, listCachedModels } from '../../model/sources/cached-source.ts';
import { idbBlobCache } from '../../model/sources/idb-cache.ts';
import { fmtBytes } from './models.ts';

interface CacheRow {
  kind: 'model' | 'cache';
  name: string;
  /** Model cache rows: the Hub repo and revision. */
  repo?: string;
  revision?: string;
  size: number | null;
  entries: number | null;
  partial?: number;
}

async function scan(): Promise<{ rows: CacheRow[]; usage: number | null; quota: number | null }> {
  const rows: CacheRow[] = [];
  if (typeof indexedDB !== 'undefined') {
    const cache = await idbBlobCache();
    try {
      for (const m of await listCachedModels(cache)) {
        rows.push({
          kind: 'model',
          name: m.revision === 'main' ? m.repo : `${m.repo}@${m.revision}`,
          repo: m.repo,
          revision: m.revision,
          size: m.bytes,
          entries: m.files,
          partial: m.partialFiles,
        });
      }
    } finally {
      cache.close();
    }
  }
  if ('caches' in globalThis) {
    for (const name of await caches.keys()) {
      const c = await caches.open(name);
      const reqs = await c.keys();
      let size = 0;
      for (const r of reqs) size += Number((await c.match(r))?.headers.get('content-length') ?? 0);
      rows.push({ kind: 'cache', name, size, entries: reqs.length });
    }
  }
  const est = navigator.storage?.estimate ? await navigator.storage.estimate() : null;
  return { rows, usage: est?.usage ?? null, quota: est?.quota ?? null };
}

export function CachePanel() {
  const [state, setState] = useState<Awaited<ReturnType<typeof scan>> | null>(null);
  const refresh = useCallback(() => void scan().then(setState), []);
  useEffect(refresh, [refresh]);

  async function free(row: CacheRow) {
    if (!confirm(`Delete the stored “${row.name}”? Models in it will download again when used.`)) return;
    if (row.kind === 'cache') await caches.delete(row.name);
    else {
      const cache = await idbBlobCache();
      try {
        await deleteCachedModel(cache, row.repo!, row.revision);
      } finally {
        cache.close();
      }
    }
    refresh();
  }

  return (
    <details className="card cache-panel" data-testid="cache-panel">
      <summary>
        <h2>Stored models</h2>
        {state?.usage != null && (
          <span className="muted">
            {' '}
            · this site uses {fmtBytes(state.usage)}
            {state.quota ? ` of ${fmtBytes(state.quota)}` : ''}
          </span>
        )}
      </summary>
      {!state && <p className="muted">Looking…</p>}
      {state && state.rows.length === 0 && (
        <p className="muted">No downloaded models are stored in this browser. The tiny demo model needs no download.</p>
      )}
      {state && state.rows.length > 0 && (
        <ul className="plain">
          {state.rows.map((r) => (
            <li key={`${r.kind}:${r.name}`}>
              <span>{r.name}</span>{' '}
              <span className="muted">
                {r.size !== null ? fmtBytes(r.size) : 'size unknown'}
                {r.entries !== null ? ` · ${r.entries} files` : ''}
                {r.partial ? ` · ${r.partial} partly downloaded (resumes next time)` : ''}
              </span>{' '}
              <button type="button" onClick={() => void free(r)}>
                Free space
              </button>
            </li>
          ))}
        </ul>
      )}
    </details>
  );
}
