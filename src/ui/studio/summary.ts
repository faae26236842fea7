// The Dataset page's summary, grown record by record as the reader streams (so it shows while a
// big file is still loading). The counts follow `summarizeDataset` (what `prism validate` prints)
// and add what the page shows besides: turns and tool use.
import type { Issue, RecordResult, SourceFormat } from '../../data/index.ts';

export interface StudioSummary {
  records: number;
  valid: number;
  invalid: number;
  formats: Partial<Record<SourceFormat, number>>;
  issues: Issue[];
  /** Messages (user/assistant/tool turns) over valid records. */
  turns: number;
  withSystem: number;
  /** Valid records that declare tools or make a tool call. */
  withTools: number;
  toolCalls: number;
  warnings: number;
}

export function emptySummary(): StudioSummary {
  return {
    records: 0,
    valid: 0,
    invalid: 0,
    formats: {},
    issues: [],
    turns: 0,
    withSystem: 0,
    withTools: 0,
    toolCalls: 0,
    warnings: 0,
  };
}

/** Mutates `s`: one more record (or the file-level line-0 result). */
export function addToSummary(s: StudioSummary, r: RecordResult): void {
  for (const issue of r.issues) {
    s.issues.push(issue);
    if (issue.severity === 'warning') s.warnings++;
  }
  if (r.line === 0) return;
  s.records++;
  if (r.format) s.formats[r.format] = (s.formats[r.format] ?? 0) + 1;
  const c = r.conversation;
  if (!c) {
    s.invalid++;
    return;
  }
  s.valid++;
  s.turns += c.messages.length;
  if (c.system !== undefined) s.withSystem++;
  let calls = 0;
  for (const m of c.messages) calls += m.tool_calls?.length ?? 0;
  s.toolCalls += calls;
  if (calls > 0 || (c.tools?.length ?? 0) > 0) s.withTools++;
}
