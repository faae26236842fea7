// The dataset a worker job reads: named by the SHA-256 of the file's bytes and read from the
// dataset file store (src/data/file-store.ts), or handed over as the file itself when it could
// not be stored (storage full). Parsed here with the same reader the Dataset page uses.
import { readDataset } from './read.ts';
import type { Conversation } from './types.ts';
import { openFileStore } from './file-store.ts';

export interface DatasetRef {
  sha256: string;
  name: string;
  /** The file itself, when the page still holds it (e.g. it could not be stored). */
  file?: Blob;
  /** Dataset file store name (tests use their own). */
  dbName?: string;
}

export async function datasetBlob(ref: DatasetRef): Promise<Blob> {
  if (ref.file) return ref.file;
  const store = await openFileStore(ref.dbName ? { name: ref.dbName } : {});
  try {
    const got = await store.get(ref.sha256);
    if (!got)
      throw new Error(
        `the dataset ${ref.name} (sha256 ${ref.sha256.slice(0, 12)}…) is no longer stored in this ` +
          `browser: load the file again`,
      );
    return got.blob;
  } finally {
    store.close();
  }
}

export interface DatasetItems {
  items: { line: number; conversation: Conversation }[];
  /** Records with an error (as `prism train` skips them), each with its first error. */
  invalid: { line: number; why: string }[];
}

/** The records a run trains on: every one that reads as a conversation without an error. */
export async function readConversations(ref: DatasetRef): Promise<DatasetItems> {
  const out: DatasetItems = { items: [], invalid: [] };
  for await (const r of readDataset(await datasetBlob(ref))) {
    if (r.line === 0) continue;
    const error = r.issues.find((i) => i.severity === 'error');
    if (r.conversation && !error) out.items.push({ line: r.line, conversation: r.conversation });
    else out.invalid.push({ line: r.line, why: error ? `${error.code}: ${error.message}` : 'not a conversation' });
  }
  return out;
}

/**
 * Conversations as JSON Lines, one normalized record per line: Prism's copy of what a run
 * tokenized (the adapter zip ships it beside the original file).
 */
export function conversationsJsonl(conversations: readonly Conversation[]): Uint8Array {
  return new TextEncoder().encode(conversations.map((c) => JSON.stringify(c)).join('\n') + '\n');
}
