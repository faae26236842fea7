// Causal grouped-query attention over packed rows, flash-style forward (FlashAttention-2).
//
// Layouts (Hugging Face's after the q/k/v projections, before the head transpose):
//   q, o  [T, H,   D]      k, v  [T, HKV, D]      seq_id [T] i32      lse [T, H]
// A batch of rows is passed flattened as one row of B·T tokens with distinct sequence ids.
// Token i attends to j iff j <= i and seq_id[j] == seq_id[i] (and, with a sliding window W > 0,
// i − j < W: transformers' sliding_window_overlay); the tokens of one sequence must be one
// contiguous run (a packed row), which lets each block skip keys before its sequence.
// Query head h reads kv head h / (H / HKV) (HF's repeat_kv).
// Scores are scale·q·k, soft-capped when softcap > 0 (Gemma 2: cap·tanh(score / cap)).
//
// One workgroup per (block of BQ queries, query head), one thread per query holding q and the
// output accumulator in registers; key/value tiles of BK rows are staged in workgroup memory and
// folded in with an online softmax. Only the log-sum-exp per (query, head) is kept for the
// backward pass, so memory is O(T·D).
//
// HEAD_DIM4 (= D / 4) and BK are specialized by the wrapper (src/engine/attention/attention.ts)
// by rewriting these two lines; private arrays need constant sizes.
const HEAD_DIM4: u32 = 16u;
const BK: u32 = 32u;
const BQ: u32 = 64u;
const NEG: f32 = -1e30;

struct Params { T: u32, H: u32, HKV: u32, scale: f32, softcap: f32, window: u32 }

@group(0) @binding(0) var<storage, read> q: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read> k: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> v: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read> seq_id: array<i32>;
@group(0) @binding(4) var<storage, read_write> o: array<vec4<f32>>;
@group(0) @binding(5) var<storage, read_write> lse: array<f32>;
@group(0) @binding(6) var<uniform> p: Params;

// cap·tanh(x / cap); |x / cap| is clamped where tanh is ±1 in f32 anyway.
fn cap(x: f32) -> f32 {
  if (p.softcap <= 0.0) { return x; }
  return p.softcap * tanh(clamp(x / p.softcap, -15.0, 15.0));
}

var<workgroup> kt: array<vec4<f32>, BK * HEAD_DIM4>;
var<workgroup> vt: array<vec4<f32>, BK * HEAD_DIM4>;
var<workgroup> st: array<i32, BK>;
var<workgroup> lo_atomic: atomic<u32>;
var<workgroup> lo_shared: u32;

@compute @workgroup_size(BQ)
fn attention_fwd(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let h = wg.y;
  let kvh = h / (p.H / p.HKV);
  let q0 = wg.x * BQ;
  let hi = min(q0 + BQ, p.T) - 1u; // last query of the block
  let i = q0 + lid;
  let live = i < p.T;
  let qi = min(i, p.T - 1u);
  let sid = seq_id[qi];

  // First key any query of the block can see: the start of the first query's sequence.
  if (lid == 0u) { atomicStore(&lo_atomic, 0xffffffffu); }
  workgroupBarrier();
  if (live) {
    var j = i;
    while (j > 0u && seq_id[j - 1u] == sid) { j -= 1u; }
    atomicMin(&lo_atomic, j);
  }
  workgroupBarrier();
  if (lid == 0u) {
    var first = atomicLoad(&lo_atomic);
    // No query of the block sees a key more than W − 1 before the block's first query.
    if (p.window > 0u && q0 + 1u > p.window) { first = max(first, q0 + 1u - p.window); }
    lo_shared = first;
  }
  let lo = workgroupUniformLoad(&lo_shared);

  var qv: array<vec4<f32>, HEAD_DIM4>;
  var acc: array<vec4<f32>, HEAD_DIM4>;
  let qbase = (qi * p.H + h) * HEAD_DIM4;
  for (var e = 0u; e < HEAD_DIM4; e++) {
    qv[e] = q[qbase + e] * p.scale;
    acc[e] = vec4<f32>(0.0);
  }
  var m = NEG;
  var l = 0.0;

  for (var kb = (lo / BK) * BK; kb <= hi; kb += BK) {
    for (var idx = lid; idx < BK * HEAD_DIM4; idx += BQ) {
      let key = kb + idx / HEAD_DIM4;
      let e = idx % HEAD_DIM4;
      if (key < p.T) {
        let src = (key * p.HKV + kvh) * HEAD_DIM4 + e;
        kt[idx] = k[src];
        vt[idx] = v[src];
      } else {
        kt[idx] = vec4<f32>(0.0);
        vt[idx] = vec4<f32>(0.0);
      }
    }
    for (var c = lid; c < BK; c += BQ) {
      st[c] = seq_id[min(kb + c, p.T - 1u)];
    }
    workgroupBarrier();
    if (live) {
      var s: array<f32, BK>;
      var mt = m;
      for (var c = 0u; c < BK; c++) {
        var x = NEG;
        if (kb + c <= i && st[c] == sid && (p.window == 0u || i - (kb + c) < p.window)) {
          var d = 0.0;
          for (var e = 0u; e < HEAD_DIM4; e++) { d += dot(qv[e], kt[c * HEAD_DIM4 + e]); }
          x = cap(d);
          mt = max(mt, x);
        }
        s[c] = x;
      }
      let alpha = exp(m - mt);
      l *= alpha;
      for (var e = 0u; e < HEAD_DIM4; e++) { acc[e] *= alpha; }
      for (var c = 0u; c < BK; c++) {
        if (s[c] != NEG) {
          let pc = exp(s[c] - mt);
          l += pc;
          for (var e = 0u; e < HEAD_DIM4; e++) { acc[e] += pc * vt[c * HEAD_DIM4 + e]; }
        }
      }
      m = mt;
    }
    workgroupBarrier();
  }

  if (live) {
    let inv = 1.0 / l;
    for (var e = 0u; e < HEAD_DIM4; e++) { o[qbase + e] = acc[e] * inv; }
    lse[i * p.H + h] = m + log(l);
  }
}
