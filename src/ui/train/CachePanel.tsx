// Downloaded models take space in the browser. Shows what this origin stores (Cache API
// entries and IndexedDB databases other than the adapter store) with a way to free it.
import { useCallback, useEffect, useState } from 'react';
import { fmtBytes } from './models.ts';

interface CacheRow {
  kind: 'cache' | 'idb';
  name: string;
  size: number | null;
  entries: number | null;
}

async function scan(): Promise<{ rows: CacheRow[]; usage: number | null; quota: number | null }> {
  const rows: CacheRow[] = [];
  if ('caches' in globalThis) {
    for (const name of await caches.keys()) {
      const c = await caches.open(name);
      const reqs = await c.keys();
      let size = 0;
      for (const r of reqs) size += Number((await c.match(r))?.headers.get('content-length') ?? 0);
      rows.push({ kind: 'cache', name, size, entries: reqs.length });
    }
  }
  if (typeof indexedDB !== 'undefined' && 'databases' in indexedDB) {
    for (const d of await indexedDB.databases()) {
      // The adapter store holds the user's trained runs: it is managed on the Adapters page.
      if (d.name && d.name !== 'prism') rows.push({ kind: 'idb', name: d.name, size: null, entries: null });
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
    else await new Promise<void>((res) => {
      const req = indexedDB.deleteDatabase(row.name);
      req.onsuccess = req.onerror = req.onblocked = () => res();
    });
    refresh();
  }

  return (
    <details className="card cache-panel">
      <summary>
        <h2>Stored models</h2>
        {state?.usage != null && (
          <span className="muted"> · this site uses {fmtBytes(state.usage)}{state.quota ? ` of ${fmtBytes(state.quota)}` : ''}</span>
        )}
      </summary>
      {!state && <p className="muted">Looking…</p>}
      {state && state.rows.length === 0 && (
        <p className="muted">No downloaded models are stored. Hub models are kept here after their first download, so the next visit starts without one.</p>
      )}
      {state && state.rows.length > 0 && (
        <ul className="plain">
          {state.rows.map((r) => (
            <li key={`${r.kind}:${r.name}`}>
              <span>{r.name}</span>{' '}
              <span className="muted">{r.size !== null ? fmtBytes(r.size) : 'size unknown'}{r.entries !== null ? ` · ${r.entries} files` : ''}</span>{' '}
              <button type="button" onClick={() => void free(r)}>Free space</button>
            </li>
          ))}
        </ul>
      )}
    </details>
  );
}
