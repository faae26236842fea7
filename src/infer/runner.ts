// A decoder over loaded weights, with a PEFT adapter applied unmerged (LoRA A/B in their own
// buffers, so the same weights serve base and tuned runs).
import type { ImportedAdapter } from '../adapters/peft.ts';
import { createDecoder, type Decoder } from '../engine/decoder/decoder.ts';
import { layersPath, peftKey, type TargetModule } from '../model/layout.ts';
import { createKvDecoder, type KvDecoder } from '../engine/decoder/kv.ts';
import type { LoadedModel } from './load.ts';

/** The decoders' LoRA options for an adapter: its rank, scaling and the modules it has tensors for. */
function loraOptions(adapter: ImportedAdapter) {
  const targets: TargetModule[] = [...new Set(adapter.tensors.map((t) => t.module))];
  return {
    r: adapter.config.r,
    alpha: adapter.config.lora_alpha,
    rslora: adapter.config.use_rslora,
    targets,
    dropout: 0,
  };
}

export function createRunner(
  device: GPUDevice,
  model: LoadedModel,
  seqLen: number,
  adapter?: ImportedAdapter | null,
): Decoder {
  const decoder = createDecoder(device, model.spec, model.weights, {
    batch: 1,
    seqLen,
    lora: adapter ? loraOptions(adapter) : null,
  });
  // Modules without a tensor in the file keep B = 0 (PEFT's init), so they change nothing.
  for (const t of adapter?.tensors ?? []) {
    decoder.writeLora(peftKey(t.layer, t.module, 'A', layersPath(model.spec)), t.A);
    decoder.writeLora(peftKey(t.layer, t.module, 'B', layersPath(model.spec)), t.B);
  }
  return decoder;
}

/** Logits [T, V] of one sequence. */
export async function forwardLogits(
  device: GPUDevice,
  model: LoadedModel,
  ids: number[],
  adapter?: ImportedAdapter | null,
): Promise<Float32Array> {
  const decoder = createRunner(device, model, ids.length, adapter);
  try {
    return await decoder.logits({ input_ids: [ids] });
  } finally {
    decoder.destroy();
  }
}

/**
 * A KV-cache decoder over loaded weights; the adapter (if any) is applied unmerged and can be switched off per prefill.
 */
export function createKvRunner(
  device: GPUDevice,
  model: LoadedModel,
  maxT: number,
  adapter?: ImportedAdapter | null,
): { kv: KvDecoder; destroy(): void } {
  const kv = createKvDecoder(device, model.spec, model.weights, { maxT, lora: adapter ? loraOptions(adapter) : null });
  // Modules without a tensor in the file keep B = 0, so they change nothing.
  for (const t of adapter?.tensors ?? []) {
    kv.writeLora(peftKey(t.layer, t.module, 'A', layersPath(model.spec)), t.A);
    kv.writeLora(peftKey(t.layer, t.module, 'B', layersPath(model.spec)), t.B);
  }
  return { kv, destroy: () => kv.destroy() };
}

/** NextLogits over a KV decoder: the first call prefills, each later call appends the newest token. */
export function kvNextLogits(
  kv: KvDecoder,
  opts: { lora?: boolean } = {},
): (ids: readonly number[]) => Promise<Float32Array> {
  let started = false;
  return (ids) => {
    if (!started || ids.length !== kv.length + 1) {
      started = true;
      return kv.prefill(ids, opts);
    }
    return kv.step(ids[ids.length - 1]);
  };
}
