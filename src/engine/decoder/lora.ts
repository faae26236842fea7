// The LoRA tensors of a decoder, made from its memory plan's `lora` record: the per-layer modules
// layerForward/layerBackward read (by what each projection computes), and the flat list of
// tensors by PEFT key that training, export and adapter loading address. Both decoders build
// theirs here; only the training one has gradients (and AdamW's moments). Every tensor is a range
// of its arena buffer (the plan's lora_arenas), which is what the optimizer binds.
import type { ModelSpec } from '../../model/types.ts';
import { layersPath, layoutOf, peftKey, TARGET_MODULES, type ProjRole, type TargetModule } from '../../model/layout.ts';
import type { Allocated, PlanBuffers } from '../plan/allocate.ts';
import type { LoraLayers, PlannedSlice } from '../plan/tensors.ts';
import type { LayerLora, LoraModule } from './layer.ts';

/** A range of a LoRA arena buffer. */
export type LoraSlice = Allocated<PlannedSlice>;

export interface LoraParam {
  /** PEFT key, e.g. base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight */
  key: string;
  layer: number;
  target: TargetModule;
  which: 'A' | 'B';
  shape: [number, number];
  param: LoraSlice;
  grad: LoraSlice;
  /** AdamW's first and second moments of this tensor. */
  exp_avg: LoraSlice;
  exp_avg_sq: LoraSlice;
}

/** A LoRA tensor of an inference decoder (no gradient or optimizer state). */
export type LoraWeight = Omit<LoraParam, 'grad' | 'exp_avg' | 'exp_avg_sq'> & Partial<LoraParam>;

/** alpha / r, or alpha / √r with use_rslora (PEFT's scaling). */
export function loraScale(o: { r: number; alpha: number; rslora?: boolean }): number {
  return o.rslora ? o.alpha / Math.sqrt(o.r) : o.alpha / o.r;
}

export interface DecoderLora {
  /** Every LoRA tensor in layer, target (TARGET_MODULES order), A-then-B order. */
  params: LoraWeight[];
  /** Per layer, or null without LoRA. */
  layers: (LayerLora | null)[];
}

/**
 * Allocates the planned LoRA tensors (A and B zero, so B·A = 0 until written) and assembles the
 * layers' modules. Each target must be a module of this architecture (layoutOf throws naming
 * the ones it has).
 */
export function decoderLora(
  spec: ModelSpec,
  bufs: PlanBuffers,
  planned: LoraLayers,
  o: { r: number; scale: number; dropout: number },
): DecoderLora {
  const params: LoraWeight[] = [];
  const layers = planned.map((byTarget, l): LayerLora | null => {
    const modules: Partial<Record<ProjRole, LoraModule>> = {};
    for (const t of TARGET_MODULES) {
      const p = byTarget[t];
      if (!p) continue;
      const role = layoutOf(spec.arch, t).role;
      const [r, inF] = p.A.shape;
      const [outF] = p.B.shape;
      const all = bufs.of(p);
      const m: LoraModule = { a: all.A, b: all.B, dA: all.A_grad, dB: all.B_grad, inF, outF };
      modules[role] = m;
      const key = (which: 'A' | 'B') => peftKey(l, t, which, layersPath(spec));
      params.push({
        key: key('A'),
        layer: l,
        target: t,
        which: 'A',
        shape: [r, inF],
        param: all.A,
        grad: all.A_grad,
        exp_avg: all.A_exp_avg,
        exp_avg_sq: all.A_exp_avg_sq,
      });
      params.push({
        key: key('B'),
        layer: l,
        target: t,
        which: 'B',
        shape: [outF, r],
        param: all.B,
        grad: all.B_grad,
        exp_avg: all.B_exp_avg,
        exp_avg_sq: all.B_exp_avg_sq,
      });
    }
    return Object.keys(modules).length ? { r: o.r, scale: o.scale, p: o.dropout, seeds: {}, modules } : null;
  });
  return { params, layers };
}
