// The tokenizer error class, apart from load.ts so that readers which never build a tokenizer
// (files.ts, the SentencePiece reader) do not pull in transformers.js.

/** A tokenizer's files are missing or not a Hugging Face fast tokenizer (message names the file). */
export class TokenizerError extends Error {
  override name = 'TokenizerError';
}
