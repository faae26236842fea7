// A training checkpoint's LoRA weights as the two PEFT files, so any checkpoint of a run can be
// downloaded or exported like its final adapter. Checkpoints store the weights as safetensors
// with PEFT's keys (src/train/checkpoint.ts); the config is the run's.
import { resolveTargetModules, type TrainConfig } from '../train/config.ts';
import { hubModelId } from '../train/provenance.ts';
import {
  ADAPTER_CONFIG_FILE,
  ADAPTER_WEIGHTS_FILE,
  adapterConfigJson,
  buildAdapterConfig,
  importAdapter,
} from './peft.ts';

export function checkpointPeftFiles(lora: Uint8Array, config: TrainConfig): Map<string, Uint8Array> {
  const c = config.lora;
  const json = adapterConfigJson(
    buildAdapterConfig({
      base_model_name_or_path: hubModelId(config.model_id),
      r: c.r,
      lora_alpha: c.lora_alpha,
      lora_dropout: c.lora_dropout,
      target_modules: resolveTargetModules(c),
      use_rslora: c.use_rslora,
    }),
  );
  const files = new Map([
    [ADAPTER_WEIGHTS_FILE, lora],
    [ADAPTER_CONFIG_FILE, new TextEncoder().encode(json)],
  ]);
  importAdapter(files); // never hand out files that would not load
  return files;
}
