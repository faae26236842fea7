// What the evaluation worker does, without the worker globals (tests drive it in Node): read the
// run (adapter, template, agent template, eval split) from the adapter store or the records from a
// file, acquire the GPU, load the model once, evaluate base vs tuned and post every row as it is
// scored; a cancel stops after the current reply.
import { adapterExpectations, importAdapter, ADAPTER_CONFIG_FILE, ADAPTER_WEIGHTS_FILE } from '../../adapters/peft.ts';
import type { AdapterStore } from '../../adapters/store.ts';
import type { RunRecord } from '../../adapters/types.ts';
import { readConversations } from '../../data/dataset-ref.ts';
import type { Conversation } from '../../data/types.ts';
import { acquireDevice } from '../../engine/device.ts';
import { openModelRequest } from '../../model/sources/request.ts';
import { loadModel, modelTokenizer, type LoadedModel } from '../load.ts';
import { evaluate } from './evaluate.ts';
import { evalItem, type EvalItem } from './items.ts';
import type { FromEvalWorker, StartEval, ToEvalWorker } from './protocol.ts';
import { toolCallParserFor } from '../tool-calls.ts';
import { getTemplate } from '../../templates/index.ts';
import { autotune, modelGemmShapes, weightDtype } from '../../engine/kernels/autotune.ts';
import type { TunerStore } from '../../engine/kernels/tuner.ts';

export interface EvalWorkerDeps {
  gpu: GPU;
  openStore(name?: string): Promise<AdapterStore>;
  post(msg: FromEvalWorker): void;
  /** Where the gemm autotuner keeps its choices (IndexedDB in the browser); in memory when absent. */
  tunerStore?: () => TunerStore;
}

/** A refusal the user can act on (its message says what to do). */
export class EvalRefusal extends Error {
  override name = 'EvalRefusal';
}

interface Records {
  source: string;
  items: EvalItem[];
  skipped: { line: number; why: string }[];
}

/**
 * The run's held-out records (or all its records), from its copy of the dataset (the user's file
 * when it was kept, else Prism's normalized copy).
 */
async function runRecords(store: AdapterStore, run: RunRecord, split: boolean): Promise<Records> {
  const lines = run.eval_lines ?? [];
  if (split && !lines.length) {
    throw new EvalRefusal(
      `run ${run.name} held out no eval split (split_dataset_ratio 0, or trained before Prism recorded it): ` +
        `evaluate it on a file instead`,
    );
  }
  if (!run.dataset) throw new EvalRefusal(`run ${run.name} has no dataset recorded: evaluate it on a file instead`);
  const held = new Set(lines);
  const want = { has: (line: number) => !split || held.has(line) };
  const original = run.dataset.original && (await store.getDataset(run.dataset.original.sha256));
  let convs: Conversation[];
  if (original) {
    const { items } = await readConversations({
      sha256: original.sha256,
      name: original.name,
      file: new Blob([original.bytes as Uint8Array<ArrayBuffer>]),
    });
    convs = items
      .filter((i) => want.has(i.line))
      .map((i) => ({ ...i.conversation, source: { ...i.conversation.source, line: i.line } }));
  } else {
    // Prism's normalized copy: one conversation per line, each still naming its line in the user's file.
    const copy = await store.getDataset(run.dataset.sha256);
    if (!copy)
      throw new EvalRefusal(`the dataset of run ${run.name} is no longer stored: evaluate it on a file instead`);
    convs = new TextDecoder()
      .decode(copy.bytes)
      .split('\n')
      .filter((l) => l.trim())
      .map((l) => JSON.parse(l) as Conversation)
      .filter((c) => want.has(c.source.line));
  }
  const found = new Set(convs.map((c) => c.source.line));
  const name = run.dataset.original?.name ?? run.dataset.name;
  if (!split)
    return {
      source: `the training data of run ${run.name} (${name}; seen in training)`,
      items: convs.map(evalItem),
      skipped: [],
    };
  const skipped = lines
    .filter((l) => !found.has(l))
    .map((line) => ({ line, why: 'not in the stored copy of the dataset' }));
  return { source: `the eval split of ${name} (${lines.length} records)`, items: convs.map(evalItem), skipped };
}

export function createEvalWorkerHandler(deps: EvalWorkerDeps): (msg: ToEvalWorker) => Promise<void> {
  let abort: AbortController | null = null;
  return async (msg) => {
    if (msg.type === 'cancel') {
      abort?.abort();
      return;
    }
    if (abort) {
      deps.post({ type: 'error', message: 'an evaluation is already running in this worker' });
      return;
    }
    const mine = new AbortController();
    abort = mine;
    try {
      await start(msg, mine.signal);
    } catch (err) {
      deps.post({ type: 'error', message: (err as Error).message });
    } finally {
      abort = null;
    }
  };

  async function start(msg: StartEval, signal: AbortSignal): Promise<void> {
    const progress = (phase: string, loaded = 0, total = 0) => deps.post({ type: 'progress', phase, loaded, total });
    let model: LoadedModel | null = null;
    let device: GPUDevice | null = null;
    let store: AdapterStore | null = null;
    try {
      store = await deps.openStore(msg.dbName);
      const run = msg.runId ? await store.get(msg.runId) : undefined;
      if (msg.runId && !run) throw new EvalRefusal('that adapter is gone from this browser’s storage');
      const weights = msg.runId ? await store.getAdapter(msg.runId) : undefined;
      if (msg.runId && !weights)
        throw new EvalRefusal(`run ${run!.name} has no finished adapter yet: finish (or resume) its training first`);
      const hp = (run?.hyperparameters ?? {}) as { agent_template?: string };
      const template = msg.template ?? run?.template;
      if (!template) throw new EvalRefusal('pick a template: the base model alone has none recorded');
      const spec = getTemplate(template);
      const agent_template = msg.agent_template ?? hp.agent_template;

      progress('reading the records');
      let records: Records;
      if (msg.data.kind !== 'file') {
        if (!run)
          throw new EvalRefusal(
            'the eval split and training data belong to a run: pick an adapter, or evaluate on a file',
          );
        records = await runRecords(store, run, msg.data.kind === 'eval-split');
      } else {
        const { items, invalid } = await readConversations(msg.data.dataset);
        records = {
          source: msg.data.dataset.name,
          items: items.map((i) => evalItem({ ...i.conversation, source: { ...i.conversation.source, line: i.line } })),
          skipped: invalid.map((r) => ({ line: r.line, why: `invalid record: ${r.why}` })),
        };
      }
      const items = records.items.slice(0, msg.limit ?? Infinity);
      deps.post({
        type: 'items',
        source: records.source,
        total: items.length,
        beyond: records.items.length - items.length,
        skipped: records.skipped.sort((a, b) => a.line - b.line),
        template,
        parser: toolCallParserFor(spec, agent_template),
      });
      if (!items.length) throw new EvalRefusal(`${records.source} has no record to evaluate`);

      progress('opening the model');
      ({ device } = await acquireDevice(deps.gpu));
      let lastTick = 0;
      const opened = await openModelRequest(msg.model, (e) => {
        const now = Date.now();
        if (e.loaded < e.total && now - lastTick < 100) return;
        lastTick = now;
        progress(`downloading ${e.path}`, e.loaded, e.total);
      });
      try {
        model = await loadModel(opened.source, device, {
          onProgress: (p) => progress('loading the model', p.loaded, p.total),
        });
      } finally {
        opened.close();
      }
      const tokenizer = modelTokenizer(model, opened.source.label);
      const adapter = weights
        ? importAdapter(
            new Map([
              [ADAPTER_WEIGHTS_FILE, weights.safetensors],
              [ADAPTER_CONFIG_FILE, new TextEncoder().encode(weights.config)],
            ]),
            adapterExpectations(model.spec),
          )
        : null;

      // The matmul kernels for this model on this GPU (skipped on CPU adapters): prompts' prefill and
      // decode steps, with the adapter's products; classes measured before are not measured again.
      progress('tuning the matmul kernels for this GPU');
      const shapes = modelGemmShapes(model.spec, {
        tokens: [1, 48, 256],
        dtype: weightDtype(model.spec.torch_dtype),
        loraRank: adapter?.config.r,
        head: true,
      });
      await autotune(device, shapes, 'auto', deps.tunerStore);
      progress('generating', 0, items.length);
      const result = await evaluate({
        device,
        model,
        tokenizer,
        adapter,
        items,
        template,
        max_new_tokens: msg.max_new_tokens,
        signal,
        ...(agent_template ? { agent_template } : {}),
        onRow: (row, done, total) => deps.post({ type: 'row', row, done, total }),
      });
      deps.post({ type: 'done', summary: result.summary, cancelled: result.cancelled });
    } finally {
      model?.destroy();
      device?.destroy();
      store?.close();
    }
  }
}
