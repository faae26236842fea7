import { describe, expect, it } from 'vitest';
import { bytesSource } from '../sources/byte-source.ts';
import { fromFloat32, toFloat32 } from './float.ts';
import { parseHeader, SafetensorsError } from './header.ts';
import { openSafetensors } from './reader.ts';
import { writeSafetensors, type TensorToWrite } from './writer.ts';

/** A file from a header string and a data section, with N computed (or forced). */
function file(header: string, data: Uint8Array | number = 0, n?: number): Uint8Array {
  const h = new TextEncoder().encode(header);
  const d = typeof data === 'number' ? new Uint8Array(data) : data;
  const out = new Uint8Array(8 + h.length + d.length);
  new DataView(out.buffer).setUint32(0, n ?? h.length, true);
  out.set(h, 8);
  out.set(d, 8 + h.length);
  return out;
}

const open = (bytes: Uint8Array) => openSafetensors(bytesSource(bytes), 'test.safetensors');

describe('writeSafetensors matches the reference implementation byte for byte', () => {
  // Expected bytes are the reference crate's own unit tests (safetensors/src/tensor.rs:
  // test_serialization_forced_alignement and test_empty).
  it('pads the header with spaces to 8 bytes', () => {
    const data = fromFloat32('F32', [0, 1, 2, 3, 4, 5]);
    const out = writeSafetensors([{ name: 'attn0', dtype: 'F32', shape: [1, 1, 2, 3], data }]);
    expect([...out]).toEqual([
      72, 0, 0, 0, 0, 0, 0, 0, 123, 34, 97, 116, 116, 110, 48, 34, 58, 123, 34, 100, 116, 121, 112, 101, 34, 58, 34, 70,
      51, 50, 34, 44, 34, 115, 104, 97, 112, 101, 34, 58, 91, 49, 44, 49, 44, 50, 44, 51, 93, 44, 34, 100, 97, 116, 97,
      95, 111, 102, 102, 115, 101, 116, 115, 34, 58, 91, 48, 44, 50, 52, 93, 125, 125, 32, 32, 32, 32, 32, 32, 32, 0, 0,
      0, 0, 0, 0, 128, 63, 0, 0, 0, 64, 0, 0, 64, 64, 0, 0, 128, 64, 0, 0, 160, 64,
    ]);
  });
  it('writes an empty file and metadata', () => {
    expect([...writeSafetensors([])]).toEqual([8, 0, 0, 0, 0, 0, 0, 0, 123, 125, 32, 32, 32, 32, 32, 32]);
    expect([...writeSafetensors([], { framework: 'pt' })]).toEqual([
      40, 0, 0, 0, 0, 0, 0, 0, 123, 34, 95, 95, 109, 101, 116, 97, 100, 97, 116, 97, 95, 95, 34, 58, 123, 34, 102, 114,
      97, 109, 101, 119, 111, 114, 107, 34, 58, 34, 112, 116, 34, 125, 125, 32, 32, 32, 32, 32,
    ]);
  });
  it('orders tensors by dtype alignment, largest first, then by name', async () => {
    const t = (name: string, dtype: TensorToWrite['dtype'], n: number): TensorToWrite => ({
      name,
      dtype,
      shape: [n],
      data: new Uint8Array(n * (dtype === 'U8' ? 1 : dtype === 'BF16' ? 2 : dtype === 'F32' ? 4 : 8)),
    });
    const f = await open(
      writeSafetensors([
        t('b', 'U8', 3),
        t('a', 'U8', 1),
        t('z', 'BF16', 2),
        t('m', 'I64', 1),
        t('c', 'F32', 1),
        t('a2', 'F32', 2),
      ]),
    );
    expect(f.tensors.map((x) => x.name)).toEqual(['m', 'a2', 'c', 'z', 'a', 'b']);
    expect(f.header.gaps).toEqual([]);
    expect(f.header.dataStart % 8).toBe(0);
  });
});

describe('round trip', () => {
  it('reads back every dtype, shape and byte, and metadata', async () => {
    const rnd = (n: number) => Uint8Array.from({ length: n }, (_, i) => (i * 37 + 11) & 255);
    const tensors: TensorToWrite[] = [
      {
        name: 'w.f32',
        dtype: 'F32',
        shape: [3, 5],
        data: fromFloat32(
          'F32',
          Array.from({ length: 15 }, (_, i) => Math.sin(i) * 3),
        ),
      },
      { name: 'w.bf16', dtype: 'BF16', shape: [2, 3], data: fromFloat32('BF16', [0.1, -2.5, 3e-3, 1e5, -7, 0.33]) },
      { name: 'w.f16', dtype: 'F16', shape: [4], data: fromFloat32('F16', [0.1, -2.5, 65504, 6e-8]) },
      { name: 'ids', dtype: 'I64', shape: [2], data: rnd(16) },
      { name: 'mask', dtype: 'BOOL', shape: [3], data: Uint8Array.from([1, 0, 1]) },
      { name: 'empty', dtype: 'F32', shape: [0, 4], data: new Uint8Array(0) },
      { name: 'scalar', dtype: 'I32', shape: [], data: rnd(4) },
    ];
    const bytes = writeSafetensors(tensors, { format: 'pt', note: 'ünïcode' });
    const f = await open(bytes);
    expect(f.header.metadata).toEqual({ format: 'pt', note: 'ünïcode' });
    expect(f.tensors).toHaveLength(tensors.length);
    for (const t of tensors) {
      const e = f.get(t.name)!;
      expect(e.dtype).toBe(t.dtype);
      expect(e.shape).toEqual(t.shape);
      expect([...(await f.read(t.name))]).toEqual([...t.data]);
    }
    // Streaming with tiny chunks yields the same bytes, in file order.
    const seen: string[] = [];
    for await (const t of f.stream({ chunkBytes: 16 })) {
      seen.push(t.name);
      expect([...t.data]).toEqual([...tensors.find((x) => x.name === t.name)!.data]);
    }
    expect(seen).toEqual(f.tensors.map((t) => t.name));
    const bf = toFloat32('BF16', await f.read('w.bf16'));
    // bf16 keeps 8 significant bits: rounding error ≤ half an ulp ≤ 2^-8 relative.
    [0.1, -2.5, 3e-3, 1e5, -7, 0.33].forEach((v, i) =>
      expect(Math.abs(bf[i] - v)).toBeLessThanOrEqual(Math.abs(v) * 2 ** -8),
    );
  });

  it('streams only the tensors a filter keeps', async () => {
    const tensors: TensorToWrite[] = ['a', 'b', 'c'].map((name, i) => ({
      name,
      dtype: 'F32',
      shape: [2],
      data: fromFloat32('F32', [i, i + 0.5]),
    }));
    const f = await open(writeSafetensors(tensors));
    const got = [];
    for await (const t of f.stream({ filter: (e) => e.name !== 'b' }))
      got.push([t.name, ...toFloat32(t.dtype, t.data)]);
    expect(got).toEqual([
      ['a', 0, 0.5],
      ['c', 2, 2.5],
    ]);
  });
});

describe('corrupt files fail clearly', () => {
  const T = (s: string) => `{"t":{"dtype":"F32","shape":[2],"data_offsets":${s}}}`;
  const cases: [string, Uint8Array, RegExp][] = [
    ['shorter than 8 bytes', new Uint8Array([1, 2, 3]), /too short/],
    [
      'header length over 100 MB',
      (() => {
        const b = new Uint8Array(16);
        new DataView(b.buffer).setUint32(0, 100_000_001, true);
        return b;
      })(),
      /exceeds the 100000000-byte limit/,
    ],
    [
      'header length ≥ 2^53 (high word set)',
      (() => {
        const b = new Uint8Array(16);
        new DataView(b.buffer).setUint32(4, 0xffffffff, true);
        return b;
      })(),
      /exceeds/,
    ],
    ['header length past the end of the file', file('{}', 0, 500), /runs past the end of the \d+-byte file/],
    ['header not UTF-8', file('{"ab":1}', 0).map((b, i) => (i === 10 ? 0xff : b)), /not valid UTF-8/],
    ['header not JSON', file('{"t": ', 0), /not valid JSON/],
    ['header a JSON array', file('[1, 2]  ', 0), /must be a JSON object/],
    ['metadata value not a string', file('{"__metadata__":{"a":1}}', 0), /__metadata__ value "a" must be a string/],
    [
      'unknown dtype',
      file('{"t":{"dtype":"F8","shape":[1],"data_offsets":[0,1]}}', 1),
      /tensor "t": unknown dtype "F8"/,
    ],
    [
      'negative shape',
      file('{"t":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}', 4),
      /tensor "t": shape must be a list of non-negative integers/,
    ],
    [
      'fractional shape',
      file('{"t":{"dtype":"F32","shape":[1.5],"data_offsets":[0,4]}}', 4),
      /tensor "t": shape must be/,
    ],
    ['missing data_offsets', file('{"t":{"dtype":"F32","shape":[1]}}', 4), /tensor "t": data_offsets must be/],
    [
      'shape × dtype ≠ byte range',
      file(T('[0,4]'), 8),
      /tensor "t": shape \[2\] × F32 is 8 bytes but data_offsets \[0, 4\] hold 4/,
    ],
    ['offsets reversed', file(T('[8,0]'), 8), /tensor "t": data_offsets \[8, 0\] end before they begin/],
    [
      'truncated data section',
      file(T('[0,8]'), 5),
      /tensor "t": data_offsets \[0, 8\] run past the end of the data section \(5 bytes\): file truncated\?/,
    ],
    [
      'overlapping tensors',
      file(
        '{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}',
        12,
      ),
      /tensor "b" \[4, 12\] overlaps tensor "a" \[0, 8\]/,
    ],
    [
      'shape overflow',
      file('{"t":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,4]}}', 4),
      /overflows/,
    ],
  ];
  for (const [what, bytes, message] of cases) {
    it(what, async () => {
      const err = await open(bytes).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(SafetensorsError);
      expect((err as Error).message).toMatch(message);
    });
  }

  it('reports unused gaps without failing', () => {
    const h = new TextEncoder().encode('{"a":{"dtype":"U8","shape":[2],"data_offsets":[3,5]}}');
    const header = parseHeader(h, 8 + h.length + 9);
    expect(header.gaps).toEqual([
      { begin: 0, end: 3 },
      { begin: 5, end: 9 },
    ]);
  });

  it('names the tensor when the source returns fewer bytes than asked', async () => {
    const good = writeSafetensors([{ name: 'x', dtype: 'F32', shape: [4], data: fromFloat32('F32', [1, 2, 3, 4]) }]);
    const src = bytesSource(good);
    const dataStart = 8 + good[0];
    const shortReads = {
      size: src.size,
      read: async (o: number, l: number) =>
        o >= dataStart ? (await src.read(o, l)).subarray(0, l - 1) : src.read(o, l),
    };
    const f = await openSafetensors(shortReads, 'cut.safetensors');
    await expect(f.read('x')).rejects.toThrow(/cut.safetensors: read 15 of 16 bytes/);
  });
});
