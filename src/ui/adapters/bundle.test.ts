// The page's zip is what PEFT loads: file names, tensor keys and config fields as PEFT writes
// them (peft/utils/save_and_load.py, LoraConfig), checked on the unzipped bytes.
import 'fake-indexeddb/auto';
import { unzipSync } from 'fflate';
import { describe, expect, test } from 'vitest';
import { exportAdapter, type LoraTensor } from '../../adapters/peft.ts';
import { openAdapterStore } from '../../adapters/store.ts';
import { defaultTrainConfig } from '../../train/config.ts';
import { importZip, runZip } from './bundle.ts';

function header(bytes: Uint8Array): Record<string, { dtype: string; shape: number[] }> {
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  return JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
}

function tensors(): LoraTensor[] {
  const out: LoraTensor[] = [];
  for (let layer = 0; layer < 2; layer++) {
    for (const module of ['q_proj', 'v_proj'] as const) {
      out.push({
        layer,
        module,
        in_features: 8,
        out_features: 8,
        A: Float32Array.from({ length: 32 }, (_, i) => i / 7 - 2),
        B: Float32Array.from({ length: 32 }, (_, i) => 0.5 - i / 9),
      });
    }
  }
  return out;
}

describe('adapter zip from the page', () => {
  test('a trained run zips to PEFT files plus README, script and data; import brings it back', async () => {
    const store = await openAdapterStore({ name: `ui-bundle-${Math.random()}` });
    const config = defaultTrainConfig({
      model_id: 'prism/tiny-demo',
      template: 'chatml',
      lora: { r: 4, lora_alpha: 8 },
    });
    const ds = await store.saveDataset('sample.jsonl', new TextEncoder().encode('{"messages":[]}\n'));
    const run = await store.createRun({
      name: 'tiny · sample.jsonl',
      base_model: config.model_id,
      template: 'chatml',
      loss_policy: 'all_assistant',
      dataset: ds,
      hyperparameters: config,
      loss_curve: [
        { step: 1, loss: 3 },
        { step: 2, loss: 2.5 },
      ],
      step: 2,
      total_steps: 2,
      status: 'completed',
      final_loss: 2.5,
    });
    const peft = exportAdapter(tensors(), {
      base_model_name_or_path: config.model_id,
      r: 4,
      lora_alpha: 8,
      lora_dropout: 0.05,
      use_rslora: false,
    });
    await store.saveAdapter(run.id, {
      safetensors: peft.get('adapter_model.safetensors')!,
      config: new TextDecoder().decode(peft.get('adapter_config.json')!),
    });

    const { bytes, fileName } = await runZip(store, (await store.get(run.id))!);
    expect(fileName).toBe('tiny-sample.jsonl.zip');
    const files = unzipSync(bytes);
    expect(Object.keys(files)).toEqual(
      expect.arrayContaining(['adapter_model.safetensors', 'adapter_config.json', 'README.md', 'swift_sft.sh']),
    );
    const keys = Object.keys(header(files['adapter_model.safetensors']))
      .filter((k) => k !== '__metadata__')
      .sort();
    expect(keys).toContain('base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight');
    expect(keys).toContain('base_model.model.model.layers.1.self_attn.v_proj.lora_B.weight');
    expect(keys).toHaveLength(8);
    const cfg = JSON.parse(new TextDecoder().decode(files['adapter_config.json']));
    expect(cfg).toMatchObject({
      peft_type: 'LORA',
      task_type: 'CAUSAL_LM',
      r: 4,
      lora_alpha: 8,
      base_model_name_or_path: 'prism/tiny-demo',
    });

    const back = await importZip(store, 'copy.zip', bytes);
    expect(back.status).toBe('imported');
    expect(back.name).toBe('copy');
    // prism.json brought back the run: template, loss curve, config and its data.
    expect(back).toMatchObject({
      template: 'chatml',
      loss_policy: 'all_assistant',
      step: 2,
      final_loss: 2.5,
      loss_curve: run.loss_curve,
      hyperparameters: config,
    });
    expect(back.dataset?.sha256).toBe(ds.sha256);
    const again = unzipSync((await runZip(store, back)).bytes);
    expect(Object.keys(again).sort()).toEqual([
      'README.md',
      'adapter_config.json',
      'adapter_model.safetensors',
      'dataset/prism-normalized.jsonl',
      'prism.json',
      'swift_sft.sh',
    ]);
    expect(again['adapter_model.safetensors']).toEqual(files['adapter_model.safetensors']);
  });

  test('a checkpoint downloads as its own PEFT adapter, with the curve up to its step', async () => {
    const store = await openAdapterStore({ name: `ui-bundle-${Math.random()}` });
    const config = defaultTrainConfig({
      model_id: 'Qwen/Qwen2.5-0.5B-Instruct',
      template: 'qwen2_5',
      lora: { r: 4, lora_alpha: 8, target_modules: ['q_proj', 'v_proj'] },
    });
    const original = new TextEncoder().encode('{"instruction": "Hi", "output": "Hello"}\n');
    const ds = await store.saveDataset('prism-normalized.jsonl', new TextEncoder().encode('{"messages":[]}\n'));
    const orig = await store.saveDataset('mine.jsonl', original);
    const run = await store.createRun({
      name: 'q',
      base_model: config.model_id,
      template: 'qwen2_5',
      loss_policy: 'all_assistant',
      dataset: { ...ds, original: orig },
      hyperparameters: config,
      loss_curve: [1, 2, 3, 4].map((step) => ({ step, loss: 3 - step / 4 })),
      step: 4,
      total_steps: 4,
      status: 'completed',
      final_loss: 2,
    });
    const lora = exportAdapter(tensors(), {
      base_model_name_or_path: null,
      r: 4,
      lora_alpha: 8,
      lora_dropout: 0,
      use_rslora: false,
    }).get('adapter_model.safetensors')!;
    await store.saveCheckpoint({
      runId: run.id,
      step: 2,
      lora,
      optimizer: new Uint8Array(),
      data_position: null,
      rng_state: null,
    });
    const { bytes, fileName } = await runZip(store, run, 2);
    expect(fileName).toBe('q-step2.zip');
    const files = unzipSync(bytes);
    expect(files['adapter_model.safetensors']).toEqual(lora);
    expect(JSON.parse(new TextDecoder().decode(files['adapter_config.json']))).toMatchObject({
      base_model_name_or_path: 'Qwen/Qwen2.5-0.5B-Instruct',
      r: 4,
      target_modules: ['q_proj', 'v_proj'],
    });
    const prism = JSON.parse(new TextDecoder().decode(files['prism.json']));
    expect(prism).toMatchObject({ checkpoint_step: 2, steps: 2, final_loss: 2.5 });
    expect(prism.loss_curve.map((p: { step: number }) => p.step)).toEqual([1, 2]);
    expect(files['dataset/mine.jsonl']).toEqual(original);
    await expect(runZip(store, run, 3)).rejects.toThrow(/no checkpoint at step 3/);
  });

  test('a zip without an adapter is refused with a reason', async () => {
    const store = await openAdapterStore({ name: `ui-bundle-${Math.random()}` });
    await expect(importZip(store, 'x.zip', new TextEncoder().encode('not a zip'))).rejects.toThrow(/zip/);
  });
});
