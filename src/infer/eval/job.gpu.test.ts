// The evaluation worker's core, driven as the Evaluate page drives it, on a run the training
// worker core trained (fake-indexeddb for the store, Dawn on SwiftShader for the GPU). The run
// learns a constant answer, so on its held-out eval split the tuned replies match the references
// and the base model's do not. Each reply is also regenerated independently — full-sequence
// forward recomputed at every step, no KV cache — with and without the adapter, and must be the
// same text. A cancel ends the job early, marked cancelled; bad lines of a file are named.
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import type { PreTrainedTokenizer } from '@huggingface/transformers';
import { adapterExpectations, importAdapter, ADAPTER_CONFIG_FILE, ADAPTER_WEIGHTS_FILE } from '../../adapters/peft.ts';
import { openAdapterStore } from '../../adapters/store.ts';
import { nodeGPU } from '../../cli/node-gpu.ts';
import { acquireDevice } from '../../engine/device.ts';
import { eosList } from '../../model/config.ts';
import { makeTinyModel } from '../../model/tiny.ts';
import { blobModelSource } from '../../model/sources/model-source.ts';
import { getTemplate, render } from '../../templates/index.ts';
import { tokenizerFromFiles } from '../../tokenize/load.ts';
import { defaultTrainConfig } from '../../train/config.ts';
import type { FromTrainWorker } from '../../train/protocol.ts';
import { randomWeights } from '../../train/testing.ts';
import { createTrainWorkerHandler } from '../../train/worker-core.ts';
import { generate, recomputeLogits } from '../generate.ts';
import { loadModel } from '../load.ts';
import { createRunner } from '../runner.ts';
import { createEvalWorkerHandler } from './job.ts';
import type { FromEvalWorker, StartEval } from './protocol.ts';

const tm = makeTinyModel({
  arch: 'qwen3',
  hidden: 32,
  layers: 1,
  heads: 4,
  kvHeads: 2,
  intermediate: 48,
  seed: 1,
  dtype: 'float32',
  tokenizer: 'bytes',
});
const files = Object.fromEntries(
  Object.entries({ ...tm.files, 'model.safetensors': randomWeights(tm.spec, 'F32', 4) }).map(([k, v]) => [
    k,
    new Blob([v as Uint8Array<ArrayBuffer>]),
  ]),
);
const model = { kind: 'local', name: 'tiny', files } as const;
const ANSWER = 'yes';

function jsonl(lines: string[]): Blob {
  return new Blob([new TextEncoder().encode(lines.join('\n') + '\n')]);
}

const words = ['red', 'blue', 'cat', 'sun', 'tea', 'map', 'ink', 'owl'];
const asks = Array.from({ length: 8 }, (_, i) => `${words[i]} ${words[(i * 3 + 1) % 8]}`);
const data = jsonl(
  asks.map((a) =>
    JSON.stringify({
      messages: [
        { role: 'user', content: a },
        { role: 'assistant', content: ANSWER },
      ],
    }),
  ),
);

async function train(db: string): Promise<string> {
  const got: FromTrainWorker[] = [];
  const handle = createTrainWorkerHandler({
    gpu: nodeGPU(),
    openStore: (name) => openAdapterStore({ name }),
    post: (m) => got.push(m),
  });
  const config = defaultTrainConfig({
    model_id: 'test/tiny',
    template: 'chatml',
    learning_rate: 1e-1,
    max_steps: 18,
    per_device_train_batch_size: 6,
    gradient_accumulation_steps: 1,
    save_steps: 100,
    split_dataset_ratio: 0.25,
    warmup_ratio: 0,
    lora: { r: 8, lora_alpha: 16, lora_dropout: 0 },
  });
  await handle({
    type: 'start',
    run: { name: 'constant' },
    dataset: { sha256: '', name: 'asks.jsonl', file: data },
    config,
    model,
    dbName: db,
  });
  const err = got.find((m) => m.type === 'error');
  if (err) throw new Error(JSON.stringify(err));
  return (got.find((m) => m.type === 'run') as Extract<FromTrainWorker, { type: 'run' }>).runId;
}

async function evaluateRun(db: string, over: Partial<StartEval>, cancelAfterRows?: number): Promise<FromEvalWorker[]> {
  const got: FromEvalWorker[] = [];
  let handle!: ReturnType<typeof createEvalWorkerHandler>;
  handle = createEvalWorkerHandler({
    gpu: nodeGPU(),
    openStore: (name) => openAdapterStore({ name }),
    post: (m) => {
      got.push(m);
      if (m.type === 'row' && m.done === cancelAfterRows) void handle({ type: 'cancel' });
    },
  });
  await handle({
    type: 'start',
    model,
    runId: null,
    data: { kind: 'eval-split' },
    max_new_tokens: 6,
    dbName: db,
    ...over,
  });
  return got;
}

/** The reply by full-sequence recompute (no KV cache), with or without the adapter. */
async function recomputed(
  prompt: string,
  adapterFiles: { safetensors: Uint8Array; config: string } | null,
): Promise<string> {
  const { device } = await acquireDevice(nodeGPU());
  const loaded = await loadModel(blobModelSource(files, 'tiny'), device);
  const tok: PreTrainedTokenizer = tokenizerFromFiles({
    tokenizerJSON: JSON.parse(loaded.tokenizerFiles['tokenizer.json']),
    tokenizerConfig: JSON.parse(loaded.tokenizerFiles['tokenizer_config.json'] ?? '{}'),
  });
  const adapter = adapterFiles
    ? importAdapter(
        new Map([
          [ADAPTER_WEIGHTS_FILE, adapterFiles.safetensors],
          [ADAPTER_CONFIG_FILE, new TextEncoder().encode(adapterFiles.config)],
        ]),
        adapterExpectations(loaded.spec),
      )
    : null;
  const ids = Array.from(tok.encode(prompt, { add_special_tokens: false }) as ArrayLike<number>);
  const decoder = createRunner(device, loaded, ids.length + 6, adapter);
  let text = '';
  try {
    const decode = (x: number[]) => tok.decode(x, { skip_special_tokens: false });
    for await (const p of generate(recomputeLogits(decoder), ids, {
      max_new_tokens: 6,
      temperature: 0,
      eos_token_ids: eosList(loaded.spec),
      stop: getTemplate('chatml').stop,
      decode,
    }))
      text += p.text;
  } finally {
    decoder.destroy();
    loaded.destroy();
    device.destroy();
  }
  return text;
}

describe('evaluation worker core', () => {
  it('scores base vs tuned on the run’s eval split; replies equal the no-cache recompute', async () => {
    const db = 'prism-eval-split';
    const runId = await train(db);
    const store = await openAdapterStore({ name: db });
    const rec = (await store.get(runId))!;
    const weights = (await store.getAdapter(runId))!;
    store.close();
    // ceil(0.25 × 8) = 2 records held out.
    expect(rec.eval_lines).toHaveLength(2);

    const got = await evaluateRun(db, { runId });
    expect(got.find((m) => m.type === 'error')).toBeUndefined();
    const items = got.find((m) => m.type === 'items') as Extract<FromEvalWorker, { type: 'items' }>;
    expect(items).toMatchObject({ total: 2, beyond: 0, skipped: [], template: 'chatml', parser: 'hermes' });
    const rows = got.filter((m) => m.type === 'row').map((m) => (m as Extract<FromEvalWorker, { type: 'row' }>).row);
    expect(rows.map((r) => r.line).sort()).toEqual([...rec.eval_lines!].sort());
    for (const row of rows) {
      expect(row.reference).toBe(ANSWER);
      expect(row.ask).toBe(asks[row.line - 1]);
      // The adapter learned the answer: exact match on held-out records.
      expect(row.tuned?.text).toBe(ANSWER);
      expect(row.tuned?.scores).toEqual({ exact_match: 1, token_f1: 1, rouge_l: 1 });
      expect(row.base?.scores?.exact_match).toBe(0);
    }
    const done = got.at(-1) as Extract<FromEvalWorker, { type: 'done' }>;
    expect(done).toMatchObject({
      type: 'done',
      cancelled: false,
      summary: { rows: 2, errors: 0, tuned: { text: 2, exact_match: 1 }, base: { text: 2, exact_match: 0 } },
    });

    const prompt = render(
      getTemplate('chatml'),
      { messages: [{ role: 'user', content: asks[rows[0].line - 1] }], source: { format: 'messages', line: 1 } },
      { addGenerationPrompt: true },
    ).text;
    expect(await recomputed(prompt, null)).toBe(rows[0].base!.text);
    expect(await recomputed(prompt, weights)).toBe(rows[0].tuned!.text);
  }, 600_000);

  it('a file: invalid lines named, the base alone, a cancel stops early', async () => {
    const db = 'prism-eval-file';
    const lines = [
      ...asks.slice(0, 4).map((a) =>
        JSON.stringify({
          messages: [
            { role: 'user', content: a },
            { role: 'assistant', content: ANSWER },
          ],
        }),
      ),
      '{oops',
    ];
    const dataset = { sha256: '', name: 'extra.jsonl', file: jsonl(lines) };
    const got = await evaluateRun(
      db,
      { data: { kind: 'file', dataset }, template: 'chatml', max_new_tokens: 3, limit: 3 },
      1,
    );
    const items = got.find((m) => m.type === 'items') as Extract<FromEvalWorker, { type: 'items' }>;
    expect(items).toMatchObject({ total: 3, beyond: 1 });
    expect(items.skipped).toEqual([{ line: 5, why: expect.stringMatching(/^invalid record: invalid_json/) }]);
    const rows = got.filter((m) => m.type === 'row');
    expect(rows.length).toBeLessThan(3);
    expect((rows[0] as Extract<FromEvalWorker, { type: 'row' }>).row.tuned).toBeNull();
    expect(got.at(-1)).toMatchObject({ type: 'done', cancelled: true, summary: { tuned: null } });
  }, 300_000);
});
