// `prism tokenize` against DESIGN.md's contract, through the real CLI entry point.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseLine } from '../../data/index.ts';
import { getTemplate, render } from '../../templates/index.ts';
import { lenmlDir, lenmlTokenizer } from '../../tokenize/testing.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
function prism(...args: string[]): string {
  return execFileSync(
    process.execPath,
    ['--import', 'tsx', '--import', './src/cli/register.mjs', 'src/cli/main.ts', ...args],
    {
      cwd: ROOT,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
}

const long = 'word '.repeat(300);
const lines = [
  JSON.stringify({
    messages: [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Hi' },
      { role: 'assistant', content: 'Hello! 👋' },
    ],
  }),
  'not json',
  JSON.stringify({
    messages: [
      { role: 'user', content: 'Q1' },
      { role: 'assistant', content: 'A1' },
      { role: 'user', content: 'Q2' },
      { role: 'assistant', content: 'A2' },
    ],
  }),
  JSON.stringify({
    messages: [
      { role: 'user', content: long },
      { role: 'assistant', content: 'Long read.' },
    ],
  }),
];

describe('prism tokenize', () => {
  const dir = mkdtempSync(join(tmpdir(), 'prism-tokenize-'));
  const data = join(dir, 'd.jsonl');
  writeFileSync(data, lines.join('\n') + '\n');

  it('writes {line, input_ids, labels} per record: the one-call encoding, -100 where not trained', async () => {
    const out = join(dir, 'out.jsonl');
    const summary = JSON.parse(
      prism(
        'tokenize',
        '--tokenizer',
        lenmlDir('llama3_1'),
        '--template',
        'llama3_2',
        data,
        '--out',
        out,
        '--max-length',
        '200',
        '--json',
        '--quiet',
        '--workers',
        '2',
      ),
    );
    const rows = readFileSync(out, 'utf8')
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as { line: number; input_ids: number[]; labels: number[] });
    // Line 2 is not JSON, line 4 is over max_length and deleted (the default).
    expect(rows.map((r) => r.line)).toEqual([1, 3]);
    expect(summary.stats).toMatchObject({ records: 3, failed: 1, dropped: 1, overMaxLength: 1 });
    expect(summary.failures[0].line).toBe(2);
    const { tokenizer } = await lenmlTokenizer('llama3_1');
    for (const row of rows) {
      const conv = parseLine(new TextEncoder().encode(lines[row.line - 1]), row.line).conversation!;
      const r = render(getTemplate('llama3_2'), conv);
      expect(row.input_ids).toEqual(tokenizer.encode(r.text, { add_special_tokens: false }));
      expect(Object.keys(row)).toEqual(['line', 'input_ids', 'labels']);
      const trained = row.input_ids.filter((_, i) => row.labels[i] !== -100);
      row.labels.forEach((l, i) => expect(l === -100 || l === row.input_ids[i]).toBe(true));
      const replies = conv.messages.filter((m) => m.role === 'assistant').map((m) => `${m.content}<|eot_id|>`);
      expect(tokenizer.decode(trained)).toBe(replies.join(''));
    }
  }, 60_000);

  it('keeps the end of a long record with --truncation left, and reports it', () => {
    const out = join(dir, 'left.jsonl');
    const summary = JSON.parse(
      prism(
        'tokenize',
        '--tokenizer',
        lenmlDir('qwen3'),
        '--template',
        'qwen3',
        data,
        '--out',
        out,
        '--max-length',
        '64',
        '--truncation',
        'left',
        '--json',
        '--quiet',
        '--workers',
        '1',
      ),
    );
    const rows = readFileSync(out, 'utf8')
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as { line: number; input_ids: number[] });
    expect(rows.map((r) => r.line)).toEqual([1, 3, 4]);
    expect(rows[2].input_ids.length).toBe(64);
    expect(summary.stats.truncated).toBe(1);
    expect(summary.stats.maxTokens).toBeGreaterThan(300);
  }, 60_000);

  it('a record nested 100,000 levels deep fails alone; the records around it are written', () => {
    const deep = '['.repeat(100_000) + ']'.repeat(100_000);
    const call = { type: 'function', function: { name: 'f', arguments: '@' } };
    const rec = JSON.stringify({
      messages: [
        { role: 'user', content: 'Hi' },
        { role: 'assistant', tool_calls: [call] },
        { role: 'tool', content: '1' },
        { role: 'assistant', content: 'ok' },
      ],
    });
    const file = join(dir, 'deep.jsonl');
    writeFileSync(
      file,
      [
        lines[0],
        rec.replace('"@"', `{"x": ${deep}}`),
        rec.replace('"@"', JSON.stringify(`{"x": ${deep}}`)),
        lines[2],
      ].join('\n') + '\n',
    );
    const out = join(dir, 'deep-out.jsonl');
    const summary = JSON.parse(
      prism(
        'tokenize',
        '--tokenizer',
        lenmlDir('llama3_1'),
        '--template',
        'llama3_2',
        file,
        '--out',
        out,
        '--json',
        '--quiet',
        '--workers',
        '1',
      ),
    );
    const rows = readFileSync(out, 'utf8')
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as { line: number });
    expect(rows.map((r) => r.line)).toEqual([1, 4]);
    expect(summary.failures.map((f: { line: number; error: string }) => [f.line, f.error.split(':')[0]])).toEqual([
      [2, 'too_deep'],
      [3, 'too_deep'],
    ]);
  });

  it("writes loss_scale for a weighted record: hermes tool calls at 2, a message's own loss_scale 0.5", async () => {
    const file = join(dir, 'weighted.jsonl');
    const tool = {
      type: 'function',
      function: { name: 'get_time', description: 'Current time', parameters: { type: 'object', properties: {} } },
    };
    writeFileSync(
      file,
      JSON.stringify({
        tools: [tool],
        messages: [
          { role: 'user', content: 'Time?' },
          {
            role: 'assistant',
            content: '',
            tool_calls: [{ type: 'function', function: { name: 'get_time', arguments: {} } }],
          },
          { role: 'tool', content: '12:00' },
          { role: 'assistant', content: 'It is noon.', loss_scale: 0.5 },
        ],
      }) + '\n',
    );
    const out = join(dir, 'weighted.out.jsonl');
    prism(
      'tokenize',
      '--tokenizer',
      lenmlDir('qwen3'),
      '--template',
      'qwen3',
      file,
      '--out',
      out,
      '--quiet',
      '--workers',
      '1',
      '--loss-scale',
      'hermes',
    );
    const row = JSON.parse(readFileSync(out, 'utf8')) as {
      input_ids: number[];
      labels: number[];
      loss_scale: number[];
    };
    expect(Object.keys(row)).toEqual(['line', 'input_ids', 'labels', 'loss_scale']);
    expect(row.loss_scale).toHaveLength(row.input_ids.length);
    const { tokenizer } = await lenmlTokenizer('qwen3');
    const at = (w: number) => tokenizer.decode(row.input_ids.filter((_, i) => row.loss_scale[i] === w));
    // ms-swift's hermes.json weighs each <tool_call>…</tool_call> block 2; the end markers stay 1.
    expect(at(2)).toBe('<tool_call>\n{"name": "get_time", "arguments": {}}\n</tool_call>');
    expect(at(0.5)).toBe('It is noon.');
    expect(at(1)).toBe('<|im_end|><|im_end|>');
    row.labels.forEach((l, i) => expect(l === -100).toBe(row.loss_scale[i] === 0));
  }, 60_000);

  it('--agent-template renders tools in another format: react_en on Qwen3, weighed by the react scale', async () => {
    const file = join(dir, 'react.jsonl');
    const tool = {
      type: 'function',
      function: { name: 'get_time', description: 'Current time', parameters: { type: 'object', properties: {} } },
    };
    const record = {
      tools: [tool],
      messages: [
        { role: 'user', content: 'Time?' },
        {
          role: 'assistant',
          content: '',
          tool_calls: [{ type: 'function', function: { name: 'get_time', arguments: {} } }],
        },
        { role: 'tool', content: '12:00' },
        { role: 'assistant', content: 'Final Answer: noon.' },
      ],
    };
    writeFileSync(file, JSON.stringify(record) + '\n');
    const out = join(dir, 'react.out.jsonl');
    prism(
      'tokenize',
      '--tokenizer',
      lenmlDir('qwen3'),
      '--template',
      'qwen3',
      file,
      '--out',
      out,
      '--quiet',
      '--workers',
      '1',
      '--agent-template',
      'react_en',
      '--loss-scale',
      'react',
    );
    const row = JSON.parse(readFileSync(out, 'utf8')) as {
      input_ids: number[];
      labels: number[];
      loss_scale: number[];
    };
    const { tokenizer } = await lenmlTokenizer('qwen3');
    const conv = parseLine(new TextEncoder().encode(JSON.stringify(record)), 1).conversation!;
    const r = render(getTemplate('qwen3'), conv, { agentTemplate: 'react_en', lossScale: 'react' });
    expect(row.input_ids).toEqual(tokenizer.encode(r.text, { add_special_tokens: false }));
    expect(tokenizer.decode(row.input_ids)).toContain('Action: get_time\nAction Input: {}\nObservation:12:00\n');
    // react.json: Action / Action Input and their text 2, Observation: 2 (the result after it is not trained).
    expect(tokenizer.decode(row.input_ids.filter((_, i) => row.loss_scale[i] === 2))).toBe(
      'Action: get_time\nAction Input: {}\nObservation:',
    );
    expect(() =>
      prism(
        'tokenize',
        '--tokenizer',
        lenmlDir('qwen3'),
        '--template',
        'qwen3',
        file,
        '--out',
        out,
        '--agent-template',
        'native:glm4',
      ),
    ).toThrow(/native:glm4 writes glm tokens and cannot be used with qwen3/);
  }, 120_000);

  it('refuses bad options with exit status 2', () => {
    expect(() =>
      prism('tokenize', '--tokenizer', lenmlDir('qwen3'), '--template', 'nope', data, '--out', join(dir, 'x')),
    ).toThrow(/unknown template/);
    expect(() =>
      prism(
        'tokenize',
        '--tokenizer',
        lenmlDir('qwen3'),
        '--template',
        'qwen3',
        data,
        '--out',
        join(dir, 'x'),
        '--truncation',
        'middle',
      ),
    ).toThrow(/--truncation/);
    expect(() =>
      prism(
        'tokenize',
        '--tokenizer',
        lenmlDir('qwen3'),
        '--template',
        'qwen3',
        data,
        '--out',
        join(dir, 'x'),
        '--loss-scale',
        'last_round+tools',
      ),
    ).toThrow(/--loss-scale: .*"tools" is not a loss scale.*react, hermes/);
    expect(() =>
      prism(
        'tokenize',
        '--tokenizer',
        lenmlDir('qwen3'),
        '--template',
        'qwen3',
        data,
        '--out',
        join(dir, 'x'),
        '--loss-scale',
        'all+react',
        '--loss',
        'last_round',
      ),
    ).toThrow(/disagrees/);
  });

  it('--loss-scale last_round trains the last round only (the trained tokens decode to A2)', async () => {
    const out = join(dir, 'last.jsonl');
    prism(
      'tokenize',
      '--tokenizer',
      lenmlDir('llama3_1'),
      '--template',
      'llama3_2',
      data,
      '--out',
      out,
      '--max-length',
      '200',
      '--quiet',
      '--workers',
      '1',
      '--loss-scale',
      'last_round',
    );
    const rows = readFileSync(out, 'utf8')
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as { line: number; input_ids: number[]; labels: number[] });
    const { tokenizer } = await lenmlTokenizer('llama3_1');
    const row = rows.find((r) => r.line === 3)!;
    expect(Object.keys(row)).toEqual(['line', 'input_ids', 'labels']); // binary weights: no loss_scale
    expect(tokenizer.decode(row.input_ids.filter((_, i) => row.labels[i] !== -100))).toBe('A2<|eot_id|>');
  }, 60_000);
});
