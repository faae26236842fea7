// Matrix-vector product with subgroup reductions (gemm variant 'subgroup', src/engine/kernels/
// matmul_variants.ts), for adapters with the `subgroups` feature: matvec.wgsl's product and
// parameters — C[m, j] = alpha · Σ_k A[m, k]·B[j, k] (+ bias[j]) (+ C) for ROWS ≤ 8 rows of A,
// B = W [N, K] stored [out, in] in its checkpoint dtype (common/weights.wgsl) — with
// matvec_wide's layout (256 threads = 8 columns × 32 lanes striding along K), but the 32 lanes of
// a column meet through subgroupShuffleXor butterflies in registers instead of 256 partial sums
// in workgroup memory. Subgroup sizes vary (4 to 128): the butterfly spans min(size, 32) lanes,
// and when a subgroup is narrower than 32 its 32 / size sums meet in workgroup memory. It
// assumes what Vulkan, D3D12 and Metal do for a 1-D workgroup: subgroups are aligned runs of
// consecutive local_invocation_index.
// The wrapper puts `enable subgroups;` in front of the weights prelude (directives come first).
// Workgroups fold into a 2-D grid past 65,535: group = wid.x + wid.y · nwg.x.
struct Params {
  M: u32, N: u32, K: u32,
  lda: u32, ldb: u32, ldc: u32,
  a_off: u32, c_off: u32, bias_off: u32,
  accumulate: u32, has_bias: u32, alpha: f32,
}

// Rows of A (≤ 8): a pipeline constant, so the loops over it unroll.
override ROWS: u32 = 1u;

@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read> b: array<u32>;
@group(0) @binding(2) var<storage, read> bias: array<f32>;
@group(0) @binding(3) var<storage, read_write> c: array<f32>;
@group(0) @binding(4) var<uniform> p: Params;

const COLS = 8u;
const LANES = 32u;

var<workgroup> partial: array<f32, 2048>; // [ROWS ≤ 8][COLS][32 / group width]

fn store(m: u32, j: u32, sum: f32) {
  var v = p.alpha * sum;
  if (p.has_bias != 0u) {
    v += bias[p.bias_off + j];
  }
  let ci = p.c_off + m * p.ldc + j;
  if (p.accumulate != 0u) {
    v += c[ci];
  }
  c[ci] = v;
}

@compute @workgroup_size(256)
fn matvec_subgroup(
  @builtin(local_invocation_index) tid: u32,
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(subgroup_size) sg: u32,
) {
  let group = wid.x + wid.y * nwg.x;
  let col = tid / LANES;
  let lane = tid % LANES;
  let j = group * COLS + col;
  var acc: array<f32, 8>;
  if (j < p.N) {
    let e0 = j * p.ldb;
    for (var k = lane; k < p.K; k += LANES) {
      let w = widen_weight(b[weight_word(e0 + k)], e0 + k);
      for (var m = 0u; m < ROWS; m++) {
        acc[m] = fma(a[p.a_off + m * p.lda + k], w, acc[m]);
      }
    }
  }
  // Butterfly over the aligned run of `width` lanes; every thread takes part (no divergence).
  let width = min(sg, LANES);
  for (var m = 0u; m < ROWS; m++) {
    var s = acc[m];
    for (var o = LANES / 2u; o > 0u; o >>= 1u) {
      let t = subgroupShuffleXor(s, o);
      s += select(0.0, t, o < width);
    }
    acc[m] = s;
  }
  let parts = LANES / width;
  if (lane % width == 0u) {
    for (var m = 0u; m < ROWS; m++) {
      partial[(m * COLS + col) * parts + lane / width] = acc[m];
    }
  }
  workgroupBarrier();
  if (tid < COLS * ROWS) {
    let cc = tid % COLS;
    let m = tid / COLS;
    let jj = group * COLS + cc;
    if (jj < p.N) {
      var s = 0.0;
      for (var q = 0u; q < parts; q++) {
        s += partial[(m * COLS + cc) * parts + q];
      }
      store(m, jj, s);
    }
  }
}
