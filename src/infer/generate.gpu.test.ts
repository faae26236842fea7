// KV-cache generation against the full-sequence forward: greedy output equals the argmax of
// recomputing the whole forward at each step (which forward.gpu.test.ts checks against
// PyTorch), cached logits match recomputed ones, seeded sampling repeats, and an unmerged
// adapter switches off to give exactly the base model.
import { beforeAll, describe, expect, it } from 'vitest';
import { writeSafetensors } from '../model/safetensors/writer.ts';
import { blobModelSource } from '../model/sources/model-source.ts';
import { makeTinyModel, type TinyModelOptions } from '../model/tiny.ts';
import {
  adapterConfigJson,
  buildAdapterConfig,
  importAdapter,
  peftKey,
  type ImportedAdapter,
} from '../adapters/peft.ts';
import { nodeDevice } from '../cli/node-gpu.ts';
import type { TargetModule } from '../model/layout.ts';
import { generate } from './generate.ts';
import { loadModel, type LoadedModel } from './load.ts';
import { argmax } from './sample.ts';
import { createKvRunner, createRunner, kvNextLogits } from './runner.ts';

const base = {
  hidden: 32,
  layers: 2,
  heads: 4,
  intermediate: 48,
  tokenizer: 'bytes' as const,
  dtype: 'float32' as const,
};
const CASES: { name: string; model: TinyModelOptions; adapter?: boolean }[] = [
  { name: 'llama GQA 2', model: { ...base, arch: 'llama', kvHeads: 2, seed: 11 } },
  {
    name: 'llama GQA 4 bf16 rope scaling',
    model: {
      ...base,
      arch: 'llama',
      kvHeads: 1,
      seed: 12,
      dtype: 'bfloat16',
      ropeScaling: { factor: 8, low_freq_factor: 1, high_freq_factor: 4, original_max_position_embeddings: 8 },
    },
  },
  { name: 'qwen2 bias', model: { ...base, arch: 'qwen2', kvHeads: 4, seed: 13 } },
  { name: 'qwen3 q/k norm + adapter', model: { ...base, arch: 'qwen3', kvHeads: 2, seed: 14 }, adapter: true },
];
const PROMPT = [5, 77, 140, 33, 201, 9];
const NEW = 8;
const TARGETS: TargetModule[] = ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'up_proj', 'down_proj'];

let device: GPUDevice;
beforeAll(async () => {
  device = await nodeDevice();
});

async function load(o: TinyModelOptions): Promise<LoadedModel> {
  const files = Object.fromEntries(
    Object.entries(makeTinyModel(o).files).map(([k, v]) => [k, new Blob([v as Uint8Array<ArrayBuffer>])]),
  );
  return loadModel(blobModelSource(files, 'tiny'), device);
}

function randomAdapter(o: TinyModelOptions, seed: number): ImportedAdapter {
  let s = seed;
  const rnd = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648) * 2 - 1;
  const hd = o.hidden / o.heads;
  const dims: Record<string, [number, number]> = {
    q_proj: [o.hidden, o.heads * hd],
    k_proj: [o.hidden, o.kvHeads * hd],
    v_proj: [o.hidden, o.kvHeads * hd],
    o_proj: [o.heads * hd, o.hidden],
    gate_proj: [o.hidden, o.intermediate],
    up_proj: [o.hidden, o.intermediate],
    down_proj: [o.intermediate, o.hidden],
  };
  const r = 4;
  const tensors = [];
  for (let l = 0; l < o.layers; l++)
    for (const m of TARGETS) {
      const [inF, outF] = dims[m];
      for (const [w, shape] of [
        ['A', [r, inF]],
        ['B', [outF, r]],
      ] as const) {
        const a = Float32Array.from({ length: shape[0] * shape[1] }, () => rnd() * 0.3);
        tensors.push({
          name: peftKey(l, m, w),
          dtype: 'F32' as const,
          shape: [...shape],
          data: new Uint8Array(a.buffer),
        });
      }
    }
  const config = buildAdapterConfig({
    base_model_name_or_path: 'tiny',
    r,
    lora_alpha: 8,
    lora_dropout: 0,
    target_modules: TARGETS,
    use_rslora: true,
  });
  return importAdapter(
    new Map([
      ['adapter_model.safetensors', writeSafetensors(tensors)],
      ['adapter_config.json', new TextEncoder().encode(adapterConfigJson(config))],
    ]),
    { num_hidden_layers: o.layers },
  );
}

function maxRel(a: Float32Array, b: Float32Array): number {
  let m = 0,
    d = 0;
  for (let i = 0; i < b.length; i++) {
    m = Math.max(m, Math.abs(b[i]));
    d = Math.max(d, Math.abs(a[i] - b[i]));
  }
  return d / m;
}

describe('KV-cache generation', () => {
  CASES.forEach((c, ci) => {
    it(`${c.name}: greedy equals the argmax of the full forward at each step`, async () => {
      const model = await load(c.model);
      const adapter = c.adapter ? randomAdapter(c.model, 99 + ci) : null;
      const maxT = PROMPT.length + NEW;
      const { kv, destroy } = createKvRunner(device, model, maxT, adapter);
      const full = createRunner(device, model, maxT, adapter);
      const got: number[] = [];
      let worst = 0;
      const next = kvNextLogits(kv);
      for await (const p of generate(
        async (ids) => {
          const cached = await next(ids);
          const recomputed = await full.logits({ input_ids: [ids as number[]] }, { last: true });
          worst = Math.max(worst, maxRel(cached, recomputed));
          return cached;
        },
        PROMPT,
        { max_new_tokens: NEW },
      ))
        if (p.id !== null) got.push(p.id);
      // The independent check: recompute from scratch with the full forward and take argmax.
      const ids = [...PROMPT];
      for (let n = 0; n < NEW; n++) ids.push(argmax(await full.logits({ input_ids: [ids] }, { last: true })));
      console.log(`${c.name}: KV vs full logits max rel err ${worst.toExponential(2)}; tokens ${got.join(',')}`);
      expect(got).toEqual(ids.slice(PROMPT.length));
      expect(worst).toBeLessThanOrEqual(1e-4);
      if (adapter) {
        // Unmerged: switching LoRA off gives the base model exactly, and it differs from tuned.
        const baseRun = createRunner(device, model, maxT, null);
        const off = await kv.prefill(PROMPT, { lora: false });
        const on = await kv.prefill(PROMPT, { lora: true });
        const want = await baseRun.logits({ input_ids: [PROMPT] }, { last: true });
        expect(maxRel(off, want)).toBeLessThanOrEqual(1e-5);
        expect(maxRel(on, want)).toBeGreaterThan(1e-2);
        baseRun.destroy();
      }
      destroy();
      full.destroy();
      model.destroy();
    }, 120_000);
  });

  it('seeded sampling repeats, eos ends the reply, and different seeds diverge', async () => {
    const model = await load(CASES[0].model);
    const { kv, destroy } = createKvRunner(device, model, PROMPT.length + 12);
    const run = async (seed: number, eos: number[] = []) => {
      const out: number[] = [];
      for await (const p of generate(kvNextLogits(kv), PROMPT, {
        max_new_tokens: 12,
        temperature: 5,
        top_k: 50,
        top_p: 0.95,
        seed,
        eos_token_ids: eos,
      }))
        if (p.id !== null) out.push(p.id);
      return out;
    };
    const a = await run(1);
    expect(await run(1)).toEqual(a);
    expect(await run(2)).not.toEqual(a);
    const cut = await run(1, [a[3]]);
    expect(cut).toEqual(a.slice(0, a.indexOf(a[3])));
    destroy();
    model.destroy();
  }, 120_000);
});

describe('prism generate (CLI)', () => {
  it('streams the greedy reply: the full-forward argmax continuation of the rendered prompt', async () => {
    const { execFileSync } = await import('node:child_process');
    const { mkdtempSync, mkdirSync, writeFileSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { getTemplate, render } = await import('../templates/index.ts');
    const { tokenizerFromFiles } = await import('../tokenize/load.ts');
    const o = CASES[0].model;
    const dir = mkdtempSync(join(tmpdir(), 'prism-gen-'));
    mkdirSync(join(dir, 'm'));
    for (const [k, v] of Object.entries(makeTinyModel(o).files)) writeFileSync(join(dir, 'm', k), v);
    const stdout = execFileSync(
      'node',
      [
        '--import',
        'tsx',
        '--import',
        './src/cli/register.mjs',
        'src/cli/main.ts',
        'generate',
        '--model',
        join(dir, 'm'),
        '--template',
        'chatml',
        '--prompt',
        'Hi!',
        '--max-new-tokens',
        '6',
      ],
      { encoding: 'utf8' },
    );
    rmSync(dir, { recursive: true, force: true });

    const model = await load(o);
    const tok = tokenizerFromFiles({
      tokenizerJSON: JSON.parse(model.tokenizerFiles['tokenizer.json']),
      tokenizerConfig: JSON.parse(model.tokenizerFiles['tokenizer_config.json'] ?? '{}'),
    });
    const text = render(
      getTemplate('chatml'),
      { messages: [{ role: 'user', content: 'Hi!' }], source: { format: 'messages', line: 1 } } as Parameters<
        typeof render
      >[1],
      { addGenerationPrompt: true },
    ).text;
    const ids = Array.from(tok.encode(text, { add_special_tokens: false }) as ArrayLike<number>);
    const full = createRunner(device, model, ids.length + 6);
    const start = ids.length;
    for (let n = 0; n < 6; n++) ids.push(argmax(await full.logits({ input_ids: [ids] }, { last: true })));
    full.destroy();
    model.destroy();
    let want = tok.decode(ids.slice(start), { skip_special_tokens: false });
    for (const s of getTemplate('chatml').stop) if (want.includes(s)) want = want.slice(0, want.indexOf(s));
    console.log(`prism generate printed ${JSON.stringify(stdout)}`);
    expect(stdout.length).toBeGreaterThan(1);
    expect(stdout).toBe(want.replace(/\uFFFD+$/, '') + '\n');
  }, 120_000);
});
