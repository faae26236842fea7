// One query token against a key/value cache (generation's decode step), causal by construction:
// the cache holds exactly the T positions the new token may see, itself included.
//
// Layouts: q, o [H, D]   k, v [maxT, HKV, D] (first T rows used)   scores [H, maxT] scratch.
// One workgroup of 64 threads per query head: scores and softmax with strided loops and
// workgroup reductions, then each thread owns output dims d, d+64, ...
// Query head h reads kv head h / (H / HKV) (HF's repeat_kv). With a sliding window W > 0 only
// the last W positions are visible; scores are soft-capped when softcap > 0 (Gemma 2).
const WG: u32 = 64u;

struct Params { T: u32, H: u32, HKV: u32, D: u32, maxT: u32, scale: f32, softcap: f32, window: u32 }

@group(0) @binding(0) var<storage, read> q: array<f32>;
@group(0) @binding(1) var<storage, read> k: array<f32>;
@group(0) @binding(2) var<storage, read> v: array<f32>;
@group(0) @binding(3) var<storage, read_write> scores: array<f32>;
@group(0) @binding(4) var<storage, read_write> o: array<f32>;
@group(0) @binding(5) var<uniform> p: Params;

var<workgroup> red: array<f32, 64>;

fn reduce_max(x: f32, tid: u32) -> f32 {
  red[tid] = x;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s = s / 2u) {
    if (tid < s) { red[tid] = max(red[tid], red[tid + s]); }
    workgroupBarrier();
  }
  let r = red[0];
  workgroupBarrier();
  return r;
}

fn reduce_sum(x: f32, tid: u32) -> f32 {
  red[tid] = x;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s = s / 2u) {
    if (tid < s) { red[tid] = red[tid] + red[tid + s]; }
    workgroupBarrier();
  }
  let r = red[0];
  workgroupBarrier();
  return r;
}

@compute @workgroup_size(64)
fn attention_decode(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) tid: u32) {
  let h = wg.x;
  let kvh = h / (p.H / p.HKV);
  let qo = h * p.D;
  let srow = h * p.maxT;
  var j0 = 0u;
  if (p.window > 0u && p.T > p.window) { j0 = p.T - p.window; }
  var m = -1e30;
  for (var j = j0 + tid; j < p.T; j = j + WG) {
    let ko = (j * p.HKV + kvh) * p.D;
    var s = 0.0;
    for (var d = 0u; d < p.D; d = d + 1u) { s = s + q[qo + d] * k[ko + d]; }
    s = s * p.scale;
    if (p.softcap > 0.0) { s = p.softcap * tanh(clamp(s / p.softcap, -15.0, 15.0)); }
    scores[srow + j] = s;
    m = max(m, s);
  }
  m = reduce_max(m, tid);
  var l = 0.0;
  for (var j = j0 + tid; j < p.T; j = j + WG) {
    let e = exp(scores[srow + j] - m);
    scores[srow + j] = e;
    l = l + e;
  }
  l = reduce_sum(l, tid);
  storageBarrier();
  for (var d = tid; d < p.D; d = d + WG) {
    var acc = 0.0;
    for (var j = j0; j < p.T; j = j + 1u) { acc = acc + scores[srow + j] * v[(j * p.HKV + kvh) * p.D + d]; }
    o[qo + d] = acc / l;
  }
}
