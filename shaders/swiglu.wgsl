// SwiGLU gate of the MLP: out = silu(gate) · up, silu(g) = g · σ(g).
// Backward: dgate = dout · up · σ(g)·(1 + g·(1 − σ(g))), dup = dout · silu(g).
struct Params { n: u32 }

@group(0) @binding(0) var<storage, read> gate: array<f32>;
@group(0) @binding(1) var<storage, read> up: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
@group(0) @binding(3) var<uniform> p: Params;

fn sigmoid(g: f32) -> f32 {
  return 1.0 / (1.0 + exp(-g));
}

@compute @workgroup_size(256)
fn swiglu_forward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * 256u;
  if (i >= p.n) {
    return;
  }
  let g = gate[i];
  out[i] = g * sigmoid(g) * up[i];
}

@group(0) @binding(0) var<storage, read> bgate: array<f32>;
@group(0) @binding(1) var<storage, read> bup: array<f32>;
@group(0) @binding(2) var<storage, read> dout: array<f32>;
@group(0) @binding(3) var<storage, read_write> dgate: array<f32>;
@group(0) @binding(4) var<storage, read_write> dup: array<f32>;
@group(0) @binding(5) var<uniform> bp: Params;

@compute @workgroup_size(256)
fn swiglu_backward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * 256u;
  if (i >= bp.n) {
    return;
  }
  let g = bgate[i];
  let sg = sigmoid(g);
  let d = dout[i];
  dgate[i] = d * bup[i] * sg * (1.0 + g * (1.0 - sg));
  dup[i] = d * g * sg;
}
