// Global gradient L2 norm over many buffers and the clip coefficient, without a CPU round trip:
// sumsq_partial (one dispatch per gradient buffer: each LoRA arena chunk, all of its tensors and
// their zero padding at once) writes per-workgroup partial sums into `partials` starting at
// `slot`; finalize sums them into out = [norm, min(1, max_norm/(norm+1e-6))]
// (torch.nn.utils.clip_grad_norm_), which adamw.wgsl applies to each gradient as it reads it.
struct PartialParams { n: u32, slot: u32 }
struct FinalParams { count: u32, max_norm: f32 }

// Threads per workgroup, a power of two: 256 on a GPU, 8 on a CPU adapter (kernels/adamw.ts:
// SwiftShader's cost grows with a workgroup's invocations far more than with its loop trips).
override WG: u32 = 256u;
var<workgroup> red: array<f32, WG>;

fn reduce_sum(lid: u32, v: f32) -> f32 {
  red[lid] = v;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s >>= 1u) {
    if (lid < s) {
      red[lid] += red[lid + s];
    }
    workgroupBarrier();
  }
  return red[0];
}

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> partials: array<f32>;
@group(0) @binding(2) var<uniform> pp: PartialParams;

@compute @workgroup_size(WG)
fn sumsq_partial(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>,
                 @builtin(num_workgroups) nwg: vec3<u32>) {
  var s = 0.0;
  for (var i = wid.x * WG + lid.x; i < pp.n; i += nwg.x * WG) {
    let v = x[i];
    s += v * v;
  }
  let total = reduce_sum(lid.x, s);
  if (lid.x == 0u) {
    partials[pp.slot + wid.x] = total;
  }
}

@group(0) @binding(0) var<storage, read> fpartials: array<f32>;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@group(0) @binding(2) var<uniform> fp: FinalParams;

@compute @workgroup_size(WG)
fn finalize(@builtin(local_invocation_id) lid: vec3<u32>) {
  var s = 0.0;
  for (var i = lid.x; i < fp.count; i += WG) {
    s += fpartials[i];
  }
  let total = reduce_sum(lid.x, s);
  if (lid.x == 0u) {
    let norm = sqrt(total);
    out[0] = norm;
    out[1] = min(1.0, fp.max_norm / (norm + 1e-6));
  }
}

