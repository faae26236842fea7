// A decoder over loaded weights, with a PEFT adapter applied unmerged (LoRA A/B in their own
// buffers, so the same weights serve base and tuned runs).
import type { ImportedAdapter } from '../adapters/peft.ts';
import { createDecoder, peftKey, type Decoder } from '../engine/decoder/decoder.ts';
import type { LoraTarget } from '../engine/plan/plan.ts';
import { createKvDecoder, type KvDecoder } from '../engine/decoder/kv.ts';
import type { LoadedModel } from './load.ts';

export function createRunner(device: GPUDevice, model: LoadedModel, seqLen: number, adapter?: ImportedAdapter | null): Decoder {
  const targets = adapter ? [...new Set(adapter.tensors.map((t) => t.module))] as LoraTarget[] : [];
  const decoder = createDecoder(device, model.spec, model.weights, {
    batch: 1,
    seqLen,
    lora: adapter ? { r: adapter.config.r, alpha: adapter.config.lora_alpha, rslora: adapter.config.use_rslora, targets, dropout: 0 } : null,
  });
  // Modules without a tensor in the file keep B = 0 (PEFT's init), so they change nothing.
  for (const t of adapter?.tensors ?? []) {
    decoder.writeLora(peftKey(model.spec, t.layer, t.module, 'A'), t.A);
    decoder.writeLora(peftKey(model.spec, t.layer, t.module, 'B'), t.B);
  }
  return decoder;
}

/** Logits [T, V] of one sequence. */
export async function forwardLogits(device: GPUDevice, model: LoadedModel, ids: number[], adapter?: ImportedAdapter | null): Promise<Float32Array> {
  const decoder = createRunner(device, model, ids.length, adapter);
  try {
    return await decoder.logits({ input_ids: [ids] });
  } finally {
    decoder.destroy();
  }
}

/** A KV-cache decoder over loaded weights; the adapter (if any) is applied unmerged and can be switched off per prefill. */
export function createKvRunner(device: GPUDevice, model: LoadedModel, maxT: number, adapter?: ImportedAdapter | null): { kv: KvDecoder; destroy(): void } {
  // The training decoder only holds the LoRA A/B buffers here (its activations are made lazily, never).
  const holder = adapter ? createRunner(device, model, 1, adapter) : null;
  const c = adapter?.config;
  const kv = createKvDecoder(device, model.spec, model.weights, {
    maxT,
    lora: holder && c ? { params: holder.lora, r: c.r, scale: c.use_rslora ? c.lora_alpha / Math.sqrt(c.r) : c.lora_alpha / c.r } : null,
  });
  return { kv, destroy: () => { kv.destroy(); holder?.destroy(); } };
}

/** NextLogits over a KV decoder: the first call prefills, each later call appends the newest token. */
export function kvNextLogits(kv: KvDecoder, opts: { lora?: boolean } = {}): (ids: readonly number[]) => Promise<Float32Array> {
  let started = false;
  return (ids) => {
    if (!started || ids.length !== kv.length + 1) {
      started = true;
      return kv.prefill(ids, opts);
    }
    return kv.step(ids[ids.length - 1]);
  };
}
