// Backward of shaders/attention_fwd.wgsl (same layouts and mask), FlashAttention-2 style:
// P is recomputed from Q, K and the saved log-sum-exp, never stored.
//   attention_bwd_delta  rowstat[i,h] = (lse[i,h], Σ_e dO[i,h,e]·O[i,h,e]) — lse and delta
//                        side by side so each kernel binds at most 8 storage buffers (the
//                        WebGPU default limit)
//   attention_bwd_dq     dQ = scale · Σ_j dS_ij K_j,   dS_ij = P_ij (dO_i·V_j − delta_i)
//   attention_bwd_dkv    dV_j = Σ_{h in group} Σ_i P_ij dO_i,  dK_j = scale · Σ_h Σ_i dS_ij Q_i
// dK/dV of a kv head are summed over its query heads inside one workgroup per (key block,
// kv head), so no float atomics are needed and the result is deterministic.
// With a soft cap (z = cap·tanh(s/cap)), P comes from z and dS = dS_z·(1 − (z/cap)²); the
// sliding window masks the same pairs as the forward.
// HEAD_DIM4 and BK are specialized by the wrapper, as in the forward.
const HEAD_DIM4: u32 = 16u;
const BK: u32 = 32u;
const BQ: u32 = 64u;

struct Params { T: u32, H: u32, HKV: u32, scale: f32, softcap: f32, window: u32 }

// Soft cap z = cap·tanh(s/cap) (identity when cap ≤ 0) and dz/ds = 1 − (z/cap)².
fn capped(s: f32, c: f32) -> f32 {
  if (c <= 0.0) { return s; }
  return c * tanh(clamp(s / c, -15.0, 15.0));
}
fn capGrad(z: f32, c: f32) -> f32 {
  if (c <= 0.0) { return 1.0; }
  let t = z / c;
  return 1.0 - t * t;
}

@group(0) @binding(0) var<storage, read> d_o: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read> o_in: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> lse_in: array<f32>;
@group(0) @binding(3) var<storage, read_write> rowstat_out: array<vec2<f32>>;
@group(0) @binding(4) var<uniform> pd: Params;

@compute @workgroup_size(64)
fn attention_bwd_delta(@builtin(global_invocation_id) gid: vec3<u32>) {
  let r = gid.x; // r = i * H + h
  if (r >= pd.T * pd.H) { return; }
  var s = 0.0;
  for (var e = 0u; e < HEAD_DIM4; e++) { s += dot(d_o[r * HEAD_DIM4 + e], o_in[r * HEAD_DIM4 + e]); }
  rowstat_out[r] = vec2<f32>(lse_in[r], s);
}

// ---- dQ: one workgroup per (query block, head), one thread per query.
@group(0) @binding(0) var<storage, read> q: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read> k: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> v: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read> seq_id: array<i32>;
@group(0) @binding(4) var<storage, read> d_out: array<vec4<f32>>;
@group(0) @binding(5) var<storage, read> rowstat: array<vec2<f32>>; // (lse, delta) per [i, h]
@group(0) @binding(6) var<storage, read_write> dq: array<vec4<f32>>;
@group(0) @binding(7) var<uniform> p: Params;

var<workgroup> kt: array<vec4<f32>, BK * HEAD_DIM4>;
var<workgroup> vt: array<vec4<f32>, BK * HEAD_DIM4>;
var<workgroup> st: array<i32, BK>;
var<workgroup> bound_atomic: atomic<u32>;
var<workgroup> bound_shared: u32;

@compute @workgroup_size(BQ)
fn attention_bwd_dq(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let h = wg.y;
  let kvh = h / (p.H / p.HKV);
  let q0 = wg.x * BQ;
  let hi = min(q0 + BQ, p.T) - 1u;
  let i = q0 + lid;
  let live = i < p.T;
  let qi = min(i, p.T - 1u);
  let sid = seq_id[qi];

  if (lid == 0u) { atomicStore(&bound_atomic, 0xffffffffu); }
  workgroupBarrier();
  if (live) {
    var j = i;
    while (j > 0u && seq_id[j - 1u] == sid) { j -= 1u; }
    atomicMin(&bound_atomic, j);
  }
  workgroupBarrier();
  if (lid == 0u) {
    var first = atomicLoad(&bound_atomic);
    if (p.window > 0u && q0 + 1u > p.window) { first = max(first, q0 + 1u - p.window); }
    bound_shared = first;
  }
  let lo = workgroupUniformLoad(&bound_shared);

  var qv: array<vec4<f32>, HEAD_DIM4>;
  var dov: array<vec4<f32>, HEAD_DIM4>;
  var acc: array<vec4<f32>, HEAD_DIM4>;
  let base = (qi * p.H + h) * HEAD_DIM4;
  for (var e = 0u; e < HEAD_DIM4; e++) {
    qv[e] = q[base + e] * p.scale;
    dov[e] = d_out[base + e];
    acc[e] = vec4<f32>(0.0);
  }
  let rs = rowstat[qi * p.H + h];
  let lse_i = rs.x;
  let delta_i = rs.y;

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
      for (var c = 0u; c < BK; c++) {
        if (kb + c <= i && st[c] == sid && (p.window == 0u || i - (kb + c) < p.window)) {
          var s = 0.0;
          var dp = 0.0;
          for (var e = 0u; e < HEAD_DIM4; e++) {
            s += dot(qv[e], kt[c * HEAD_DIM4 + e]);
            dp += dot(dov[e], vt[c * HEAD_DIM4 + e]);
          }
          let z = capped(s, p.softcap);
          let ds = exp(z - lse_i) * (dp - delta_i) * capGrad(z, p.softcap);
          for (var e = 0u; e < HEAD_DIM4; e++) { acc[e] += ds * kt[c * HEAD_DIM4 + e]; }
        }
      }
    }
    workgroupBarrier();
  }

  if (live) {
    for (var e = 0u; e < HEAD_DIM4; e++) { dq[base + e] = acc[e] * p.scale; }
  }
}

// ---- dK, dV: one workgroup per (key block, kv head), one thread per key; loops over the
// query heads of the group and over the query tiles that can see the block.
@group(0) @binding(6) var<storage, read_write> dk: array<vec4<f32>>;
@group(0) @binding(7) var<storage, read_write> dv: array<vec4<f32>>;
@group(0) @binding(8) var<uniform> p2: Params;

var<workgroup> qt: array<vec4<f32>, BK * HEAD_DIM4>;
var<workgroup> dot_: array<vec4<f32>, BK * HEAD_DIM4>;
var<workgroup> rs_t: array<vec2<f32>, BK>;

@compute @workgroup_size(BQ)
fn attention_bwd_dkv(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let kvh = wg.y;
  let group = p2.H / p2.HKV;
  let k0 = wg.x * BQ;
  let j = k0 + lid;
  let live = j < p2.T;
  let kj = min(j, p2.T - 1u);
  let sid = seq_id[kj];

  // Last query any key of the block is seen by: the end of the last key's sequence.
  if (lid == 0u) { atomicStore(&bound_atomic, 0u); }
  workgroupBarrier();
  if (live) {
    var e = j;
    while (e + 1u < p2.T && seq_id[e + 1u] == sid) { e += 1u; }
    atomicMax(&bound_atomic, e);
  }
  workgroupBarrier();
  if (lid == 0u) {
    var last = atomicLoad(&bound_atomic);
    // No query sees a key of the block more than W − 1 after the block's last key.
    if (p2.window > 0u) { last = min(last, min(k0 + BQ, p2.T) - 1u + p2.window - 1u); }
    bound_shared = last;
  }
  let hi = workgroupUniformLoad(&bound_shared);

  var kv: array<vec4<f32>, HEAD_DIM4>;
  var vv: array<vec4<f32>, HEAD_DIM4>;
  var dkv: array<vec4<f32>, HEAD_DIM4>;
  var dvv: array<vec4<f32>, HEAD_DIM4>;
  let base = (kj * p2.HKV + kvh) * HEAD_DIM4;
  for (var e = 0u; e < HEAD_DIM4; e++) {
    kv[e] = k[base + e];
    vv[e] = v[base + e];
    dkv[e] = vec4<f32>(0.0);
    dvv[e] = vec4<f32>(0.0);
  }

  for (var g = 0u; g < group; g++) {
    let h = kvh * group + g;
    for (var qb = (k0 / BK) * BK; qb <= hi; qb += BK) {
      for (var idx = lid; idx < BK * HEAD_DIM4; idx += BQ) {
        let qq = qb + idx / HEAD_DIM4;
        let e = idx % HEAD_DIM4;
        if (qq < p2.T) {
          let src = (qq * p2.H + h) * HEAD_DIM4 + e;
          qt[idx] = q[src] * p2.scale;
          dot_[idx] = d_out[src];
        } else {
          qt[idx] = vec4<f32>(0.0);
          dot_[idx] = vec4<f32>(0.0);
        }
      }
      for (var c = lid; c < BK; c += BQ) {
        let qq = min(qb + c, p2.T - 1u);
        st[c] = seq_id[qq];
        rs_t[c] = rowstat[qq * p2.H + h];
      }
      workgroupBarrier();
      if (live) {
        for (var c = 0u; c < BK; c++) {
          let qq = qb + c;
          if (qq >= j && qq < p2.T && st[c] == sid && (p2.window == 0u || qq - j < p2.window)) {
            var s = 0.0;
            var dp = 0.0;
            for (var e = 0u; e < HEAD_DIM4; e++) {
              s += dot(qt[c * HEAD_DIM4 + e], kv[e]);
              dp += dot(dot_[c * HEAD_DIM4 + e], vv[e]);
            }
            let z = capped(s, p2.softcap);
            let pij = exp(z - rs_t[c].x);
            let ds = pij * (dp - rs_t[c].y) * capGrad(z, p2.softcap);
            for (var e = 0u; e < HEAD_DIM4; e++) {
              dvv[e] += pij * dot_[c * HEAD_DIM4 + e];
              // qt already carries the scale, which is dK's factor.
              dkv[e] += ds * qt[c * HEAD_DIM4 + e];
            }
          }
        }
      }
      workgroupBarrier();
    }
  }

  if (live) {
    for (var e = 0u; e < HEAD_DIM4; e++) {
      dk[base + e] = dkv[e];
      dv[base + e] = dvv[e];
    }
  }
}
