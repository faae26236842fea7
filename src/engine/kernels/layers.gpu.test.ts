// LoRA, RMSNorm (incl. per-head q/k norm), RoPE, SwiGLU, embedding and residual kernels on
// SwiftShader against the float64 CPU references (whose backward passes are checked against
// finite differences in testing/reference.test.ts). Sizes are deliberately odd.
// Bounds (max |err| / max |ref|): element-wise kernels 2e-6; reductions over ≤ 100 terms and
// the matmul chains of LoRA 1e-5; embedding gather is exact.
import { beforeAll, describe, expect, it } from 'vitest';
import { nodeDevice } from '../../cli/node-gpu.ts';
import { maxRelErr, rng } from '../testing/random.ts';
import { read, runChecked, upload, zeros } from '../testing/gpu.ts';
import {
  embeddingRef,
  loraBackwardRef,
  loraRef,
  rmsnormBackwardRef,
  rmsnormRef,
  ropeBackwardRef,
  ropeRef,
  swigluBackwardRef,
  swigluRef,
} from '../testing/reference.ts';
import { roundTo, type DType } from '../tensor/dtype.ts';
import { weightTensor } from '../tensor/tensor.ts';
import { dropoutMask, loraBackward, loraForward } from './lora.ts';
import { rmsnormBackward, rmsnormForward } from './rmsnorm.ts';
import { ropeBackward, ropeForward, ropeInvFreq, ropeTables } from './rope.ts';
import { addInPlace, swigluBackward, swigluForward } from './elementwise.ts';
import { embeddingForward } from './embedding.ts';

let device: GPUDevice;
beforeAll(async () => {
  device = await nodeDevice();
});

describe('LoRA', () => {
  for (const p of [0, 0.2]) {
    it(`forward and backward (dA, dB, dX share), dropout p=${p}, T=23 in=37 out=29 r=5`, async () => {
      const [T, inF, outF, r, scale, seed] = [23, 37, 29, 5, 16 / 5, 1234];
      const g = rng(77 + p * 10);
      const x = g.normal(T * inF);
      const a = g.normal(r * inF, 0.3);
      const b = g.normal(outF * r, 0.3); // PEFT starts B at zero; a trained B is not
      const y0 = g.normal(T * outF);
      const dy = g.normal(T * outF);
      const dx0 = g.normal(T * inF);
      const dA0 = g.normal(r * inF);
      const dB0 = g.normal(outF * r);
      const dropout = p > 0 ? { p, seed } : undefined;
      const bufs = {
        x: upload(device, x),
        a: upload(device, a),
        b: upload(device, b),
        y: upload(device, y0),
        h: zeros(device, T * r),
        xd: zeros(device, T * inF),
        dy: upload(device, dy),
        dA: upload(device, dA0),
        dB: upload(device, dB0),
        dx: upload(device, dx0),
        dh: zeros(device, T * r),
      };
      const shape = { T, inF, outF, r, scale, dropout };
      await runChecked(device, (enc) => {
        loraForward(device, enc, { ...shape, ...bufs });
        loraBackward(device, enc, { ...shape, ...bufs, accumulate: true });
      });
      const mask = p > 0 ? dropoutMask(seed, T * inF, p) : undefined;
      if (mask) expect(mask.filter((m) => m === 0).length).toBeGreaterThan(0);
      const ref = loraRef(x, a, b, T, inF, outF, r, scale, mask);
      const gr = loraBackwardRef(x, a, b, dy, T, inF, outF, r, scale, mask);
      // Compare the LoRA contributions (subtract the random initial contents).
      const minus = (got: Float32Array, init: Float32Array) => got.map((v, i) => v - init[i]);
      expect(maxRelErr(await read(device, bufs.h), ref.h)).toBeLessThan(1e-5);
      expect(maxRelErr(minus(await read(device, bufs.y), y0), ref.y)).toBeLessThan(1e-5);
      expect(maxRelErr(minus(await read(device, bufs.dA), dA0), gr.dA)).toBeLessThan(1e-5);
      expect(maxRelErr(minus(await read(device, bufs.dB), dB0), gr.dB)).toBeLessThan(1e-5);
      expect(maxRelErr(minus(await read(device, bufs.dx), dx0), gr.dx)).toBeLessThan(1e-5);
    });
  }
});

describe('RMSNorm', () => {
  // The adapter's workgroup (8 threads on a CPU adapter), and the sizes a GPU gets (32 to 128).
  for (const [rows, cols, label, workgroup] of [
    [7, 53, 'hidden rows', undefined],
    [13, 300, 'cols > workgroup', undefined],
    [5 * 3, 16, 'per-head q/k norm: T=5, 3 heads, head_dim 16', undefined],
    [7, 53, 'hidden rows, 32 threads a row', 32],
    [13, 300, 'cols > workgroup, 128 threads a row', 128],
    [5 * 3, 16, 'per-head q/k norm, 32 threads a row (more than cols)', 32],
  ] as [number, number, string, number | undefined][]) {
    it(`forward and backward, ${label}`, async () => {
      const g = rng(rows * cols);
      const eps = 1e-6;
      const x = g.normal(rows * cols, 2);
      const w = g.uniform(cols, 0.5, 1.5);
      const dy = g.normal(rows * cols);
      const dx0 = g.normal(rows * cols);
      const b = {
        x: upload(device, x),
        w: upload(device, w),
        y: zeros(device, rows * cols),
        rstd: zeros(device, rows),
        dy: upload(device, dy),
        dx: upload(device, dx0),
      };
      await runChecked(device, (enc) => {
        rmsnormForward(device, enc, { ...b, rows, cols, eps, workgroup });
        rmsnormBackward(device, enc, { ...b, rows, cols, accumulate: true, workgroup });
      });
      const ref = rmsnormRef(x, w, rows, cols, eps);
      expect(maxRelErr(await read(device, b.y), ref.y)).toBeLessThan(1e-5);
      expect(maxRelErr(await read(device, b.rstd), ref.rstd)).toBeLessThan(1e-5);
      const dx = (await read(device, b.dx)).map((v, i) => v - dx0[i]);
      expect(maxRelErr(dx, rmsnormBackwardRef(x, w, dy, rows, cols, eps))).toBeLessThan(1e-5);
    });
  }
});

describe('RoPE', () => {
  it('forward and backward: explicit (packed, restarting) position ids, Llama-3 scaling, in a wider row', async () => {
    const [T, H, D] = [9, 3, 12];
    const stride = H * D + 10; // heads sit at offset 4 of a 46-wide row
    const off = 4;
    const positions = [0, 1, 2, 3, 0, 1, 2, 700, 8191];
    const inv = ropeInvFreq(D, 500000, {
      rope_type: 'llama3',
      factor: 32,
      low_freq_factor: 1,
      high_freq_factor: 4,
      original_max_position_embeddings: 8192,
    });
    const { cos, sin } = ropeTables(positions, inv);
    const g = rng(5);
    const row = g.normal(T * stride);
    const dyRow = g.normal(T * stride);
    const xb = upload(device, row);
    const dyb = upload(device, dyRow);
    const cb = upload(device, cos);
    const sb = upload(device, sin);
    // A second, packed tensor of 2 heads (attention's k) rides along in the same dispatch.
    const H2 = 2;
    const k = g.normal(T * H2 * D);
    const dk = g.normal(T * H2 * D);
    const kb = upload(device, k);
    const dkb = upload(device, dk);
    await runChecked(device, (enc) => {
      const also = { x: kb, heads: H2 };
      ropeForward(device, enc, { x: xb, also, cos: cb, sin: sb, T, heads: H, headDim: D, stride, off });
      ropeBackward(device, enc, {
        x: dyb,
        also: { x: dkb, heads: H2 },
        cos: cb,
        sin: sb,
        T,
        heads: H,
        headDim: D,
        stride,
        off,
      });
    });
    expect(maxRelErr(await read(device, kb), ropeRef(k, cos, sin, T, H2, D))).toBeLessThan(2e-6);
    expect(maxRelErr(await read(device, dkb), ropeBackwardRef(dk, cos, sin, T, H2, D))).toBeLessThan(2e-6);
    const pick = (a: Float32Array) => {
      const o = new Float32Array(T * H * D);
      for (let t = 0; t < T; t++) o.set(a.subarray(t * stride + off, t * stride + off + H * D), t * H * D);
      return o;
    };
    const gotX = await read(device, xb);
    const gotDy = await read(device, dyb);
    expect(maxRelErr(pick(gotX), ropeRef(pick(row), cos, sin, T, H, D))).toBeLessThan(2e-6);
    expect(maxRelErr(pick(gotDy), ropeBackwardRef(pick(dyRow), cos, sin, T, H, D))).toBeLessThan(2e-6);
    // The rest of the row is untouched.
    expect(gotX[0]).toBe(row[0]);
    expect(gotX[stride - 1]).toBe(row[stride - 1]);
  });
});

describe('SwiGLU, residual', () => {
  it('swiglu forward/backward on 1000 values incl. large |gate|', async () => {
    const n = 1000;
    const g = rng(8);
    const gate = g.normal(n, 4);
    gate[0] = -90;
    gate[1] = 90;
    const up = g.normal(n);
    const dout = g.normal(n);
    const b = {
      gate: upload(device, gate),
      up: upload(device, up),
      out: zeros(device, n),
      dout: upload(device, dout),
      dgate: zeros(device, n),
      dup: zeros(device, n),
    };
    await runChecked(device, (enc) => {
      swigluForward(device, enc, b.gate, b.up, b.out, n);
      swigluBackward(device, enc, b.gate, b.up, b.dout, b.dgate, b.dup, n);
    });
    const ref = swigluBackwardRef(gate, up, dout);
    expect(maxRelErr(await read(device, b.out), swigluRef(gate, up))).toBeLessThan(2e-6);
    expect(maxRelErr(await read(device, b.dgate), ref.dgate)).toBeLessThan(2e-6);
    expect(maxRelErr(await read(device, b.dup), ref.dup)).toBeLessThan(2e-6);
  });

  it('addInPlace', async () => {
    const n = 333;
    const g = rng(9);
    const a = g.normal(n);
    const b = g.normal(n);
    const [ab, bb] = [upload(device, a), upload(device, b)];
    await runChecked(device, (enc) => addInPlace(device, enc, ab, bb, n));
    const want = a.map((v, i) => v + b[i]);
    expect(Array.from(await read(device, ab))).toEqual(Array.from(want));
  });
});

describe('embedding gather', () => {
  for (const [dtype, maxBytes] of [
    ['f32', undefined],
    ['bf16', 5 * 13 * 2],
    ['f16', undefined],
  ] as [DType, number | undefined][]) {
    it(`${dtype}${maxBytes ? ', table split by rows' : ''}: V=37, D=13, T=17`, async () => {
      const [V, D, T] = [37, 13, 17];
      const g = rng(10);
      const w = g.normal(V * D);
      const ids = new Uint32Array(g.ints(T, V));
      ids[0] = V - 1;
      ids[1] = 0;
      const wt = weightTensor(device, w, [V, D], dtype, 'emb', maxBytes);
      if (maxBytes) expect(wt.chunks.length).toBeGreaterThan(3);
      const out = zeros(device, T * D);
      await runChecked(device, (enc) => embeddingForward(device, enc, upload(device, ids), wt, out, T));
      const want = embeddingRef(ids, roundTo(dtype, w), D);
      expect(Array.from(await read(device, out))).toEqual(Array.from(want));
    });
  }
});
