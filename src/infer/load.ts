// Load a Hugging Face model folder from any ModelSource onto the GPU: config → spec, weights
// streamed tensor by tensor (single file or shards) straight into GPU buffers in storage dtype.
import {
  ADAPTER_CONFIG_FILE,
  ADAPTER_WEIGHTS_FILE,
  AdapterFormatError,
  adapterExpectations,
  importAdapter,
  type ImportedAdapter,
} from '../adapters/peft.ts';
import { uploadWeights, type DecoderWeights } from '../engine/decoder/weights.ts';
import { destroyTensor } from '../engine/tensor/tensor.ts';
import { decoderTensorNames, openModel, type OpenedModel } from '../model/open.ts';
import { TOKENIZER_FILE_NAMES } from '../model/tiny.ts';
import { readTokenizerFiles } from '../tokenize/files.ts';
import { TokenizerError } from '../tokenize/error.ts';
import { tokenizerFromFiles } from '../tokenize/load.ts';
import type { PreTrainedTokenizer } from '@huggingface/transformers';
import type { ModelSource, ModelSpec } from '../model/types.ts';

export interface LoadProgress {
  /** Weight bytes uploaded so far and in all. */
  loaded: number;
  total: number;
  tensor: string;
}

export interface LoadedModel {
  spec: ModelSpec;
  weights: DecoderWeights;
  /**
   * The tokenizer files present in the folder (tokenizer.json, tokenizer_config.json, ...); a folder
   * with only a SentencePiece tokenizer.model gets the tokenizer.json built from it.
   */
  tokenizerFiles: Record<string, string>;
  destroy(): void;
}

export async function loadModel(
  source: ModelSource,
  device: GPUDevice,
  opts: { onProgress?: (p: LoadProgress) => void; opened?: OpenedModel } = {},
): Promise<LoadedModel> {
  const { spec, checkpoint } = opts.opened ?? (await openModel(source));
  // Only the decoder's tensors are read (not a multimodal checkpoint's vision tower).
  const wanted = decoderTensorNames(spec);
  let total = 0;
  for (const [name, { entry }] of checkpoint.tensors) if (wanted.has(name)) total += entry.end - entry.begin;
  let loaded = 0;
  async function* counted() {
    for await (const t of checkpoint.stream({ filter: (e) => wanted.has(e.name) })) {
      yield t;
      // Counted after uploadWeights has consumed (copied) the tensor.
      loaded += t.data.length;
      opts.onProgress?.({ loaded, total, tensor: t.name });
    }
  }
  const weights = await uploadWeights(device, counted());
  const tokenizerFiles: Record<string, string> = {};
  for (const name of TOKENIZER_FILE_NAMES) {
    if (name === 'tokenizer.model') continue; // binary sentencepiece; our tokenizers read tokenizer.json
    if (await source.exists(name)) tokenizerFiles[name] = await source.readText(name);
  }
  if (!tokenizerFiles['tokenizer.json'] && (await source.exists('tokenizer.model'))) {
    tokenizerFiles['tokenizer.json'] = JSON.stringify((await readTokenizerFiles(source)).tokenizerJSON);
  }
  return {
    spec,
    weights,
    tokenizerFiles,
    destroy: () => {
      for (const w of weights.values()) destroyTensor(w);
    },
  };
}

/**
 * Reads a PEFT adapter folder (adapter_config.json + adapter_model.safetensors), checked against
 * the base model it will be applied to: layers, every matrix's shape, rank, dtype, finite values.
 */
export async function loadAdapter(source: ModelSource, spec: ModelSpec, base?: string): Promise<ImportedAdapter> {
  const files = new Map<string, Uint8Array>();
  for (const name of [ADAPTER_CONFIG_FILE, ADAPTER_WEIGHTS_FILE]) {
    if (!(await source.exists(name))) continue; // importAdapter says what is missing
    const st = await source.open(name);
    files.set(name, await st.read(0, st.size));
  }
  try {
    return importAdapter(files, adapterExpectations(spec, base));
  } catch (err) {
    if (err instanceof AdapterFormatError) throw new AdapterFormatError(`${source.label}: ${err.message}`);
    throw err;
  }
}

/** The loaded model's own tokenizer (its tokenizer.json, or the one built from tokenizer.model). */
export function modelTokenizer(model: LoadedModel, label: string): PreTrainedTokenizer {
  const files = model.tokenizerFiles;
  if (!files['tokenizer.json']) {
    throw new TokenizerError(`${label}: no tokenizer.json nor tokenizer.model (the model needs its tokenizer files)`);
  }
  return tokenizerFromFiles({
    tokenizerJSON: JSON.parse(files['tokenizer.json']),
    tokenizerConfig: files['tokenizer_config.json'] ? JSON.parse(files['tokenizer_config.json']) : {},
  });
}
