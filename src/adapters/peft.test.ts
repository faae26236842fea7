// Prism's PEFT files against an independent reader/writer in Python (json + struct +
// torch.frombuffer, written from the safetensors spec and PEFT's LoraConfig fields).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { TargetModule } from '../model/layout.ts';
import { writeSafetensors } from '../model/safetensors/writer.ts';
import { fromFloat32 } from '../model/safetensors/float.ts';
import { KNOWN_MODELS } from '../model/known-models.ts';
import {
  AdapterFormatError,
  adapterConfigJson,
  adapterExpectations,
  buildAdapterConfig,
  exportAdapter,
  importAdapter,
  peftKey,
  type LoraTensor,
} from './peft.ts';
import { importAdapterArchive } from './zip.ts';

const PYTHON = '/usr/bin/python3';
const SCRIPT = join(import.meta.dirname, 'peft_reference.py');

interface PyTensor {
  dtype?: string;
  shape: number[];
  values: number[];
}
interface PyRead {
  header_len: number;
  metadata: Record<string, string> | null;
  keys_in_header_order: string[];
  tensors: Record<string, PyTensor>;
  config: Record<string, unknown>;
  config_types: Record<string, string>;
  config_is_peft_dump: boolean;
  problems: string[];
}
interface PyAnswer {
  read: PyRead[];
  write: Record<string, { shape: number[]; values: number[] }>;
}

// A SmolLM2-shaped toy: hidden 12, kv dim 4, intermediate 20, 2 layers, r 3.
const DIMS: Record<string, [number, number]> = {
  q_proj: [12, 12],
  k_proj: [12, 4],
  v_proj: [12, 4],
  o_proj: [12, 12],
  gate_proj: [12, 20],
  up_proj: [12, 20],
  down_proj: [20, 12],
};
const R = 3;
let seed = 99;
const rand = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32) * 2 - 1;

function makeTensors(modules: TargetModule[], layers = 2): LoraTensor[] {
  const out: LoraTensor[] = [];
  for (let layer = 0; layer < layers; layer++) {
    for (const module of modules) {
      const [inF, outF] = DIMS[module];
      out.push({
        layer,
        module,
        in_features: inF,
        out_features: outF,
        A: Float32Array.from({ length: R * inF }, rand),
        B: Float32Array.from({ length: outF * R }, () => rand() * 0.1),
      });
    }
  }
  return out;
}

const ALL: TargetModule[] = ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'];
const tensors = makeTensors(ALL);
const base = {
  base_model_name_or_path: 'HuggingFaceTB/SmolLM2-135M-Instruct',
  r: R,
  lora_alpha: 32,
  lora_dropout: 0.05,
  use_rslora: false,
};
const dir = mkdtempSync(join(tmpdir(), 'prism-peft-'));
const dirF32 = join(dir, 'f32');
const dirBF16 = join(dir, 'bf16');
const dirPy = join(dir, 'python');

function writeFolder(path: string, files: Map<string, Uint8Array>) {
  mkdirSync(path, { recursive: true });
  for (const [name, bytes] of files) writeFileSync(join(path, name), bytes);
}

const bf16Tensors = makeTensors(['q_proj', 'v_proj'], 1);

let answer: PyAnswer;
beforeAll(() => {
  if (!existsSync(PYTHON)) throw new Error(`${PYTHON} not found: apt-get install python3 python3-torch`);
  writeFolder(dirF32, exportAdapter(tensors, base));
  writeFolder(dirBF16, exportAdapter(bf16Tensors, { ...base, lora_dropout: 0, use_rslora: true }, { dtype: 'BF16' }));
  const res = spawnSync(PYTHON, [SCRIPT], {
    input: JSON.stringify({
      read: [dirF32, dirBF16],
      write: {
        dir: dirPy,
        layers: 2,
        r: 4,
        dims: { q_proj: [12, 12], v_proj: [12, 4], down_proj: [20, 12] },
        seed: 5,
        dtype: 'BF16',
      },
    }),
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  if (res.status !== 0)
    throw new Error(`${PYTHON} ${SCRIPT} failed (needs python3-torch: apt-get install python3-torch):\n${res.stderr}`);
  answer = JSON.parse(res.stdout) as PyAnswer;
}, 120_000); // importing torch takes seconds on a busy machine

describe('export, read back by an independent parser', () => {
  it('has PEFT key names, [r, in] / [out, r] shapes, F32 values bit for bit, format pt', () => {
    const got = answer.read[0];
    expect(got.problems).toEqual([]);
    expect(got.metadata).toEqual({ format: 'pt' });
    expect(got.header_len % 8).toBe(0);
    expect(Object.keys(got.tensors).length).toBe(2 * ALL.length * 2);
    for (const t of tensors) {
      const a = got.tensors[peftKey(t.layer, t.module, 'A')];
      const b = got.tensors[peftKey(t.layer, t.module, 'B')];
      expect(a.dtype).toBe('F32');
      expect(a.shape).toEqual([R, t.in_features]);
      expect(b.shape).toEqual([t.out_features, R]);
      expect(a.values).toEqual(Array.from(t.A));
      expect(b.values).toEqual(Array.from(t.B));
    }
    // spot-check the naming by hand
    expect(got.tensors['base_model.model.model.layers.1.mlp.down_proj.lora_A.weight'].shape).toEqual([R, 20]);
    expect(got.tensors['base_model.model.model.layers.0.self_attn.k_proj.lora_B.weight'].shape).toEqual([4, R]);
  });

  it('writes adapter_config.json exactly as json.dumps(indent=2, sort_keys=True), with PEFT types', () => {
    const got = answer.read[0];
    expect(got.config_is_peft_dump).toBe(true);
    expect(got.config).toMatchObject({
      peft_type: 'LORA',
      task_type: 'CAUSAL_LM',
      base_model_name_or_path: 'HuggingFaceTB/SmolLM2-135M-Instruct',
      r: 3,
      lora_alpha: 32,
      lora_dropout: 0.05,
      bias: 'none',
      use_rslora: false,
      fan_in_fan_out: false,
      modules_to_save: null,
    });
    expect([...(got.config.target_modules as string[])].sort()).toEqual([...ALL].sort());
    expect(got.config_types.lora_dropout).toBe('float');
    expect(got.config_types.r).toBe('int');
  });

  it('BF16 export: dtype, shapes, values within bf16 precision; lora_dropout stays a float at 0', () => {
    const got = answer.read[1];
    expect(got.problems).toEqual([]);
    expect(got.config_is_peft_dump).toBe(true);
    expect(got.config.lora_dropout).toBe(0);
    expect(got.config_types.lora_dropout).toBe('float');
    expect(got.config.use_rslora).toBe(true);
    expect(got.config.target_modules).toEqual(['q_proj', 'v_proj']);
    const q = got.tensors[peftKey(0, 'q_proj', 'A')];
    expect(q.dtype).toBe('BF16');
    expect(q.shape).toEqual([R, 12]);
    for (const t of bf16Tensors) {
      const got16 = answer.read[1].tensors[peftKey(t.layer, t.module, 'B')].values;
      t.B.forEach((x, i) => expect(Math.abs(got16[i] - x)).toBeLessThanOrEqual(Math.abs(x) * 2 ** -8));
    }
  });
});

describe('import', () => {
  const folder = (path: string) =>
    new Map(
      ['adapter_model.safetensors', 'adapter_config.json'].map((n) => [n, new Uint8Array(readFileSync(join(path, n)))]),
    );

  it('reads an adapter written by the Python writer (name order, BF16) with the same values', () => {
    const imp = importAdapter(folder(dirPy), {
      num_hidden_layers: 2,
      shapes: { q_proj: { in_features: 12, out_features: 12 } },
    });
    expect(imp.config.r).toBe(4);
    expect(imp.config.use_rslora).toBe(true);
    expect(imp.config.lora_alpha).toBe(16);
    expect(imp.dtype).toBe('BF16');
    expect(imp.tensors.map((t) => `${t.layer}.${t.module}`)).toEqual([
      '0.q_proj',
      '0.v_proj',
      '0.down_proj',
      '1.q_proj',
      '1.v_proj',
      '1.down_proj',
    ]);
    for (const t of imp.tensors) {
      const a = answer.write[peftKey(t.layer, t.module, 'A')];
      const b = answer.write[peftKey(t.layer, t.module, 'B')];
      expect([t.in_features]).toEqual([a.shape[1]]);
      expect([t.out_features, 4]).toEqual(b.shape);
      expect(Array.from(t.A)).toEqual(a.values);
      expect(Array.from(t.B)).toEqual(b.values);
    }
  });

  it('round-trips our own export, inside a top folder too', () => {
    const files = folder(dirF32);
    const nested = new Map([...files].map(([k, v]) => [`my-adapter/${k}`, v]));
    const imp = importAdapter(nested);
    expect(imp.tensors.length).toBe(tensors.length);
    expect(imp.metadata).toEqual({ format: 'pt' });
    const byKey = new Map(imp.tensors.map((t) => [`${t.layer}.${t.module}`, t]));
    for (const t of tensors) {
      expect(Array.from(byKey.get(`${t.layer}.${t.module}`)!.A)).toEqual(Array.from(t.A));
      expect(Array.from(byKey.get(`${t.layer}.${t.module}`)!.B)).toEqual(Array.from(t.B));
    }
  });

  const cfgBytes = new TextEncoder().encode(
    adapterConfigJson(buildAdapterConfig({ ...base, target_modules: ['q_proj'] })),
  );
  const one = (name: string, shape: number[]) => ({
    name,
    dtype: 'F32' as const,
    shape,
    data: fromFloat32('F32', Float32Array.from({ length: shape[0] * shape[1] }, rand)),
  });
  const files = (tensorsIn: ReturnType<typeof one>[], cfg: Uint8Array = cfgBytes) =>
    new Map([
      ['adapter_model.safetensors', writeSafetensors(tensorsIn, { format: 'pt' })],
      ['adapter_config.json', cfg],
    ]);
  const A0 = peftKey(0, 'q_proj', 'A');
  const B0 = peftKey(0, 'q_proj', 'B');

  it.each([
    ['A with the wrong rank', [one(A0, [4, 12]), one(B0, [12, 3])], /lora_A must be \[r, in\] with r = 3/],
    ['B transposed', [one(A0, [3, 12]), one(B0, [3, 12])], /lora_B must be \[out, r\]/],
    [
      'an unknown tensor',
      [one(A0, [3, 12]), one(B0, [12, 3]), one('base_model.model.lm_head.weight', [2, 2])],
      /unexpected tensor "base_model\.model\.lm_head\.weight"/,
    ],
    [
      'q_proj under mlp',
      [one('base_model.model.model.layers.0.mlp.q_proj.lora_A.weight', [3, 12])],
      /q_proj belongs under self_attn/,
    ],
    ['a missing B', [one(A0, [3, 12])], /lora_B\.weight is missing/],
    [
      'a module not in target_modules',
      [
        one(A0, [3, 12]),
        one(B0, [12, 3]),
        one(peftKey(0, 'v_proj', 'A'), [3, 12]),
        one(peftKey(0, 'v_proj', 'B'), [4, 3]),
      ],
      /v_proj, which target_modules/,
    ],
    [
      'shapes that differ across layers',
      [
        one(A0, [3, 12]),
        one(B0, [12, 3]),
        one(peftKey(1, 'q_proj', 'A'), [3, 16]),
        one(peftKey(1, 'q_proj', 'B'), [12, 3]),
      ],
      /q_proj is 16→12 in layer 1 but 12→12 in layer 0/,
    ],
  ])('refuses %s', (_, list, message) => {
    expect(() => importAdapter(files(list))).toThrow(AdapterFormatError);
    expect(() => importAdapter(files(list))).toThrow(message);
  });

  it('checks shapes and layer count against the base model when given', () => {
    const f = files([one(A0, [3, 12]), one(B0, [12, 3])]);
    expect(() => importAdapter(f, { shapes: { q_proj: { in_features: 64, out_features: 12 } } })).toThrow(
      /base model's q_proj has in_features 64/,
    );
    const g = files([one(peftKey(5, 'q_proj', 'A'), [3, 12]), one(peftKey(5, 'q_proj', 'B'), [12, 3])]);
    expect(() => importAdapter(g, { num_hidden_layers: 2 })).toThrow(/layer 5, but the base model has 2 layers/);
  });

  it("derives the base model's expectations from its spec (SmolLM2-135M as published)", () => {
    // SmolLM2-135M config.json: hidden 576, 9 heads of 64, 3 KV heads, intermediate 1536, 30 layers.
    const spec = KNOWN_MODELS.find((m) => m.id === 'HuggingFaceTB/SmolLM2-135M-Instruct')!.spec;
    expect(adapterExpectations(spec, 'smol')).toEqual({
      num_hidden_layers: 30,
      base: 'smol',
      arch: 'llama',
      layersPath: 'model.layers',
      shapes: {
        q_proj: { in_features: 576, out_features: 576 },
        k_proj: { in_features: 576, out_features: 192 },
        v_proj: { in_features: 576, out_features: 192 },
        o_proj: { in_features: 576, out_features: 576 },
        gate_proj: { in_features: 576, out_features: 1536 },
        up_proj: { in_features: 576, out_features: 1536 },
        down_proj: { in_features: 1536, out_features: 576 },
      },
    });
  });

  it('refuses an adapter of another base, naming the key, the expected and the found shape', () => {
    const spec = KNOWN_MODELS.find((m) => m.id === 'HuggingFaceTB/SmolLM2-135M-Instruct')!.spec;
    const f = files([one(A0, [3, 12]), one(B0, [12, 3])]);
    expect(() => importAdapter(f, adapterExpectations(spec, 'HuggingFaceTB/SmolLM2-135M-Instruct'))).toThrow(
      `tensor "${A0}" has shape [3,12], expected [3,576]: the base model (HuggingFaceTB/SmolLM2-135M-Instruct)'s ` +
        `q_proj has in_features 576`,
    );
    const k = files(
      [one(peftKey(0, 'k_proj', 'A'), [3, 576]), one(peftKey(0, 'k_proj', 'B'), [576, 3])],
      new TextEncoder().encode(adapterConfigJson(buildAdapterConfig({ ...base, target_modules: ['k_proj'] }))),
    );
    expect(() => importAdapter(k, adapterExpectations(spec))).toThrow(
      /k_proj\.lora_B\.weight" has shape \[576,3\], expected \[192,3\]/,
    );
    const deep = files([one(peftKey(30, 'q_proj', 'A'), [3, 576]), one(peftKey(30, 'q_proj', 'B'), [576, 3])]);
    expect(() => importAdapter(deep, adapterExpectations(spec))).toThrow(
      /is for layer 30, but the base model has 30 layers \(0–29\)/,
    );
  });

  it('an adapter zip or folder is checked against the base its config names, when Prism knows it', async () => {
    // base_model_name_or_path is SmolLM2-135M-Instruct (a known model), the matrices are 12-wide.
    const f = files([one(A0, [3, 12]), one(B0, [12, 3])]);
    await expect(importAdapterArchive(f)).rejects.toThrow(
      /expected \[3,576\]: the base model \(HuggingFaceTB\/SmolLM2-135M-Instruct\)'s q_proj/,
    );
    const unknown = new TextEncoder().encode(
      adapterConfigJson(
        buildAdapterConfig({ ...base, base_model_name_or_path: 'me/my-model', target_modules: ['q_proj'] }),
      ),
    );
    expect((await importAdapterArchive(files([one(A0, [3, 12]), one(B0, [12, 3])], unknown))).tensors.length).toBe(1);
  });

  it.each([
    [
      'NaN in lora_B',
      'F32',
      NaN,
      /tensor "base_model\.model\.model\.layers\.0\.self_attn\.q_proj\.lora_B\.weight" holds NaN at \[4, 1\]/,
    ],
    [
      'Infinity in lora_B (BF16)',
      'BF16',
      Infinity,
      /lora_B\.weight" holds Infinity at \[4, 1\]; an adapter must be finite/,
    ],
  ] as const)('refuses %s, naming the tensor and where', (_, dtype, value, message) => {
    const b = Float32Array.from({ length: 36 }, rand);
    b[4 * 3 + 1] = value;
    const list = [one(A0, [3, 12]), { name: B0, dtype, shape: [12, 3], data: fromFloat32(dtype, b) }];
    expect(() => importAdapter(files(list as never))).toThrow(AdapterFormatError);
    expect(() => importAdapter(files(list as never))).toThrow(message);
  });

  it.each([
    ['lora_dropout: "x"', { lora_dropout: 'x' }, 'lora_dropout must be a number in [0, 1), got "x"'],
    ['lora_dropout: 1.5', { lora_dropout: 1.5 }, 'lora_dropout must be a number in [0, 1), got 1.5'],
    ['use_rslora: "yes"', { use_rslora: 'yes' }, 'use_rslora must be true or false, got "yes"'],
    ['use_dora: 0', { use_dora: 0 }, 'use_dora must be true or false, got 0'],
    ['r: 2.5', { r: 2.5 }, 'r must be a whole number ≥ 1, got 2.5'],
    ['r: 0', { r: 0 }, 'r must be a whole number ≥ 1, got 0'],
    ['r: "8"', { r: '8' }, 'r must be a whole number ≥ 1, got "8"'],
    ['lora_alpha: "32"', { lora_alpha: '32' }, 'lora_alpha must be a number > 0, got "32"'],
    ['lora_alpha: 1e400', { lora_alpha: '1e400 (written bare)' }, 'lora_alpha must be a number > 0, got Infinity'],
    [
      'target_modules: 5',
      { target_modules: 5 },
      'target_modules must be a list of module names, a regex string, or null, got 5',
    ],
    [
      'modules_to_save: "lm_head"',
      { modules_to_save: 'lm_head' },
      'modules_to_save must be a list of module names or null, got "lm_head"',
    ],
    [
      'layer_replication',
      { layer_replication: [[0, 2]] },
      'layer_replication must be null (layer replication is not supported)',
    ],
  ])('refuses adapter_config.json with %s, naming the field', (_, patch, message) => {
    const t = [one(A0, [3, 12]), one(B0, [12, 3])];
    const text = JSON.stringify({ ...JSON.parse(new TextDecoder().decode(cfgBytes)), ...patch }).replace(
      '"1e400 (written bare)"',
      '1e400',
    );
    expect(() => importAdapter(files(t, new TextEncoder().encode(text)))).toThrow(`adapter_config.json: ${message}`);
  });

  it('refuses other adapter types and broken files with clear messages', () => {
    const t = [one(A0, [3, 12]), one(B0, [12, 3])];
    const cfg = (patch: Record<string, unknown>) =>
      new TextEncoder().encode(JSON.stringify({ ...JSON.parse(new TextDecoder().decode(cfgBytes)), ...patch }));
    expect(() => importAdapter(files(t, cfg({ peft_type: 'IA3' })))).toThrow(/LoRA adapters only/);
    expect(() => importAdapter(files(t, cfg({ use_dora: true })))).toThrow(/DoRA/);
    expect(() => importAdapter(files(t, cfg({ modules_to_save: ['lm_head'] })))).toThrow(/modules_to_save \(lm_head\)/);
    expect(() => importAdapter(files(t, new TextEncoder().encode('{r: 8')))).toThrow(/not valid JSON/);
    expect(() => importAdapter(new Map([['adapter_config.json', cfgBytes]]))).toThrow(/no adapter_model\.safetensors/);
    expect(() =>
      importAdapter(
        new Map([
          ['adapter_config.json', cfgBytes],
          ['adapter_model.bin', new Uint8Array(4)],
        ]),
      ),
    ).toThrow(/pickle/);
    const truncated = writeSafetensors(t, { format: 'pt' }).subarray(0, 60);
    expect(() =>
      importAdapter(
        new Map([
          ['adapter_model.safetensors', truncated],
          ['adapter_config.json', cfgBytes],
        ]),
      ),
    ).toThrow(AdapterFormatError);
  });

  it('refuses to export inconsistent weights', () => {
    const t = makeTensors(['q_proj', 'v_proj']);
    expect(() => exportAdapter(t.slice(0, 3), base)).toThrow(/layer 1 has no v_proj/);
    const bad = makeTensors(['q_proj'], 1);
    bad[0].A = bad[0].A.subarray(1);
    expect(() => exportAdapter(bad, base)).toThrow(/lora_A has 35 values, expected r×in = 3×12/);
  });
});
