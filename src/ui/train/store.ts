// The Train page's state (zustand): the model choice, the form, and the live run fed by the
// training worker's events. The run itself lives in the worker; its record, checkpoints and
// adapter in the adapter store (IndexedDB), which is what lets a reopened tab resume.
import { create } from 'zustand';
import type { LossPoint } from '../../adapters/types.ts';
import { openAdapterStore, type AdapterStore } from '../../adapters/store.ts';
import type { DatasetInfo } from '../../adapters/types.ts';
import { openFileStore } from '../../data/file-store.ts';
import { defaultTrainConfig, lossPolicyOf, validateTrainConfig, withLossPolicy, type TrainConfig } from '../../train/config.ts';
import type { Conversation } from '../../data/types.ts';
import type { ModelSpec } from '../../model/types.ts';
import { spawnTrainWorker, type TrainClient } from '../../workers/train-client.ts';
import type { FromTrainWorker } from '../../train/protocol.ts';
import type { TrainEvent } from '../../train/trainer.ts';
import { modelRequestFor, prepareRun } from './prepare.ts';
import { applyPreset, type PresetId } from './presets.ts';
import { TINY_ID } from './models.ts';
import { useStudio } from '../studio/store.ts';
import { lossScaleSpec } from '../studio/render-column.ts';

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
  /** `originalSha256`: the loaded file as kept in the studio's file store, so the adapter zip can carry it unchanged. */
  start(dataset: { name: string; conversations: Conversation[]; originalSha256?: string }, opts?: { resumeRunId?: string }): Promise<void>;
  pause(): void;
  resume(): void;
  cancel(): void;
  onEvent(e: TrainEvent | Exclude<FromTrainWorker, { type: 'event' }> | { type: 'progress'; phase: string; loaded: number; total: number }): void;
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

/** Conversations as JSON Lines: the dataset copy kept with the run (and shipped in its zip). */
export function conversationsJsonl(conversations: readonly Conversation[]): Uint8Array {
  return new TextEncoder().encode(conversations.map((c) => JSON.stringify(c)).join('\n') + '\n');
}

export function parseConversationsJsonl(bytes: Uint8Array): Conversation[] {
  return new TextDecoder().decode(bytes).split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as Conversation);
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
    set((s) => ({ modelId: id, configFrom: null, config: { ...s.config, model_id: id, template: template ?? s.config.template } })),
  setLocal: (local) => set({ local }),
  setHubToken: (hubToken) => set({ hubToken }),
  setPreset: (preset) => set((s) => ({ preset, configFrom: null, config: applyPreset(s.config, preset) })),
  setConfig: (config, opts = {}) => set((s) => (opts.keepPreset ? { config } : { config, preset: null, configFrom: null })),

  async start(dataset, opts = {}) {
    const s = get();
    if (client) return;
    const store = await adapterStore();
    let runId = opts.resumeRunId;
    let name = '';
    let config = s.config;
    let points: LossPoint[] = [];
    if (runId) {
      const rec = await store.get(runId);
      if (!rec) throw new Error('That run is gone from this browser’s storage.');
      name = rec.name;
      config = rec.hyperparameters as TrainConfig;
      points = rec.loss_curve;
      // The form shows what the resumed run trains with.
      // base_model is where its weights come from (config.model_id may be the Hub id of a local folder).
      set({ config, modelId: rec.base_model, preset: null, configFrom: { runId, name } });
      await store.updateRun(runId, { status: 'running' });
    } else {
      const info: DatasetInfo = await store.saveDataset(dataset.name, conversationsJsonl(dataset.conversations));
      const original = await originalFile(dataset.originalSha256);
      if (original) {
        const saved = await store.saveDataset(dataset.name, original);
        info.original = { name: saved.name, sha256: saved.sha256 };
      }
      const stamp = new Date().toISOString().slice(0, 16).replace('T', ' ');
      name = `${config.model_id.split('/').pop()} · ${dataset.name} · ${stamp}`;
      const rec = await store.createRun({
        // base_model says where the weights come from (a Hub id, the tiny model, or local:NAME); config.model_id
        // is the Hub id exports name (for a local folder: the one the user gave, if any).
        name, base_model: s.modelId, template: config.template, loss_policy: lossPolicyOf(config),
        dataset: { ...info, records: dataset.conversations.length }, hyperparameters: config, loss_curve: [],
        step: 0, total_steps: config.max_steps > 0 ? config.max_steps : null, status: 'running', final_loss: null,
      });
      runId = rec.id;
    }
    set({
      run: {
        id: runId, name, datasetName: dataset.name, conversations: dataset.conversations.length, config, phase: 'preparing', step: points.at(-1)?.step ?? 0, total: config.max_steps > 0 ? config.max_steps : null,
        tokensPerSecond: null, etaSeconds: null, elapsedSeconds: null, points, prep: null, message: null, lastCheckpoint: null, lostDevice: false, skipped: [],
      },
    });
    try {
      const prep = await prepareRun(modelRequestFor(s.modelId, s.local, s.hubToken || undefined), config, dataset.conversations, (phase, loaded, total) =>
        get().onEvent({ type: 'progress', phase, loaded, total }));
      if (!prep.records.length) throw new Error(`None of the ${dataset.conversations.length} conversations could be used with template ${config.template} and max length ${config.max_length ?? 'the model’s'}.`);
      if (prep.skipped.length) set((st) => ({ run: st.run && { ...st.run, skipped: prep.skipped } }));
      client = spawnTrainWorker((m) => get().onEvent(m.type === 'event' ? m.event : m));
      client.post({ type: 'start', runId, config, model: prep.model, records: prep.records, padId: prep.padId, resume: !!opts.resumeRunId, recompute: true });
    } catch (err) {
      get().onEvent({ type: 'error', message: (err as Error).message, refused: false, deviceLost: false });
      await store.updateRun(runId, { status: 'failed' }).catch(() => undefined);
    }
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
      case 'start':
        patch({ phase: 'running', total: e.total_steps, prep: null, step: e.resumed_from ?? run.step, lastCheckpoint: e.resumed_from ?? run.lastCheckpoint });
        break;
      case 'step':
        patch({
          phase: run.phase === 'paused' ? 'paused' : 'running', step: e.step, total: e.total_steps, tokensPerSecond: e.tokens_per_second,
          etaSeconds: e.eta_seconds, elapsedSeconds: e.elapsed_seconds,
          points: upsertPoint(run.points, { step: e.step, loss: e.loss, learning_rate: e.learning_rate, grad_norm: e.grad_norm }),
        });
        break;
      case 'eval':
        patch({ points: upsertPoint(run.points, { step: e.step, loss: run.points.find((p) => p.step === e.step)?.loss ?? NaN, eval_loss: e.eval_loss }) });
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
      case 'error':
        // The worker's message for a lost device already says from which step Resume continues.
        patch({ phase: 'failed', message: e.refused ? `Refused: ${e.message}` : e.message, lostDevice: e.deviceLost });
        client?.terminate();
        client = null;
        break;
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
  if (s.modelId === prev.modelId && s.config === prev.config && s.preset === prev.preset && s.configFrom === prev.configFrom) return;
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
    if (next.loss_scale !== t.config.loss_scale || t.config.loss_policy !== undefined) t.setConfig(next, { keepPreset: true });
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
    if (cp) out.push({ id: r.id, name: r.name, step: cp.step, dataset: r.dataset?.sha256 ?? null, config: r.hyperparameters as TrainConfig });
  }
  return out;
}

/** The settings that tell runs apart, in one line (model, template, steps, rate, length, rank). */
export function configLine(c: TrainConfig): string {
  const steps = c.max_steps > 0 ? `${c.max_steps} steps` : `${c.num_train_epochs} epoch${c.num_train_epochs === 1 ? '' : 's'}`;
  return [c.model_id, c.template, steps, `lr ${c.learning_rate}`, `max_length ${c.max_length ?? 'model'}`, `r ${c.lora.r}`].join(' · ');
}

/** The dataset a stored run trained on, back as conversations (to resume it after a reload). */
/** The user's original file from the studio's file store (src/data/file-store.ts), when it was kept. */
async function originalFile(sha256: string | undefined): Promise<Uint8Array | null> {
  if (!sha256) return null;
  try {
    const fs = await openFileStore();
    const got = await fs.get(sha256);
    return got ? new Uint8Array(await got.blob.arrayBuffer()) : null;
  } catch {
    return null; // without it the zip carries Prism's normalized copy, named as such
  }
}

export async function runDataset(runId: string): Promise<{ name: string; conversations: Conversation[] }> {
  const store = await adapterStore();
  const rec = await store.get(runId);
  if (!rec?.dataset) throw new Error('The run has no dataset recorded.');
  const file = await store.getDataset(rec.dataset.sha256);
  if (!file) throw new Error('The run’s dataset is no longer stored.');
  return { name: file.name, conversations: parseConversationsJsonl(file.bytes) };
}
