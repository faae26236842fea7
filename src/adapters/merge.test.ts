// The merged folder against PyTorch (merge_reference.py: W + scaling·B@A in torch, the folder
// read from the safetensors spec) and against huggingface_hub's sharding rule, on tiny models.
// The adapters are written by peft_reference.py (PEFT's layout, rsLoRA, random B ≠ 0).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fsModelSource } from '../cli/fs-source.ts';
import { folderSink } from '../cli/fs-sink.ts';
import type { TinyModelOptions } from '../model/tiny.ts';
import { ADAPTER_CONFIG_FILE, ADAPTER_WEIGHTS_FILE, AdapterFormatError, exportAdapter, importAdapter } from './peft.ts';
import { configWithDtype, planShards, writeMergedModel, type MergeOptions } from './merge.ts';
import { addLoraRows } from './merged-weights.ts';
import { memorySink } from './sink.ts';
import { runPython, writePeftAdapter, writeTiny } from './testing.ts';

const HERE = dirname(fileURLToPath(import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'prism-merge-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const py = (script: string, input: unknown) => runPython(join(HERE, script), input);

function adapterFrom(folder: string) {
  return importAdapter(
    new Map([ADAPTER_CONFIG_FILE, ADAPTER_WEIGHTS_FILE].map((n) => [n, new Uint8Array(readFileSync(join(folder, n)))])),
  );
}

async function mergeTo(base: string, adapter: string, out: string, opts: MergeOptions) {
  const source = fsModelSource(base);
  try {
    return await writeMergedModel(source, adapterFrom(adapter), folderSink(out), opts);
  } finally {
    await source.close();
  }
}

const DIMS: Record<string, [number, number]> = {
  q_proj: [64, 64],
  k_proj: [64, 32],
  o_proj: [64, 64],
  up_proj: [64, 128],
  down_proj: [128, 64],
};

describe('planShards', () => {
  it('follows huggingface_hub: next tensor past the limit starts a shard, an oversized tensor sits alone', () => {
    const t = (name: string, n: number) => ({
      name,
      shape: [n],
      dtype: 'F32' as const,
      merged: false,
      outDtype: 'F32' as const,
    });
    // 400-byte limit. The oversized c is listed as soon as it is met, before the open shard [a, b] closes.
    const plan = planShards([t('a', 25), t('b', 50), t('c', 125), t('d', 75), t('e', 25), t('f', 1)], 400);
    expect(plan.map((s) => [s.file, s.tensors.map((x) => x.name)])).toEqual([
      ['model-00001-of-00004.safetensors', ['c']],
      ['model-00002-of-00004.safetensors', ['a', 'b']],
      ['model-00003-of-00004.safetensors', ['d', 'e']],
      ['model-00004-of-00004.safetensors', ['f']],
    ]);
    expect(planShards([t('a', 25)], 400).map((s) => s.file)).toEqual(['model.safetensors']);
  });
});

describe('configWithDtype', () => {
  it('changes only the dtype value', () => {
    const text = '{\n  "a": 1e-06,\n  "torch_dtype": "bfloat16",\n  "z": 10000.0\n}\n';
    expect(configWithDtype(text, 'float32')).toBe('{\n  "a": 1e-06,\n  "torch_dtype": "float32",\n  "z": 10000.0\n}\n');
    expect(JSON.parse(configWithDtype('{"b": 1, "a": 2}', 'float16'))).toEqual({ a: 2, b: 1, torch_dtype: 'float16' });
  });
});

describe('addLoraRows', () => {
  it('is W + scale·B·A, row by row from any starting row', () => {
    // in 2, out 3, r 2; hand-computed: B·A = [[1*1+2*3, 1*2+2*4], [0, 0], [-1*1+1*3, -1*2+1*4]] = [[7,10],[0,0],[2,2]]
    const t = {
      layer: 0,
      module: 'q_proj' as const,
      in_features: 2,
      out_features: 3,
      A: Float32Array.of(1, 2, 3, 4),
      B: Float32Array.of(1, 2, 0, 0, -1, 1),
    };
    const w = Float32Array.of(0.5, 0.5, 0.25, 0.25);
    addLoraRows(w, t, 2, 0.5, 1); // rows 1 and 2
    expect([...w]).toEqual([0.5, 0.5, 0.25 + 1, 0.25 + 1]);
  });
});

describe('writeMergedModel against PyTorch', () => {
  const cases: {
    name: string;
    base: Partial<TinyModelOptions> & Pick<TinyModelOptions, 'arch'>;
    opts: MergeOptions;
    adapter: 'f32' | 'bf16';
    shards: number;
    want: string;
    merged?: number;
  }[] = [
    {
      name: 'qwen2 f32, sharded at 100 kB',
      base: { arch: 'qwen2' },
      opts: { maxShardBytes: 100_000 },
      adapter: 'f32',
      shards: 6,
      want: 'float32',
    },
    {
      name: 'llama f32 to bf16, one file',
      base: { arch: 'llama', tieEmbeddings: true },
      opts: { dtype: 'BF16' },
      adapter: 'f32',
      shards: 1,
      want: 'bfloat16',
    },
    {
      name: 'qwen3 bf16 base, bf16 adapter, f16 out, sharded',
      base: { arch: 'qwen3', dtype: 'bfloat16' },
      opts: { dtype: 'F16', maxShardBytes: 60_000 },
      adapter: 'bf16',
      shards: 5,
      want: 'float16',
    },
  ];
  const root = join(dir, 'cases');
  const adapters = { f32: join(root, 'adapter-f32'), bf16: join(root, 'adapter-bf16') };
  const reports = new Map<string, any>();

  beforeAll(async () => {
    writePeftAdapter(adapters.f32, { layers: 2, r: 4, dims: DIMS, seed: 5 });
    writePeftAdapter(adapters.bf16, { layers: 2, r: 4, dims: DIMS, seed: 6, dtype: 'BF16' });
    const jobs = [];
    for (const c of cases) {
      const d = join(root, c.name.replace(/\W+/g, '_'));
      writeTiny(join(d, 'base'), { ...c.base, seed: 11 });
      const progress: number[] = [];
      const files = await mergeTo(join(d, 'base'), adapters[c.adapter], join(d, 'merged'), {
        ...c.opts,
        onProgress: (p) => progress.push(p.written / p.total),
      });
      reports.set(c.name, { files, progress });
      jobs.push({ base: join(d, 'base'), adapter: adapters[c.adapter], merged: join(d, 'merged') });
    }
    const refs = py('merge_reference.py', jobs) as any[];
    cases.forEach((c, i) => (reports.get(c.name).ref = refs[i]));
  }, 120_000);

  for (const c of cases) {
    it(c.name, () => {
      const { files, progress, ref: rep } = reports.get(c.name);
      expect(files).toContain('tokenizer.json');
      expect(files).toContain('generation_config.json');
      expect(progress.at(-1)).toBe(1);
      expect(rep.problems).toEqual([]);
      expect(rep.missing).toEqual([]);
      expect(rep.extra).toEqual([]);
      expect(rep.unmatched_deltas).toEqual([]);
      expect(rep.files.length).toBe(c.shards);
      expect(rep.index).toBe(c.shards > 1);
      expect(rep.config_dtype).toBe(c.want);
      const entries = Object.entries(rep.tensors) as [
        string,
        { max_abs: number; max_ref: number; exact: boolean; merged: boolean },
      ][];
      expect(entries.filter(([, t]) => t.merged).length).toBe(c.merged ?? 2 * Object.keys(DIMS).length);
      const ulp = c.want === 'float32' ? 2 ** -23 : c.want === 'bfloat16' ? 2 ** -8 : 2 ** -11;
      for (const [name, t] of entries) {
        // Unmerged tensors are a plain cast: bit-exact. Merged ones are float32 sums that differ from
        // torch's only in summation order: a few float32 ulps, or at most one ulp of a 16-bit output.
        if (!t.merged) expect(t.exact, name).toBe(true);
        expect(t.max_abs, name).toBeLessThanOrEqual(4 * ulp * t.max_ref);
      }
      if (c.want !== 'float32') expect(entries.filter(([, t]) => t.merged && t.exact).length).toBeGreaterThan(0);
    });
  }

  it('refuses an adapter made for another model, naming the layer and both shapes', async () => {
    const d = join(dir, 'mismatch');
    writeTiny(join(d, 'base'), { arch: 'qwen2' });
    const r = 2;
    const tensors = [0, 1].map((layer) => ({
      layer,
      module: 'q_proj' as const,
      in_features: 32,
      out_features: 32,
      A: new Float32Array(r * 32),
      B: new Float32Array(32 * r),
    }));
    const files = exportAdapter(tensors, {
      base_model_name_or_path: 'x',
      r,
      lora_alpha: 4,
      lora_dropout: 0,
      use_rslora: false,
    });
    const source = fsModelSource(join(d, 'base'));
    const err = await writeMergedModel(source, importAdapter(files), memorySink()).catch((e) => e);
    await source.close();
    expect(err).toBeInstanceOf(AdapterFormatError);
    expect(err.message).toMatch(
      /q_proj \(layer 0\) is 32→32, but the base model's model\.layers\.0\.self_attn\.q_proj\.weight is 64→64/,
    );
  });
});
