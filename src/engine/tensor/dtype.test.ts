// Conversions checked against values whose bit patterns are known from the formats' specs
// and against PyTorch's own rounding (a batch through /usr/bin/python3).
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { bf16BitsToF32, f16BitsToF32, f32ToBf16Bits, f32ToF16Bits } from './dtype.ts';
import { rng } from '../testing/random.ts';

describe('16-bit float conversions', () => {
  it('encodes spec values', () => {
    expect(f32ToBf16Bits(1)).toBe(0x3f80);
    expect(f32ToBf16Bits(-2)).toBe(0xc000);
    expect(f32ToF16Bits(1)).toBe(0x3c00);
    expect(f32ToF16Bits(65504)).toBe(0x7bff);
    expect(f32ToF16Bits(1e6)).toBe(0x7c00);
    expect(f32ToF16Bits(2 ** -24)).toBe(1);
    expect(f16BitsToF32(0x3555)).toBeCloseTo(0.33325195, 8);
    expect(bf16BitsToF32(0x3eab)).toBeCloseTo(0.333984375, 9);
  });

  it('rounds like torch (bf16 and f16, incl. ties and subnormals)', () => {
    const py = '/usr/bin/python3';
    const r = rng(11);
    const xs = Array.from(r.normal(2000, 3));
    // Exact ties and tiny values exercise round-to-even and subnormals.
    xs.push(1 + 2 ** -8, 1 + 3 * 2 ** -8, 1 + 2 ** -11, 1 + 3 * 2 ** -11, 3e-6, -7e-8, 6.1e-5);
    const script = `
import sys, json, torch
xs = torch.tensor(json.load(sys.stdin), dtype=torch.float32)
bf = xs.to(torch.bfloat16).view(torch.int16).to(torch.int32) & 0xffff
hf = xs.to(torch.float16).view(torch.int16).to(torch.int32) & 0xffff
print(json.dumps({"bf16": bf.tolist(), "f16": hf.tolist()}))
`;
    const res = spawnSync(py, ['-c', script], { input: JSON.stringify(xs), encoding: 'utf8' });
    if (res.status !== 0)
      throw new Error(`python failed (apt-get install python3-torch python3-numpy): ${res.stderr || res.error}`);
    const want = JSON.parse(res.stdout) as { bf16: number[]; f16: number[] };
    const f = new Float32Array(xs);
    expect(Array.from(f, f32ToBf16Bits)).toEqual(want.bf16);
    expect(Array.from(f, f32ToF16Bits)).toEqual(want.f16);
    for (const h of want.f16.slice(0, 50)) expect(f32ToF16Bits(f16BitsToF32(h))).toBe(h);
  });
});
