// GEMM with vec4 global and workgroup loads along K (gemm variant 'vec4', src/engine/kernels/
// matmul_variants.ts), ONNX Runtime Web's fastest WebGPU Gemm layout: the same product and
// parameters as matmul.wgsl — C = alpha · A · Bᵀ (+ bias[j]) (+ C) with A f32 [M, K] at a_off,
// row stride lda, and B = W [N, K] stored [out, in] (transB), in its checkpoint dtype
// (common/weights.wgsl: f32, or bf16 / f16 two per u32).
// Both operands are bound as arrays of vec4: one load brings 4 consecutive k of A or of an f32
// B row, 8 of a 16-bit B row. So the wrapper requires (gemmVariantApplies): no transposed A,
// transposed B, K, lda and a_off multiples of 4, and ldb (and K) multiples of 4 for f32 B, of
// 8 for 16-bit B. Edges along M and N are masked; K has no partial vec4.
// Each 16×16 workgroup computes a 64×64 tile of C, 4×4 per thread (rows ty + 16i, columns
// tx + 16j), over 16-deep k slices held as vec4 in workgroup memory (rows padded to 5 vec4, so
// neighbouring threads' reads fall in different banks); per k4 a thread reads 8 vec4 for 64
// multiply-adds (16 dot products).
struct Params {
  M: u32, N: u32, K: u32,
  lda: u32, ldb: u32, ldc: u32,
  a_off: u32, c_off: u32, bias_off: u32,
  accumulate: u32, has_bias: u32, alpha: f32,
}

@group(0) @binding(0) var<storage, read> a: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read> b: array<vec4<u32>>;
@group(0) @binding(2) var<storage, read> bias: array<f32>;
@group(0) @binding(3) var<storage, read_write> c: array<f32>;
@group(0) @binding(4) var<uniform> p: Params;

const BM = 64u;
const BN = 64u;
const BK4 = 4u; // 16-deep k slices, as vec4
const STRIDE = 5u; // BK4 + 1: padded row of a slice

var<workgroup> As: array<vec4<f32>, 320>; // [BM][STRIDE]
var<workgroup> Bs: array<vec4<f32>, 320>; // [BN][STRIDE]

// The 4 f32 of word group w (f32 B).
fn b_f32(w: vec4<u32>) -> vec4<f32> {
  return bitcast<vec4<f32>>(w);
}

// The 8 values of a 16-bit group: its first 4 (lo) and last 4 (hi).
fn b_lo(w: vec4<u32>) -> vec4<f32> {
  return vec4<f32>(widen_pair(w.x), widen_pair(w.y));
}

fn b_hi(w: vec4<u32>) -> vec4<f32> {
  return vec4<f32>(widen_pair(w.z), widen_pair(w.w));
}

fn store(i: u32, j: u32, s: f32) {
  if (i < p.M && j < p.N) {
    var v = p.alpha * s;
    if (p.has_bias != 0u) {
      v += bias[p.bias_off + j];
    }
    let ci = p.c_off + i * p.ldc + j;
    if (p.accumulate != 0u) {
      v += c[ci];
    }
    c[ci] = v;
  }
}

@compute @workgroup_size(16, 16)
fn matmul_vec4(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  let tx = lid.x;
  let ty = lid.y;
  let tid = ty * 16u + tx;
  let row0 = wid.y * BM;
  let col0 = wid.x * BN;
  // Loader role: row (or column) tid / 4 of the tile, vec4 tid % 4 of the slice.
  let lr = tid / BK4;
  let lq = tid % BK4;

  var acc: array<vec4<f32>, 4>; // acc[i][j]: row ty + 16i, column tx + 16j

  let K4 = p.K / 4u;
  for (var k4 = 0u; k4 < K4; k4 += BK4) {
    let gk4 = k4 + lq;
    var av = vec4<f32>();
    if (row0 + lr < p.M && gk4 < K4) {
      av = a[(p.a_off + (row0 + lr) * p.lda) / 4u + gk4];
    }
    As[lr * STRIDE + lq] = av;
    let gj = col0 + lr;
    if (WEIGHT_DTYPE == 0u) {
      var bv = vec4<f32>();
      if (gj < p.N && gk4 < K4) {
        bv = b_f32(b[(gj * p.ldb) / 4u + gk4]);
      }
      Bs[lr * STRIDE + lq] = bv;
    } else if (tid < BN * 2u) {
      // 16-bit: one vec4<u32> holds 8 k, so half the threads load two slice vec4 each.
      let br = tid / 2u;
      let bq = (tid % 2u) * 2u;
      let gjj = col0 + br;
      let g8 = (k4 + bq) / 2u; // group of 8 k
      var lo = vec4<f32>();
      var hi = vec4<f32>();
      if (gjj < p.N && k4 + bq < K4) {
        let w = b[(gjj * p.ldb) / 8u + g8];
        lo = b_lo(w);
        hi = b_hi(w);
      }
      Bs[br * STRIDE + bq] = lo;
      Bs[br * STRIDE + bq + 1u] = hi;
    }
    workgroupBarrier();
    for (var q = 0u; q < BK4; q++) {
      let b0 = Bs[tx * STRIDE + q];
      let b1 = Bs[(tx + 16u) * STRIDE + q];
      let b2 = Bs[(tx + 32u) * STRIDE + q];
      let b3 = Bs[(tx + 48u) * STRIDE + q];
      for (var i = 0u; i < 4u; i++) {
        let av = As[(ty + 16u * i) * STRIDE + q];
        acc[i] += vec4<f32>(dot(av, b0), dot(av, b1), dot(av, b2), dot(av, b3));
      }
    }
    workgroupBarrier();
  }

  for (var i = 0u; i < 4u; i++) {
    let r = row0 + ty + 16u * i;
    store(r, col0 + tx, acc[i].x);
    store(r, col0 + tx + 16u, acc[i].y);
    store(r, col0 + tx + 32u, acc[i].z);
    store(r, col0 + tx + 48u, acc[i].w);
  }
}
