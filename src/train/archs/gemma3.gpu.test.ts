// Gemma3ForCausalLM: Gemma 2's layer (sandwich norms, (1 + w) RMSNorm, √hidden embeddings,
// GELU-tanh, query_pre_attn_scalar) with q/k RMSNorm, sliding-window layers on their own RoPE
// base (rope_local_base_freq), linear RoPE scaling on the global layers, layer_types /
// sliding_window_pattern, soft caps only when the config sets them. Proof: ./proof.ts; and the
// language model of a Gemma3ForConditionalGeneration checkpoint (nested text_config, weights
// under language_model.model. or model.language_model., a vision tower left alone): prism forward
// with an exported adapter (PEFT's names inside the multimodal model) against the reference.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { exportAdapter } from '../../adapters/peft.ts';
import { parseConfig } from '../../model/config.ts';
import { layersPath } from '../../model/layout.ts';
import { openSafetensors } from '../../model/safetensors/reader.ts';
import { writeSafetensors } from '../../model/safetensors/writer.ts';
import { bytesSource } from '../../model/sources/byte-source.ts';
import { PY, readST, runPython } from '../testing.ts';
import { archProofSuite, caseConfig, packedBatch, randomLora, relToMax } from './proof.ts';

const ALL = ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'] as const;
const cfg = (layers: number, extra: Record<string, unknown> = {}) =>
  caseConfig('Gemma3ForCausalLM', 'gemma3_text', layers, {
    hidden_size: 32,
    intermediate_size: 48,
    num_attention_heads: 4,
    num_key_value_heads: 2,
    head_dim: 8,
    query_pre_attn_scalar: 24,
    hidden_activation: 'gelu_pytorch_tanh',
    sliding_window: 6,
    sliding_window_pattern: 2,
    rope_theta: 1000000.0,
    rope_local_base_freq: 10000.0,
    rope_scaling: { rope_type: 'linear', factor: 4.0 },
    attn_logit_softcapping: null,
    final_logit_softcapping: null,
    tie_word_embeddings: true,
    ...extra,
  });

archProofSuite({
  arch: 'gemma3',
  cases: [
    {
      name: '1 sliding layer (window 6 of 20, local RoPE base), q/k norm, f32',
      config: cfg(1),
      dtype: 'F32',
      lora: { r: 4, alpha: 8, rslora: false, targets: [...ALL] },
      batch: packedBatch(51, 1, 20, 12),
    },
    {
      name: '1 global layer (layer_types), linear RoPE scaling ×4, final soft cap 5, untied, f32',
      config: cfg(1, { layer_types: ['full_attention'], final_logit_softcapping: 5.0, tie_word_embeddings: false }),
      dtype: 'F32',
      lora: { r: 4, alpha: 8, rslora: false, targets: [...ALL] },
      batch: packedBatch(52, 1, 20, 7),
    },
    {
      name: '2 layers (sliding, global), bf16, 2 rows packed, MQA 4/1, rope_parameters per layer type (transformers 5)',
      config: (() => {
        const {
          rope_theta: _t,
          rope_local_base_freq: _l,
          rope_scaling: _s,
          ...rest
        } = cfg(2, { num_key_value_heads: 1, torch_dtype: 'bfloat16' });
        return {
          ...rest,
          rope_parameters: {
            full_attention: { rope_type: 'linear', factor: 4.0, rope_theta: 1000000.0 },
            sliding_attention: { rope_type: 'default', rope_theta: 10000.0 },
          },
        };
      })(),
      dtype: 'BF16',
      lora: { r: 3, alpha: 6, rslora: true, targets: [...ALL] },
      batch: packedBatch(53, 2, 18, 8),
    },
  ],
  tinyFlags: [
    '--hidden',
    '32',
    '--layers',
    '2',
    '--heads',
    '4',
    '--kv-heads',
    '2',
    '--intermediate',
    '48',
    '--seed',
    '6',
  ],
  ids: [2, 17, 42, 99, 3, 250, 7, 64, 128, 5, 200, 33, 9, 14, 81, 6, 160, 44, 71, 8],
  learn: { hidden: 64, layers: 2, heads: 4, kvHeads: 2, intermediate: 128, seed: 1, dtype: 'float32' },
});

const ROOT = join(import.meta.dirname, '..', '..', '..');
const HF_REFERENCE = join(ROOT, 'src', 'engine', 'decoder', 'hf_reference.py');
const PEFT_NAMES = join(ROOT, 'src', 'adapters', 'peft_names_reference.py');

function prism(args: string[]): string {
  return execFileSync('node', ['--import', 'tsx', '--import', './src/cli/register.mjs', 'src/cli/main.ts', ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    encoding: 'utf8',
  });
}

describe('gemma3: the language model of a Gemma3ForConditionalGeneration checkpoint', () => {
  const dir = mkdtempSync(join(tmpdir(), 'prism-gemma3-mm-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('both layouts load the language model only; forward with an exported adapter matches the reference', async () => {
    const text = join(dir, 'text');
    prism([
      'make-tiny-model',
      '--arch',
      'gemma3',
      '--tokenizer',
      'bytes',
      '--out',
      text,
      '--hidden',
      '32',
      '--layers',
      '2',
      '--heads',
      '4',
      '--kv-heads',
      '2',
      '--intermediate',
      '48',
      '--seed',
      '8',
      '--dtype',
      'bfloat16',
    ]);
    const textCfg = JSON.parse(readFileSync(join(text, 'config.json'), 'utf8')) as Record<string, unknown>;
    const f = await openSafetensors(bytesSource(new Uint8Array(readFileSync(join(text, 'model.safetensors')))));
    const tensors = [];
    for await (const t of f.stream())
      tensors.push({ name: t.name, dtype: t.dtype, shape: t.shape, data: t.data.slice() });
    // A stand-in vision tower: linear layers named like SigLIP's, which a plain q_proj target would catch.
    const vision = [
      'vision_tower.vision_model.encoder.layers.0.self_attn.q_proj.weight',
      'vision_tower.vision_model.encoder.layers.0.self_attn.k_proj.weight',
      'vision_tower.vision_model.encoder.layers.0.mlp.fc1.weight',
      'multi_modal_projector.mm_input_projection_weight',
    ].map((name) => ({ name, dtype: 'BF16' as const, shape: [16, 16], data: new Uint8Array(16 * 16 * 2).fill(7) }));
    const {
      architectures: _a,
      model_type: _m,
      torch_dtype,
      bos_token_id,
      eos_token_id,
      pad_token_id,
      ...textRest
    } = textCfg;
    const config = {
      architectures: ['Gemma3ForConditionalGeneration'],
      model_type: 'gemma3',
      torch_dtype,
      bos_token_id,
      eos_token_id,
      pad_token_id,
      boi_token_index: 255999,
      eoi_token_index: 256000,
      image_token_index: 262144,
      mm_tokens_per_image: 256,
      text_config: { ...textRest, model_type: 'gemma3_text' },
      vision_config: {
        hidden_size: 16,
        image_size: 896,
        intermediate_size: 16,
        model_type: 'siglip_vision_model',
        num_attention_heads: 2,
        num_hidden_layers: 1,
        patch_size: 14,
      },
    };
    const ids = [2, 17, 42, 99, 3, 250, 7, 64, 128, 5, 200, 33, 9, 14];
    const layouts: [string, (n: string) => string][] = [
      ['hub', (n) => `language_model.${n}`],
      [
        'transformers-5',
        (n) =>
          n
            .replace(/^model\./, 'model.language_model.')
            .replace(/^vision_tower/, 'model.vision_tower')
            .replace(/^multi_modal_projector/, 'model.multi_modal_projector'),
      ],
    ];
    for (const [label, rename] of layouts) {
      const folder = join(dir, label);
      mkdirSync(folder, { recursive: true });
      for (const name of ['tokenizer.json', 'tokenizer_config.json'])
        writeFileSync(join(folder, name), readFileSync(join(text, name)));
      writeFileSync(join(folder, 'config.json'), JSON.stringify(config));
      const all = [
        ...tensors.map((t) => ({ ...t, name: rename(t.name) })),
        ...vision.map((t) => ({ ...t, name: label === 'hub' ? t.name : rename(t.name) })),
      ];
      writeFileSync(join(folder, 'model.safetensors'), writeSafetensors(all));

      const spec = parseConfig(config);
      expect(spec).toMatchObject({
        arch: 'gemma3',
        architecture: 'Gemma3ForConditionalGeneration',
        weight_prefix: 'language_model.model.',
      });
      const adapterDir = join(folder, 'adapter');
      mkdirSync(adapterDir);
      for (const [n, b] of exportAdapter(
        randomLora(spec, [...ALL], 4, 9, 0.1),
        {
          base_model_name_or_path: 'tiny-mm',
          r: 4,
          lora_alpha: 8,
          lora_dropout: 0,
          use_rslora: false,
        },
        { layersPath: layersPath(spec) },
      ))
        writeFileSync(join(adapterDir, n), b);
      if (label === 'hub') {
        // PEFT's view: on this checkpoint the saved regex adapts the language model's 14 linears only.
        const names = JSON.parse(execFileSync(PY, [PEFT_NAMES, folder, adapterDir], { encoding: 'utf8' })) as {
          problems: string[];
          matched_modules: string[];
        };
        expect(names.problems).toEqual([]);
        expect(names.matched_modules.length).toBe(2 * ALL.length);
        expect(names.matched_modules.every((m) => m.startsWith('model.language_model.layers.'))).toBe(true);
      }
      const ref = join(folder, 'ref.safetensors');
      runPython(
        HF_REFERENCE,
        [{ model: folder, adapter: adapterDir, input_ids: [ids], out: ref }],
        join(folder, 'jobs.json'),
      );
      const out = join(folder, 'prism.safetensors');
      prism(['forward', '--model', folder, '--adapter', adapterDir, '--ids', ids.join(','), '--out', out]);
      const err = relToMax((await readST(out)).get('logits')!, (await readST(ref)).get('logits')!);
      console.log(`gemma3 multimodal checkpoint (${label} layout) + adapter: prism forward ${err.toExponential(2)}`);
      expect(err).toBeLessThanOrEqual(1e-5);
    }
  });
});
