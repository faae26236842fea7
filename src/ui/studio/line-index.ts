// Where a file line's record sits in the page's results: they are in file order (lines ascending,
// line 0 = a file-level result first), so a binary search finds it without a 50,000-entry map
// rebuilt on every batch of a loading file.
import type { RecordResult } from '../../data/index.ts';

/** The index of the result of `line`, or -1 when no record has that line. */
export function indexOfLine(results: readonly Pick<RecordResult, 'line'>[], line: number): number {
  let lo = 0;
  let hi = results.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const l = results[mid]!.line;
    if (l === line) return mid;
    if (l < line) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

/** The index of the first result whose line is `line` or later (results.length when none). */
export function indexAtOrAfter(results: readonly Pick<RecordResult, 'line'>[], line: number): number {
  let lo = 0;
  let hi = results.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (results[mid]!.line < line) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
