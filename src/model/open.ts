// Open a model folder from any ModelSource: parse config.json, open the weights' headers, and
// check config.json's sizes against the tensors found, then that every tensor the architecture
// needs is there with the right shape. Nothing here reads weights or allocates by the config's
// numbers, so every front (CLI, workers) refuses a wrong folder before loading anything.
import { ConfigError, declaredLayers, parseConfig, readConfigJson } from './config.ts';
import { openCheckpoint, type Checkpoint } from './safetensors/checkpoint.ts';
import { checkConfigSizes, checkLayerCount, checkTensors, expectedTensors, type SizeMismatch } from './tensors.ts';
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
  // Name the folder in config errors: "config.json" alone does not say which model.
  const named = <T>(f: () => T): T => {
    try {
      return f();
    } catch (err) {
      if (err instanceof ConfigError) throw new ConfigError(`${source.label}: ${err.message}`);
      throw err;
    }
  };
  const text = await source.readText('config.json');
  const cfg = named(() => readConfigJson(text));
  const declared = named(() => declaredLayers(cfg));
  const checkpoint = await openCheckpoint(source);
  const shapes = checkpoint.shapes();
  const prefix = weightPrefixOf(declared.weight_prefix, shapes);
  // Sizes first, in time linear in the checkpoint's tensor list: a config that claims a million
  // layers is refused here, before parseConfig builds its per-layer lists or anything is allocated.
  const n = declared.num_hidden_layers;
  const layers = typeof n === 'number' && Number.isSafeInteger(n) && n > 0 ? checkLayerCount(n, shapes, prefix) : null;
  if (layers) throw sizeError(source, [layers]);
  const spec = { ...named(() => parseConfig(cfg)), weight_prefix: prefix };
  const sizes = checkConfigSizes(spec, shapes);
  if (sizes.length) throw sizeError(source, sizes);
  const { missing, wrongShape } = checkTensors(spec, shapes);
  if (missing.length || wrongShape.length) {
    const parts: string[] = [];
    if (missing.length)
      parts.push(
        `missing ${missing.length} tensors (${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', …' : ''})`,
      );
    for (const w of wrongShape.slice(0, 5))
      parts.push(`${w.name} has shape [${w.found}] but config.json needs [${w.expected}]`);
    throw new ModelError(
      `${source.label}: the weights do not match config.json (${spec.architecture}): ${parts.join('; ')}`,
    );
  }
  return { spec, checkpoint };
}

/**
 * Where the language model's weights are: Gemma 3's multimodal checkpoints on the Hub store
 * `language_model.model.*`, while transformers ≥ 4.52 saves `model.language_model.*`.
 */
function weightPrefixOf(declared: string, shapes: ReadonlyMap<string, readonly number[]>): string {
  if (declared !== 'language_model.model.') return declared;
  const newer = 'model.language_model.';
  for (const name of shapes.keys()) if (name.startsWith(declared)) return declared;
  for (const name of shapes.keys()) if (name.startsWith(newer)) return newer;
  return declared;
}

/**
 * The tensors the decoder uses; a checkpoint may hold more (a vision tower, a stored copy of a
 * tied head), which are never uploaded.
 */
export function decoderTensorNames(spec: ModelSpec): Set<string> {
  return new Set(expectedTensors(spec).map((t) => t.name));
}

function sizeError(source: ModelSource, sizes: readonly SizeMismatch[]): ModelError {
  const parts = sizes.map((m) =>
    m.field === 'num_hidden_layers'
      ? `config.json says num_hidden_layers ${m.config}, the checkpoint has tensors for ${m.checkpoint} ` +
        `layer${m.checkpoint === 1 ? '' : 's'} (${m.evidence})`
      : `config.json says ${m.field} ${m.config}, the checkpoint has ${m.checkpoint} (${m.evidence})`,
  );
  return new ModelError(`${source.label}: config.json does not match the weights: ${parts.join('; ')}`);
}
