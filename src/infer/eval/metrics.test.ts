// Exact match and token F1 worked by hand from the SQuAD v1.1 script's definition; ROUGE-L worked
// by hand (Lin 2004's own examples) and checked against an independent implementation, js-rouge
// (its summary-level union-LCS ROUGE-L, which is the plain LCS F-measure for one sentence).
import { describe, expect, it } from 'vitest';
import { l as jsRougeL } from 'js-rouge';
import { answerTokens, exactMatch, lcsLength, normalizeAnswer, rougeL, rougeTokens, tokenF1 } from './metrics.ts';

describe('SQuAD normalization, exact match and token F1', () => {
  it('normalizes as normalize_answer: lowercase, no punctuation, no articles, single spaces', () => {
    expect(normalizeAnswer('  The Cat,  sat!  ')).toBe('cat sat');
    // Punctuation goes before articles are looked for: "the-end" is one word, not an article.
    expect(normalizeAnswer('the-end of An era')).toBe('theend of era');
    // Articles inside words stay.
    expect(normalizeAnswer('Theatre and anthem')).toBe('theatre and anthem');
    expect(exactMatch('The Cat!', 'cat')).toBe(1);
    expect(exactMatch('a cat', 'cats')).toBe(0);
  });

  it('scores token F1 over the tokens in common (hand-worked)', () => {
    // prediction [cat sat on mat], reference [cat sat]: 2 in common, P = 1/2, R = 1, F1 = 2/3.
    expect(tokenF1('the cat sat on the mat', 'a cat sat')).toBeCloseTo(2 / 3, 12);
    // Repeats count as often as both sides have them: "cat" ×3 vs ×1 → 1 in common, P = 1/3, R = 1/2, F1 = 0.4.
    expect(tokenF1('cat cat cat', 'cat dog')).toBeCloseTo(0.4, 12);
    expect(tokenF1('dog', 'cat')).toBe(0);
    expect(tokenF1('', 'cat')).toBe(0);
    expect(tokenF1('Paris.', 'paris')).toBe(1);
  });

  it('counts each CJK character as a token (and drops CJK punctuation)', () => {
    expect(answerTokens('我喜欢猫。')).toEqual(['我', '喜', '欢', '猫']);
    // [我 喜 欢 猫] vs [我 喜 欢 狗]: 3 in common, P = R = 3/4.
    expect(tokenF1('我喜欢猫。', '我喜欢狗')).toBeCloseTo(0.75, 12);
    expect(answerTokens('GPU 是图形处理器')).toEqual(['gpu', '是', '图', '形', '处', '理', '器']);
  });
});

describe('ROUGE-L', () => {
  it('tokenizes as rouge-score: lowercase, split at every non-alphanumeric', () => {
    expect(rougeTokens("Hello, World! It's 2024.")).toEqual(['hello', 'world', 'it', 's', '2024']);
    expect(rougeTokens('état—café')).toEqual(['état', 'café']);
  });

  it("gives Lin (2004)'s worked examples", () => {
    // Reference "police killed the gunman": "police kill the gunman" shares 3 of 4 in order,
    // "the gunman kill police" only "the gunman" (2 of 4).
    expect(rougeL('police kill the gunman', 'police killed the gunman').fmeasure).toBeCloseTo(3 / 4, 12);
    expect(rougeL('the gunman kill police', 'police killed the gunman').fmeasure).toBeCloseTo(2 / 4, 12);
  });

  it('computes P, R and F from the LCS (hand-worked)', () => {
    // prediction a b c d e, reference a c e: LCS 3, P = 3/5, R = 1, F = 2·0.6/1.6 = 0.75.
    expect(lcsLength(['a', 'c', 'e'], ['a', 'b', 'c', 'd', 'e'])).toBe(3);
    const s = rougeL('a b c d e', 'a c e');
    expect(s.precision).toBeCloseTo(0.6, 12);
    expect(s.recall).toBe(1);
    expect(s.fmeasure).toBeCloseTo(0.75, 12);
    expect(rougeL('', 'a').fmeasure).toBe(0);
    expect(rougeL('x y', 'a b').fmeasure).toBe(0);
  });

  it('agrees with js-rouge on varied sentence pairs', () => {
    const pairs: [string, string][] = [
      ['the quick brown fox jumps over the lazy dog', 'a quick brown dog jumps over the lazy fox'],
      ['Call get_weather with city Paris', 'I will call get_weather for the city of Paris today'],
      ['one two three four five six', 'six five four three two one'],
      ['the the the cat', 'the cat the hat the bat'],
      ['我喜欢吃苹果和香蕉', '他喜欢吃香蕉'],
      ['To reset your password, open Settings, then Account, then Reset.', 'Open Settings > Account > Reset password.'],
    ];
    for (const [pred, ref] of pairs) {
      const ours = rougeL(pred, ref).fmeasure;
      // One "sentence" each, our tokens: what differs is the LCS and F-measure code.
      const theirs = jsRougeL(pred, ref, { beta: 1, segmenter: (s: string) => [s], tokenizer: rougeTokens });
      expect(ours, `${pred} | ${ref}`).toBeCloseTo(theirs, 12);
      expect(ours).toBeGreaterThan(0);
    }
  });
});
