// `prism validate FILE [--json]`: read a dataset through the same reader the studio uses and
// report every bad record. Exit 0 whenever the file could be read, invalid records or not (the
// report is the result; scripts check `invalid` in the JSON); 1 when the file cannot be read.
import { open } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { summarizeDataset, type DatasetSummary, type Issue } from '../../data/index.ts';
import { UsageError, type Command } from '../command.ts';

const help = `Usage: prism validate FILE [--json]

Check a JSONL dataset (OpenAI/HF messages, ms-swift, sharegpt, alpaca, query/response)
and list every bad record with its line, code and field.

Options:
  --json   print one JSON object and nothing else on stdout:
           {records, valid, invalid, formats, issues: [{line, severity, code, message, path?, column?}]}

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
  const errors = s.issues.filter((i) => i.severity === 'error').length;
  const lines = [
    `${file}: ${plural(s.records, 'record')}, ${s.valid} valid, ${s.invalid} invalid`,
    `formats: ${formats || 'none'}`,
    `${plural(errors, 'error')}, ${plural(s.issues.length - errors, 'warning')}`,
  ];
  if (s.issues.length > 0) lines.push('', ...s.issues.map(describeIssue));
  return lines.join('\n');
}

export const validate: Command = {
  name: 'validate',
  summary: 'Check a JSONL dataset and list every bad record',
  help,
  options: { json: { type: 'boolean' } },
  async run(args) {
    const file = args.positionals[0];
    if (!file) throw new UsageError('missing FILE');
    if (args.positionals.length > 1) throw new UsageError(`one FILE only, got ${args.positionals.length}`);
    let summary: DatasetSummary;
    try {
      const handle = await open(file, 'r');
      try {
        const stream = Readable.toWeb(handle.createReadStream({ autoClose: false })) as unknown as ReadableStream<Uint8Array>;
        ({ summary } = await summarizeDataset(stream, { keepConversations: false }));
      } finally {
        await handle.close();
      }
    } catch (err) {
      process.stderr.write(`prism validate: cannot read ${file}: ${(err as Error).message}\n`);
      return 1;
    }
    if (args.values.json) {
      process.stdout.write(JSON.stringify(summary) + '\n');
    } else {
      process.stdout.write(formatSummary(file, summary) + '\n');
    }
    return 0;
  },
};
