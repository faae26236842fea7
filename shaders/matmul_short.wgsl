// GEMM for short products (gemm variant 'short', src/engine/kernels/matmul_variants.ts): few rows
// of C (M ≤ 64: training at short sequence lengths, LoRA's weight gradients dA = dHᵀ·X with
// M = rank). The same product and parameters as matmul.wgsl — C = alpha · op(A) · op(B)
// (+ bias[j]) (+ C), op(A)(i,k) = A[a_off + i·lda + k] or with TRANS_A A[a_off + k·lda + i],
// op(B)(k,j) = B[j·ldb + k] with TRANS_B else B[k·ldb + j], B in its checkpoint dtype
// (common/weights.wgsl) — but each workgroup covers 32 rows × 128 columns instead of 64 × 64,
// so a 32-row product fills every thread of every workgroup where the 64-row tile idles half.
// 32×8 threads, 4×4 of C each (rows ty + 8i, columns tx + 32j), 16-deep k slices; edges are
// masked: any M, N, K.
struct Params {
  M: u32, N: u32, K: u32,
  lda: u32, ldb: u32, ldc: u32,
  a_off: u32, c_off: u32, bias_off: u32,
  accumulate: u32, has_bias: u32, alpha: f32,
}

override TRANS_A: bool = false;
override TRANS_B: bool = true;

@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read> b: array<u32>;
@group(0) @binding(2) var<storage, read> bias: array<f32>;
@group(0) @binding(3) var<storage, read_write> c: array<f32>;
@group(0) @binding(4) var<uniform> p: Params;

const BM = 32u;
const BN = 128u;
const BK = 16u;

var<workgroup> As: array<f32, 512>; // [BK][BM]
var<workgroup> Bs: array<f32, 2048>; // [BK][BN]

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

@compute @workgroup_size(32, 8)
fn matmul_short(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  let tx = lid.x;
  let ty = lid.y;
  let tid = ty * 32u + tx;
  let row0 = wid.y * BM;
  let col0 = wid.x * BN;

  var acc = mat4x4<f32>(); // column i: row ty + 8i; component j: column tx + 32j

  for (var k0 = 0u; k0 < p.K; k0 += BK) {
    // A: 32 × 16 = 2 per thread; consecutive threads walk A's contiguous dimension.
    for (var l = 0u; l < 2u; l++) {
      let idx = tid + l * 256u;
      var kk: u32;
      var mm: u32;
      if (TRANS_A) {
        mm = idx % BM;
        kk = idx / BM;
      } else {
        kk = idx % BK;
        mm = idx / BK;
      }
      let gi = row0 + mm;
      let gk = k0 + kk;
      var av = 0.0;
      if (gi < p.M && gk < p.K) {
        if (TRANS_A) {
          av = a[p.a_off + gk * p.lda + gi];
        } else {
          av = a[p.a_off + gi * p.lda + gk];
        }
      }
      As[kk * BM + mm] = av;
    }
    // B: 16 × 128 = 8 per thread.
    for (var l = 0u; l < 8u; l++) {
      let idx = tid + l * 256u;
      var bk: u32;
      var nn: u32;
      if (TRANS_B) {
        bk = idx % BK;
        nn = idx / BK;
      } else {
        nn = idx % BN;
        bk = idx / BN;
      }
      let gj = col0 + nn;
      let gbk = k0 + bk;
      var bv = 0.0;
      if (gj < p.N && gbk < p.K) {
        var e: u32;
        if (TRANS_B) {
          e = gj * p.ldb + gbk;
        } else {
          e = gbk * p.ldb + gj;
        }
        bv = widen_weight(b[weight_word(e)], e);
      }
      Bs[bk * BN + nn] = bv;
    }
    workgroupBarrier();
    for (var kk = 0u; kk < BK; kk++) {
      let ab = kk * BM + ty;
      let bb = kk * BN + tx;
      let ar = vec4<f32>(As[ab], As[ab + 8u], As[ab + 16u], As[ab + 24u]);
      let br = vec4<f32>(Bs[bb], Bs[bb + 32u], Bs[bb + 64u], Bs[bb + 96u]);
      acc[0] += ar.x * br;
      acc[1] += ar.y * br;
      acc[2] += ar.z * br;
      acc[3] += ar.w * br;
    }
    workgroupBarrier();
  }

  for (var i = 0u; i < 4u; i++) {
    let r = row0 + ty + 8u * i;
    let row = acc[i];
    for (var j = 0u; j < 4u; j++) {
      store(r, col0 + tx + 32u * j, row[j]);
    }
  }
}
