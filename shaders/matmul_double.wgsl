// Double-buffered register-tiled GEMM (gemm variant 'double', src/engine/kernels/
// matmul_variants.ts): matmul_tile8.wgsl's product, parameters and tiling — C = alpha · A · op(B)
// (+ bias[j]) (+ C), A f32 [M, K] (no transposed A), op(B)(k,j) = B[j·ldb + k] with TRANS_B else
// B[k·ldb + j], B in its checkpoint dtype (common/weights.wgsl); 128×128 workgroup tile, 8×8 of C
// per thread in four mat4x4, 8-deep k slices — with two workgroup buffers per operand: while the
// threads multiply slice k from one, the global loads of slice k+1 are already in flight into
// registers and land in the other, so one barrier per slice instead of two and the memory
// latency hides behind the arithmetic. Workgroup memory: 2 × 2 × 1024 f32 = 16 KiB, WebGPU's
// guaranteed minimum. Edges are masked: any M, N, K.
struct Params {
  M: u32, N: u32, K: u32,
  lda: u32, ldb: u32, ldc: u32,
  a_off: u32, c_off: u32, bias_off: u32,
  accumulate: u32, has_bias: u32, alpha: f32,
}

override TRANS_B: bool = true;

@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read> b: array<u32>;
@group(0) @binding(2) var<storage, read> bias: array<f32>;
@group(0) @binding(3) var<storage, read_write> c: array<f32>;
@group(0) @binding(4) var<uniform> p: Params;

const BM = 128u;
const BN = 128u;
const BK = 8u;
const SLICE = 1024u; // BK × BM (= BK × BN) floats

var<workgroup> As: array<f32, 2048>; // [2][BK][BM]
var<workgroup> Bs: array<f32, 2048>; // [2][BK][BN]

fn a_at(i: u32, k: u32) -> f32 {
  if (i < p.M && k < p.K) {
    return a[p.a_off + i * p.lda + k];
  }
  return 0.0;
}

fn b_at(k: u32, j: u32) -> f32 {
  if (j < p.N && k < p.K) {
    var e: u32;
    if (TRANS_B) {
      e = j * p.ldb + k;
    } else {
      e = k * p.ldb + j;
    }
    return widen_weight(b[weight_word(e)], e);
  }
  return 0.0;
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

fn store_block(r0: u32, c0: u32, acc: mat4x4<f32>) {
  for (var i = 0u; i < 4u; i++) {
    let row = acc[i];
    store(r0 + i, c0, row.x);
    store(r0 + i, c0 + 1u, row.y);
    store(r0 + i, c0 + 2u, row.z);
    store(r0 + i, c0 + 3u, row.w);
  }
}

fn a4(i: u32) -> vec4<f32> {
  return vec4<f32>(As[i], As[i + 1u], As[i + 2u], As[i + 3u]);
}

fn b4(i: u32) -> vec4<f32> {
  return vec4<f32>(Bs[i], Bs[i + 1u], Bs[i + 2u], Bs[i + 3u]);
}

@compute @workgroup_size(16, 16)
fn matmul_double(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  let tx = lid.x;
  let ty = lid.y;
  let tid = ty * 16u + tx;
  let row0 = wid.y * BM;
  let col0 = wid.x * BN;

  var acc00 = mat4x4<f32>();
  var acc01 = mat4x4<f32>();
  var acc10 = mat4x4<f32>();
  var acc11 = mat4x4<f32>();

  // Loader roles (as matmul_tile8.wgsl): 128 rows × 8 k = 256 threads × 4 consecutive k (A, and
  // B with TRANS_B); without TRANS_B, 8 k × 128 columns = 256 threads × 4 consecutive columns.
  let lrow = tid / 2u;
  let lk = (tid % 2u) * 4u;
  let lkk = tid / 32u;
  let lcol = (tid % 32u) * 4u;

  // The slice in flight, in registers.
  var ra: vec4<f32>;
  var rb: vec4<f32>;

  // Slice 0 into buffer 0.
  for (var q = 0u; q < 4u; q++) {
    ra[q] = a_at(row0 + lrow, lk + q);
    if (TRANS_B) {
      rb[q] = b_at(lk + q, col0 + lrow);
    } else {
      rb[q] = b_at(lkk, col0 + lcol + q);
    }
  }
  for (var q = 0u; q < 4u; q++) {
    As[(lk + q) * BM + lrow] = ra[q];
    if (TRANS_B) {
      Bs[(lk + q) * BN + lrow] = rb[q];
    } else {
      Bs[lkk * BN + lcol + q] = rb[q];
    }
  }
  workgroupBarrier();

  var cur = 0u;
  for (var k0 = 0u; k0 < p.K; k0 += BK) {
    let next = k0 + BK;
    let more = next < p.K;
    // Issue the next slice's global loads before the arithmetic on this one.
    if (more) {
      for (var q = 0u; q < 4u; q++) {
        ra[q] = a_at(row0 + lrow, next + lk + q);
        if (TRANS_B) {
          rb[q] = b_at(next + lk + q, col0 + lrow);
        } else {
          rb[q] = b_at(next + lkk, col0 + lcol + q);
        }
      }
    }
    let base = cur * SLICE;
    for (var kk = 0u; kk < BK; kk++) {
      let a0 = a4(base + kk * BM + ty * 4u);
      let a1 = a4(base + kk * BM + 64u + ty * 4u);
      let b0 = b4(base + kk * BN + tx * 4u);
      let b1 = b4(base + kk * BN + 64u + tx * 4u);
      acc00[0] += a0.x * b0; acc00[1] += a0.y * b0; acc00[2] += a0.z * b0; acc00[3] += a0.w * b0;
      acc01[0] += a0.x * b1; acc01[1] += a0.y * b1; acc01[2] += a0.z * b1; acc01[3] += a0.w * b1;
      acc10[0] += a1.x * b0; acc10[1] += a1.y * b0; acc10[2] += a1.z * b0; acc10[3] += a1.w * b0;
      acc11[0] += a1.x * b1; acc11[1] += a1.y * b1; acc11[2] += a1.z * b1; acc11[3] += a1.w * b1;
    }
    // The other buffer was last read before the previous barrier: safe to fill now.
    if (more) {
      let nb = (1u - cur) * SLICE;
      for (var q = 0u; q < 4u; q++) {
        As[nb + (lk + q) * BM + lrow] = ra[q];
        if (TRANS_B) {
          Bs[nb + (lk + q) * BN + lrow] = rb[q];
        } else {
          Bs[nb + lkk * BN + lcol + q] = rb[q];
        }
      }
    }
    workgroupBarrier();
    cur = 1u - cur;
  }

  let r0 = row0 + ty * 4u;
  let c0 = col0 + tx * 4u;
  store_block(r0, c0, acc00);
  store_block(r0, c0 + 64u, acc01);
  store_block(r0 + 64u, c0, acc10);
  store_block(r0 + 64u, c0 + 64u, acc11);
}
