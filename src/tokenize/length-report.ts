// What max_length does to a dataset, before training: every record's full token length and where
// its trained tokens lie (measured once per model × template), then, for any max_length and
// truncation strategy, which records are dropped or truncated and how many trained tokens each
// keeps — so no record is ever dropped without being named — plus the length histogram and the
// max_length that covers a share of the records (presets take theirs from it).
//
// Truncation follows applyLength (length.ts): `delete` drops a record longer than max_length,
// `right` keeps its first max_length tokens, `left` its last.
import { IGNORE_INDEX, type Truncation } from './types.ts';

export interface RecordLength {
  /** 1-based line in the dataset file. */
  line: number;
  /** Tokens of the whole record (before truncation). */
  tokens: number;
  /** Trained tokens (label ≠ -100) of the whole record. */
  trained: number;
  /** Runs of trained tokens as [start, end) token index pairs, flattened. */
  spans: Int32Array;
}

/** A record the template refused (it never reaches the tokenizer). */
export interface Refusal {
  line: number;
  error: string;
}

export interface LengthFacts {
  lengths: RecordLength[];
  refused: Refusal[];
  /** Records the reader found an error in (never trained; the Dataset page shows them). */
  invalid?: { line: number; why: string }[];
}

export type LengthAction = 'invalid' | 'refused' | 'dropped' | 'truncated_left' | 'truncated_right' | 'nothing_trained';

/** A record that will not train as it is in the file, and why. */
export interface Flagged {
  line: number;
  action: LengthAction;
  /** null for a refused record. */
  tokens: number | null;
  trained: number | null;
  /** Trained tokens left after truncation (0 for dropped; null for refused). */
  trainedKept: number | null;
  why: string;
}

export interface LengthHistogram {
  /** counts[i] counts records with edges[i] ≤ tokens < edges[i + 1] (the last bin includes its end). */
  edges: number[];
  counts: number[];
}

export interface LengthReport {
  /** Records measured, refused and invalid. */
  records: number;
  /** Records that train whole. */
  whole: number;
  dropped: number;
  truncated: number;
  refused: number;
  invalid: number;
  /** Records that train but teach nothing: no trained token (left). */
  nothingTrained: number;
  /** Every record that does not train whole, in file order. */
  flagged: Flagged[];
  maxTokens: number;
}

/** The runs of trained tokens in `labels` as flattened [start, end) pairs. */
export function trainedSpans(labels: ArrayLike<number>): Int32Array {
  const out: number[] = [];
  let start = -1;
  for (let i = 0; i <= labels.length; i++) {
    const trained = i < labels.length && labels[i] !== IGNORE_INDEX;
    if (trained && start < 0) start = i;
    else if (!trained && start >= 0) {
      out.push(start, i);
      start = -1;
    }
  }
  return Int32Array.from(out);
}

/** Trained tokens within token positions [from, to). */
export function trainedWithin(spans: Int32Array, from: number, to: number): number {
  let n = 0;
  for (let i = 0; i < spans.length; i += 2) n += Math.max(0, Math.min(to, spans[i + 1]) - Math.max(from, spans[i]));
  return n;
}

export function lengthReport(
  facts: LengthFacts,
  opts: { max_length: number | null; truncation: Truncation },
): LengthReport {
  const max = opts.max_length;
  const flagged: Flagged[] = facts.refused.map((r) => ({
    line: r.line,
    action: 'refused' as const,
    tokens: null,
    trained: null,
    trainedKept: null,
    why: `the template refused it: ${r.error}`,
  }));
  for (const r of facts.invalid ?? []) {
    flagged.push({
      line: r.line,
      action: 'invalid',
      tokens: null,
      trained: null,
      trainedKept: null,
      why: `an invalid record: ${r.why}`,
    });
  }
  let dropped = 0;
  let truncated = 0;
  let nothingTrained = 0;
  let untrainedWhole = 0;
  let maxTokens = 0;
  for (const r of facts.lengths) {
    maxTokens = Math.max(maxTokens, r.tokens);
    const base = { line: r.line, tokens: r.tokens, trained: r.trained };
    if (max === null || r.tokens <= max) {
      if (r.trained === 0) {
        nothingTrained++;
        untrainedWhole++;
        flagged.push({
          ...base,
          action: 'nothing_trained',
          trainedKept: 0,
          why: 'no trained token: the loss policy trains none of its turns',
        });
      }
      continue;
    }
    if (opts.truncation === 'delete') {
      dropped++;
      flagged.push({
        ...base,
        action: 'dropped',
        trainedKept: 0,
        why: `${r.tokens} tokens, over max_length ${max}: dropped (truncation_strategy delete)`,
      });
      continue;
    }
    truncated++;
    const left = opts.truncation === 'left';
    const kept = left ? trainedWithin(r.spans, r.tokens - max, r.tokens) : trainedWithin(r.spans, 0, max);
    const part = left ? `the last ${max}` : `the first ${max}`;
    let why =
      `${r.tokens} tokens, over max_length ${max}: cut to ${part} (truncation_strategy ${opts.truncation}); ` +
      `${kept} of ${r.trained} trained tokens kept`;
    if (kept === 0 && r.trained > 0) {
      nothingTrained++;
      why += ' — nothing left to learn from';
    }
    flagged.push({ ...base, action: left ? 'truncated_left' : 'truncated_right', trainedKept: kept, why });
  }
  flagged.sort((a, b) => a.line - b.line);
  const invalid = facts.invalid?.length ?? 0;
  const records = facts.lengths.length + facts.refused.length + invalid;
  const whole = facts.lengths.length - dropped - truncated - untrainedWhole;
  return {
    records,
    whole,
    dropped,
    truncated,
    refused: facts.refused.length,
    invalid,
    nothingTrained,
    flagged,
    maxTokens,
  };
}

/** `bins` equal bins from 0 to the longer of the longest record and `atLeast` (max_length, to show it). */
export function lengthHistogram(tokens: readonly number[], atLeast = 0, bins = 24): LengthHistogram {
  const top = Math.max(1, atLeast, ...tokens);
  // A round bin width (1, 2, 5 × 10^k) so the edges read well.
  const raw = top / bins;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const width = [1, 2, 5, 10].map((m) => m * mag).find((w) => w >= raw)!;
  const n = Math.max(1, Math.ceil(top / width));
  const edges = Array.from({ length: n + 1 }, (_, i) => i * width);
  const counts = new Array<number>(n).fill(0);
  for (const t of tokens) counts[Math.min(n - 1, Math.floor(t / width))]++;
  return { edges, counts };
}

/**
 * The smallest max_length, a multiple of `step` (at least `min`), under which at least `coverage`
 * of the records fit whole; never above `cap` (what the model and the GPU plan allow). `covered`
 * is the share that fits at the length returned.
 */
export function coveringLength(
  tokens: readonly number[],
  opts: { coverage: number; step?: number; min?: number; cap?: number },
): { maxLength: number; covered: number } {
  const step = opts.step ?? 64;
  const min = opts.min ?? step;
  const cap = Math.max(min, Math.floor((opts.cap ?? Infinity) / step) * step || min);
  if (!tokens.length) return { maxLength: min, covered: 1 };
  const sorted = [...tokens].sort((a, b) => a - b);
  const need = sorted[Math.max(0, Math.ceil(opts.coverage * sorted.length) - 1)];
  const maxLength = Math.min(cap, Math.max(min, Math.ceil(need / step) * step));
  let fit = 0;
  while (fit < sorted.length && sorted[fit] <= maxLength) fit++;
  return { maxLength, covered: fit / sorted.length };
}
