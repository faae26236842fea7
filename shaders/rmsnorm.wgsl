// RMSNorm over the last dimension, Hugging Face semantics in f32:
//   y = x · rsqrt(mean(x²) + eps) · (w + offset)
// offset = 1 for Gemma's RMSNorm, which scales by (1 + weight) (weights stored around 0).
// One workgroup of WG threads per row (the wrapper's rmsnormWorkgroup: on a GPU 32 to 128 by the
// row's width, on a CPU adapter 8). Per-head q/k norm (Qwen3) is the same kernel with rows = T·heads and cols =
// head_dim, since [T, heads·head_dim] is [T·heads, head_dim] in memory.
// rstd is saved per row for the backward pass.
// The row sum takes one workgroup barrier: each thread writes its partial, then every thread adds
// all WG partials in the same order (the same total everywhere, no broadcast barrier; a tree
// takes log2(WG) + 2 barriers).
struct Params { rows: u32, cols: u32, eps: f32, accumulate: u32, offset: f32 }

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> w: array<f32>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;
@group(0) @binding(3) var<storage, read_write> rstd: array<f32>;
@group(0) @binding(4) var<uniform> p: Params;

override WG: u32 = 128u;
var<workgroup> red: array<f32, WG>;

// Called once per invocation (red is not reused, so no barrier after the reads).
fn reduce_sum(lid: u32, v: f32) -> f32 {
  red[lid] = v;
  workgroupBarrier();
  var total = 0.0;
  for (var i = 0u; i < WG; i++) {
    total += red[i];
  }
  return total;
}

@compute @workgroup_size(WG)
fn rmsnorm_forward(@builtin(local_invocation_id) lid3: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>,
                   @builtin(num_workgroups) nwg: vec3<u32>) {
  let row = wid.x + wid.y * nwg.x;
  if (row >= p.rows) {
    return;
  }
  let lid = lid3.x;
  let base = row * p.cols;
  var ss = 0.0;
  for (var i = lid; i < p.cols; i += WG) {
    let v = x[base + i];
    ss += v * v;
  }
  let total = reduce_sum(lid, ss);
  let r = inverseSqrt(total / f32(p.cols) + p.eps);
  for (var i = lid; i < p.cols; i += WG) {
    y[base + i] = x[base + i] * r * (w[i] + p.offset);
  }
  if (lid == 0u) {
    rstd[row] = r;
  }
}

// dx = rstd · (w·dy) − x · rstd³ · Σ(w·dy·x) / n, w = weight + offset   (weights frozen: no dw)
@group(0) @binding(0) var<storage, read> bx: array<f32>;
@group(0) @binding(1) var<storage, read> bw: array<f32>;
@group(0) @binding(2) var<storage, read> bdy: array<f32>;
@group(0) @binding(3) var<storage, read> brstd: array<f32>;
@group(0) @binding(4) var<storage, read_write> bdx: array<f32>;
@group(0) @binding(5) var<uniform> bp: Params;

@compute @workgroup_size(WG)
fn rmsnorm_backward(@builtin(local_invocation_id) lid3: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>,
                    @builtin(num_workgroups) nwg: vec3<u32>) {
  let row = wid.x + wid.y * nwg.x;
  if (row >= bp.rows) {
    return;
  }
  let lid = lid3.x;
  let base = row * bp.cols;
  var dot = 0.0;
  for (var i = lid; i < bp.cols; i += WG) {
    dot += (bw[i] + bp.offset) * bdy[base + i] * bx[base + i];
  }
  let total = reduce_sum(lid, dot);
  let r = brstd[row];
  let k = r * r * r * total / f32(bp.cols);
  for (var i = lid; i < bp.cols; i += WG) {
    var g = r * (bw[i] + bp.offset) * bdy[base + i] - bx[base + i] * k;
    if (bp.accumulate != 0u) {
      g += bdx[base + i];
    }
    bdx[base + i] = g;
  }
}
