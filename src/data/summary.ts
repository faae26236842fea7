// Reading a whole file into counts and issues (what `prism validate` and the Dataset page show).
import type { ReadOptions } from './lines.ts';
import { readDataset } from './read.ts';
import type { Conversation, Issue, SourceFormat } from './types.ts';

export interface DatasetSummary {
  /** Non-blank lines. */
  records: number;
  /** Records with no error (warnings allowed); valid + invalid == records. */
  valid: number;
  invalid: number;
  /** Records per detected format, valid or not (a record whose format cannot be told is not counted). */
  formats: Partial<Record<SourceFormat, number>>;
  /** Every issue, in file order; `empty_file` is on line 0. */
  issues: Issue[];
}

export interface SummarizeOptions extends ReadOptions {
  /** Keep the valid conversations (default true). False for files too big to hold. */
  keepConversations?: boolean;
}

export async function summarizeDataset(
  source: Blob | ReadableStream<Uint8Array>,
  opts: SummarizeOptions = {},
): Promise<{ summary: DatasetSummary; conversations: Conversation[] }> {
  const keep = opts.keepConversations ?? true;
  const summary: DatasetSummary = { records: 0, valid: 0, invalid: 0, formats: {}, issues: [] };
  const conversations: Conversation[] = [];
  for await (const r of readDataset(source, opts)) {
    for (const issue of r.issues) summary.issues.push(issue);
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
