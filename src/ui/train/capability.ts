// The capability check shown before training: is there WebGPU, what the adapter offers, and
// whether this model at this sequence length and batch fits its limits — and when it does not,
// the nearest settings that do (the fix), found with the same planner the trainer uses.
import { fits, planMemory, fmt } from '../../engine/plan/plan.ts';
import type { ModelSpec } from '../../model/types.ts';
import type { GpuStatus } from '../gpu-check.ts';
import { shapeOf, trainShape } from './models.ts';

export type CheckLevel = 'ok' | 'warn' | 'fail';

export interface Check {
  id: 'webgpu' | 'features' | 'fit' | 'memory';
  level: CheckLevel;
  label: string;
  detail: string;
  /** What to change when level is not ok. */
  fix?: string;
  /** Settings that would fit, when the fit check failed and some smaller settings do. */
  suggestion?: { batch: number; seqLen: number };
}

export interface FitSettings {
  batch: number;
  seqLen: number;
  r: number;
}

/**
 * Browsers do not report GPU memory. Above this a step may not fit a typical laptop GPU
 * (integrated GPUs commonly get 2–4 GiB); it warns, it does not refuse.
 */
export const MEMORY_WARN_BYTES = 3 * 2 ** 30;

/** The largest batch × seq_len at or below the asked one that fits, halving seq_len first. */
export function findFit(
  spec: ModelSpec,
  s: FitSettings,
  limits: { maxBufferSize: number; maxStorageBufferBindingSize: number },
): { batch: number; seqLen: number } | null {
  let { batch, seqLen } = s;
  while (seqLen >= 16) {
    for (let b = batch; b >= 1; b = Math.floor(b / 2)) {
      if (fits(planMemory(shapeOf(spec), trainShape({ batch: b, seqLen, r: s.r, arch: spec.arch })), limits).ok)
        return { batch: b, seqLen };
      if (b === 1) break;
    }
    seqLen = Math.floor(seqLen / 2);
    batch = s.batch;
  }
  return null;
}

export function capabilityChecks(gpu: GpuStatus, spec: ModelSpec, s: FitSettings): Check[] {
  if (gpu.state === 'checking') return [{ id: 'webgpu', level: 'warn', label: 'WebGPU', detail: 'Checking…' }];
  if (gpu.state === 'unsupported') {
    return [
      {
        id: 'webgpu',
        level: 'fail',
        label: 'WebGPU',
        detail: `${gpu.title} ${gpu.reason}`,
        fix:
          'Open Prism in a recent Chrome or Edge on http://localhost or https://. The Dataset and ' +
          'Templates pages work without a GPU.',
      },
    ];
  }
  const checks: Check[] = [
    { id: 'webgpu', level: 'ok', label: 'WebGPU', detail: `${gpu.vendor} ${gpu.architecture}`.trim() },
  ];
  const f16 = gpu.features.includes('shader-f16');
  checks.push({
    id: 'features',
    level: f16 || spec.torch_dtype === 'float32' ? 'ok' : 'warn',
    label: 'Features',
    detail: `shader-f16: ${f16 ? 'yes' : 'no'} · subgroups: ${gpu.features.includes('subgroups') ? 'yes' : 'no'}`,
    fix:
      f16 || spec.torch_dtype === 'float32'
        ? undefined
        : 'No shader-f16: half-precision weights are widened to float32 on the GPU, so the step is ' +
          'slower and uses more memory.',
  });
  const limits = { maxBufferSize: gpu.maxBufferSize, maxStorageBufferBindingSize: gpu.maxStorageBufferBindingSize };
  const plan = planMemory(shapeOf(spec), trainShape({ batch: s.batch, seqLen: s.seqLen, r: s.r, arch: spec.arch }));
  const fit = fits(plan, limits);
  if (fit.ok) {
    checks.push({
      id: 'fit',
      level: 'ok',
      label: 'Fits the GPU limits',
      detail: `batch ${s.batch} × ${s.seqLen} tokens, LoRA rank ${s.r}: every buffer binds`,
    });
  } else {
    const sug = findFit(spec, s, limits);
    checks.push({
      id: 'fit',
      level: 'fail',
      label: 'Fits the GPU limits',
      detail: fit.reason,
      fix: sug
        ? `Use batch ${sug.batch} and max length ${sug.seqLen}.`
        : 'This model is too large for this GPU’s buffer limits: pick a smaller model.',
      suggestion: sug ?? undefined,
    });
  }
  checks.push({
    id: 'memory',
    level: plan.total > MEMORY_WARN_BYTES ? 'warn' : 'ok',
    label: 'GPU memory for one step',
    detail:
      `${fmt(plan.total)} (weights ${fmt(plan.bytes.weights)}, activations ${fmt(plan.bytes.activations)}, ` +
      `LoRA + optimizer ${fmt(plan.bytes.lora_params + plan.bytes.lora_grads + plan.bytes.optimizer)})`,
    fix:
      plan.total > MEMORY_WARN_BYTES
        ? 'More than many laptop GPUs have: lower the max length or batch, or pick a smaller model.'
        : undefined,
  });
  return checks;
}

export function canTrain(checks: Check[]): boolean {
  return checks.every((c) => c.level !== 'fail') && checks.some((c) => c.id === 'fit');
}
