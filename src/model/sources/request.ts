// Which model a job runs on, as plain data that crosses a worker boundary: the built-in demo
// model, a Hub repo (fetched through the IndexedDB cache), or the files of a folder the user
// picked. `openModelRequest` turns it into a ModelSource wherever the job runs.
import { TINY_ID, tinyModel } from '../demo.ts';
import type { ModelSource, ProgressEvent } from '../types.ts';
import { hubSourceWithCache } from './cached-source.ts';
import { blobModelSource } from './model-source.ts';

// The tokenizer files of a model source: tokenizer.json, or tokenizer.model converted.
export { readTokenizerFiles } from '../../tokenize/files.ts';

export type ModelRequest =
  | { kind: 'tiny' }
  | { kind: 'hub'; repo: string; token?: string }
  /** Relative path inside the folder → file. */
  | { kind: 'local'; name: string; files: Record<string, Blob> };

function blobs(files: Record<string, Uint8Array>): Record<string, Blob> {
  return Object.fromEntries(Object.entries(files).map(([k, v]) => [k, new Blob([v as Uint8Array<ArrayBuffer>])]));
}

/** `onProgress` hears a Hub model's download (files already cached count as loaded). */
export async function openModelRequest(
  req: ModelRequest,
  onProgress?: (e: ProgressEvent) => void,
): Promise<{ source: ModelSource; close(): void }> {
  if (req.kind === 'tiny')
    return { source: blobModelSource(blobs(tinyModel().files), 'tiny demo model'), close: () => {} };
  if (req.kind === 'local') return { source: blobModelSource(req.files, `folder ${req.name}`), close: () => {} };
  return hubSourceWithCache({ repo: req.repo, token: req.token, onProgress });
}

/** The id a run records as its base model (a picked folder: `local:` and its name). */
export function modelIdOf(req: ModelRequest): string {
  return req.kind === 'tiny' ? TINY_ID : req.kind === 'hub' ? req.repo : `local:${req.name}`;
}
