// The page's running summary must agree with the reader's own summarizeDataset (what
// `prism validate` prints) on every sample, and count turns and tool use from the records.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readDataset, summarizeDataset } from '../../data/index.ts';
import { addToSummary, emptySummary } from './summary.ts';

const DIR = join(import.meta.dirname, '..', '..', '..', 'public', 'samples');
const files = readdirSync(DIR).filter((f) => f.endsWith('.jsonl'));

describe('studio summary', () => {
  it('has samples to check', () => expect(files.length).toBeGreaterThan(3));
  for (const f of files) {
    it(`matches summarizeDataset on ${f}`, async () => {
      const bytes = readFileSync(join(DIR, f));
      const s = emptySummary();
      let turns = 0;
      let tools = 0;
      for await (const r of readDataset(new Blob([bytes]))) {
        addToSummary(s, r);
        if (r.conversation) {
          turns += r.conversation.messages.length;
          if (r.conversation.tools?.length || r.conversation.messages.some((m) => m.tool_calls?.length)) tools++;
        }
      }
      const {
        summary: { issue_counts: _counts, issues_truncated: _truncated, ...summary },
      } = await summarizeDataset(new Blob([bytes]), { maxIssuesPerCode: Infinity });
      expect({ records: s.records, valid: s.valid, invalid: s.invalid, formats: s.formats, issues: s.issues }).toEqual(
        summary,
      );
      expect(s.turns).toBe(turns);
      expect(s.withTools).toBe(tools);
    });
  }
  it('counts tool use in the agent sample', async () => {
    const s = emptySummary();
    for await (const r of readDataset(new Blob([readFileSync(join(DIR, 'agent-openai.jsonl'))]))) addToSummary(s, r);
    expect(s.withTools).toBeGreaterThan(0);
    expect(s.toolCalls).toBeGreaterThanOrEqual(s.withTools - 1);
  });
});
