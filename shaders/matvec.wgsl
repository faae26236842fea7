// Matrix-vector product for decoding: C[m, j] = alpha · Σ_k A[m, k]·B[j, k] (+ bias[j]) (+ C)
// for the few rows m < ROWS ≤ 8 of a decode step (one token, or a short prompt), B = W [N, K]
// stored [out, in] as in matmul.wgsl's TRANS_B. The 64×64 GEMM tile wastes 63 of its 64 rows
// here; this kernel reads each weight once and multiplies it by all ROWS inputs.
// B is f32, or bf16 / f16 packed two per u32 (element 2e in the low half), read through
// common/weights.wgsl (WEIGHT_DTYPE, widen_weight, widen_pair; the wrapper puts it in front).
// A row j starts at element j·ldb, which with an odd ldb is the high half of a word
// ("mid-word"): its first element is taken alone, the rest go pairwise over whole words, and an
// odd last element alone.
// Two layouts, picked by the wrapper from the adapter (src/engine/kernels/matvec.ts):
//   matvec_wide:   256 threads = 8 columns × 32 lanes; lanes stride along K over whole words
//                  (coalesced), partial sums meet in workgroup memory. For GPUs.
//   matvec_narrow: 64 threads, one column each, no barrier. For CPU adapters (SwiftShader):
//                  there a barrier costs more than the product it would share.
// Workgroups fold into a 2-D grid past 65,535: group = wid.x + wid.y · nwg.x.
struct Params {
  M: u32, N: u32, K: u32,
  lda: u32, ldb: u32, ldc: u32,
  a_off: u32, c_off: u32, bias_off: u32,
  accumulate: u32, has_bias: u32, alpha: f32,
}

// Rows of A (≤ 8). A pipeline constant, so the loops over it unroll and acc stays in registers.
override ROWS: u32 = 1u;

@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read> b: array<u32>;
@group(0) @binding(2) var<storage, read> bias: array<f32>;
@group(0) @binding(3) var<storage, read_write> c: array<f32>;
@group(0) @binding(4) var<uniform> p: Params;

const WIDE_COLS = 8u;
const WIDE_LANES = 32u;
const NARROW_COLS = 64u;

// Element e of B (any dtype).
fn load_b(e: u32) -> f32 {
  return widen_weight(b[weight_word(e)], e);
}

fn x_at(m: u32, k: u32) -> f32 {
  return a[p.a_off + m * p.lda + k];
}

// This thread's share of row j: lane `lane` of `lanes` takes every lanes-th element (f32) or
// word (16-bit). Lane 0 also takes a 16-bit row's unpaired first and last elements.
fn row_part(j: u32, lane: u32, lanes: u32) -> array<f32, 8> {
  var acc: array<f32, 8>;
  let e0 = j * p.ldb;
  if (WEIGHT_DTYPE == 0u) {
    for (var k = lane; k < p.K; k += lanes) {
      let w = bitcast<f32>(b[e0 + k]);
      for (var m = 0u; m < ROWS; m++) {
        acc[m] = fma(x_at(m, k), w, acc[m]);
      }
    }
    return acc;
  }
  // 16-bit: k_first = 1 when the row starts mid-word; pairs (k, k+1) then sit in whole words.
  let k_first = e0 & 1u;
  let pairs = (p.K - min(k_first, p.K)) / 2u;
  if (lane == 0u) {
    if (k_first == 1u && p.K > 0u) {
      let w = load_b(e0);
      for (var m = 0u; m < ROWS; m++) {
        acc[m] = fma(x_at(m, 0u), w, acc[m]);
      }
    }
    let k_last = k_first + 2u * pairs;
    if (k_last < p.K) {
      let w = load_b(e0 + k_last);
      for (var m = 0u; m < ROWS; m++) {
        acc[m] = fma(x_at(m, k_last), w, acc[m]);
      }
    }
  }
  let w0 = (e0 + k_first) >> 1u;
  for (var i = lane; i < pairs; i += lanes) {
    let w = widen_pair(b[w0 + i]);
    let k = k_first + 2u * i;
    for (var m = 0u; m < ROWS; m++) {
      let base = p.a_off + m * p.lda + k;
      acc[m] = fma(a[base], w.x, fma(a[base + 1u], w.y, acc[m]));
    }
  }
  return acc;
}

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

var<workgroup> partial: array<f32, 2048>; // [ROWS ≤ 8][256 threads]

@compute @workgroup_size(256)
fn matvec_wide(
  @builtin(local_invocation_index) tid: u32,
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
) {
  let group = wid.x + wid.y * nwg.x;
  let col = tid / WIDE_LANES;
  let lane = tid % WIDE_LANES;
  let j = group * WIDE_COLS + col;
  // No early return: every thread reaches the barrier.
  var acc: array<f32, 8>;
  if (j < p.N) {
    acc = row_part(j, lane, WIDE_LANES);
  }
  for (var m = 0u; m < ROWS; m++) {
    partial[m * 256u + tid] = acc[m];
  }
  workgroupBarrier();
  // Thread t < 8·ROWS sums the 32 lanes of column t % 8 for row t / 8.
  if (tid < WIDE_COLS * ROWS) {
    let c_in = tid % WIDE_COLS;
    let m = tid / WIDE_COLS;
    let jj = group * WIDE_COLS + c_in;
    if (jj < p.N) {
      let base = m * 256u + c_in * WIDE_LANES;
      var s = 0.0;
      for (var l = 0u; l < WIDE_LANES; l++) {
        s += partial[base + l];
      }
      store(m, jj, s);
    }
  }
}

@compute @workgroup_size(64)
fn matvec_narrow(
  @builtin(local_invocation_index) tid: u32,
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
) {
  let j = (wid.x + wid.y * nwg.x) * NARROW_COLS + tid;
  if (j >= p.N) {
    return;
  }
  let acc = row_part(j, 0u, 1u);
  for (var m = 0u; m < ROWS; m++) {
    store(m, j, acc[m]);
  }
}
