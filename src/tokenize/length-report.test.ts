// Expected values are worked out by hand from the definitions (applyLength's truncation rules).
import { describe, expect, it } from 'vitest';
import {
  coveringLength,
  lengthHistogram,
  lengthReport,
  trainedSpans,
  trainedWithin,
  type LengthFacts,
} from './length-report.ts';

const X = -100;

describe('trained spans', () => {
  it('finds every run of trained labels', () => {
    expect([...trainedSpans([X, X, 5, 6, X, 7, X, X, 8, 9])]).toEqual([2, 4, 5, 6, 8, 10]);
    expect([...trainedSpans([1, 2])]).toEqual([0, 2]);
    expect([...trainedSpans([X, X])]).toEqual([]);
  });
  it('counts trained tokens inside a window', () => {
    const s = trainedSpans([X, X, 5, 6, X, 7, X, X, 8, 9]);
    expect(trainedWithin(s, 0, 10)).toBe(5);
    expect(trainedWithin(s, 0, 4)).toBe(2);
    expect(trainedWithin(s, 3, 9)).toBe(3);
    expect(trainedWithin(s, 6, 8)).toBe(0);
  });
});

// Line 1: 100 tokens, trained 60..100. Line 2: 300 tokens, trained 10..40 and 250..300.
// Line 3: 50 tokens, nothing trained. Line 4 refused. Line 5: 500 tokens, trained 0..20.
const facts: LengthFacts = {
  lengths: [
    { line: 1, tokens: 100, trained: 40, spans: Int32Array.from([60, 100]) },
    { line: 2, tokens: 300, trained: 80, spans: Int32Array.from([10, 40, 250, 300]) },
    { line: 3, tokens: 50, trained: 0, spans: new Int32Array() },
    { line: 5, tokens: 500, trained: 20, spans: Int32Array.from([0, 20]) },
  ],
  refused: [{ line: 4, error: 'a tool call without tools' }],
  invalid: [{ line: 6, why: 'invalid_json: invalid JSON at column 3' }],
};

describe('length report', () => {
  it('delete: names every dropped record with its tokens', () => {
    const r = lengthReport(facts, { max_length: 256, truncation: 'delete' });
    expect(r.flagged.map((f) => [f.line, f.action, f.tokens, f.trainedKept])).toEqual([
      [2, 'dropped', 300, 0],
      [3, 'nothing_trained', 50, 0],
      [4, 'refused', null, null],
      [5, 'dropped', 500, 0],
      [6, 'invalid', null, null],
    ]);
    expect(r.flagged[0].why).toBe('300 tokens, over max_length 256: dropped (truncation_strategy delete)');
    expect(r.flagged[2].why).toMatch(/refused it: a tool call without tools/);
    expect([r.records, r.whole, r.dropped, r.truncated, r.refused, r.invalid, r.nothingTrained, r.maxTokens]).toEqual([
      6, 1, 2, 0, 1, 1, 1, 500,
    ]);
  });
  it('right: keeps the first max_length tokens and counts the trained ones left', () => {
    const r = lengthReport(facts, { max_length: 256, truncation: 'right' });
    const two = r.flagged.find((f) => f.line === 2)!;
    expect([two.action, two.trainedKept]).toEqual(['truncated_right', 36]); // 30 + 6 (250..256)
    const five = r.flagged.find((f) => f.line === 5)!;
    expect([five.action, five.trainedKept]).toEqual(['truncated_right', 20]);
    expect([r.whole, r.truncated, r.dropped]).toEqual([1, 2, 0]);
  });
  it('left: keeps the last max_length tokens; a record left with nothing trained says so', () => {
    const r = lengthReport(facts, { max_length: 256, truncation: 'left' });
    expect(r.flagged.find((f) => f.line === 2)!.trainedKept).toBe(50 + 0); // window 44..300: 250..300
    const five = r.flagged.find((f) => f.line === 5)!;
    expect(five.trainedKept).toBe(0); // window 244..500 misses 0..20
    expect(five.why).toMatch(/nothing left to learn from$/);
    expect(r.nothingTrained).toBe(2);
  });
  it('no max_length: only refusals and untrained records are flagged', () => {
    const r = lengthReport(facts, { max_length: null, truncation: 'delete' });
    expect(r.flagged.map((f) => f.line)).toEqual([3, 4, 6]);
  });
});

describe('covering length', () => {
  const tokens = [100, 120, 130, 200, 210, 300, 310, 320, 900, 5000];
  it('the smallest multiple of the step that fits the share', () => {
    expect(coveringLength(tokens, { coverage: 0.8 })).toEqual({ maxLength: 320, covered: 0.8 });
    expect(coveringLength(tokens, { coverage: 0.9 })).toEqual({ maxLength: 960, covered: 0.9 });
    expect(coveringLength(tokens, { coverage: 1 })).toEqual({ maxLength: 5056, covered: 1 });
  });
  it('never above the cap, and says how much fits there', () => {
    expect(coveringLength(tokens, { coverage: 1, cap: 1000 })).toEqual({ maxLength: 960, covered: 0.9 });
    expect(coveringLength(tokens, { coverage: 0.99, cap: 250 })).toEqual({ maxLength: 192, covered: 0.3 });
  });
  it('at least the minimum', () => {
    expect(coveringLength([3, 5], { coverage: 1, min: 64 })).toEqual({ maxLength: 64, covered: 1 });
  });
});

describe('length histogram', () => {
  it('round bins from 0 past the longest record or max_length', () => {
    const h = lengthHistogram([0, 9, 10, 95, 100], 0, 10);
    expect(h.edges).toEqual([0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100]);
    expect(h.counts).toEqual([2, 1, 0, 0, 0, 0, 0, 0, 0, 2]);
    expect(lengthHistogram([30], 256, 10).edges.at(-1)).toBe(300);
  });
});
