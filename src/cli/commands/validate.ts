// `prism validate FILE [--json | --issues-jsonl]`: read a dataset through the same reader the
// studio uses and report every bad record. Memory stays flat whatever the file: issues are
// counted per code and only the first N of each are kept for the report; --issues-jsonl streams
// every one instead. Exit 0 whenever the file could be read, invalid records or not (the report
// is the result; scripts check `invalid` in the JSON); 1 when the file cannot be read.
import { open } from 'node:fs/promises';
import { once } from 'node:events';
import { Readable } from 'node:stream';
import {
  DEFAULT_MAX_ISSUES_PER_CODE,
  ISSUE_CODES,
  MAX_LINE_BYTES,
  summarizeDataset,
  type DatasetSummary,
  type Issue,
} from '../../data/index.ts';
import { optionalNumber, UsageError, type Command } from '../command.ts';

const help = `Usage: prism validate FILE [--json | --issues-jsonl] [--max-issues-per-code N]

Check a JSONL dataset (OpenAI/HF messages, ms-swift, sharegpt, alpaca, query/response)
and list every bad record with its line, code and field.

Options:
  --json                   print one JSON object and nothing else on stdout:
                           {records, valid, invalid, formats,
                            issues: [{line, severity, code, message, path?, column?}],
                            issue_counts: {code: n}, issues_truncated}
                           "issues" keeps the first N issues of each code (file order);
                           "issue_counts" counts them all; "issues_truncated" is true when
                           some were left out of "issues".
  --issues-jsonl           JSON Lines on stdout: every issue as one object
                           {line, severity, code, message, path?, column?}, in file order,
                           then one last line {"summary": {records, valid, invalid, formats,
                           issue_counts}}. Streams: memory stays flat on any file.
  --max-issues-per-code N  issues kept per code in "issues" and the readable report
                           (default ${DEFAULT_MAX_ISSUES_PER_CODE})

A line longer than ${MAX_LINE_BYTES / 2 ** 20} MiB is reported as line_too_long (with its length) and skipped.
Exit status: 0 when the file was read (even if records are invalid: see "invalid"),
1 when it cannot be read, 2 for a usage error.
Issue codes are listed in src/data/README.md.`;

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function describeIssue(i: Issue): string {
  const where = i.line === 0 ? 'file' : `line ${i.line}`;
  const field = i.path ? ` [${i.path}]` : '';
  return `${where.padStart(9)}  ${i.severity.padEnd(7)}  ${i.code}${field}: ${i.message}`;
}

export function formatSummary(file: string, s: DatasetSummary): string {
  const formats = Object.entries(s.formats)
    .map(([f, n]) => `${f} ${n}`)
    .join(', ');
  let errors = 0;
  let total = 0;
  for (const [code, n] of Object.entries(s.issue_counts)) {
    total += n;
    if (ISSUE_CODES[code as keyof typeof ISSUE_CODES]?.severity === 'error') errors += n;
  }
  const lines = [
    `${file}: ${plural(s.records, 'record')}, ${s.valid} valid, ${s.invalid} invalid`,
    `formats: ${formats || 'none'}`,
    `${plural(errors, 'error')}, ${plural(total - errors, 'warning')}`,
  ];
  if (s.issues.length > 0) lines.push('', ...s.issues.map(describeIssue));
  if (s.issues_truncated) {
    const kept = new Map<string, number>();
    for (const i of s.issues) kept.set(i.code, (kept.get(i.code) ?? 0) + 1);
    const more = Object.entries(s.issue_counts)
      .filter(([code, n]) => n > (kept.get(code) ?? 0))
      .map(([code, n]) => `${n - (kept.get(code) ?? 0)} more ${code}`);
    lines.push('', `... and ${more.join(', ')} (--issues-jsonl lists every issue)`);
  }
  return lines.join('\n');
}

/** Write to stdout, waiting when the pipe is full: a slow reader must not make us buffer the report. */
async function emit(text: string): Promise<void> {
  if (!process.stdout.write(text)) await once(process.stdout, 'drain');
}

export const validate: Command = {
  name: 'validate',
  summary: 'Check a JSONL dataset and list every bad record',
  help,
  options: {
    json: { type: 'boolean' },
    'issues-jsonl': { type: 'boolean' },
    'max-issues-per-code': { type: 'string' },
  },
  async run(args) {
    const file = args.positionals[0];
    if (!file) throw new UsageError('missing FILE');
    if (args.positionals.length > 1) throw new UsageError(`one FILE only, got ${args.positionals.length}`);
    const jsonl = !!args.values['issues-jsonl'];
    if (jsonl && args.values.json) throw new UsageError('--json and --issues-jsonl: choose one');
    const perCode = optionalNumber(args, 'max-issues-per-code') ?? DEFAULT_MAX_ISSUES_PER_CODE;
    if (!Number.isInteger(perCode) || perCode < 0)
      throw new UsageError(`--max-issues-per-code must be a whole number ≥ 0, got ${perCode}`);
    let summary: DatasetSummary;
    try {
      const handle = await open(file, 'r');
      try {
        const stream = Readable.toWeb(
          handle.createReadStream({ autoClose: false }),
        ) as unknown as ReadableStream<Uint8Array>;
        ({ summary } = await summarizeDataset(stream, {
          keepConversations: false,
          maxIssuesPerCode: jsonl ? 0 : perCode,
          onIssue: jsonl ? (issue) => emit(JSON.stringify(issue) + '\n') : undefined,
        }));
      } finally {
        await handle.close();
      }
    } catch (err) {
      process.stderr.write(`prism validate: cannot read ${file}: ${(err as Error).message}\n`);
      return 1;
    }
    if (jsonl) {
      const { issues: _kept, issues_truncated: _t, ...counts } = summary;
      await emit(JSON.stringify({ summary: counts }) + '\n');
    } else if (args.values.json) {
      await emit(JSON.stringify(summary) + '\n');
    } else {
      await emit(formatSummary(file, summary) + '\n');
    }
    return 0;
  },
};
