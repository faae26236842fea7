// Gated MLP activation: out = act(gate) · up, with act = silu (SwiGLU: silu(g) = g · σ(g)) or,
// with ACT = 1, gelu_pytorch_tanh (Gemma's GeGLU: 0.5·g·(1 + tanh(√(2/π)·(g + 0.044715·g³)))).
// Backward: dgate = dout · up · act'(g), dup = dout · act(g); silu'(g) = σ(g)·(1 + g·(1 − σ(g))),
// gelu'(g) = 0.5·(1 + t) + 0.5·g·(1 − t²)·√(2/π)·(1 + 3·0.044715·g²), t = tanh(…).
struct Params { n: u32 }

override ACT: u32 = 0u; // 0: silu, 1: gelu_pytorch_tanh

const GELU_C: f32 = 0.7978845608028654; // √(2/π)
const GELU_A: f32 = 0.044715;

fn gelu_t(g: f32) -> f32 {
  return tanh(clamp(GELU_C * (g + GELU_A * g * g * g), -15.0, 15.0));
}

fn act(g: f32) -> f32 {
  if (ACT == 1u) { return 0.5 * g * (1.0 + gelu_t(g)); }
  return g * sigmoid(g);
}

fn act_grad(g: f32) -> f32 {
  if (ACT == 1u) {
    let t = gelu_t(g);
    return 0.5 * (1.0 + t) + 0.5 * g * (1.0 - t * t) * GELU_C * (1.0 + 3.0 * GELU_A * g * g);
  }
  let sg = sigmoid(g);
  return sg * (1.0 + g * (1.0 - sg));
}

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
  out[i] = act(gate[i]) * up[i];
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
  let d = dout[i];
  dgate[i] = d * bup[i] * act_grad(g);
  dup[i] = d * act(g);
}
