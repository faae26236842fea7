// The sample datasets in public/samples: the UI's "try a sample" and the e2e tests rely on them.
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { ISSUE_CODES } from './codes.ts';
import { summarizeDataset } from './summary.ts';

const dir = new URL('../../public/samples/', import.meta.url);
const read = (name: string) => new Blob([readFileSync(new URL(name, dir))]);
const index = JSON.parse(readFileSync(new URL('index.json', dir), 'utf8')) as {
  samples: { file: string; title: string; description: string; format: string; records: number }[];
};

describe('samples', () => {
  it('index.json lists every sample file, each with a title and a description', () => {
    const files = readdirSync(dir)
      .filter((f) => f.endsWith('.jsonl'))
      .sort();
    expect(index.samples.map((s) => s.file).sort()).toEqual(files);
    for (const s of index.samples) {
      expect(s.title.length).toBeGreaterThan(3);
      expect(s.description.length).toBeGreaterThan(20);
    }
  });

  for (const s of index.samples.filter((x) => x.file !== 'malformed.jsonl')) {
    it(`${s.file} is fully valid: no errors, no warnings, one format`, async () => {
      const { summary, conversations } = await summarizeDataset(read(s.file));
      expect(summary.issues).toEqual([]);
      expect(summary.records).toBe(s.records);
      expect(summary.valid).toBe(s.records);
      expect(summary.formats).toEqual({ [s.format]: s.records });
      expect(conversations).toHaveLength(s.records);
    });
  }

  it('the agent samples have tools, parallel calls and tool results', async () => {
    for (const file of ['agent-swift.jsonl', 'agent-openai.jsonl']) {
      const { conversations } = await summarizeDataset(read(file));
      expect(
        conversations.every((c) => (c.tools?.length ?? 0) > 0),
        file,
      ).toBe(true);
      expect(
        conversations.some((c) => c.messages.some((m) => (m.tool_calls?.length ?? 0) > 1)),
        file,
      ).toBe(true);
      expect(
        conversations.some((c) => c.messages.some((m) => m.role === 'tool')),
        file,
      ).toBe(true);
    }
  });

  it('the ms-swift and OpenAI agent samples hold the same conversations', async () => {
    const swift = (await summarizeDataset(read('agent-swift.jsonl'))).conversations;
    const openai = (await summarizeDataset(read('agent-openai.jsonl'))).conversations;
    // The same turns once the form-only details (ids, tool_call_id, loss, reasoning) are set aside.
    const strip = (c: (typeof swift)[number]) => ({
      system: c.system,
      tools: c.tools,
      messages: c.messages.map((m) => ({
        role: m.role,
        content: m.content,
        calls: m.tool_calls?.map((t) => [t.name, t.arguments]),
      })),
    });
    expect(swift.map(strip)).toEqual(openai.map(strip));
  });

  it('malformed.jsonl shows each error code at its line', async () => {
    const { summary } = await summarizeDataset(read('malformed.jsonl'));
    const got = summary.issues.map((i) => [i.line, i.code]);
    // Written by hand from the file (line 3 is blank).
    expect(got).toEqual([
      [1, 'unknown_field'],
      [2, 'invalid_json'],
      [4, 'invalid_utf8'],
      [5, 'not_object'],
      [6, 'unknown_format'],
      [7, 'invalid_type'],
      [8, 'unknown_role'],
      [9, 'missing_content'],
      [10, 'content_not_string'],
      [11, 'system_not_first'],
      [12, 'duplicate_system'],
      [13, 'no_assistant_turn'],
      [14, 'tool_result_without_call'],
      [15, 'invalid_tool_call'],
      [16, 'invalid_tool_arguments'],
      [17, 'invalid_tools'],
      [18, 'unknown_tool'],
      [19, 'role_order'],
      [20, 'empty_content'],
      [21, 'tool_call_without_result'],
      [22, 'missing_content'],
      [24, 'too_deep'],
      [25, 'bidi_control'],
      [26, 'lone_surrogate'],
    ]);
    expect(summary).toMatchObject({ records: 25, valid: 7, invalid: 18 });
    const codes = new Set(got.map((g) => g[1]));
    // Not in a sample: an empty file, and a line over 16 MiB.
    expect(Object.keys(ISSUE_CODES).filter((c) => !codes.has(c))).toEqual(['empty_file', 'line_too_long']);
  });
});
