// A model's weights: one `model.safetensors`, or shards listed by
// `model.safetensors.index.json` (`weight_map`: tensor name → shard file).
import type { ModelSource } from '../types.ts';
import { SafetensorsError, type TensorEntry } from './header.ts';
import { openSafetensors, type SafetensorsFile, type StreamOptions, type TensorData } from './reader.ts';

export const SINGLE_FILE = 'model.safetensors';
export const INDEX_FILE = 'model.safetensors.index.json';

export interface Checkpoint {
  files: SafetensorsFile[];
  /** Every tensor, with the file that holds it. */
  tensors: Map<string, { file: SafetensorsFile; entry: TensorEntry }>;
  /** name → shape, for checking against a spec. */
  shapes(): Map<string, number[]>;
  read(name: string): Promise<Uint8Array>;
  /** Part of one tensor's bytes (see SafetensorsFile.readPart). */
  readPart(name: string, offset: number, length: number): Promise<Uint8Array>;
  /** Tensors file by file, each file in its own order. */
  stream(options?: StreamOptions): AsyncGenerator<TensorData>;
}

/** Parse an index file's weight_map into shard file → tensor names. */
export function parseIndex(text: string, label = INDEX_FILE): Map<string, string[]> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new SafetensorsError(`${label} is not valid JSON (${(err as Error).message})`);
  }
  const map = (json as { weight_map?: unknown } | null)?.weight_map;
  if (typeof map !== 'object' || map === null || Array.isArray(map))
    throw new SafetensorsError(`${label}: missing "weight_map" object`);
  const shards = new Map<string, string[]>();
  for (const [name, file] of Object.entries(map)) {
    if (typeof file !== 'string' || file === '' || file.startsWith('/') || file.split('/').includes('..')) {
      throw new SafetensorsError(`${label}: tensor "${name}" maps to an invalid file ${JSON.stringify(file)}`);
    }
    if (!shards.has(file)) shards.set(file, []);
    shards.get(file)!.push(name);
  }
  if (shards.size === 0) throw new SafetensorsError(`${label}: weight_map is empty`);
  return shards;
}

function fromFiles(files: SafetensorsFile[]): Checkpoint {
  const tensors = new Map<string, { file: SafetensorsFile; entry: TensorEntry }>();
  for (const file of files) {
    for (const entry of file.tensors) {
      const prev = tensors.get(entry.name);
      if (prev) throw new SafetensorsError(`tensor "${entry.name}" is in both ${prev.file.label} and ${file.label}`);
      tensors.set(entry.name, { file, entry });
    }
  }
  return {
    files,
    tensors,
    shapes: () => new Map([...tensors].map(([n, t]) => [n, t.entry.shape])),
    async read(name) {
      const t = tensors.get(name);
      if (!t) throw new SafetensorsError(`no tensor "${name}" in the checkpoint`);
      return t.file.read(name);
    },
    async readPart(name, offset, length) {
      const t = tensors.get(name);
      if (!t) throw new SafetensorsError(`no tensor "${name}" in the checkpoint`);
      return t.file.readPart(name, offset, length);
    },
    async *stream(options) {
      for (const f of files) yield* f.stream(options);
    },
  };
}

/** Open a folder's weights, single-file or sharded; every shard's header is checked. */
export async function openCheckpoint(model: ModelSource): Promise<Checkpoint> {
  if (await model.exists(SINGLE_FILE)) {
    return fromFiles([await openSafetensors(await model.open(SINGLE_FILE), `${model.label}/${SINGLE_FILE}`)]);
  }
  if (!(await model.exists(INDEX_FILE))) {
    throw new SafetensorsError(
      `${model.label}: no ${SINGLE_FILE} or ${INDEX_FILE} (Prism reads safetensors weights only)`,
    );
  }
  const shards = parseIndex(await model.readText(INDEX_FILE), `${model.label}/${INDEX_FILE}`);
  const files: SafetensorsFile[] = [];
  for (const [path, names] of shards) {
    const file = await openSafetensors(await model.open(path), `${model.label}/${path}`);
    for (const n of names) {
      if (!file.get(n))
        throw new SafetensorsError(`${INDEX_FILE} puts tensor "${n}" in ${path}, but ${path} has no such tensor`);
    }
    files.push(file);
  }
  return fromFiles(files);
}
