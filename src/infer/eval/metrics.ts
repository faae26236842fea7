// Text metrics of a generated reply against a reference answer, as the usual evaluation scripts
// define them:
//   - exact match and token F1: the SQuAD v1.1 evaluation script (`normalize_answer`: lowercase,
//     drop punctuation, drop the articles a/an/the, collapse whitespace; F1 over the multiset of
//     tokens in common), which Hugging Face `evaluate`'s squad metric runs unchanged;
//   - ROUGE-L: Google's rouge-score (`rouge_scorer`, the package `evaluate`'s rouge metric wraps),
//     F-measure of the longest common subsequence of tokens (P = LCS/|prediction|,
//     R = LCS/|reference|, F = 2PR/(P+R)), tokens lowercased and split at every character that is
//     not a letter or digit, no stemming (its default).
// One extension to both, for text without spaces between words: every CJK character (Han, kana,
// Hangul) is a token of its own, as the CMRC 2018 and DuReader scripts count Chinese characters.
// On text without CJK characters the results are those of the scripts above.

const ARTICLES = /(?<![\p{L}\p{N}_])(?:a|an|the)(?![\p{L}\p{N}_])/gu;
/** Python's string.punctuation, and Unicode punctuation (，。「」 …), which CJK text uses instead. */
const PUNCTUATION = /[!"#$%&'()*+,\-./:;<=>?@[\\\]^_`{|}~]|\p{P}/gu;
const CJK = /(\p{Script=Han}|\p{Script=Hiragana}|\p{Script=Katakana}|\p{Script=Hangul})/u;

/** Splits text at whitespace, with every CJK character a token of its own. */
function words(text: string): string[] {
  return text
    .split(/\s+/u)
    .flatMap((w) => w.split(CJK))
    .filter((t) => t.length > 0);
}

/** SQuAD's `normalize_answer`. */
export function normalizeAnswer(s: string): string {
  const noPunct = s.toLowerCase().replace(PUNCTUATION, '');
  return words(noPunct.replace(ARTICLES, ' ')).join(' ');
}

/** SQuAD's answer tokens: the normalized answer split at whitespace (CJK characters one each). */
export function answerTokens(s: string): string[] {
  return words(normalizeAnswer(s));
}

/** 1 when the normalized prediction equals the normalized reference, else 0. */
export function exactMatch(prediction: string, reference: string): number {
  return normalizeAnswer(prediction) === normalizeAnswer(reference) ? 1 : 0;
}

/** SQuAD's `f1_score`: harmonic mean of token precision and recall over the tokens in common. */
export function tokenF1(prediction: string, reference: string): number {
  const p = answerTokens(prediction);
  const r = answerTokens(reference);
  // The script: no tokens in common (including either side empty) scores 0.
  const counts = new Map<string, number>();
  for (const t of r) counts.set(t, (counts.get(t) ?? 0) + 1);
  let same = 0;
  for (const t of p) {
    const n = counts.get(t) ?? 0;
    if (n > 0) {
      same++;
      counts.set(t, n - 1);
    }
  }
  if (same === 0) return 0;
  const precision = same / p.length;
  const recall = same / r.length;
  return (2 * precision * recall) / (precision + recall);
}

/** rouge-score's default tokenizer (lowercase, split at non-alphanumerics), letters of any script. */
export function rougeTokens(s: string): string[] {
  return words(s.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, ' '));
}

/** Length of the longest common subsequence (dynamic programming, two rows). */
export function lcsLength(a: readonly string[], b: readonly string[]): number {
  let prev = new Uint32Array(b.length + 1);
  let cur = new Uint32Array(b.length + 1);
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      cur[j] = a[i - 1] === b[j - 1] ? prev[j - 1] + 1 : Math.max(prev[j], cur[j - 1]);
    }
    [prev, cur] = [cur, prev];
  }
  return prev[b.length];
}

export interface RougeScore {
  precision: number;
  recall: number;
  fmeasure: number;
}

/** rouge-score's `rougeL` (`_score_lcs`): an empty side scores 0. */
export function rougeL(prediction: string, reference: string): RougeScore {
  const p = rougeTokens(prediction);
  const r = rougeTokens(reference);
  if (!p.length || !r.length) return { precision: 0, recall: 0, fmeasure: 0 };
  const lcs = lcsLength(r, p);
  const precision = lcs / p.length;
  const recall = lcs / r.length;
  const fmeasure = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
  return { precision, recall, fmeasure };
}

export interface TextScores {
  exact_match: number;
  token_f1: number;
  rouge_l: number;
}

export function textScores(prediction: string, reference: string): TextScores {
  return {
    exact_match: exactMatch(prediction, reference),
    token_f1: tokenF1(prediction, reference),
    rouge_l: rougeL(prediction, reference).fmeasure,
  };
}
