// A corpus of bad records with the line, code and field path a person expects for each, written
// by hand. The records are laid out at their line numbers (blank and whitespace lines between,
// CRLF on some) and read back through the stream cut in many ways.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { ISSUE_CODES } from './codes.ts';
import { readDataset } from './read.ts';
import { summarizeDataset } from './summary.ts';
import { bytesOf, chunked, splits, utf8 } from './test-helpers.ts';

type Want = [code: string, path?: string];
/** The per-line limit these tests read with (MAX_LINE_BYTES is 16 MiB); every other line is shorter. */
const LIMIT = 4096;
const W = '{"type":"function","function":{"name":"get_weather","parameters":{"type":"object"}}}';
const U = '{"role":"user","content":"hi"}';
const A = '{"role":"assistant","content":"hello"}';

const corpus: { line: number; text: string | Uint8Array; want: Want[] }[] = [
  { line: 1, text: `{"messages":[${U},${A}],"id":7}`, want: [['unknown_field', 'id']] },
  { line: 2, text: '{"messages":[{"role":"user","content":"hi"},]}', want: [['invalid_json']] },
  {
    line: 4,
    text: bytesOf('{"messages":[{"role":"user","content":"caf', [0xe9], `"},${A}]}`),
    want: [['invalid_utf8']],
  },
  { line: 5, text: '"just a string"', want: [['not_object']] },
  { line: 6, text: 'null', want: [['not_object']] },
  { line: 7, text: '{"input_text":"a","output_text":"b"}', want: [['unknown_format']] },
  { line: 8, text: '{}', want: [['unknown_format']] },
  { line: 9, text: '{"messages":{"role":"user"}}', want: [['invalid_type', 'messages']] },
  { line: 10, text: `{"messages":[${U},"hello"]}`, want: [['invalid_type', 'messages[1]']] },
  {
    line: 11,
    text: `{"messages":[{"role":"bot","content":"x"},${U},${A}]}`,
    want: [['unknown_role', 'messages[0].role']],
  },
  { line: 12, text: `{"messages":[{"content":"x"},${A}]}`, want: [['unknown_role', 'messages[0].role']] },
  {
    line: 13,
    text: `{"messages":[{"role":"user","content":null},${A}]}`,
    want: [['missing_content', 'messages[0].content']],
  },
  {
    line: 14,
    text: `{"messages":[${U},{"role":"assistant","content":42}]}`,
    want: [['content_not_string', 'messages[1].content']],
  },
  {
    line: 15,
    text: `{"messages":[${U},${A},{"role":"system","content":"late"}]}`,
    want: [['system_not_first', 'messages[2]']],
  },
  {
    line: 16,
    text: `{"messages":[{"role":"system","content":"a"},{"role":"system","content":"b"},${U},${A}]}`,
    want: [['duplicate_system', 'messages[1]']],
  },
  {
    line: 17,
    text:
      `{"system":"a","conversations":[{"from":"system","value":"b"},{"from":"human","value":"q"},` +
      `{"from":"gpt","value":"r"}]}`,
    want: [['duplicate_system', 'conversations[0]']],
  },
  { line: 18, text: `{"messages":[${U}]}`, want: [['no_assistant_turn']] },
  { line: 19, text: '{"messages":[]}', want: [['no_assistant_turn']] },
  {
    line: 20,
    text: `{"messages":[${U},{"role":"tool","content":"42"},${A}]}`,
    want: [['tool_result_without_call', 'messages[1]']],
  },
  {
    line: 21,
    text:
      `{"messages":[${U},{"role":"assistant","tool_calls":[{"id":"a","function":{"name":"f","arguments":"{}"}}]},` +
      `{"role":"tool","tool_call_id":"b","content":"1"},${A}]}`,
    // ...and call 'a' itself then has no result.
    want: [
      ['tool_result_without_call', 'messages[2].tool_call_id'],
      ['tool_call_without_result', 'messages[1].tool_calls[0]'],
    ],
  },
  {
    line: 22,
    text:
      `{"messages":[${U},{"role":"tool_call","content":"{\\"name\\":\\"f\\",\\"arguments\\":{}}"},` +
      `{"role":"tool_response","content":"1"},{"role":"tool_response","content":"2"},${A}]}`,
    want: [['tool_result_without_call', 'messages[3]']],
  },
  {
    line: 23,
    text: `{"messages":[${U},{"role":"tool_call","content":"f(x=1)"},${A}]}`,
    want: [['invalid_tool_call', 'messages[1].content']],
  },
  {
    line: 24,
    text: `{"messages":[${U},{"role":"assistant","tool_calls":[{"function":{"arguments":"{}"}}]},${A}]}`,
    want: [['invalid_tool_call', 'messages[1].tool_calls[0].function.name']],
  },
  {
    line: 25,
    text:
      `{"conversations":[{"from":"human","value":"q"},{"from":"function_call","value":"[]"},` +
      `{"from":"gpt","value":"r"}]}`,
    want: [['invalid_tool_call', 'conversations[1].value']],
  },
  {
    line: 26,
    text:
      `{"messages":[${U},{"role":"assistant","tool_calls":[{"function":{"name":"f","arguments":"{'x': ` +
      `1}"}}]},{"role":"tool","content":"1"},${A}]}`,
    want: [['invalid_tool_arguments', 'messages[1].tool_calls[0].function.arguments']],
  },
  {
    line: 27,
    text: `{"messages":[${U},{"role":"tool_call","content":"{\\"name\\":\\"f\\",\\"arguments\\":\\"{x}\\"}"},${A}]}`,
    want: [['invalid_tool_arguments', 'messages[1].content']],
  },
  { line: 28, text: `{"tools":"[{]","messages":[${U},${A}]}`, want: [['invalid_tools', 'tools']] },
  { line: 29, text: `{"tools":{"a":1},"messages":[${U},${A}]}`, want: [['invalid_tools', 'tools']] },
  {
    line: 30,
    text: `{"tools":[${W},{"type":"function","function":{"description":"no name"}}],"messages":[${U},${A}]}`,
    want: [['invalid_tools', 'tools[1].function.name']],
  },
  {
    line: 31,
    text:
      `{"tools":[${W}],"messages":[${U},{"role":"assistant","tool_calls":[{"function":{"name":"get_time",` +
      `"arguments":{}}}]},{"role":"tool","content":"1"},${A}]}`,
    want: [['unknown_tool', 'messages[1].tool_calls[0].function.name']],
  },
  {
    line: 32,
    text:
      `{"tools":${JSON.stringify(`[${W}]`)},"messages":[${U},{"role":"tool_call",` +
      `"content":"{\\"name\\":\\"search\\"}"},{"role":"tool_response","content":"1"},${A}]}`,
    want: [['unknown_tool', 'messages[1].content']],
  },
  { line: 33, text: '{"instruction":"Say hi."}', want: [['missing_content', 'output']] },
  { line: 34, text: '{"output":"hi"}', want: [['missing_content', 'instruction']] },
  { line: 35, text: '{"instruction":"x","input":7,"output":"y"}', want: [['content_not_string', 'input']] },
  { line: 36, text: '{"query":"q","response":"r","history":[["a"]]}', want: [['invalid_type', 'history[0]']] },
  {
    line: 37,
    text: '{"query":"q","response":"r","history":[["a",null]]}',
    want: [['missing_content', 'history[0][1]']],
  },
  { line: 38, text: '{"query":"q"}', want: [['missing_content', 'response']] },
  {
    line: 39,
    text: '{"conversations":[{"from":"Human","value":"q"},{"from":"gpt","value":"r"}]}',
    want: [['unknown_role', 'conversations[0].from']],
  },
  {
    line: 40,
    text: '{"conversations":[{"from":"human"},{"from":"gpt","value":"r"}]}',
    want: [['missing_content', 'conversations[0].value']],
  },
  {
    line: 41,
    text: `{"messages":[${U},{"role":"assistant","content":"x","loss":"no"}]}`,
    want: [['invalid_type', 'messages[1].loss']],
  },
  // Two independent field errors in one record are both reported.
  {
    line: 42,
    text: `{"messages":[{"role":"user","content":1},{"role":"assistant"}]}`,
    want: [
      ['content_not_string', 'messages[0].content'],
      ['missing_content', 'messages[1].content'],
    ],
  },
  // Warnings: the record stays valid.
  { line: 43, text: `{"messages":[${A},${U},${A}]}`, want: [['role_order', 'messages[0]']] },
  { line: 44, text: `{"messages":[${U},${A},${A}]}`, want: [['role_order', 'messages[2]']] },
  { line: 45, text: `{"messages":[${U},${A},${U}]}`, want: [['role_order', 'messages[2]']] },
  { line: 46, text: `{"messages":[{"role":"user","content":""},${A}]}`, want: [['empty_content', 'messages[0]']] },
  {
    line: 47,
    text:
      `{"messages":[${U},{"role":"assistant","tool_calls":[{"function":{"name":"f","arguments":{}}},` +
      `{"function":{"name":"g","arguments":{}}}]},{"role":"tool","content":"1"},${A}]}`,
    want: [['tool_call_without_result', 'messages[1].tool_calls[1]']],
  },
  // Fine: a record may end on a tool call (training the model to call).
  {
    line: 48,
    text: `{"messages":[${U},{"role":"assistant","tool_calls":[{"function":{"name":"f","arguments":{}}}]}]}`,
    want: [],
  },
  // Over the per-line limit (LIMIT below): reported with its length, never parsed.
  { line: 49, text: `{"messages":[{"role":"user","content":"${'x'.repeat(LIMIT)}"},${A}]}`, want: [['line_too_long']] },
  { line: 50, text: '{"query":"q","response":"r"}', want: [] },
  // Nesting past MAX_JSON_DEPTH (500), in the line or in a JSON string in it.
  {
    line: 51,
    text: `{"messages":[${U},{"role":"assistant","content":"x","meta":${'['.repeat(600)}${']'.repeat(600)}}]}`,
    want: [['too_deep']],
  },
  {
    line: 52,
    text:
      `{"messages":[${U},{"role":"assistant","tool_calls":[{"function":{"name":"f",` +
      `"arguments":"${'['.repeat(600)}${']'.repeat(600)}"}}]}]}`,
    want: [['too_deep', 'messages[1].tool_calls[0].function.arguments']],
  },
  // Hidden characters: warnings, one per kind per line, at the first field that has one.
  {
    line: 53,
    text: `{"messages":[{"role":"user","content":"ok\\u202e?"},{"role":"assistant","content":"\\u2067x"}]}`,
    want: [['bidi_control', 'messages[0].content']],
  },
  {
    line: 54,
    text: `{"tools":[{"type":"function","function":{"name":"f\u200f"}}],"messages":[${U},${A}]}`,
    want: [['bidi_control', 'tools[0].function.name']],
  },
  {
    line: 55,
    text: `{"messages":[{"role":"user","content":"\\ud83d"},{"role":"assistant","content":"\\u202e\\ude00"}]}`,
    want: [
      ['bidi_control', 'messages[1].content'],
      ['lone_surrogate', 'messages[0].content'],
    ],
  },
  // A surrogate pair written as escapes is one character (an emoji), not a lone surrogate.
  { line: 56, text: `{"messages":[{"role":"user","content":"\\ud83d\\ude00"},${A}]}`, want: [] },
];

const VALID_WITH_WARNINGS = new Set([1, 43, 44, 45, 46, 47, 53, 54, 55]);

function buildFile(): Uint8Array {
  const parts: (string | number[])[] = [];
  let line = 1;
  for (const c of corpus) {
    for (; line < c.line; line++) parts.push(line % 2 ? '\r\n' : ' \t \n'); // blank lines
    parts.push(typeof c.text === 'string' ? c.text : Array.from(c.text));
    parts.push(line % 3 === 0 ? '\r\n' : '\n');
    line++;
  }
  return bytesOf(...parts);
}

async function report(stream: ReadableStream<Uint8Array> | Blob) {
  const got: [number, string, string | undefined][] = [];
  const valid: number[] = [];
  for await (const r of readDataset(stream, { maxLineBytes: LIMIT })) {
    for (const i of r.issues) got.push([i.line, i.code, i.path]);
    if (r.conversation) valid.push(r.line);
  }
  return { got, valid };
}

describe('malformed corpus', () => {
  const want = corpus.flatMap((c) =>
    c.want.map(([code, path]) => [c.line, code, path] as [number, string, string | undefined]),
  );
  const wantValid = corpus.filter((c) => c.want.length === 0 || VALID_WITH_WARNINGS.has(c.line)).map((c) => c.line);

  it('reports each bad record at its line, with its code and field', async () => {
    expect(await report(new Blob([buildFile() as BlobPart]))).toEqual({ got: want, valid: wantValid });
  });

  it('reports the same however the stream is cut', async () => {
    const bytes = buildFile();
    for (const s of splits(bytes.length, 5))
      expect(await report(chunked(bytes, s.sizes)), s.name).toEqual({ got: want, valid: wantValid });
  });

  it('gives severities from the table, invalid_json a column, and counts that add up', async () => {
    const { summary } = await summarizeDataset(new Blob([buildFile() as BlobPart]), { maxLineBytes: LIMIT });
    expect(summary.records).toBe(corpus.length);
    expect(summary.valid).toBe(wantValid.length);
    expect(summary.valid + summary.invalid).toBe(summary.records);
    for (const i of summary.issues) {
      expect(i.severity).toBe(ISSUE_CODES[i.code as keyof typeof ISSUE_CODES].severity);
      expect(i.message.length).toBeGreaterThan(10);
    }
    // '{"messages":[{"role":"user","content":"hi"},]}': the ']' after the comma is character 45.
    expect(summary.issues.find((i) => i.line === 2)).toMatchObject({ code: 'invalid_json', column: 45 });
  });

  it('covers every code in the table', () => {
    const covered = new Set([...want.map((w) => w[1]), 'empty_file']);
    expect([...covered].sort()).toEqual(Object.keys(ISSUE_CODES).sort());
  });
});

describe('empty files', () => {
  for (const [name, bytes] of [
    ['no bytes', bytesOf('')],
    ['blank lines', bytesOf('\n \r\n\t\n')],
    ['only a BOM', bytesOf([0xef, 0xbb, 0xbf])],
    ['a BOM and CRLF', bytesOf([0xef, 0xbb, 0xbf], '\r\n')],
  ] as const) {
    it(`${name}: one empty_file issue on line 0, no records`, async () => {
      const { summary, conversations } = await summarizeDataset(new Blob([bytes as BlobPart]));
      expect(summary).toEqual({
        records: 0,
        valid: 0,
        invalid: 0,
        formats: {},
        issues: [{ line: 0, severity: 'error', code: 'empty_file', message: expect.any(String) }],
        issue_counts: { empty_file: 1 },
        issues_truncated: false,
      });
      expect(conversations).toEqual([]);
    });
  }

  it('a file with one record is not empty', async () => {
    const { summary } = await summarizeDataset(new Blob([utf8('\n{"query":"q","response":"r"}')]));
    expect(summary).toEqual({
      records: 1,
      valid: 1,
      invalid: 0,
      formats: { query_response: 1 },
      issues: [],
      issue_counts: {},
      issues_truncated: false,
    });
  });
});

describe('codes are documented', () => {
  it('README.md lists every code with its severity', () => {
    const readme = readFileSync(new URL('./README.md', import.meta.url), 'utf8');
    for (const [code, info] of Object.entries(ISSUE_CODES)) {
      expect(readme, code).toMatch(new RegExp(`\\|\\s*\`${code}\`\\s*\\|\\s*${info.severity}\\s*\\|`));
    }
  });
});
