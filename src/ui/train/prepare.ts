// Everything the training worker (src/workers/train.worker.ts, protocol src/train/protocol.ts)
// needs from the page: the model's files or Hub id, and the records tokenized with the model's
// tokenizer and the chosen template (on the tokenize worker pool, so the page stays responsive).
import type { Conversation } from '../../data/types.ts';
import { hubSourceWithCache } from '../../model/sources/cached-source.ts';
import { blobModelSource, filesByRelativePath } from '../../model/sources/model-source.ts';
import type { ModelRequest } from '../../model/sources/request.ts';
import type { ModelSource } from '../../model/types.ts';
import { RecordEncoder } from '../../tokenize/encode.ts';
import { tokenizerFromFiles, type TokenizerFiles } from '../../tokenize/load.ts';
import { tokenizeWithPool } from '../../tokenize/pool.ts';
import { effectiveLossScale, type TrainConfig } from '../../train/config.ts';
import type { TrainRecord } from '../../train/data.ts';
import type { StartTraining } from '../../train/protocol.ts';
import { spawnBrowserWorker } from '../../workers/tokenize-spawn.ts';
import { TINY_ID, tinyModel } from './models.ts';

export type { ModelRequest };

/** A record that will not be trained on, and why (never dropped without being named). */
export interface Skipped {
  line: number;
  why: string;
}

export interface Prepared {
  model: StartTraining['model'];
  records: TrainRecord[];
  padId: number;
  /** Conversations the template refused or that were dropped for length. */
  skipped: Skipped[];
}

export function modelRequestFor(modelId: string, local: { name: string; files: File[] } | null, token?: string): ModelRequest {
  if (modelId === TINY_ID) return { kind: 'tiny' };
  if (modelId.startsWith('local:')) {
    if (!local) throw new Error(`The model folder ${modelId.slice(6)} must be picked again (browsers do not keep it across reloads).`);
    return { kind: 'local', name: local.name, files: Object.fromEntries(filesByRelativePath(local.files)) };
  }
  return { kind: 'hub', repo: modelId, token };
}

function blobs(files: Record<string, Uint8Array>): Record<string, Blob> {
  return Object.fromEntries(Object.entries(files).map(([k, v]) => [k, new Blob([v as Uint8Array<ArrayBuffer>])]));
}

export async function prepareRun(
  req: ModelRequest,
  config: TrainConfig,
  conversations: readonly Conversation[],
  onProgress: (phase: string, loaded: number, total: number) => void,
): Promise<Prepared> {
  let model: StartTraining['model'];
  let source: ModelSource;
  let close = () => {};
  if (req.kind === 'tiny') {
    const files = blobs(tinyModel().files);
    model = { files };
    source = blobModelSource(files, 'tiny demo model');
  } else if (req.kind === 'local') {
    const files = req.files;
    model = { files };
    source = blobModelSource(files, 'picked folder');
  } else {
    model = { hub: { repo: req.repo, token: req.token } };
    // The same IndexedDB cache the train worker reads the weights through: fetched once.
    ({ source, close } = await hubSourceWithCache({ repo: req.repo, token: req.token }));
  }
  onProgress('reading the tokenizer', 0, 0);
  let files: TokenizerFiles;
  try {
    files = {
      tokenizerJSON: JSON.parse(await source.readText('tokenizer.json')),
      tokenizerConfig: (await source.exists('tokenizer_config.json')) ? JSON.parse(await source.readText('tokenizer_config.json')) : {},
    };
  } finally {
    close();
  }
  const padId = new RecordEncoder(tokenizerFromFiles(files)).padId;
  const maxLength = config.max_length ?? undefined;
  const records: TrainRecord[] = [];
  const skipped: Skipped[] = [];
  let done = 0;
  const items = conversations.map((conversation, i) => ({ line: i + 1, conversation }));
  for await (const r of tokenizeWithPool(items, {
    spawn: spawnBrowserWorker,
    files,
    config: {
      template: config.template, loss_scale: effectiveLossScale(config), render: { agentTemplate: config.agent_template },
      length: { max_length: maxLength, truncation: config.truncation_strategy },
    },
    size: Math.min(4, Math.max(1, Math.ceil(conversations.length / 256))),
  })) {
    done++;
    if (r.ok && r.record) {
      const { input_ids, labels, loss_scale } = r.record;
      records.push(loss_scale ? { line: r.line, input_ids, labels, loss_scale } : { line: r.line, input_ids, labels });
    } else if (r.ok) skipped.push({ line: r.line, why: `${r.tokens} tokens, over max_length ${maxLength}` });
    else skipped.push({ line: r.line, why: `the template refused it: ${r.error}` });
    if (done % 64 === 0) onProgress('tokenizing', done, conversations.length);
  }
  return { model, records, padId, skipped };
}
