import { describe, expect, it } from 'vitest';
import { readDataset, type RecordResult } from './read.ts';
import { bytesOf, chunked, splits } from './test-helpers.ts';

async function all(source: Blob | ReadableStream<Uint8Array>): Promise<RecordResult[]> {
  const out: RecordResult[] = [];
  for await (const r of readDataset(source)) out.push(r);
  return out;
}

// A BOM, CRLF, blank lines, multi-byte text (2, 3 and 4 bytes per character) and no final newline.
const file = bytesOf(
  [0xef, 0xbb, 0xbf],
  '{"messages":[{"role":"user","content":"Ünïcødé? 你好"},{"role":"assistant","content":"😀 ok "}]}\r\n',
  '\r\n',
  '   \r\n',
  '{"query":"中文","response":"回答\\n第二行"}\r\n',
  '{"instruction":"é","output":"🎉"}',
);

const want: RecordResult[] = [
  {
    line: 1,
    format: 'messages',
    issues: [],
    conversation: {
      messages: [
        { role: 'user', content: 'Ünïcødé? 你好' },
        { role: 'assistant', content: '😀 ok ' },
      ],
      source: { format: 'messages', line: 1 },
    },
  },
  {
    line: 4,
    format: 'query_response',
    issues: [],
    conversation: {
      messages: [
        { role: 'user', content: '中文' },
        { role: 'assistant', content: '回答\n第二行' },
      ],
      source: { format: 'query_response', line: 4 },
    },
  },
  {
    line: 5,
    format: 'alpaca',
    issues: [],
    conversation: {
      messages: [
        { role: 'user', content: 'é' },
        { role: 'assistant', content: '🎉' },
      ],
      source: { format: 'alpaca', line: 5 },
    },
  },
];

describe('readDataset', () => {
  it('reads the same records however the bytes are cut (1-byte chunks, random cuts)', async () => {
    for (const s of splits(file.length, 30)) expect(await all(chunked(file, s.sizes)), s.name).toEqual(want);
  });

  it('reads a Blob', async () => {
    expect(await all(new Blob([file as BlobPart]))).toEqual(want);
  });

  it('reports invalid UTF-8 on its line and reads the lines around it', async () => {
    const bytes = bytesOf(
      '{"query":"a","response":"b"}\n{"query":"',
      [0xff, 0xfe],
      '","response":"b"}\n{"query":"c","response":"d"}\n',
    );
    for (const s of splits(bytes.length, 5)) {
      const got = await all(chunked(bytes, s.sizes));
      expect(
        got.map((r) => [r.line, r.conversation !== undefined, r.issues.map((i) => i.code)]),
        s.name,
      ).toEqual([
        [1, true, []],
        [2, false, ['invalid_utf8']],
        [3, true, []],
      ]);
      expect(got[1].issues[0].message).toContain('byte 0xFF at byte offset 10');
    }
  });

  it('passes progress through and stops on abort', async () => {
    const ac = new AbortController();
    const progress: number[] = [];
    const lines: number[] = [];
    const run = async () => {
      for await (const r of readDataset(chunked(file, [40, 40, 40, 40]), {
        signal: ac.signal,
        onProgress: (n) => progress.push(n),
      })) {
        lines.push(r.line);
        ac.abort();
      }
    };
    await expect(run()).rejects.toThrow(/abort/i);
    expect(lines).toEqual([1]);
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.every((n, i) => n === 40 * (i + 1))).toBe(true);
  });
});
