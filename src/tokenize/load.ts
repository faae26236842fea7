// Tokenizer loading through @huggingface/transformers. Core code takes the two JSON objects of a
// Hugging Face tokenizer (tokenizer.json, tokenizer_config.json): the browser fetches them from the
// Hub or reads a folder the user picks, the CLI reads a folder (src/cli/tokenizer-files.ts).
import { AutoTokenizer, PreTrainedTokenizer } from '@huggingface/transformers';
import { hubModelSource } from '../model/sources/model-source.ts';
import { TokenizerError } from './error.ts';
import { readTokenizerFiles } from './files.ts';

export { TokenizerError };

/** The two files that define a tokenizer, parsed. Plain JSON: they cross worker boundaries. */
export interface TokenizerFiles {
  tokenizerJSON: Record<string, unknown>;
  tokenizerConfig: Record<string, unknown>;
}

/**
 * Every transformers.js tokenizer class encodes through the same `Tokenizer` core; the subclasses
 * only change padding side or token_type_ids, which training rows do not use.
 */
export function tokenizerFromFiles(files: TokenizerFiles): PreTrainedTokenizer {
  if (!files.tokenizerJSON || typeof files.tokenizerJSON !== 'object' || !('model' in files.tokenizerJSON)) {
    throw new TokenizerError('tokenizer.json has no "model": not a Hugging Face fast tokenizer file');
  }
  let tokenizer: PreTrainedTokenizer;
  try {
    tokenizer = new PreTrainedTokenizer(files.tokenizerJSON, files.tokenizerConfig ?? {});
  } catch (err) {
    throw new TokenizerError(`tokenizer.json could not be loaded (${(err as Error).message})`);
  }
  const model = files.tokenizerJSON.model as { type?: unknown; byte_fallback?: unknown };
  if (model.type === 'Unigram' && model.byte_fallback === true) unigramByteFallback(tokenizer);
  return tokenizer;
}

interface ModelInternals {
  _call(tokens: string[]): string[];
  tokens_to_ids: Map<string, number>;
}

/**
 * transformers.js's Unigram model ignores `byte_fallback`; Hugging Face tokenizers' (unigram/model.rs
 * `tokenize`) turns each piece outside the vocabulary (consecutive unknown characters fused) into
 * its UTF-8 bytes' `<0xNN>` pieces when all exist, and SentencePiece does the same. Added here.
 */
function unigramByteFallback(tokenizer: PreTrainedTokenizer): void {
  const model = (tokenizer._tokenizer as unknown as { model: ModelInternals }).model;
  const inner = model._call.bind(model);
  const utf8 = new TextEncoder();
  const hex = (b: number) => `<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`;
  model._call = (tokens) =>
    inner(tokens).flatMap((t) => {
      if (model.tokens_to_ids.has(t)) return [t];
      const bytes = Array.from(utf8.encode(t), hex);
      return bytes.every((b) => model.tokens_to_ids.has(b)) ? bytes : [t];
    });
}

/**
 * A Hub model id (cached by the browser's Cache API through transformers.js). A repo that ships
 * only tokenizer.model (InternLM2) is read directly and converted (files.ts).
 */
export async function tokenizerFromHub(
  modelId: string,
): Promise<{ tokenizer: PreTrainedTokenizer; files: TokenizerFiles }> {
  try {
    const tokenizer = await AutoTokenizer.from_pretrained(modelId);
    return { tokenizer, files: filesOf(tokenizer) };
  } catch (err) {
    const source = hubModelSource({ repo: modelId });
    const onlyModel = await source.exists('tokenizer.json').then(
      async (json) => !json && (await source.exists('tokenizer.model')),
      () => false,
    );
    if (!onlyModel) throw err;
    const files = await readTokenizerFiles(source);
    return { tokenizer: tokenizerFromFiles(files), files };
  }
}

/** The JSON a loaded tokenizer was built from, to hand to workers. */
export function filesOf(tokenizer: PreTrainedTokenizer): TokenizerFiles {
  return { tokenizerJSON: tokenizer._tokenizerJSON, tokenizerConfig: tokenizer._tokenizerConfig };
}
