// openModel refuses a config.json that the checkpoint's own tensors contradict, naming each size
// with both numbers, before anything of the config's size is built: a config claiming a billion
// layers over a 2-layer checkpoint is refused from the headers alone (no tensor data read), where
// building its expected tensor list would take minutes and gigabytes.
import { describe, expect, it } from 'vitest';
import { openSafetensors } from './safetensors/reader.ts';
import { writeSafetensors } from './safetensors/writer.ts';
import { bytesSource } from './sources/byte-source.ts';
import { blobModelSource } from './sources/model-source.ts';
import { makeTinyModel } from './tiny.ts';
import { ModelError, openModel } from './open.ts';
import type { ModelSource } from './types.ts';

// Llama, hidden 32, 4 heads of 8, 2 KV heads, intermediate 48, 2 layers, byte vocabulary.
const tm = makeTinyModel({
  arch: 'llama',
  hidden: 32,
  layers: 2,
  heads: 4,
  kvHeads: 2,
  intermediate: 48,
  seed: 1,
  dtype: 'float32',
  tokenizer: 'bytes',
});
const config = JSON.parse(new TextDecoder().decode(tm.files['config.json']));

/** The tiny model with config.json patched; `reads` records every byte range read from the weights. */
function folder(patch: Record<string, unknown>): { source: ModelSource; reads: number[] } {
  const files = { ...tm.files, 'config.json': new TextEncoder().encode(JSON.stringify({ ...config, ...patch })) };
  const inner = blobModelSource(
    Object.fromEntries(Object.entries(files).map(([k, v]) => [k, new Blob([v as Uint8Array<ArrayBuffer>])])),
    '/models/tiny',
  );
  const reads: number[] = [];
  return {
    reads,
    source: {
      ...inner,
      async open(path) {
        const b = await inner.open(path);
        return { size: b.size, read: (offset, length) => (reads.push(length), b.read(offset, length)) };
      },
    },
  };
}

async function refusal(patch: Record<string, unknown>): Promise<{ message: string; reads: number[] }> {
  const { source, reads } = folder(patch);
  const err = await openModel(source).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ModelError);
  return { message: (err as Error).message, reads };
}

describe("openModel: config.json against the checkpoint's tensors", () => {
  it('opens the model as it is', async () => {
    const { spec } = await openModel(folder({}).source);
    expect(spec.num_hidden_layers).toBe(2);
  });

  it('a billion layers over a 2-layer checkpoint: refused from the header alone, naming both numbers', async () => {
    const { message, reads } = await refusal({ num_hidden_layers: 1_000_000_000 });
    expect(message).toBe(
      '/models/tiny: config.json does not match the weights: ' +
        'config.json says num_hidden_layers 1000000000, the checkpoint has tensors for 2 layers (model.layers.0–1)',
    );
    // Only the 8-byte length and the JSON header were read: no tensor data.
    const header = 8 + reads[1];
    expect(reads).toHaveLength(2);
    expect(reads[0]).toBe(8);
    expect(header).toBeLessThan(tm.files['model.safetensors'].length / 10);
  });

  it.each([
    [
      { hidden_size: 1 << 30, num_attention_heads: 1 << 20, num_key_value_heads: 1 << 19 },
      [
        'hidden_size 1073741824, the checkpoint has 32 (model.embed_tokens.weight [',
        `num_key_value_heads × head_dim ${(1 << 19) * config.head_dim}, the checkpoint has 16 ` +
          `(model.layers.0.self_attn.k_proj.weight [16,32])`,
      ],
    ],
    [
      { vocab_size: 4_000_000_000 },
      [
        `config.json says vocab_size 4000000000, the checkpoint has ${tm.spec.vocab_size} (model.embed_tokens.weight ` +
          `[${tm.spec.vocab_size},32])`,
      ],
    ],
    [
      { intermediate_size: 1e9 },
      [
        'config.json says intermediate_size 1000000000, the checkpoint has 48 ' +
          '(model.layers.0.mlp.gate_proj.weight [48,32])',
      ],
    ],
    [{ num_hidden_layers: 1 }, ['num_hidden_layers 1, the checkpoint has tensors for 2 layers']],
  ])('%j is refused, naming each size', async (patch, parts) => {
    const { message } = await refusal(patch);
    for (const p of parts) expect(message).toContain(p);
  });

  it('sizes that agree, a tensor missing: named as before', async () => {
    const f = await openSafetensors(bytesSource(tm.files['model.safetensors']));
    const kept = [];
    for await (const t of f.stream())
      if (t.name !== 'model.layers.1.mlp.up_proj.weight') kept.push({ ...t, data: t.data.slice() });
    const files = { ...tm.files, 'model.safetensors': writeSafetensors(kept) };
    const source = blobModelSource(
      Object.fromEntries(Object.entries(files).map(([k, v]) => [k, new Blob([v as Uint8Array<ArrayBuffer>])])),
      '/m',
    );
    await expect(openModel(source)).rejects.toThrow(
      '/m: the weights do not match config.json (LlamaForCausalLM): missing 1 tensors ' +
        '(model.layers.1.mlp.up_proj.weight)',
    );
  });
});
