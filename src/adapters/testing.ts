// Test helpers (Node only, never imported by app code): tiny model folders on disk, PEFT adapters
// written by peft_reference.py (PEFT's layout, independent of Prism's writer), the Python runner.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeTinyModel, type TinyModelOptions } from '../model/tiny.ts';
import { seededRandom } from '../model/random.ts';
import type { TargetModule } from '../model/layout.ts';
import { exportAdapter, type LoraTensor } from './peft.ts';

const HERE = dirname(fileURLToPath(import.meta.url));
export const PY = '/usr/bin/python3';

/** Run a Python script with JSON on stdin; parse its JSON stdout. */
export function runPython(script: string, input: unknown): any {
  const res = spawnSync(PY, [script], { input: JSON.stringify(input), encoding: 'utf8', maxBuffer: 1 << 28 });
  if (res.status !== 0) throw new Error(`${script} failed (needs Debian's python3-torch at ${PY}):\n${res.stderr}`);
  return JSON.parse(res.stdout);
}

export type TinyFolderOptions = Partial<TinyModelOptions> & Pick<TinyModelOptions, 'arch'>;

/** A tiny random model folder (hidden 64, 2 layers, 4/2 heads, byte tokenizer unless given). */
export function writeTiny(folder: string, o: TinyFolderOptions): void {
  const m = makeTinyModel({
    hidden: 64,
    layers: 2,
    heads: 4,
    kvHeads: 2,
    intermediate: 128,
    seed: 3,
    dtype: 'float32',
    tokenizer: 'bytes',
    ...o,
  });
  mkdirSync(folder, { recursive: true });
  for (const [k, v] of Object.entries(m.files)) writeFileSync(join(folder, k), v);
}

/** A PEFT adapter written by peft_reference.py (use_rslora true, lora_alpha 16, B random ≠ 0). */
export function writePeftAdapter(
  folder: string,
  o: { layers: number; r: number; dims: Record<string, [number, number]>; seed: number; dtype?: string },
): void {
  runPython(join(HERE, 'peft_reference.py'), {
    read: [],
    write: { dir: folder, layers: o.layers, r: o.r, dims: o.dims, seed: o.seed, dtype: o.dtype ?? 'F32' },
  });
}

/** in/out features of every linear module of a writeTiny model (defaults: hidden 64, 4/2 heads, intermediate 128). */
export function tinyDims(hidden = 64, heads = 4, kvHeads = 2, intermediate = 128): Record<string, [number, number]> {
  const hd = hidden / heads;
  return {
    q_proj: [hidden, heads * hd],
    k_proj: [hidden, kvHeads * hd],
    v_proj: [hidden, kvHeads * hd],
    o_proj: [heads * hd, hidden],
    gate_proj: [hidden, intermediate],
    up_proj: [hidden, intermediate],
    down_proj: [intermediate, hidden],
  };
}

/**
 * A PEFT adapter folder with the magnitudes of a trained one (A ~ kaiming-uniform as PEFT inits it,
 * B ~ N(0, bStd²)), so that exports are checked in the regime real adapters live in.
 */
export function writeTrainedLikeAdapter(
  folder: string,
  o: {
    layers: number;
    r: number;
    dims: Record<string, [number, number]>;
    seed: number;
    alpha?: number;
    rslora?: boolean;
    bStd?: number;
  },
): void {
  const rnd = seededRandom(o.seed);
  const tensors: LoraTensor[] = [];
  for (let layer = 0; layer < o.layers; layer++) {
    for (const [module, [inF, outF]] of Object.entries(o.dims)) {
      const bound = 1 / Math.sqrt(inF);
      const A = new Float32Array(o.r * inF).map(() => (rnd.next() * 2 - 1) * bound);
      tensors.push({
        layer,
        module: module as TargetModule,
        in_features: inF,
        out_features: outF,
        A,
        B: rnd.normals(outF * o.r, o.bStd ?? 0.02),
      });
    }
  }
  const files = exportAdapter(tensors, {
    base_model_name_or_path: 'tiny',
    r: o.r,
    lora_alpha: o.alpha ?? 16,
    lora_dropout: 0,
    use_rslora: o.rslora ?? true,
  });
  mkdirSync(folder, { recursive: true });
  for (const [k, v] of files) writeFileSync(join(folder, k), v);
}
