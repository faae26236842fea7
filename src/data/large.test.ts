// 100k records through the stream: all read, and memory stays flat (the reader holds one line).
import { describe, expect, it } from 'vitest';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { readDataset } from './read.ts';
import { summarizeDataset } from './summary.ts';
import { rng } from './test-helpers.ts';

const RECORDS = 100_000;

/** One generated record; every 1000th is broken so the counts have something to check. */
function record(i: number): string {
  if (i % 1000 === 999) return `{"messages": [{"role": "user", "content": "broken ${i}"},]}`;
  switch (i % 3) {
    case 0:
      return JSON.stringify({
        messages: [
          { role: 'user', content: `Question ${i}: 你好，世界 😀` },
          { role: 'assistant', content: `Answer ${i}. ${'lorem ipsum '.repeat(8)}` },
        ],
      });
    case 1:
      return JSON.stringify({ instruction: `Task ${i}`, input: 'café', output: `Done ${i}` });
    default:
      return JSON.stringify({
        tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'object' } } }],
        messages: [
          { role: 'user', content: `call ${i}` },
          { role: 'tool_call', content: `{"name": "f", "arguments": {"i": ${i}}}` },
          { role: 'tool_response', content: 'ok' },
          { role: 'assistant', content: 'done' },
        ],
      });
  }
}

/** The file generated as it is read, in chunks of random size: it never exists as a whole. */
function generated(): { stream: ReadableStream<Uint8Array>; bytes: () => number } {
  const enc = new TextEncoder();
  const r = rng(3);
  let i = 0;
  let pending = new Uint8Array(0);
  let total = 0;
  const stream = new ReadableStream<Uint8Array>({
    pull(ctl) {
      while (pending.length < 65536 && i < RECORDS) {
        const line = enc.encode(record(i++) + (i % 2 ? '\r\n' : '\n'));
        const joined = new Uint8Array(pending.length + line.length);
        joined.set(pending);
        joined.set(line, pending.length);
        pending = joined;
      }
      if (pending.length === 0) return ctl.close();
      const n = Math.min(pending.length, 1 + Math.floor(r() * 50000));
      ctl.enqueue(pending.slice(0, n));
      total += n;
      pending = pending.slice(n);
    },
  });
  return { stream, bytes: () => total };
}

function gcNow(): (() => void) | undefined {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as (() => void) | undefined;
}

describe('a 100k-record file', () => {
  it('is read completely with bounded memory', async () => {
    const gc = gcNow();
    gc?.();
    const before = process.memoryUsage().heapUsed;
    let peak = 0;
    let n = 0;
    let valid = 0;
    let lastLine = 0;
    const file = generated();
    for await (const r of readDataset(file.stream)) {
      n++;
      if (r.conversation) valid++;
      lastLine = r.line;
      if (n % 10_000 === 0) {
        gc?.();
        peak = Math.max(peak, process.memoryUsage().heapUsed - before);
      }
    }
    expect(n).toBe(RECORDS);
    expect(lastLine).toBe(RECORDS);
    expect(valid).toBe(RECORDS - 100);
    expect(file.bytes()).toBeGreaterThan(15_000_000);
    // The file is ~20 MB; holding it (or its records) would grow the heap by far more than this.
    console.log(
      `100k records, ${(file.bytes() / 1e6).toFixed(1)} MB: peak heap growth ${(peak / 1e6).toFixed(1)} ` +
        `MB (gc ${gc ? 'on' : 'off'})`,
    );
    expect(peak).toBeLessThan(gc ? 8_000_000 : 64_000_000);
  });

  it('summarizes without keeping conversations', async () => {
    const { summary, conversations } = await summarizeDataset(generated().stream, { keepConversations: false });
    expect(conversations).toEqual([]);
    expect(summary.records).toBe(RECORDS);
    expect(summary.valid + summary.invalid).toBe(RECORDS);
    expect(summary.invalid).toBe(100);
    expect(summary.issues.map((i) => i.code)).toEqual(Array(100).fill('invalid_json'));
    expect(summary.issues[0].line).toBe(1000);
    // Generated: i % 3 == 0 messages, 1 alpaca, 2 swift; the 100 broken ones have no format.
    const broken = (k: number) =>
      Array.from({ length: 100 }, (_, j) => 999 + 1000 * j).filter((i) => i % 3 === k).length;
    expect(summary.formats).toEqual({
      messages: 33334 - broken(0),
      alpaca: 33333 - broken(1),
      swift: 33333 - broken(2),
    });
  });
});
