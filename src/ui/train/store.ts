// The Train page's state (zustand): the model choice, the form, and the live run fed by the
// training worker's events. The run itself lives in the worker; its record, checkpoints and
// adapter in the adapter store (IndexedDB), which is what lets a reopened tab resume.
import { create } from 'zustand';
import type { LossPoint } from '../../adapters/types.ts';
import { openAdapterStore, type AdapterStore } from '../../adapters/store.ts';
import {
  defaultTrainConfig,
  lossPolicyOf,
  validateTrainConfig,
  withLossPolicy,
  type TrainConfig,
} from '../../train/config.ts';
import type { ModelSpec } from '../../model/types.ts';
import { spawnTrainWorker, type TrainClient } from '../../workers/train-client.ts';
import type { FromTrainWorker, StartTraining } from '../../train/protocol.ts';
import type { TrainEvent } from '../../train/trainer.ts';
import { modelRequestFor } from './model-request.ts';
import { currentDatasetRef } from '../studio/load-dataset.ts';
import { applyPreset, type PresetId } from './presets.ts';
import { TINY_ID } from './models.ts';
import { hubFailureOfMessage } from './hub-check.ts';
import { useHubModel } from './hub-model-store.ts';
import { useStudio } from '../studio/store.ts';
import { lossScaleSpec } from '../../templates/compare/render-column.ts';
import { ETA_WINDOW, etaSeconds, type StepTime } from '../../train/eta.ts';

export type RunPhase = 'idle' | 'preparing' | 'running' | 'paused' | 'completed' | 'cancelled' | 'failed';

export interface LiveRun {
  id: string;
  name: string;
  datasetName: string;
  conversations: number;
  /** The settings this run trains with (a resumed run's own, whatever the form shows). */
  config: TrainConfig;
  phase: RunPhase;
  step: number;
  total: number | null;
  tokensPerSecond: number | null;
  etaSeconds: number | null;
  elapsedSeconds: number | null;
  points: LossPoint[];
  /** What the worker is doing before the first step (download, tokenize). */
  prep: { phase: string; loaded: number; total: number } | null;
  message: string | null;
  lastCheckpoint: number | null;
  /** The GPU device was lost: the run is kept (paused in the store) and can resume from lastCheckpoint. */
  lostDevice: boolean;
  /** Records left out of this run, each with its line and why. */
  skipped: { line: number; why: string }[];
  /** When recent steps ended (the trainer's elapsed seconds): the ETA's median step time. */
  stepTimes: StepTime[];
}

export interface LocalModel {
  name: string;
  spec: ModelSpec;
  files: File[];
}

interface TrainState {
  modelId: string;
  local: LocalModel | null;
  hubToken: string;
  /** The preset the form was last set from; null once a field was changed by hand (or for a resumed run). */
  preset: PresetId | null;
  config: TrainConfig;
  /** The settings on the form are those of this stored run (resumed, or loaded from it). */
  configFrom: { runId: string; name: string } | null;
  run: LiveRun | null;
  setModel(id: string, template?: string): void;
  setLocal(m: LocalModel | null): void;
  setHubToken(t: string): void;
  setPreset(p: PresetId): void;
  /** A change by hand (the preset becomes "custom") unless `keepPreset`. */
  setConfig(c: TrainConfig, opts?: { keepPreset?: boolean }): void;
  /** A new run of the current dataset with the form's settings, or a stored run resumed with its own. */
  start(opts?: { resumeRunId?: string }): Promise<void>;
  pause(): void;
  resume(): void;
  cancel(): void;
  onEvent(e: TrainEvent | Exclude<FromTrainWorker, { type: 'event' }>): void;
}

let client: TrainClient | null = null;
let storePromise: Promise<AdapterStore> | null = null;

/** The browser's adapter store, opened once. */
export function adapterStore(): Promise<AdapterStore> {
  storePromise ??= openAdapterStore();
  return storePromise;
}

const initialConfig = applyPreset(defaultTrainConfig({ model_id: TINY_ID, template: 'chatml' }), 'quick');
const SAVED = 'prism.train';

interface SavedForm {
  modelId: string;
  preset: PresetId | null;
  config: TrainConfig;
  configFrom: TrainState['configFrom'];
}

/**
 * The form as it was before the reload. Fields added to TrainConfig since it was saved take
 * their defaults; a saved config the trainer would refuse is dropped whole (never half-applied).
 */
function savedForm(): SavedForm {
  const fallback: SavedForm = { modelId: TINY_ID, preset: 'quick', config: initialConfig, configFrom: null };
  try {
    const v = JSON.parse(globalThis.localStorage?.getItem(SAVED) ?? 'null') as Partial<SavedForm> | null;
    if (!v || typeof v.modelId !== 'string' || !v.config || typeof v.config !== 'object') return fallback;
    const config = { ...initialConfig, ...v.config, lora: { ...initialConfig.lora, ...v.config.lora } };
    if (validateTrainConfig(config).length) return fallback;
    return { modelId: v.modelId, preset: v.preset ?? null, config, configFrom: v.configFrom ?? null };
  } catch {
    return fallback;
  }
}

function upsertPoint(points: LossPoint[], p: LossPoint): LossPoint[] {
  const i = points.findIndex((x) => x.step === p.step);
  if (i < 0) return [...points, p].sort((a, b) => a.step - b.step);
  const next = points.slice();
  next[i] = { ...next[i], ...p };
  return next;
}

export const useTrain = create<TrainState>((set, get) => ({
  ...savedForm(),
  local: null,
  hubToken: '',
  run: null,
  setModel: (id, template) =>
    set((s) => ({
      modelId: id,
      configFrom: null,
      config: { ...s.config, model_id: id, template: template ?? s.config.template },
    })),
  setLocal: (local) => set({ local }),
  setHubToken: (hubToken) => set({ hubToken }),
  setPreset: (preset) => set((s) => ({ preset, configFrom: null, config: applyPreset(s.config, preset) })),
  setConfig: (config, opts = {}) =>
    set((s) => (opts.keepPreset ? { config } : { config, preset: null, configFrom: null })),

  async start(opts = {}) {
    const s = get();
    if (client) return;
    let msg: StartTraining;
    let live: Pick<LiveRun, 'id' | 'name' | 'datasetName' | 'conversations' | 'config' | 'points' | 'step'>;
    if (opts.resumeRunId) {
      // The stored run's own settings, model and dataset copy: the worker reads them; the page only shows them.
      const rec = await (await adapterStore()).get(opts.resumeRunId);
      if (!rec) throw new Error('That run is gone from this browser’s storage.');
      const config = rec.hyperparameters as TrainConfig;
      const model = modelRequestFor(rec.base_model, s.local, s.hubToken || undefined);
      // base_model is where its weights come from (config.model_id may be the Hub id of a local folder).
      set({ config, modelId: rec.base_model, preset: null, configFrom: { runId: rec.id, name: rec.name } });
      msg = { type: 'start', run: { resume: rec.id }, model, recompute: true };
      live = {
        id: rec.id,
        name: rec.name,
        datasetName: rec.dataset?.name ?? '',
        conversations: rec.dataset?.records ?? 0,
        config,
        points: rec.loss_curve,
        step: rec.loss_curve.at(-1)?.step ?? 0,
      };
    } else {
      const dataset = currentDatasetRef();
      if (!dataset) throw new Error('Load a dataset first (or wait until it has been read).');
      const config = s.config;
      const model = modelRequestFor(s.modelId, s.local, s.hubToken || undefined);
      const stamp = new Date().toISOString().slice(0, 16).replace('T', ' ');
      const name = `${config.model_id.split('/').pop()} · ${dataset.name} · ${stamp}`;
      msg = { type: 'start', run: { name }, dataset, model, config, recompute: true };
      live = { id: '', name, datasetName: dataset.name, conversations: 0, config, points: [], step: 0 };
    }
    set({
      run: {
        ...live,
        phase: 'preparing',
        total: live.config.max_steps > 0 ? live.config.max_steps : null,
        tokensPerSecond: null,
        etaSeconds: null,
        elapsedSeconds: null,
        prep: null,
        message: null,
        lastCheckpoint: null,
        lostDevice: false,
        skipped: [],
        stepTimes: [],
      },
    });
    client = spawnTrainWorker((m) => get().onEvent(m.type === 'event' ? m.event : m));
    client.post(msg);
  },
  pause: () => {
    client?.post({ type: 'pause' });
  },
  resume: () => {
    client?.post({ type: 'resume' });
  },
  cancel: () => {
    client?.post({ type: 'cancel' });
  },

  onEvent(e) {
    const run = get().run;
    if (!run) return;
    const patch = (p: Partial<LiveRun>) => set({ run: { ...get().run!, ...p } });
    switch (e.type) {
      case 'progress':
        patch({ prep: { phase: e.phase, loaded: e.loaded, total: e.total } });
        break;
      case 'run':
        patch({
          id: e.runId,
          name: e.name,
          config: e.config,
          datasetName: e.dataset.name,
          conversations: e.records,
          skipped: e.skipped,
        });
        break;
      case 'start':
        patch({
          phase: 'running',
          total: e.total_steps,
          prep: null,
          step: e.resumed_from ?? run.step,
          lastCheckpoint: e.resumed_from ?? run.lastCheckpoint,
        });
        break;
      case 'step': {
        const stepTimes = [...run.stepTimes.slice(-(ETA_WINDOW * 2)), { step: e.step, at: e.elapsed_seconds }];
        patch({
          phase: run.phase === 'paused' ? 'paused' : 'running',
          step: e.step,
          total: e.total_steps,
          tokensPerSecond: e.tokens_per_second,
          // The median of recent step times, not the trainer's running mean (which the first, compiling step inflates).
          etaSeconds: etaSeconds(stepTimes, e.total_steps),
          elapsedSeconds: e.elapsed_seconds,
          stepTimes,
          points: upsertPoint(run.points, {
            step: e.step,
            loss: e.loss,
            learning_rate: e.learning_rate,
            grad_norm: e.grad_norm,
          }),
        });
        break;
      }
      case 'eval':
        patch({
          points: upsertPoint(run.points, {
            step: e.step,
            loss: run.points.find((p) => p.step === e.step)?.loss ?? NaN,
            eval_loss: e.eval_loss,
          }),
        });
        break;
      case 'skipped':
        patch({ message: `Step ${e.step} skipped: ${e.reason}` });
        break;
      case 'checkpoint':
        patch({ lastCheckpoint: e.step });
        break;
      case 'paused':
        patch({ phase: 'paused' });
        break;
      case 'resumed':
        patch({ phase: 'running' });
        break;
      case 'done':
        patch({ phase: e.status, step: e.step, message: e.message ?? null });
        break;
      case 'adapter':
        patch({ message: 'Adapter saved: find it on the Adapters page (Alt+4).' });
        client?.terminate();
        client = null;
        break;
      case 'error': {
        // A Hub download that failed says what happened (offline, gated, not found…), not "Failed to fetch";
        // the model picker offers the demo model or a local folder then.
        const { modelId, hubToken } = get();
        const hub =
          e.refused || modelId === TINY_ID || modelId.startsWith('local:')
            ? null
            : hubFailureOfMessage(e.message, {
                online: globalThis.navigator?.onLine ?? true,
                token: !!hubToken,
                repo: modelId,
              });
        useHubModel.getState().setRunFailure(hub && { repo: modelId, failure: hub });
        // The worker's message for a lost device already says from which step Resume continues.
        patch({
          phase: 'failed',
          message: e.refused ? `Refused: ${e.message}` : (hub?.message ?? e.message),
          lostDevice: e.deviceLost,
        });
        client?.terminate();
        client = null;
        break;
      }
    }
    if (e.type === 'done' && e.status === 'cancelled') {
      // The worker still writes the last checkpoint after this event; let it finish.
      const old = client;
      client = null;
      setTimeout(() => old?.terminate(), 15_000);
    }
  },
}));

// Every form setting survives a reload (the Hub token and a picked folder's files do not: a
// token is never stored, and browsers do not keep a folder's files across reloads).
useTrain.subscribe((s, prev) => {
  if (
    s.modelId === prev.modelId &&
    s.config === prev.config &&
    s.preset === prev.preset &&
    s.configFrom === prev.configFrom
  )
    return;
  try {
    const v: SavedForm = { modelId: s.modelId, preset: s.preset, config: s.config, configFrom: s.configFrom };
    globalThis.localStorage?.setItem(SAVED, JSON.stringify(v));
  } catch {
    // Storage full or disabled: the form is simply not remembered.
  }
});

// The loss policy and loss-scale names chosen on the Templates page carry over, once per change
// there (not on a reload, which would overwrite the form's own saved value), and never into a live
// run. A policy change keeps the form's names; a change of names (valid ones) sets the whole spec.
useStudio.subscribe((s, prev) => {
  const policy = s.choices.lossPolicy;
  const names = (s.choices.lossScale ?? '').trim();
  const namesChanged = names !== (prev.choices.lossScale ?? '').trim();
  if (policy === prev.choices.lossPolicy && !namesChanged) return;
  const t = useTrain.getState();
  const live = t.run && (t.run.phase === 'preparing' || t.run.phase === 'running' || t.run.phase === 'paused');
  if (live) return;
  if (namesChanged) {
    const { spec, error } = lossScaleSpec(s.choices);
    if (error) return;
    const next = withLossPolicy({ ...t.config, loss_scale: spec ?? 'default', loss_policy: undefined }, policy);
    if (next.loss_scale !== t.config.loss_scale || t.config.loss_policy !== undefined)
      t.setConfig(next, { keepPreset: true });
  } else if (policy !== lossPolicyOf(t.config)) t.setConfig(withLossPolicy(t.config, policy), { keepPreset: true });
});

// Likewise the agent template picked on the Templates page ('native' = the family's own).
useStudio.subscribe((s, prev) => {
  const agent = s.choices.agentTemplate;
  if (agent === prev.choices.agentTemplate) return;
  const t = useTrain.getState();
  const live = t.run && (t.run.phase === 'preparing' || t.run.phase === 'running' || t.run.phase === 'paused');
  const want = agent && agent !== 'native' ? agent : undefined;
  if (!live && want !== t.config.agent_template) {
    const { agent_template: _old, ...rest } = t.config;
    t.setConfig(want ? { ...rest, agent_template: want } : rest, { keepPreset: true });
  }
});

/** Runs left 'running' or 'paused' by a closed tab, with the step of their last checkpoint. */
export interface InterruptedRun {
  id: string;
  name: string;
  step: number;
  dataset: string | null;
  config: TrainConfig;
}

export async function interruptedRuns(): Promise<InterruptedRun[]> {
  const store = await adapterStore();
  const out: InterruptedRun[] = [];
  for (const r of await store.list()) {
    if (r.status !== 'running' && r.status !== 'paused') continue;
    if (useTrain.getState().run?.id === r.id) continue;
    const cp = await store.latestCheckpoint(r.id);
    if (cp)
      out.push({
        id: r.id,
        name: r.name,
        step: cp.step,
        dataset: r.dataset?.sha256 ?? null,
        config: r.hyperparameters as TrainConfig,
      });
  }
  return out;
}

/** The settings that tell runs apart, in one line (model, template, steps, rate, length, rank). */
export function configLine(c: TrainConfig): string {
  const steps =
    c.max_steps > 0 ? `${c.max_steps} steps` : `${c.num_train_epochs} epoch${c.num_train_epochs === 1 ? '' : 's'}`;
  return [
    c.model_id,
    c.template,
    steps,
    `lr ${c.learning_rate}`,
    `max_length ${c.max_length ?? 'model'}`,
    `r ${c.lora.r}`,
  ].join(' · ');
}
