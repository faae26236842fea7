// The dataset reader: a JSONL byte stream → one result per record, as it streams.
import { makeIssue } from './codes.ts';
import { deeperThan, MAX_JSON_DEPTH } from './depth.ts';
import { findJsonError } from './json-error.ts';
import { isBlank, MAX_LINE_BYTES, readLines, type ReadOptions } from './lines.ts';
import { normalizeRecord, type NormalizeOptions } from './normalize.ts';
import { parseJsonPy } from './py-json.ts';
import type { Conversation, Issue, SourceFormat } from './types.ts';
import { BIDI_CONTROLS, codePointLabel, findHidden, type HiddenFind } from './unicode.ts';
import { decodeUtf8, firstInvalidUtf8 } from './utf8.ts';

export interface DatasetReadOptions extends ReadOptions, NormalizeOptions {}

export interface RecordResult {
  /** 1-based line of the record; 0 only for the file-level `empty_file` result. */
  line: number;
  /** Absent when the record has an error. */
  conversation?: Conversation;
  issues: Issue[];
  /** The detected format, also for invalid records when it could be told. */
  format?: SourceFormat;
}

const mib = (n: number) => `${(n / 2 ** 20).toFixed(1)} MiB`;

function lineTooLong(line: number, length: number, limit: number) {
  return makeIssue(
    'line_too_long',
    line,
    `the line is ${length} bytes (${mib(length)}), over the ${mib(limit)} limit for one record; it was skipped: ` +
      `split or shorten the record`,
  );
}

/** One warning per kind per line: the first field, and how many more hold one. */
function hiddenIssues(finds: HiddenFind[], line: number): Issue[] {
  const out: Issue[] = [];
  for (const kind of ['bidi', 'surrogate'] as const) {
    const all = finds.filter((f) => f.kind === kind);
    if (all.length === 0) continue;
    const f = all[0];
    const more =
      all.length > 1
        ? `; ${all.length - 1} more field${all.length > 2 ? 's' : ''} (${all
            .slice(1, 4)
            .map((x) => x.path)
            .join(', ')}${all.length > 4 ? ', …' : ''}) too`
        : '';
    const at = `${f.path} has ${codePointLabel(f.code)}`;
    if (kind === 'bidi') {
      const why =
        'a bidirectional control: the text around it displays in another order than it is stored and read by the model';
      out.push(
        makeIssue('bidi_control', line, `${at} (${BIDI_CONTROLS[f.code]}) at character ${f.index + 1}, ${why}${more}`, {
          path: f.path,
        }),
      );
    } else {
      const why =
        'a lone surrogate (half of a UTF-16 pair, e.g. a cut emoji): not Unicode text, UTF-8 cannot encode it ' +
        '(Python raises UnicodeEncodeError, JavaScript writes U+FFFD)';
      out.push(makeIssue('lone_surrogate', line, `${at} at character ${f.index + 1}, ${why}${more}`, { path: f.path }));
    }
  }
  return out;
}

/** One non-blank line's bytes → its record. */
export function parseLine(bytes: Uint8Array, line: number, opts: NormalizeOptions = {}): RecordResult {
  const text = decodeUtf8(bytes);
  if (text === null) {
    const at = firstInvalidUtf8(bytes);
    const b = bytes[at]?.toString(16).toUpperCase().padStart(2, '0');
    const where = at >= 0 ? `: byte 0x${b} at byte offset ${at} of the line` : '';
    return {
      line,
      issues: [makeIssue('invalid_utf8', line, `the line is not valid UTF-8${where}; save the file as UTF-8`)],
    };
  }
  // Before parsing: nothing downstream (nor some engines' JSON.parse) has to walk absurd nesting.
  const deep = deeperThan(text);
  if (deep >= 0) {
    const message =
      `the record nests JSON more than ${MAX_JSON_DEPTH} levels deep (level ${MAX_JSON_DEPTH + 1} ` +
      `opens at column ${deep + 1}); flatten it`;
    return { line, issues: [makeIssue('too_deep', line, message, { column: deep + 1 })] };
  }
  let value: unknown;
  try {
    value = parseJsonPy(text);
  } catch (err) {
    const found = findJsonError(text);
    const message = found ? found.message : (err as Error).message;
    const column = found ? found.index + 1 : undefined;
    const where = column !== undefined ? ` at column ${column}` : '';
    return { line, issues: [makeIssue('invalid_json', line, `invalid JSON${where}: ${message}`, { column })] };
  }
  const r = normalizeRecord(value, line, opts);
  const result: RecordResult = { line, issues: [...r.issues, ...hiddenIssues(findHidden(value, text), line)] };
  if (r.conversation) result.conversation = r.conversation;
  if (r.format) result.format = r.format;
  return result;
}

/**
 * Every record of a JSONL file, in order, as the bytes stream in. Blank lines are skipped (they
 * are not records). A file with no record yields one result with line 0 and the `empty_file`
 * issue: a file-level result, not a record. Stops with the signal's reason when aborted.
 */
export async function* readDataset(
  source: Blob | ReadableStream<Uint8Array>,
  opts: DatasetReadOptions = {},
): AsyncGenerator<RecordResult> {
  let records = 0;
  const limit = opts.maxLineBytes ?? MAX_LINE_BYTES;
  for await (const { line, bytes, tooLong } of readLines(source, opts)) {
    if (tooLong !== undefined) {
      records++;
      yield { line, issues: [lineTooLong(line, tooLong, limit)] };
      continue;
    }
    if (isBlank(bytes)) continue;
    records++;
    yield parseLine(bytes, line, opts);
  }
  if (records === 0) {
    yield {
      line: 0,
      issues: [makeIssue('empty_file', 0, 'the file has no records: it is empty or has only blank lines')],
    };
  }
}
