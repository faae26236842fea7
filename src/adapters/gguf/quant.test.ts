// Q8_0 and F16 encodings against values worked out by hand from ggml's definitions
// (ggml-quants.c quantize_row_q8_0_ref; IEEE 754 binary16), not from this code.
import { describe, expect, it } from 'vitest';
import { encodeGgml, quantizeQ8_0 } from './quant.ts';

function block(bytes: Uint8Array, i: number): { d: number; qs: number[] } {
  const v = new DataView(bytes.buffer, bytes.byteOffset + i * 34, 34);
  return { d: v.getUint16(0, true), qs: Array.from({ length: 32 }, (_, j) => v.getInt8(2 + j)) };
}

describe('quantizeQ8_0', () => {
  it('d = amax/127 stored as f16, qs = roundf(x/d) with halves away from zero', () => {
    // Block 0: amax 127 → d = 1 (f16 0x3C00), so qs = roundf(x): 2.5 → 3 and −2.5 → −3 (C roundf, not
    // round-half-even), 0.49 → 0, −126.5 → −127.
    const b0 = [127, -127, 2.5, -2.5, 0.49, -126.5, 1.5, 0, ...Array(24).fill(10)];
    // Block 1: all zero → d = 0, id = 0, qs = 0.
    const b1 = Array(32).fill(0);
    // Block 2: amax 1 → d = 1/127 ≈ 0.0078740 → f16 0x2008 (2^-7·(1 + 8/1024)); 1/d rounds to 127 in float32,
    // so 0.5 → roundf(63.5) = 64 and −1 → −127.
    const b2 = [1, 0.5, -1, ...Array(29).fill(0.25)];
    const q = quantizeQ8_0(Float32Array.from([...b0, ...b1, ...b2]));
    expect(q.length).toBe(3 * 34);
    expect(block(q, 0)).toEqual({ d: 0x3c00, qs: [127, -127, 3, -3, 0, -127, 2, 0, ...Array(24).fill(10)] });
    expect(block(q, 1)).toEqual({ d: 0, qs: Array(32).fill(0) });
    expect(block(q, 2)).toEqual({ d: 0x2008, qs: [127, 64, -127, ...Array(29).fill(32)] });
  });

  it('refuses values that do not fill whole blocks', () => {
    expect(() => quantizeQ8_0(new Float32Array(33))).toThrow(/multiple of 32/);
  });
});

describe('encodeGgml', () => {
  it('F16 rounds to nearest even; F32 keeps the bytes', () => {
    // 1 + 2^-11 is halfway between 1 and 1 + 2^-10: ties to even → 1 (0x3C00); 1 + 3·2^-11 → 1 + 2^-9 (0x3C02).
    const h = new Uint16Array(
      encodeGgml('F16', Float32Array.of(1 + 2 ** -11, 1 + 3 * 2 ** -11, -2, 65504, 1e-8)).buffer,
    );
    expect([...h]).toEqual([0x3c00, 0x3c02, 0xc000, 0x7bff, 0x0000]);
    const f = new Float32Array(encodeGgml('F32', Float32Array.of(1.5, -0.25)).buffer);
    expect([...f]).toEqual([1.5, -0.25]);
  });
});
