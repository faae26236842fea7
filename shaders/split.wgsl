// A fused projection's output split into its parts, and back (for the gradient):
//   fused [N, groups·(w0 + w1 + w2)]  ⇄  part0 [N, groups·w0], part1 [N, groups·w1], part2 [N, groups·w2]
// Each row of `fused` is `groups` repeats of (w0 columns of part 0, w1 of part 1, w2 of part 2):
// Phi-3's qkv_proj is one group (q | k | v), InternLM2's wqkv one group per kv head (that head's
// query heads | key | value), gate_up_proj one group (gate | up) with w2 = 0.
// pack = 0 copies fused → parts; pack = 1 copies parts → fused.
struct Params { N: u32, groups: u32, w0: u32, w1: u32, w2: u32, pack: u32 }

@group(0) @binding(0) var<storage, read_write> fused: array<f32>;
@group(0) @binding(1) var<storage, read_write> part0: array<f32>;
@group(0) @binding(2) var<storage, read_write> part1: array<f32>;
@group(0) @binding(3) var<storage, read_write> part2: array<f32>;
@group(0) @binding(4) var<uniform> p: Params;

@compute @workgroup_size(256)
fn split_columns(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let G = p.w0 + p.w1 + p.w2;
  let W = p.groups * G;
  let idx = gid.x + gid.y * nwg.x * 256u;
  if (idx >= p.N * W) {
    return;
  }
  let t = idx / W;
  let c = idx % W;
  let g = c / G;
  let o = c % G;
  if (o < p.w0) {
    let j = t * p.groups * p.w0 + g * p.w0 + o;
    if (p.pack == 0u) { part0[j] = fused[idx]; } else { fused[idx] = part0[j]; }
  } else if (o < p.w0 + p.w1) {
    let j = t * p.groups * p.w1 + g * p.w1 + (o - p.w0);
    if (p.pack == 0u) { part1[j] = fused[idx]; } else { fused[idx] = part1[j]; }
  } else {
    let j = t * p.groups * p.w2 + g * p.w2 + (o - p.w0 - p.w1);
    if (p.pack == 0u) { part2[j] = fused[idx]; } else { fused[idx] = part2[j]; }
  }
}
