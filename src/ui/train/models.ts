// What the model picker offers: the built-in tiny demo model (made in the browser, nothing to
// download), the supported small Hub models, or a model folder picked from disk. Each choice
// carries the facts the page shows up front: parameters, download bytes and the memory a
// training step needs (from the engine's own planner, so the numbers match what runs).
import {
  checkpointBytes,
  KNOWN_MODELS,
  NOT_YET_TRAINABLE,
  paramCount,
  type ModelSpec,
  type NotYetTrainable,
} from '../../model/index.ts';
import { TINY_ID, tinyModel } from '../../model/demo.ts';
import type { ModelShape, TrainShape } from '../../engine/plan/plan.ts';
import { modelShape, planMemory } from '../../engine/plan/plan.ts';
import { allLinear, type TargetModule } from '../../model/layout.ts';
import type { Arch } from '../../model/types.ts';

export { TINY_ID, TINY_OPTIONS, tinyModel } from '../../model/demo.ts';

function tinySpec(): ModelSpec {
  return tinyModel().spec;
}

export interface ModelChoice {
  id: string;
  label: string;
  kind: 'tiny' | 'hub' | 'local';
  spec: ModelSpec;
  params: number;
  downloadBytes: number;
  /** Template the model was trained with (Prism template id). */
  template: string;
  gated: boolean;
  note: string;
}

export function tinyChoice(): ModelChoice {
  const spec = tinySpec();
  return {
    id: TINY_ID,
    label: 'Tiny demo model (built in)',
    kind: 'tiny',
    spec,
    params: paramCount(spec),
    downloadBytes: 0,
    template: 'chatml',
    gated: false,
    note:
      'Random weights made in your browser: trains in seconds, no download. It learns ' +
      'your data’s shape, not language.',
  };
}

export function hubChoices(): ModelChoice[] {
  return KNOWN_MODELS.map((m) => ({
    id: m.id,
    label: m.id,
    kind: 'hub' as const,
    spec: m.spec,
    params: m.params,
    downloadBytes: m.downloadBytes,
    template: m.template,
    gated: m.gated,
    note: m.gated ? 'Gated on the Hub: needs an access token with the license accepted.' : '',
  }));
}

/** Models of current families the engine cannot train yet: listed with the reason, not selectable. */
export function notYetChoices(): readonly NotYetTrainable[] {
  return NOT_YET_TRAINABLE;
}

/** The template of a model's family, as a first guess for a model outside the curated list. */
export function defaultTemplate(spec: ModelSpec): string {
  switch (spec.arch) {
    case 'qwen2':
    case 'qwen3':
      return 'qwen2_5';
    case 'gemma2':
    case 'gemma3':
    case 'internlm2':
    case 'smollm3':
      return spec.arch;
    case 'phi3':
      // Phi-4-mini's 200,064-row vocabulary (o200k) against Phi-3/3.5's 32,064.
      return spec.vocab_size > 100000 ? 'phi4_mini' : 'phi3';
    default:
      return 'chatml';
  }
}

/** A Hub model the user checked by id or URL (outside the curated list). */
export function checkedHubChoice(id: string, spec: ModelSpec): ModelChoice {
  return {
    id,
    label: id,
    kind: 'hub',
    spec,
    params: paramCount(spec),
    downloadBytes: checkpointBytes(spec),
    template: defaultTemplate(spec),
    gated: false,
    note: 'Checked on the Hub by its config.json. The download size assumes one unsharded checkpoint in its dtype.',
  };
}

export function localChoice(name: string, spec: ModelSpec): ModelChoice {
  return {
    id: `local:${name}`,
    label: `${name} (local folder)`,
    kind: 'local',
    spec,
    params: paramCount(spec),
    downloadBytes: 0,
    template: defaultTemplate(spec),
    gated: false,
    note: 'Read from your disk; nothing is uploaded.',
  };
}

/** The engine's view of a model: weights stay in their checkpoint dtype. */
export function shapeOf(spec: ModelSpec): ModelShape {
  return modelShape(spec, spec.torch_dtype === 'float32' ? 'f32' : spec.torch_dtype === 'float16' ? 'f16' : 'bf16');
}

/** A training step's shape; LoRA targets default to the architecture's linear modules (PEFT's all-linear). */
export function trainShape(o: {
  batch: number;
  seqLen: number;
  r: number;
  targets?: readonly string[];
  recompute?: boolean;
  arch?: Arch;
}): TrainShape {
  const all: readonly string[] = allLinear(o.arch ?? 'llama');
  const targets = (o.targets ?? all).filter((t): t is TargetModule => all.includes(t));
  return { batch: o.batch, seq_len: o.seqLen, lora: { r: o.r, targets }, recompute: o.recompute ?? true };
}

/** Bytes one training step plans on the GPU for this model at these settings. */
export function memoryNeeded(
  spec: ModelSpec,
  o: { batch: number; seqLen: number; r: number; recompute?: boolean },
): number {
  return planMemory(shapeOf(spec), trainShape({ ...o, arch: spec.arch })).total;
}

export function fmtBytes(n: number): string {
  if (n <= 0) return '—';
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)} GB`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)} MB`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)} kB`;
  return `${n} B`;
}

export function fmtParams(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)} B`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(0)} M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(0)} K`;
  return String(n);
}
