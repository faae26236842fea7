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

// ---- logits[t, c] = Σ_k h[t, k] · w[row0 + c, k]: on the tiled GEMM core (common/gemm_tile.wgsl,
// the prelude) with TRANS_A = false, TRANS_B = true (w is [rows, d]: the weights' [out, in]).
@group(0) @binding(0) var<storage, read> h: array<f32>;
@group(0) @binding(2) var<storage, read_write> logits_out: array<f32>;
@group(0) @binding(3) var<uniform> pl: LogitsParams;

fn h_at(t: u32, k: u32) -> f32 {
  var v = 0.0;
  if (t < pl.T && k < pl.d) { v = h[t * pl.d + k]; }
  return v;
}

fn w_row_at(k: u32, c: u32) -> f32 {
  var v = 0.0;
  if (c < pl.n && k < pl.d) { v = load_w((pl.row0 + c) * pl.d + k); }
  return v;
}

@compute @workgroup_size(16, 16)
fn ce_logits(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) li: vec3<u32>) {
  let t0 = wg.y * TILE_M;
  let c0 = wg.x * TILE_N;
  let tid = li.y * 16u + li.x;
  var acc = mat4x4<f32>();
  for (var k0 = 0u; k0 < pl.d; k0 += TILE_K) {
    for (var l = 0u; l < TILE_LOADS; l++) {
      let sa = tile_a_slot(tid, l);
      let sb = tile_b_slot(tid, l);
      tile_stage(sa, h_at(t0 + sa.x, k0 + sa.y), sb, w_row_at(k0 + sb.x, c0 + sb.y));
    }
    workgroupBarrier();
    tile_accumulate(&acc, li.xy);
    workgroupBarrier();
  }
  for (var r = 0u; r < 4u; r++) {
    let t = t0 + tile_row(li.y, r);
    let row = acc[r];
    for (var c = 0u; c < 4u; c++) {
      let col = c0 + tile_col(li.x, c);
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

// g[t, c] of the block (0 outside it), the product's A operand.
fn g_at(t: u32, c: u32, scale: f32) -> f32 {
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
  return g;
}

// w[row0 + c, k], the B operand [n, d] = [K, N] (TRANS_B = false for this entry point).
fn w_col_at(c: u32, k: u32) -> f32 {
  var v = 0.0;
  if (c < pd.n && k < pd.d) { v = load_w((pd.row0 + c) * pd.d + k); }
  return v;
}

// On the tiled GEMM core: rows are tokens, columns hidden units, the sum runs over the block's
// vocabulary entries; the wrapper sets TRANS_B = false.
@compute @workgroup_size(16, 16)
fn ce_dh(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) li: vec3<u32>) {
  let k0 = wg.x * TILE_N;
  let t0 = wg.y * TILE_M;
  let tid = li.y * 16u + li.x;
  var denom = pd.divisor;
  if (denom <= 0.0) { denom = max(mean_in[1], 1.0); }
  let scale = pd.grad_scale / denom;
  var acc = mat4x4<f32>(); // acc[r][c]: token t0 + tile_row(li.y, r), hidden unit k0 + tile_col(li.x, c)
  for (var cb = 0u; cb < pd.n; cb += TILE_K) {
    for (var l = 0u; l < TILE_LOADS; l++) {
      let sa = tile_a_slot(tid, l);
      let sb = tile_b_slot(tid, l);
      tile_stage(sa, g_at(t0 + sa.x, cb + sa.y, scale), sb, w_col_at(cb + sb.x, k0 + sb.y));
    }
    workgroupBarrier();
    tile_accumulate(&acc, li.xy);
    workgroupBarrier();
  }
  for (var r = 0u; r < 4u; r++) {
    let t = t0 + tile_row(li.y, r);
    let row = acc[r];
    for (var c = 0u; c < 4u; c++) {
      let k = k0 + tile_col(li.x, c);
      if (t < pd.T && k < pd.d) {
        var prev = 0.0;
        if (pd.beta != 0u) { prev = dh[t * pd.d + k]; }
        dh[t * pd.d + k] = prev + row[c];
      }
    }
  }
}
