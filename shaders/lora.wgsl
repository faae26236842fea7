// Seeded dropout for LoRA's input. The mask is a counter-based hash of (seed, index), so the
// backward pass regenerates the same mask instead of storing it. The same entry applies the
// mask forward (to X) and backward (to the dX share), since both are x·mask/(1−p).
struct Params { n: u32, seed: u32, p: f32, scale: f32, accumulate: u32 }

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@group(0) @binding(2) var<uniform> p: Params;

// PCG-style integer hash (Jarzynski & Olano, "Hash Functions for GPU Rendering", 2020).
fn pcg(v: u32) -> u32 {
  let s = v * 747796405u + 2891336453u;
  let w = ((s >> ((s >> 28u) + 4u)) ^ s) * 277803737u;
  return (w >> 22u) ^ w;
}

fn keep(seed: u32, i: u32, prob: f32) -> bool {
  let h = pcg(i ^ pcg(seed));
  return f32(h >> 8u) * (1.0 / 16777216.0) >= prob;
}

@compute @workgroup_size(256)
fn dropout(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * 256u;
  if (i >= p.n) {
    return;
  }
  var v = 0.0;
  if (keep(p.seed, i, p.p)) {
    v = x[i] * p.scale;
  }
  if (p.accumulate != 0u) {
    v += out[i];
  }
  out[i] = v;
}
