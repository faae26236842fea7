// Cross-check against an independent reader/writer written from the spec in Python (json +
// torch.frombuffer), and against PyTorch's own float32 → bf16/f16 rounding.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { bytesSource } from '../sources/byte-source.ts';
import { f32ToBf16Bits, f32ToF16Bits, fromFloat32, toFloat32 } from './float.ts';
import { openSafetensors } from './reader.ts';
import { writeSafetensors, type TensorToWrite } from './writer.ts';

const PYTHON = '/usr/bin/python3';
const SCRIPT = join(import.meta.dirname, 'st_reference.py');

interface PyTensor {
  dtype: string;
  shape: number[];
  offsets?: [number, number];
  values: number[];
}
interface PyAnswer {
  read: {
    header_len: number;
    keys: string[];
    metadata: Record<string, string> | null;
    tensors: Record<string, PyTensor>;
  }[];
  write: Record<string, PyTensor>[];
  bits: { bf16: number[]; f16: number[] };
}

const dir = mkdtempSync(join(tmpdir(), 'prism-st-'));
const ours = join(dir, 'ours.safetensors');
const theirs = join(dir, 'python.safetensors');

// Values chosen to hit every rounding path: ties to even, subnormal halves, overflow to
// infinity, signed zero, NaN, and ordinary normals across magnitudes.
const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
const bitsOf = (x: number) => ((f32[0] = x), u32[0]);
const special = [
  0,
  -0,
  1,
  -1,
  1 + 2 ** -8,
  1 + 3 * 2 ** -8,
  1 + 2 ** -8 + 2 ** -20,
  1 + 2 ** -11,
  1 + 3 * 2 ** -11,
  65504,
  65519,
  65520,
  70000,
  -1e6,
  6e-8,
  2 ** -25,
  3 * 2 ** -26,
  2 ** -24 * 1.5,
  3e-5,
  6.1e-5,
  1e-40,
  3.4e38,
  -3.4e38,
  Infinity,
  -Infinity,
  0.1,
  0.2,
  1 / 3,
];
const probe = [...special.map(bitsOf), 0x7fc00000, 0xffc00001, 0x7f800001];
let s = 12345;
for (let i = 0; i < 2000; i++) {
  s = (Math.imul(s, 1103515245) + 12345) >>> 0;
  probe.push(s); // arbitrary bit patterns: every exponent, both signs, NaNs included
}

const mine: TensorToWrite[] = [
  {
    name: 'model.embed_tokens.weight',
    dtype: 'BF16',
    shape: [4, 3],
    data: fromFloat32('BF16', [0.5, -1.25, 3.1, 0.01, -0.02, 7, 8, 9, -10, 1e-3, 2e3, -5e-4]),
  },
  { name: 'lm_head.weight', dtype: 'F32', shape: [2, 3], data: fromFloat32('F32', [0.1, 0.2, 0.3, -0.4, 5e-8, 1e8]) },
  { name: 'model.norm.weight', dtype: 'F16', shape: [3], data: fromFloat32('F16', [1.5, -0.25, 2049]) },
  { name: 'ids', dtype: 'I64', shape: [2], data: new Uint8Array(new BigInt64Array([-5n, 1234567890123n]).buffer) },
  { name: 'flags', dtype: 'U8', shape: [2, 2], data: Uint8Array.from([0, 1, 254, 255]) },
];

let answer: PyAnswer;
beforeAll(() => {
  if (!existsSync(PYTHON)) throw new Error(`${PYTHON} not found: apt-get install python3 python3-torch`);
  writeFileSync(ours, writeSafetensors(mine, { format: 'pt' }));
  const res = spawnSync(PYTHON, [SCRIPT], {
    input: JSON.stringify({ read: [ours], write: [{ path: theirs, seed: 7 }], bits: probe }),
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  if (res.status !== 0)
    throw new Error(`${PYTHON} ${SCRIPT} failed (needs python3-torch: apt-get install python3-torch):\n${res.stderr}`);
  answer = JSON.parse(res.stdout);
}, 60_000);

describe('Python reads the files we write', () => {
  it('sees every tensor with our dtype, shape and values', () => {
    const got = answer.read[0];
    expect(got.metadata).toEqual({ format: 'pt' });
    expect(got.header_len % 8).toBe(0);
    expect(Object.keys(got.tensors).sort()).toEqual(mine.map((t) => t.name).sort());
    for (const t of mine) {
      const p = got.tensors[t.name];
      expect(p.dtype).toBe(t.dtype);
      expect(p.shape).toEqual(t.shape);
      const expected =
        t.dtype === 'I64' ? [-5, 1234567890123] : t.dtype === 'U8' ? [...t.data] : [...toFloat32(t.dtype, t.data)];
      expect(p.values).toEqual(expected);
    }
  });
  it('finds the header keys in the reference order (dtype alignment desc, then name)', () => {
    expect(answer.read[0].keys).toEqual([
      '__metadata__',
      'ids',
      'lm_head.weight',
      'model.embed_tokens.weight',
      'model.norm.weight',
      'flags',
    ]);
  });
});

describe('we read the files Python writes', () => {
  it('gets the same dtypes, shapes and values', async () => {
    const f = await openSafetensors(bytesSource(new Uint8Array(readFileSync(theirs))), 'python.safetensors');
    expect(f.header.metadata).toEqual({ format: 'pt', writer: 'python' });
    expect(f.header.gaps).toEqual([]);
    const want = answer.write[0];
    expect(f.tensors.map((t) => t.name).sort()).toEqual(Object.keys(want).sort());
    for (const [name, p] of Object.entries(want)) {
      const e = f.get(name)!;
      expect(e.dtype).toBe(p.dtype);
      expect(e.shape).toEqual(p.shape);
      const bytes = await f.read(name);
      const values =
        e.dtype === 'I64'
          ? [...new BigInt64Array(bytes.slice().buffer)].map(Number)
          : e.dtype === 'U8'
            ? [...bytes]
            : [...toFloat32(e.dtype, bytes)];
      expect(values).toEqual(p.values);
    }
  });
});

describe('float32 → bf16 / f16 rounding equals PyTorch', () => {
  const isNaN16 = (h: number, expBits: number, mantMask: number) =>
    ((h >> (15 - expBits)) & ((1 << expBits) - 1)) === (1 << expBits) - 1 && (h & mantMask) !== 0;
  it('bf16: every probe value', () => {
    const mismatches: string[] = [];
    probe.forEach((b, i) => {
      u32[0] = b;
      const ours = f32ToBf16Bits(f32[0]);
      const torch = answer.bits.bf16[i];
      const same = ours === torch || (isNaN16(ours, 8, 0x7f) && isNaN16(torch, 8, 0x7f));
      if (!same) mismatches.push(`0x${b.toString(16)}: ours 0x${ours.toString(16)} torch 0x${torch.toString(16)}`);
    });
    expect(mismatches).toEqual([]);
  });
  it('f16: every probe value', () => {
    const mismatches: string[] = [];
    probe.forEach((b, i) => {
      u32[0] = b;
      const ours = f32ToF16Bits(f32[0]);
      const torch = answer.bits.f16[i];
      const same = ours === torch || (isNaN16(ours, 5, 0x3ff) && isNaN16(torch, 5, 0x3ff));
      if (!same) mismatches.push(`0x${b.toString(16)}: ours 0x${ours.toString(16)} torch 0x${torch.toString(16)}`);
    });
    expect(mismatches).toEqual([]);
  });
});
