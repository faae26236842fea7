// Reading a whole file into counts and issues (what `prism validate` and the Dataset page show).
// Memory stays flat whatever the file: every issue is counted, but only the first few of each
// code are kept; `onIssue` sees every one as it streams (for a JSON Lines report).
import { readDataset, type DatasetReadOptions } from './read.ts';
import type { Conversation, Issue, SourceFormat } from './types.ts';

/** Issues kept per code in a summary (`issues`); `issue_counts` counts them all. */
export const DEFAULT_MAX_ISSUES_PER_CODE = 100;

export interface DatasetSummary {
  /** Non-blank lines. */
  records: number;
  /** Records with no error (warnings allowed); valid + invalid == records. */
  valid: number;
  invalid: number;
  /** Records per detected format, valid or not (a record whose format cannot be told is not counted). */
  formats: Partial<Record<SourceFormat, number>>;
  /** The first `maxIssuesPerCode` issues of each code, in file order; `empty_file` is on line 0. */
  issues: Issue[];
  /** Every issue, counted by code. */
  issue_counts: Record<string, number>;
  /** True when some issues were counted but not kept in `issues`. */
  issues_truncated: boolean;
}

export interface SummarizeOptions extends DatasetReadOptions {
  /** Keep the valid conversations (default true). False for files too big to hold. */
  keepConversations?: boolean;
  /** Issues kept per code (default DEFAULT_MAX_ISSUES_PER_CODE; Infinity keeps all). */
  maxIssuesPerCode?: number;
  /** Called with every issue, in file order, before the next record is read (awaited: backpressure). */
  onIssue?: (issue: Issue) => void | Promise<void>;
}

export async function summarizeDataset(
  source: Blob | ReadableStream<Uint8Array>,
  opts: SummarizeOptions = {},
): Promise<{ summary: DatasetSummary; conversations: Conversation[] }> {
  const keep = opts.keepConversations ?? true;
  const cap = opts.maxIssuesPerCode ?? DEFAULT_MAX_ISSUES_PER_CODE;
  const summary: DatasetSummary = {
    records: 0,
    valid: 0,
    invalid: 0,
    formats: {},
    issues: [],
    issue_counts: {},
    issues_truncated: false,
  };
  const conversations: Conversation[] = [];
  for await (const r of readDataset(source, opts)) {
    for (const issue of r.issues) {
      const n = (summary.issue_counts[issue.code] ?? 0) + 1;
      summary.issue_counts[issue.code] = n;
      if (n <= cap) summary.issues.push(issue);
      else summary.issues_truncated = true;
      if (opts.onIssue) await opts.onIssue(issue);
    }
    if (r.line === 0) continue;
    summary.records++;
    if (r.format) summary.formats[r.format] = (summary.formats[r.format] ?? 0) + 1;
    if (r.conversation) {
      summary.valid++;
      if (keep) conversations.push(r.conversation);
    } else {
      summary.invalid++;
    }
  }
  return { summary, conversations };
}
