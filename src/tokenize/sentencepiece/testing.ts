// Test helper: SentencePiece models trained by SentencePiece itself (spm_reference.py through
// Debian's /usr/bin/python3 with python3-sentencepiece), with the slow tokenizer's ids of texts.
// Missing Python or SentencePiece fails loudly: a ground-truth test never skips.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const PYTHON = '/usr/bin/python3';
const SCRIPT = join(import.meta.dirname, 'spm_reference.py');

export interface Reference {
  /** The trained tokenizer.model. */
  path: string;
  /** [piece, score, kind] per id, as SentencePiece reports them. */
  pieces: [string, number, string][];
  ids: { unk: number; bos: number; eos: number; pad: number };
  /** Per text: the slow tokenizer's ids (split on the added tokens, the rest sp_model.encode'd). */
  encoded: number[][];
  /** Per text: sp.decode(sp.encode(text)). */
  decoded: string[];
  /** Per text, when asked: LlamaTokenizer(legacy=False)'s ids (spm_reference.py slow_encode_nonlegacy). */
  nonlegacy?: number[][];
}

export interface ReferenceRequest {
  models: { name: string; train: Record<string, unknown>; nonlegacy?: boolean }[];
  texts: string[];
  /** Per model: the slow tokenizer's added tokens, content → id (null: the model's own piece). */
  added: Record<string, Record<string, number | null>>;
}

export const COMMON_TRAINING = {
  vocab_size: 1000,
  byte_fallback: true,
  normalization_rule_name: 'identity',
  remove_extra_whitespaces: false,
  split_digits: true,
  allow_whitespace_only_pieces: true,
  character_coverage: 0.999,
};

export function sentencePieceReference(req: ReferenceRequest): Record<string, Reference> {
  if (!existsSync(PYTHON)) throw new Error(`${PYTHON} not found: apt-get install python3 python3-sentencepiece`);
  const dir = mkdtempSync(join(tmpdir(), 'prism-spm-'));
  const res = spawnSync(PYTHON, [SCRIPT], {
    input: JSON.stringify({ dir, ...req }),
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  if (res.status !== 0) {
    throw new Error(
      `${PYTHON} ${SCRIPT} failed (needs SentencePiece: apt-get install python3-sentencepiece):\n${res.stderr}`,
    );
  }
  return JSON.parse(res.stdout) as Record<string, Reference>;
}
