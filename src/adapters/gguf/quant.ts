// Tensor encodings for GGUF: F32, F16 (IEEE half, round to nearest even as numpy's astype and
// ggml's GGML_FP32_TO_FP16), and Q8_0 exactly as ggml's reference quantize_row_q8_0_ref
// (ggml/src/ggml-quants.c; gguf-py quants.py Q8_0 is bit-exact with it):
//   per block of 32 values: amax = max |x|; d = amax / 127 (float32); id = d ? 1/d : 0;
//   store d as f16, then qs[j] = roundf(x[j] * id) (round half away from zero) as int8.
// Block layout (block_q8_0): 2 bytes of f16 d, then 32 int8 — 34 bytes.
import { f32ToF16Bits } from '../../model/safetensors/float.ts';
import { GgufError, type GgmlTypeName } from './format.ts';

export const QK8_0 = 32;

const fr = Math.fround;

/** Quantize rows of float32 values (length a multiple of 32) to Q8_0 blocks. */
export function quantizeQ8_0(x: Float32Array): Uint8Array {
  if (x.length % QK8_0) throw new GgufError(`Q8_0 needs a multiple of ${QK8_0} values, got ${x.length}`);
  const nb = x.length / QK8_0;
  const out = new Uint8Array(nb * 34);
  const view = new DataView(out.buffer);
  for (let i = 0; i < nb; i++) {
    const base = i * QK8_0;
    let amax = 0;
    for (let j = 0; j < QK8_0; j++) amax = Math.max(amax, Math.abs(x[base + j]));
    const d = fr(amax / 127);
    const id = d ? fr(1 / d) : 0;
    view.setUint16(i * 34, f32ToF16Bits(d), true);
    for (let j = 0; j < QK8_0; j++) {
      const v = fr(x[base + j] * id);
      // C's roundf: half away from zero.
      const q = Math.sign(v) * Math.floor(Math.abs(v) + 0.5);
      view.setInt8(i * 34 + 2 + j, q);
    }
  }
  return out;
}

/** Encode float32 values in a GGUF tensor type. */
export function encodeGgml(type: GgmlTypeName, x: Float32Array): Uint8Array {
  switch (type) {
    case 'F32':
      return new Uint8Array(x.buffer.slice(x.byteOffset, x.byteOffset + x.byteLength));
    case 'F16': {
      const h = new Uint16Array(x.length);
      for (let i = 0; i < x.length; i++) h[i] = f32ToF16Bits(x[i]);
      return new Uint8Array(h.buffer);
    }
    case 'Q8_0':
      return quantizeQ8_0(x);
  }
}
