// Token lengths before training (zustand): the length worker measures every record once per
// dataset × model × template × loss policy; any max_length is then applied on the page
// (src/tokenize/length-report.ts). Presets take their max_length from these facts: the shortest
// that covers 99% of the records, within what the model and the GPU plan allow.
import { create } from 'zustand';
import { fits, planMemory } from '../../engine/plan/plan.ts';
import type { ModelSpec } from '../../model/types.ts';
import type { ModelRequest } from '../../model/sources/request.ts';
import { coveringLength, type LengthFacts } from '../../tokenize/length-report.ts';
import type { DatasetRef } from '../../data/dataset-ref.ts';
import type { FromLengthsWorker, MeasureLengths } from '../../workers/lengths-protocol.ts';
import type { GpuStatus } from '../gpu-check.ts';
import { MEMORY_WARN_BYTES } from './capability.ts';
import { shapeOf, trainShape } from './models.ts';

/** Share of records a preset's max_length keeps whole. */
export const PRESET_COVERAGE = 0.99;
const STEP = 64;

export interface LengthsJob {
  dataset: DatasetRef;
  model: ModelRequest;
  modelId: string;
  template: string;
  /** The loss scale the run trains with (effectiveLossScale): which tokens are trained. */
  lossScale: string;
  /** TrainConfig.agent_template (absent: the family's own): tool records render to other lengths. */
  agentTemplate?: string;
}

interface LengthsState {
  /** What the facts are for (dataset sha256, model, template, loss policy). */
  key: string | null;
  state: 'idle' | 'measuring' | 'ready' | 'error';
  progress: { phase: string; done: number; total: number } | null;
  facts: LengthFacts | null;
  error: string | null;
  measure(job: LengthsJob): void;
}

export function lengthsKey(
  j: Pick<LengthsJob, 'modelId' | 'template' | 'lossScale' | 'agentTemplate'> & { sha256: string },
): string {
  return [j.sha256, j.modelId, j.template, j.lossScale, j.agentTemplate ?? 'native'].join('|');
}

let worker: Worker | null = null;

export const useLengths = create<LengthsState>((set, get) => ({
  key: null,
  state: 'idle',
  progress: null,
  facts: null,
  error: null,
  measure(job) {
    const key = lengthsKey({ ...job, sha256: job.dataset.sha256 });
    if (get().key === key && get().state !== 'error') return;
    worker?.terminate();
    const w = new Worker(new URL('../../workers/lengths.worker.ts', import.meta.url), {
      type: 'module',
      name: 'lengths',
    });
    worker = w;
    set({ key, state: 'measuring', progress: null, facts: null, error: null });
    w.onmessage = (ev: MessageEvent<FromLengthsWorker>) => {
      if (worker !== w) return;
      const m = ev.data;
      if (m.type === 'progress') set({ progress: { phase: m.phase, done: m.done, total: m.total } });
      else {
        if (m.type === 'done') set({ state: 'ready', facts: m.facts, progress: null });
        else set({ state: 'error', error: m.message, progress: null });
        w.terminate();
        worker = null;
      }
    };
    w.onerror = (e) => {
      if (worker !== w) return;
      set({ state: 'error', error: e.message || 'the length worker crashed', progress: null });
      worker = null;
    };
    w.postMessage({
      type: 'measure',
      dataset: job.dataset,
      model: job.model,
      template: job.template,
      loss_scale: job.lossScale,
      render: job.agentTemplate ? { agentTemplate: job.agentTemplate } : {},
    } satisfies MeasureLengths);
  },
}));

/**
 * The longest max_length (a multiple of 64) one training step can take with this model, batch
 * and rank: within max_position_embeddings, every buffer binding on this GPU, and the planned
 * memory under MEMORY_WARN_BYTES (or 1 GiB above a short step's, for a model past it alone).
 * Planned memory grows with the length, so bisect.
 */
export function lengthCap(spec: ModelSpec, o: { batch: number; r: number }, gpu: GpuStatus): number {
  const planAt = (len: number) =>
    planMemory(shapeOf(spec), trainShape({ batch: o.batch, seqLen: len, r: o.r, arch: spec.arch }));
  // A model whose weights alone pass the warning line gets 1 GiB for its activations.
  const budget = Math.max(MEMORY_WARN_BYTES, planAt(STEP).total + 2 ** 30);
  const ok = (len: number) => {
    const plan = planAt(len);
    if (plan.total > budget) return false;
    return (
      gpu.state !== 'ready' ||
      fits(plan, { maxBufferSize: gpu.maxBufferSize, maxStorageBufferBindingSize: gpu.maxStorageBufferBindingSize }).ok
    );
  };
  let lo = 0;
  let hi = Math.floor(spec.max_position_embeddings / STEP);
  if (ok(hi * STEP)) return hi * STEP;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (ok(mid * STEP)) lo = mid;
    else hi = mid;
  }
  return Math.max(STEP, lo * STEP);
}

/** The max_length a preset takes from the data, and the share of records it keeps whole. */
export function presetMaxLength(facts: LengthFacts, cap: number): { maxLength: number; covered: number } {
  return coveringLength(
    facts.lengths.map((l) => l.tokens),
    { coverage: PRESET_COVERAGE, step: STEP, min: STEP, cap },
  );
}
