// Open a model folder from any ModelSource: parse config.json, open the weights' headers, and
// check config.json's sizes against the tensors found, then that every tensor the architecture
// needs is there with the right shape. Nothing here reads weights or allocates by the config's
// numbers, so every front (CLI, workers) refuses a wrong folder before loading anything.
import { ConfigError, parseConfig } from './config.ts';
import { openCheckpoint, type Checkpoint } from './safetensors/checkpoint.ts';
import { checkConfigSizes, checkTensors } from './tensors.ts';
import type { ModelSource, ModelSpec } from './types.ts';

export class ModelError extends Error {
  override name = 'ModelError';
}

export interface OpenedModel {
  spec: ModelSpec;
  checkpoint: Checkpoint;
}

export async function openModel(source: ModelSource): Promise<OpenedModel> {
  if (!(await source.exists('config.json'))) throw new ModelError(`${source.label}: no config.json`);
  let spec: ModelSpec;
  try {
    spec = parseConfig(await source.readText('config.json'));
  } catch (err) {
    // Name the folder: "config.json" alone does not say which model.
    if (err instanceof ConfigError) throw new ConfigError(`${source.label}: ${err.message}`);
    throw err;
  }
  const checkpoint = await openCheckpoint(source);
  const shapes = checkpoint.shapes();
  // Sizes first, in time linear in the checkpoint's tensor list: a config that claims a million
  // layers is refused here, before anything that large is built or allocated.
  const sizes = checkConfigSizes(spec, shapes);
  if (sizes.length) {
    const parts = sizes.map((m) => m.field === 'num_hidden_layers'
      ? `config.json says num_hidden_layers ${m.config}, the checkpoint has tensors for ${m.checkpoint} layer${m.checkpoint === 1 ? '' : 's'} (${m.evidence})`
      : `config.json says ${m.field} ${m.config}, the checkpoint has ${m.checkpoint} (${m.evidence})`);
    throw new ModelError(`${source.label}: config.json does not match the weights: ${parts.join('; ')}`);
  }
  const { missing, wrongShape } = checkTensors(spec, shapes);
  if (missing.length || wrongShape.length) {
    const parts: string[] = [];
    if (missing.length) parts.push(`missing ${missing.length} tensors (${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', …' : ''})`);
    for (const w of wrongShape.slice(0, 5)) parts.push(`${w.name} has shape [${w.found}] but config.json needs [${w.expected}]`);
    throw new ModelError(`${source.label}: the weights do not match config.json (${spec.architecture}): ${parts.join('; ')}`);
  }
  return { spec, checkpoint };
}
