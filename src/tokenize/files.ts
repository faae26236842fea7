// A model folder's tokenizer files (any ModelSource: a folder on disk, a picked folder, the Hub),
// as the two JSON objects a tokenizer is built from. tokenizer.json when the folder has it; else
// tokenizer.model (SentencePiece: InternLM2, early Llama repos), converted the way transformers
// builds the fast tokenizer from the slow one (sentencepiece/convert.ts), steered by
// tokenizer_config.json (tokenizer_class, legacy, add_bos_token, added_tokens_decoder, ...).
import type { ModelSource } from '../model/types.ts';
import { TokenizerError } from './error.ts';
import type { TokenizerFiles } from './load.ts';
import { tokenizerJSONFromSentencePiece } from './sentencepiece/convert.ts';

export type TokenizerSource = Pick<ModelSource, 'label' | 'exists' | 'readText' | 'open'>;

async function readJson(source: TokenizerSource, name: string): Promise<Record<string, unknown>> {
  const text = await source.readText(name);
  try {
    const v = JSON.parse(text) as unknown;
    if (!v || typeof v !== 'object' || Array.isArray(v)) throw new Error('not a JSON object');
    return v as Record<string, unknown>;
  } catch (err) {
    throw new TokenizerError(`${source.label}/${name}: ${(err as Error).message}`);
  }
}

/** tokenizer_config.json ({} when absent) and tokenizer.json, or one built from tokenizer.model. */
export async function readTokenizerFiles(source: TokenizerSource): Promise<TokenizerFiles> {
  const tokenizerConfig = (await source.exists('tokenizer_config.json'))
    ? await readJson(source, 'tokenizer_config.json')
    : {};
  if (await source.exists('tokenizer.json')) {
    return { tokenizerJSON: await readJson(source, 'tokenizer.json'), tokenizerConfig };
  }
  if (!(await source.exists('tokenizer.model'))) {
    throw new TokenizerError(
      `${source.label}: no tokenizer.json (nor a SentencePiece tokenizer.model): ` +
        'the model folder needs its tokenizer files',
    );
  }
  const file = await source.open('tokenizer.model');
  const bytes = await file.read(0, file.size);
  const label = `${source.label}/tokenizer.model`;
  return { tokenizerJSON: tokenizerJSONFromSentencePiece(bytes, tokenizerConfig, { label }), tokenizerConfig };
}
