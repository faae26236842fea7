import { describe, expect, it } from 'vitest';
import { indexAtOrAfter, indexOfLine } from './line-index.ts';

describe('indexOfLine', () => {
  it('finds every line as a linear search does, and -1 for blank or missing lines', () => {
    // Blank lines are skipped by the reader, so lines have gaps; line 0 is the file-level result.
    const lines = [0, 1, 2, 4, 7, 8, 9, 13, 20];
    const results = lines.map((line) => ({ line }));
    for (let line = -1; line <= 22; line++)
      expect(indexOfLine(results, line)).toBe(results.findIndex((r) => r.line === line));
    expect(indexOfLine([], 3)).toBe(-1);
  });

  it('finds the first result at or after a line, as a linear search does', () => {
    const results = [0, 1, 2, 4, 7, 8, 9, 13, 20].map((line) => ({ line }));
    for (let line = -1; line <= 22; line++) {
      const linear = results.findIndex((r) => r.line >= line);
      expect(indexAtOrAfter(results, line)).toBe(linear < 0 ? results.length : linear);
    }
  });
});
