// LM head → cross entropy, chunked over the vocabulary so the [T, V] logits never exist:
// only a [T, n] block of logits for n vocabulary rows at a time, folded into a running
// (max, sum-exp, target logit) per token with an online log-sum-exp.
//
//   h       [T, d] f32   hidden states after the final norm
//   w       [rows, d]    one row-chunk of the LM head weight (f32, or bf16/f16 packed two per
//                        u32; read through common/weights.wgsl, put in front by the wrapper)
//   targets [T] i32      target[t] = labels[t + 1] (shifted by the caller); negative = ignored
//   weights [T] f32      per-token loss weight (ms-swift's loss_scale, shifted like targets);
//                        all ones for the plain mean (x · 1.0 is exact, so the numbers are the same)
//   logits  [T, n] f32   scratch for one block of n rows starting at row `row0` of `w`
//   stats   [T, 4] f32   running max, sum of exp(logit − max), target logit, unused
//
// Forward: per block ce_logits then ce_stats; ce_finalize once:
//   mean = Σ_t weight_t · loss_t / N over tokens with a target (N = their count, not Σ weight:
//   ms-swift's loss_scale loss, swift/trainers/seq2seq_trainer.py compute_loss).
// Backward: per block ce_logits again, then ce_dh accumulates
//   dh[t, :] += Σ_c (softmax[t, c] − onehot[t, c]) · weight_t · scale · w[c, :].
// The LM head weight gets no gradient (it is frozen in LoRA training).
// With softcap > 0 (Gemma's final_logit_softcapping) the logits are z = cap·tanh(logit/cap):
// ce_logits writes z, and ce_dh multiplies (softmax(z) − onehot) by dz/dlogit = 1 − (z/cap)².

struct LogitsParams { T: u32, d: u32, n: u32, row0: u32, softcap: f32 }
struct StatsParams { T: u32, n: u32, v0: u32, first: u32 }
struct FinalParams { T: u32 }
struct DhParams { T: u32, d: u32, n: u32, row0: u32, v0: u32, beta: u32, grad_scale: f32, divisor: f32, softcap: f32 }

const NEG: f32 = -3.0e38;

// The LM head chunk in its checkpoint dtype (common/weights.wgsl, the prelude).
@group(0) @binding(1) var<storage, read> w: array<u32>;
fn load_w(i: u32) -> f32 { return widen_weight(w[weight_word(i)], i); }

// ---- logits[t, c] = Σ_k h[t, k] · w[row0 + c, k]: 64×64 tiles, 4×4 per thread.
@group(0) @binding(0) var<storage, read> h: array<f32>;
@group(0) @binding(2) var<storage, read_write> logits_out: array<f32>;
@group(0) @binding(3) var<uniform> pl: LogitsParams;

const TS: u32 = 64u;
const KT: u32 = 16u;
const KP: u32 = 17u; // padded row stride of the k-tiles

var<workgroup> at: array<f32, 1088>; // TS * KP
var<workgroup> bt: array<f32, 1088>;

@compute @workgroup_size(16, 16)
fn ce_logits(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) li: vec3<u32>) {
  let t0 = wg.y * TS;
  let c0 = wg.x * TS;
  let tid = li.y * 16u + li.x;
  // acc[r][c] is the output at row t0 + li.y + 16r, column c0 + li.x + 16c.
  var acc = mat4x4<f32>();
  for (var k0 = 0u; k0 < pl.d; k0 += KT) {
    for (var r = 0u; r < 4u; r++) {
      let idx = tid + r * 256u;
      let row = idx / KT;
      let kk = idx % KT;
      let kx = k0 + kk;
      let t = t0 + row;
      var a = 0.0;
      if (t < pl.T && kx < pl.d) { a = h[t * pl.d + kx]; }
      at[row * KP + kk] = a;
      let c = c0 + row;
      var b = 0.0;
      if (c < pl.n && kx < pl.d) { b = load_w((pl.row0 + c) * pl.d + kx); }
      bt[row * KP + kk] = b;
    }
    workgroupBarrier();
    for (var kk = 0u; kk < KT; kk++) {
      let a = vec4<f32>(at[li.y * KP + kk], at[(li.y + 16u) * KP + kk], at[(li.y + 32u) * KP + kk], at[(li.y + 48u) * KP + kk]);
      let b = vec4<f32>(bt[li.x * KP + kk], bt[(li.x + 16u) * KP + kk], bt[(li.x + 32u) * KP + kk], bt[(li.x + 48u) * KP + kk]);
      acc[0] += a.x * b;
      acc[1] += a.y * b;
      acc[2] += a.z * b;
      acc[3] += a.w * b;
    }
    workgroupBarrier();
  }
  for (var r = 0u; r < 4u; r++) {
    let t = t0 + li.y + 16u * r;
    let row = acc[r];
    for (var c = 0u; c < 4u; c++) {
      let col = c0 + li.x + 16u * c;
      if (t < pl.T && col < pl.n) {
        var z = row[c];
        if (pl.softcap > 0.0) { z = pl.softcap * tanh(clamp(z / pl.softcap, -15.0, 15.0)); }
        logits_out[t * pl.n + col] = z;
      }
    }
  }
}

// ---- fold one block of logits into the running statistics; one workgroup per token.
@group(0) @binding(0) var<storage, read> logits_in: array<f32>;
@group(0) @binding(1) var<storage, read> targets: array<i32>;
@group(0) @binding(2) var<storage, read_write> stats: array<f32>;
@group(0) @binding(3) var<uniform> ps: StatsParams;

var<workgroup> red: array<f32, 256>;
var<workgroup> red_l: array<f32, 64>;

// One pass with an online (max, sum) per thread, then one tree over the pairs: barriers are
// the expensive part on SwiftShader, so 64 threads and a single reduction.
@compute @workgroup_size(64)
fn ce_stats(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let t = wg.x;
  let base = t * ps.n;
  var m = NEG;
  var l = 0.0;
  for (var c = lid; c < ps.n; c += 64u) {
    let x = logits_in[base + c];
    if (x > m) {
      l = l * exp(m - x) + 1.0;
      m = x;
    } else {
      l += exp(x - m);
    }
  }
  red[lid] = m;
  red_l[lid] = l;
  workgroupBarrier();
  for (var s = 32u; s > 0u; s >>= 1u) {
    if (lid < s) {
      let m2 = max(red[lid], red[lid + s]);
      red_l[lid] = red_l[lid] * exp(red[lid] - m2) + red_l[lid + s] * exp(red[lid + s] - m2);
      red[lid] = m2;
    }
    workgroupBarrier();
  }
  if (lid == 0u) {
    var rm = NEG;
    var rl = 0.0;
    var tl = 0.0;
    if (ps.first == 0u) {
      rm = stats[t * 4u];
      rl = stats[t * 4u + 1u];
      tl = stats[t * 4u + 2u];
    }
    let bm = red[0];
    let nm = max(rm, bm);
    rl = rl * exp(rm - nm) + red_l[0] * exp(bm - nm);
    let tgt = targets[t];
    if (tgt >= i32(ps.v0) && tgt < i32(ps.v0 + ps.n)) { tl = logits_in[base + u32(tgt) - ps.v0]; }
    stats[t * 4u] = nm;
    stats[t * 4u + 1u] = rl;
    stats[t * 4u + 2u] = tl;
  }
}

// ---- per-token loss (unweighted) and lse, and the weighted mean over tokens with a target;
// one workgroup.
@group(0) @binding(0) var<storage, read> stats_in: array<f32>;
// binding 1: targets
@group(0) @binding(2) var<storage, read_write> loss: array<f32>;
@group(0) @binding(3) var<storage, read_write> lse_out: array<f32>;
@group(0) @binding(4) var<storage, read_write> mean_out: array<f32>; // [weighted mean loss, valid count]
@group(0) @binding(5) var<storage, read> weights_f: array<f32>;
@group(0) @binding(6) var<uniform> pf: FinalParams;

var<workgroup> red_n: array<f32, 256>;

@compute @workgroup_size(256)
fn ce_finalize(@builtin(local_invocation_index) lid: u32) {
  var sum = 0.0;
  var cnt = 0.0;
  for (var t = lid; t < pf.T; t += 256u) {
    let lse = stats_in[t * 4u] + log(stats_in[t * 4u + 1u]);
    lse_out[t] = lse;
    var x = 0.0;
    if (targets[t] >= 0) {
      x = lse - stats_in[t * 4u + 2u];
      sum += weights_f[t] * x;
      cnt += 1.0;
    }
    loss[t] = x;
  }
  red[lid] = sum;
  red_n[lid] = cnt;
  workgroupBarrier();
  for (var s = 128u; s > 0u; s >>= 1u) {
    if (lid < s) {
      red[lid] = red[lid] + red[lid + s];
      red_n[lid] = red_n[lid] + red_n[lid + s];
    }
    workgroupBarrier();
  }
  if (lid == 0u) {
    mean_out[0] = select(0.0, red[0] / red_n[0], red_n[0] > 0.0);
    mean_out[1] = red_n[0];
  }
}

// ---- dh[t, k] = beta·dh[t, k] + Σ_c g[t, c] · w[row0 + c, k], with g recomputed from the
// logits block and the saved lse: g = (exp(logit − lse) − onehot) · weight_t · grad_scale / N for
// tokens with a target (N = divisor when > 0, else the valid count from the forward), 0 otherwise.
@group(0) @binding(0) var<storage, read> logits_b: array<f32>;
// binding 1: w
@group(0) @binding(2) var<storage, read> lse_in: array<f32>;
@group(0) @binding(3) var<storage, read> targets_b: array<i32>;
@group(0) @binding(4) var<storage, read> mean_in: array<f32>;
@group(0) @binding(5) var<storage, read_write> dh: array<f32>;
@group(0) @binding(6) var<storage, read> weights_b: array<f32>;
@group(0) @binding(7) var<uniform> pd: DhParams;

var<workgroup> gt: array<f32, 1088>; // [t][c], stride KP
var<workgroup> wt: array<f32, 1024>; // [c][k], stride TS

@compute @workgroup_size(16, 16)
fn ce_dh(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) li: vec3<u32>) {
  let k0 = wg.x * TS;
  let t0 = wg.y * TS;
  let tid = li.y * 16u + li.x;
  var denom = pd.divisor;
  if (denom <= 0.0) { denom = max(mean_in[1], 1.0); }
  let scale = pd.grad_scale / denom;
  var acc = mat4x4<f32>(); // acc[r][c]: token t0 + li.y + 16r, hidden unit k0 + li.x + 16c
  for (var cb = 0u; cb < pd.n; cb += KT) {
    for (var r = 0u; r < 4u; r++) {
      let idx = tid + r * 256u;
      // gradient tile: row = token, column = vocabulary entry
      let row = idx / KT;
      let cc = idx % KT;
      let t = t0 + row;
      let c = cb + cc;
      var g = 0.0;
      if (t < pd.T && c < pd.n) {
        let tgt = targets_b[t];
        if (tgt >= 0) {
          let z = logits_b[t * pd.n + c];
          g = exp(z - lse_in[t]);
          if (u32(tgt) == pd.v0 + c) { g -= 1.0; }
          g *= scale * weights_b[t];
          if (pd.softcap > 0.0) {
            let u = z / pd.softcap;
            g *= 1.0 - u * u;
          }
        }
      }
      gt[row * KP + cc] = g;
      // weight tile: row = vocabulary entry, column = hidden unit
      let wr = idx / TS;
      let wk = idx % TS;
      var b = 0.0;
      if (cb + wr < pd.n && k0 + wk < pd.d) { b = load_w((pd.row0 + cb + wr) * pd.d + k0 + wk); }
      wt[wr * TS + wk] = b;
    }
    workgroupBarrier();
    for (var cc = 0u; cc < KT; cc++) {
      let a = vec4<f32>(gt[li.y * KP + cc], gt[(li.y + 16u) * KP + cc], gt[(li.y + 32u) * KP + cc], gt[(li.y + 48u) * KP + cc]);
      let b = vec4<f32>(wt[cc * TS + li.x], wt[cc * TS + li.x + 16u], wt[cc * TS + li.x + 32u], wt[cc * TS + li.x + 48u]);
      acc[0] += a.x * b;
      acc[1] += a.y * b;
      acc[2] += a.z * b;
      acc[3] += a.w * b;
    }
    workgroupBarrier();
  }
  for (var r = 0u; r < 4u; r++) {
    let t = t0 + li.y + 16u * r;
    let row = acc[r];
    for (var c = 0u; c < 4u; c++) {
      let k = k0 + li.x + 16u * c;
      if (t < pd.T && k < pd.d) {
        var prev = 0.0;
        if (pd.beta != 0u) { prev = dh[t * pd.d + k]; }
        dh[t * pd.d + k] = prev + row[c];
      }
    }
  }
}
