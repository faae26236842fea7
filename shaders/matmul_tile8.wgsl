// Register-tiled GEMM for GPUs (gemm variant 'tile8x8', src/engine/kernels/matmul.ts): the same
// product and parameters as matmul.wgsl — C = alpha · A · op(B) (+ bias[j]) (+ C), A f32 [M, K]
// row-major (no TRANS_A), op(B)(k,j) = B[j·ldb + k] with TRANS_B (weights [out, in]) else
// B[k·ldb + j], B f32 or bf16 / f16 packed two per u32 (common/weights.wgsl) — with a 128×128 workgroup tile and an
// 8×8 block of C per thread (four mat4x4 accumulators: 64 registers), 8-deep k slices.
// Per k step a thread reads 16 floats from workgroup memory for 64 multiply-adds (matmul.wgsl:
// 8 for 16), the ratio GPUs need to keep their FMA units fed.
// A thread loads 4 consecutive elements along the contiguous dimension of each operand (K for
// A and for B with TRANS_B): the loads of neighbouring threads touch neighbouring words.
// Thread (tx, ty) of 16×16 owns rows ty·4 + {0..3} and 64 + ty·4 + {0..3}, columns likewise
// with tx, so its workgroup-memory reads are 4 consecutive floats. Edges are masked: any M, N, K.
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

// Scalars, written one per thread (no two threads write parts of one vector), read 4 at a time.
var<workgroup> As: array<f32, 1024>; // [BK][BM]
var<workgroup> Bs: array<f32, 1024>; // [BK][BN]

fn a4(i: u32) -> vec4<f32> {
  return vec4<f32>(As[i], As[i + 1u], As[i + 2u], As[i + 3u]);
}

fn b4(i: u32) -> vec4<f32> {
  return vec4<f32>(Bs[i], Bs[i + 1u], Bs[i + 2u], Bs[i + 3u]);
}

// Element e of B in its checkpoint dtype (common/weights.wgsl, put in front by the wrapper).
fn load_b(e: u32) -> f32 {
  return widen_weight(b[weight_word(e)], e);
}

fn a_at(i: u32, k: u32) -> f32 {
  if (i < p.M && k < p.K) {
    return a[p.a_off + i * p.lda + k];
  }
  return 0.0;
}

fn b_at(k: u32, j: u32) -> f32 {
  if (j < p.N && k < p.K) {
    if (TRANS_B) {
      return load_b(j * p.ldb + k);
    }
    return load_b(k * p.ldb + j);
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

@compute @workgroup_size(16, 16)
fn matmul_tile8(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  let tx = lid.x;
  let ty = lid.y;
  let tid = ty * 16u + tx;
  let row0 = wid.y * BM;
  let col0 = wid.x * BN;

  // acc_rc: rows (r = 0: ty·4.., 1: 64 + ty·4..) × columns (c likewise with tx); column i of a
  // mat4x4 holds output row i.
  var acc00 = mat4x4<f32>();
  var acc01 = mat4x4<f32>();
  var acc10 = mat4x4<f32>();
  var acc11 = mat4x4<f32>();

  // Loader roles: 128 rows × 8 k = 256 threads × 4 consecutive k (A, and B with TRANS_B);
  // without TRANS_B, 8 k × 128 columns = 256 threads × 4 consecutive columns.
  let lrow = tid / 2u;
  let lk = (tid % 2u) * 4u;
  let lkk = tid / 32u;
  let lcol = (tid % 32u) * 4u;

  for (var k0 = 0u; k0 < p.K; k0 += BK) {
    // A: rows row0 + lrow, k0 + lk .. +3 → As[k][lrow] (transposed, so rows sit in a vec4).
    for (var q = 0u; q < 4u; q++) {
      As[(lk + q) * BM + lrow] = a_at(row0 + lrow, k0 + lk + q);
    }
    if (TRANS_B) {
      for (var q = 0u; q < 4u; q++) {
        Bs[(lk + q) * BN + lrow] = b_at(k0 + lk + q, col0 + lrow);
      }
    } else {
      for (var q = 0u; q < 4u; q++) {
        Bs[lkk * BN + lcol + q] = b_at(k0 + lkk, col0 + lcol + q);
      }
    }
    workgroupBarrier();
    for (var kk = 0u; kk < BK; kk++) {
      let a0 = a4(kk * BM + ty * 4u);
      let a1 = a4(kk * BM + 64u + ty * 4u);
      let b0 = b4(kk * BN + tx * 4u);
      let b1 = b4(kk * BN + 64u + tx * 4u);
      acc00[0] += a0.x * b0; acc00[1] += a0.y * b0; acc00[2] += a0.z * b0; acc00[3] += a0.w * b0;
      acc01[0] += a0.x * b1; acc01[1] += a0.y * b1; acc01[2] += a0.z * b1; acc01[3] += a0.w * b1;
      acc10[0] += a1.x * b0; acc10[1] += a1.y * b0; acc10[2] += a1.z * b0; acc10[3] += a1.w * b0;
      acc11[0] += a1.x * b1; acc11[1] += a1.y * b1; acc11[2] += a1.z * b1; acc11[3] += a1.w * b1;
    }
    workgroupBarrier();
  }

  let r0 = row0 + ty * 4u;
  let c0 = col0 + tx * 4u;
  store_block(r0, c0, acc00);
  store_block(r0, c0 + 64u, acc01);
  store_block(r0 + 64u, c0, acc10);
  store_block(r0 + 64u, c0 + 64u, acc11);
}
