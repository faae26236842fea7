import { describe, expect, it } from 'vitest';
import { isBlank, readLines } from './lines.ts';
import { bytesOf, chunked, splits } from './test-helpers.ts';

async function lines(stream: ReadableStream<Uint8Array> | Blob): Promise<[number, string][]> {
  const out: [number, string][] = [];
  // Non-fatal decode here: these tests are about where lines are cut, not about validity.
  for await (const l of readLines(stream))
    out.push([l.line, new TextDecoder('utf-8', { ignoreBOM: true }).decode(l.bytes)]);
  return out;
}

// Each case: the file's bytes and the lines a person reading it sees.
const cases: { name: string; bytes: Uint8Array; want: [number, string][] }[] = [
  {
    name: 'LF, final newline',
    bytes: bytesOf('a\nbc\n'),
    want: [
      [1, 'a'],
      [2, 'bc'],
    ],
  },
  {
    name: 'no final newline',
    bytes: bytesOf('a\nbc'),
    want: [
      [1, 'a'],
      [2, 'bc'],
    ],
  },
  {
    name: 'CRLF',
    bytes: bytesOf('a\r\nbc\r\n'),
    want: [
      [1, 'a'],
      [2, 'bc'],
    ],
  },
  {
    name: 'CRLF, no final newline, final CR',
    bytes: bytesOf('a\r\nbc\r'),
    want: [
      [1, 'a'],
      [2, 'bc'],
    ],
  },
  {
    name: 'blank lines kept and numbered',
    bytes: bytesOf('\n\na\r\n\r\n  \nb'),
    want: [
      [1, ''],
      [2, ''],
      [3, 'a'],
      [4, ''],
      [5, '  '],
      [6, 'b'],
    ],
  },
  {
    name: 'BOM on line 1 dropped',
    bytes: bytesOf([0xef, 0xbb, 0xbf], 'a\nb\n'),
    want: [
      [1, 'a'],
      [2, 'b'],
    ],
  },
  {
    name: 'BOM on a later line kept',
    bytes: bytesOf('a\n', [0xef, 0xbb, 0xbf], 'b'),
    want: [
      [1, 'a'],
      [2, '\uFEFFb'],
    ],
  },
  { name: 'BOM then CRLF', bytes: bytesOf([0xef, 0xbb, 0xbf], '{}\r\n'), want: [[1, '{}']] },
  { name: 'CR inside a line kept', bytes: bytesOf('a\rb\n'), want: [[1, 'a\rb']] },
  {
    name: 'multi-byte characters',
    bytes: bytesOf('你好\n😀é\r\nΩ'),
    want: [
      [1, '你好'],
      [2, '😀é'],
      [3, 'Ω'],
    ],
  },
  { name: 'empty file', bytes: bytesOf(''), want: [] },
  { name: 'only a newline', bytes: bytesOf('\n'), want: [[1, '']] },
];

describe('readLines', () => {
  for (const c of cases) {
    it(`${c.name}: the same lines however the bytes are cut`, async () => {
      for (const s of splits(c.bytes.length)) {
        expect(await lines(chunked(c.bytes, s.sizes)), s.name).toEqual(c.want);
      }
    });
  }

  it('reads a Blob', async () => {
    expect(await lines(new Blob(['x\r\n', 'y']))).toEqual([
      [1, 'x'],
      [2, 'y'],
    ]);
  });

  it('reports progress up to the file size', async () => {
    const bytes = bytesOf('one\ntwo\nthree\n');
    const seen: number[] = [];
    for await (const _ of readLines(chunked(bytes, [3, 3, 3, 3]), { onProgress: (n) => seen.push(n) })) void _;
    expect(seen).toEqual([3, 6, 9, 12, 14]);
  });

  it('a partial line survives the source reusing the buffer of its chunk', async () => {
    // A source that overwrites its buffer after each read, as a BYOB-style source may.
    const buf = new Uint8Array(4);
    const text = 'ab\ncdef\ngh';
    let at = 0;
    const stream = new ReadableStream<Uint8Array>(
      {
        pull(ctl) {
          if (at >= text.length) return ctl.close();
          const piece = text.slice(at, at + 4);
          at += 4;
          buf.fill(0x21);
          buf.set(new TextEncoder().encode(piece));
          ctl.enqueue(buf.subarray(0, piece.length));
        },
        // Pull only when asked: the buffer is reused only after its chunk was handed over.
      },
      { highWaterMark: 0 },
    );
    expect(await lines(stream)).toEqual([
      [1, 'ab'],
      [2, 'cdef'],
      [3, 'gh'],
    ]);
  });

  it('stops with the abort reason and cancels the source', async () => {
    let cancelled = false;
    let n = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(ctl) {
        ctl.enqueue(new TextEncoder().encode(`line ${n++}\n`));
      },
      cancel() {
        cancelled = true;
      },
    });
    const ac = new AbortController();
    const got: number[] = [];
    await expect(
      (async () => {
        for await (const l of readLines(stream, { signal: ac.signal })) {
          got.push(l.line);
          if (l.line === 3) ac.abort();
        }
      })(),
    ).rejects.toThrow(/abort/i);
    expect(got).toEqual([1, 2, 3]);
    expect(cancelled).toBe(true);
  });

  it('cancels the source when the reader stops early', async () => {
    let cancelled = false;
    const stream = new ReadableStream<Uint8Array>({
      pull(ctl) {
        ctl.enqueue(new TextEncoder().encode('x\n'));
      },
      cancel() {
        cancelled = true;
      },
    });
    for await (const l of readLines(stream)) if (l.line === 2) break;
    expect(cancelled).toBe(true);
  });

  it('isBlank: only spaces, tabs and CR', () => {
    expect(isBlank(bytesOf(''))).toBe(true);
    expect(isBlank(bytesOf(' \t\r '))).toBe(true);
    expect(isBlank(bytesOf(' x '))).toBe(false);
    expect(isBlank(bytesOf('\u00a0'))).toBe(false);
  });
});

describe('readLines: the per-line limit', () => {
  // Limit 8 bytes, counted before the LF (a CRLF line's CR counts): "1234567\r" fits, "123456789"
  // does not (its length is reported, its bytes dropped).
  const bytes = bytesOf('ab\n123456789\n1234567\r\nxyz0123456789xyz\nlast');
  const want = [
    [1, 'ab', undefined],
    [2, '', 9],
    [3, '1234567', undefined],
    [4, '', 16],
    [5, 'last', undefined],
  ];
  it('reports an over-long line with its length and skips it, however the bytes are cut', async () => {
    for (const s of splits(bytes.length)) {
      const got: unknown[] = [];
      for await (const l of readLines(chunked(bytes, s.sizes), { maxLineBytes: 8 }))
        got.push([l.line, new TextDecoder().decode(l.bytes), l.tooLong]);
      expect(got, s.name).toEqual(want);
    }
  });

  it('an over-long last line without a newline is reported too', async () => {
    const got: unknown[] = [];
    for await (const l of readLines(chunked(bytesOf('a\n0123456789'), [3, 3, 3, 3]), { maxLineBytes: 8 }))
      got.push([l.line, l.tooLong]);
    expect(got).toEqual([
      [1, undefined],
      [2, 10],
    ]);
  });

  it('never holds more than the limit of an over-long line', async () => {
    // A 64 MiB line in 1 MiB chunks that are never kept: the reader must drop them as they pass.
    const MiB = 1 << 20;
    let sent = 0;
    const chunk = new Uint8Array(MiB).fill(0x61);
    const stream = new ReadableStream<Uint8Array>({
      pull(c) {
        if (sent === 64) {
          c.enqueue(bytesOf('\n{}\n'));
          c.close();
          return;
        }
        sent++;
        c.enqueue(chunk.slice());
      },
    });
    const got: unknown[] = [];
    let maxHeld = 0;
    for await (const l of readLines(stream, {
      maxLineBytes: 4 * MiB,
      onProgress: () => (maxHeld = Math.max(maxHeld, process.memoryUsage().arrayBuffers)),
    })) {
      got.push([l.line, l.bytes.length, l.tooLong]);
    }
    expect(got).toEqual([
      [1, 0, 64 * MiB],
      [2, 2, undefined],
    ]);
    expect(maxHeld).toBeLessThan(40 * MiB);
  });
});
