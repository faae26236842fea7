// `npm run lint:lines`: every tracked source file has lines of at most 120 characters (the project's standard,
// HELPERS.md / issue 18). Prettier wraps code at 120 columns but never splits a string or a comment; this
// check catches what it leaves. `npm test` runs it in its format stage.
//
// Checked: TypeScript / JavaScript (.ts .tsx .mts .cts .js .mjs .cjs), Python (.py), WGSL (.wgsl), CSS,
// HTML and shell (.sh, and the extension-less .ci/run). Not checked: Markdown (prose, wrapped by its
// authors), JSON / JSONL / Jinja (data whose bytes are the ground truth), SVG and lock files.
// Length = Unicode code points, so a CJK or emoji character counts once (Prettier counts it twice, so
// a line Prettier fits in 120 columns always passes).
//
// A line that truly cannot be split (a URL, a fixture whose bytes are a test's ground truth, a string
// that must stay byte-exact and has no place to split) goes into ALLOW below with the reason; an entry
// that no longer matches a long line is itself reported, so the list cannot rot.
//
// Usage: npm run lint:lines -- [--report-only] [FILE...]   (default: every tracked file checked)
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const MAX_LINE = 120;

const CHECKED = /\.(ts|tsx|mts|cts|js|mjs|cjs|py|wgsl|css|html|sh)$/;
const CHECKED_NAMES = new Set(['.ci/run']);

/** A line allowed past MAX_LINE: its file (repository-relative), a substring of it, and why it cannot be split. */
export interface Allowed {
  path: string;
  contains: string;
  why: string;
}

export interface LongLine {
  line: number;
  length: number;
  text: string;
}

export interface Violation {
  path: string;
  line: number;
  length: number;
}

/** Keep this short: split strings, rewrap comments and break expressions first. */
export const ALLOW: Allowed[] = [];

/** Whether the checker reads this repository-relative path. */
export function isChecked(path: string): boolean {
  return CHECKED.test(path) || CHECKED_NAMES.has(path);
}

/** The 1-based line numbers and lengths (code points) of `text`'s lines longer than `max`. */
export function longLines(text: string, max = MAX_LINE): LongLine[] {
  const out: LongLine[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    // Code points, not UTF-16 units: '😀' is one character.
    const n = [...lines[i]].length;
    if (n > max) out.push({ line: i + 1, length: n, text: lines[i] });
  }
  return out;
}

/** How to shorten a line of this file, by its language. */
export function fixFor(path: string): string {
  if (path.endsWith('.py')) {
    return 'break it inside brackets (Python joins them), or split the string into adjacent literals';
  }
  if (path.endsWith('.wgsl')) return 'break the expression after an operator or a comma';
  if (/\.(css|html|sh)$/.test(path) || CHECKED_NAMES.has(path)) return 'break the line';
  return (
    'split the string into pieces joined with + (the value stays byte-identical), rewrap the comment, ' +
    'or break the expression; then npm run format'
  );
}

/**
 * Checks `files` (repository-relative paths) read through `read`: the long lines not in `allow`, and the
 * `allow` entries that match no long line (stale).
 */
export function check(
  files: string[],
  read: (path: string) => string,
  allow: Allowed[] = ALLOW,
  max = MAX_LINE,
): { violations: Violation[]; stale: Allowed[] } {
  const violations: Violation[] = [];
  const used = new Set<Allowed>();
  for (const path of files) {
    for (const l of longLines(read(path), max)) {
      const entry = allow.find((a) => a.path === path && l.text.includes(a.contains));
      if (entry) used.add(entry);
      else violations.push({ path, line: l.line, length: l.length });
    }
  }
  const checked = new Set(files);
  const stale = allow.filter((a) => !used.has(a) && checked.has(a.path));
  return { violations, stale };
}

/** The report's lines: one per violation (file:line: length, fix) and one per stale allow-list entry. */
export function report({ violations, stale }: ReturnType<typeof check>, max = MAX_LINE): string[] {
  const lines = violations.map((v) => `${v.path}:${v.line}: ${v.length} characters, over ${max}: ${fixFor(v.path)}`);
  for (const a of stale) {
    lines.push(
      `scripts/check-lines.ts: ALLOW entry for ${a.path} (${JSON.stringify(a.contains)}) matches no long line: ` +
        'remove it',
    );
  }
  return lines;
}

function trackedFiles(): string[] {
  return execFileSync('git', ['ls-files', '-z'], { encoding: 'utf8', maxBuffer: 64 << 20 })
    .split('\0')
    .filter((p) => p && isChecked(p));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const args = process.argv.slice(2);
  const reportOnly = args.includes('--report-only');
  const named = args.filter((a) => !a.startsWith('--'));
  const files = named.length ? named.filter(isChecked) : trackedFiles();
  const result = check(files, (p) => readFileSync(p, 'utf8'));
  for (const line of report(result)) console.log(line);
  const bad = result.violations.length + result.stale.length;
  console.log(
    bad
      ? `check-lines: ${result.violations.length} line(s) over ${MAX_LINE} characters in ${files.length} files` +
          (result.stale.length ? `, ${result.stale.length} stale ALLOW entries` : '') +
          (reportOnly ? ' (report only: not failing)' : '')
      : `check-lines: ${files.length} files, every line ≤ ${MAX_LINE} characters`,
  );
  process.exit(bad && !reportOnly ? 1 : 0);
}
