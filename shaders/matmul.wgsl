// General tiled matmul: C = alpha · op(A) · op(B) (+ bias[j]) (+ C when accumulating).
// op(A)(i,k) = A[a_off + i·lda + k], or A[a_off + k·lda + i] with TRANS_A.
// op(B)(k,j) = B[j·ldb + k] with TRANS_B (weights stored [out, in]: Y = X·Wᵀ), else B[k·ldb + j].
// B may be f32, or bf16 / f16 packed two per u32 (element 2e in the low half), widened
// exactly where it is read (common/weights.wgsl, WEIGHT_DTYPE), so frozen weights stay in
// their checkpoint dtype and no shader-f16 is needed.
// Each 16×16 workgroup computes a 64×64 tile of C, 4×4 per thread, staging 16-deep slices of
// A and B in workgroup memory; edges are masked so any M, N, K work.
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

const BM = 64u;
const BN = 64u;
const BK = 16u;

var<workgroup> As: array<f32, 1024>; // [BK][BM]
var<workgroup> Bs: array<f32, 1024>; // [BK][BN]

// Element e of B in its checkpoint dtype (common/weights.wgsl, put in front by the wrapper).
fn load_b(e: u32) -> f32 {
  return widen_weight(b[weight_word(e)], e);
}

@compute @workgroup_size(16, 16)
fn matmul(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  let tx = lid.x;
  let ty = lid.y;
  let tid = ty * 16u + tx;
  let row0 = wid.y * BM;
  let col0 = wid.x * BN;

  // acc[i][j] is C at row row0 + ty + 16i, column col0 + tx + 16j (the mat4x4's column i holds
  // output row i). Four vec4 multiply-adds per k rather than sixteen scalar fma on a nested
  // array: 4× faster on SwiftShader (bench/RESULTS.md); not yet timed on a GPU.
  var acc = mat4x4<f32>();

  for (var k0 = 0u; k0 < p.K; k0 += BK) {
    for (var l = 0u; l < 4u; l++) {
      let idx = tid + l * 256u;
      // Consecutive threads walk the contiguous dimension of each operand.
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
        if (TRANS_B) {
          bv = load_b(gj * p.ldb + gbk);
        } else {
          bv = load_b(gbk * p.ldb + gj);
        }
      }
      Bs[bk * BN + nn] = bv;
    }
    workgroupBarrier();
    for (var kk = 0u; kk < BK; kk++) {
      let ab = kk * BM + ty;
      let bb = kk * BN + tx;
      let ar = vec4<f32>(As[ab], As[ab + 16u], As[ab + 32u], As[ab + 48u]);
      let br = vec4<f32>(Bs[bb], Bs[bb + 16u], Bs[bb + 32u], Bs[bb + 48u]);
      acc[0] += ar.x * br;
      acc[1] += ar.y * br;
      acc[2] += ar.z * br;
      acc[3] += ar.w * br;
    }
    workgroupBarrier();
  }

  for (var i = 0u; i < 4u; i++) {
    let r = row0 + ty + 16u * i;
    let row = acc[i];
    for (var j = 0u; j < 4u; j++) {
      let cc = col0 + tx + 16u * j;
      if (r < p.M && cc < p.N) {
        var v = p.alpha * row[j];
        if (p.has_bias != 0u) {
          v += bias[p.bias_off + cc];
        }
        let ci = p.c_off + r * p.ldc + cc;
        if (p.accumulate != 0u) {
          v += c[ci];
        }
        c[ci] = v;
      }
    }
  }
}
