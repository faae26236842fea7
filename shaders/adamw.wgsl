// AdamW step, PyTorch's torch.optim.AdamW order of operations (decoupled weight decay):
//   g = grad · clip                       (clip from grad_norm.wgsl's finalize, or 1)
//   p = p · (1 − lr·wd)
//   m = m + (g − m)·(1 − β1);  v = v·β2 + (1 − β2)·g²
//   p = p − (lr / bc1) · m / (sqrt(v) / sqrt(bc2) + eps)
// The bias corrections bc1 = 1 − β1^t, bc2 = 1 − β2^t come from the CPU in f64.
struct Params {
  n: u32, use_clip: u32,
  decay: f32,      // 1 − lr·wd
  beta1: f32, beta2: f32, eps: f32,
  step_size: f32,  // lr / bc1
  bc2_sqrt: f32,
}

@group(0) @binding(0) var<storage, read_write> param: array<f32>;
@group(0) @binding(1) var<storage, read> grad: array<f32>;
@group(0) @binding(2) var<storage, read_write> m: array<f32>;
@group(0) @binding(3) var<storage, read_write> v: array<f32>;
@group(0) @binding(4) var<storage, read> clip: array<f32>; // [norm, coef]
@group(0) @binding(5) var<uniform> p: Params;

@compute @workgroup_size(256)
fn adamw(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * 256u;
  if (i >= p.n) {
    return;
  }
  var g = grad[i];
  if (p.use_clip != 0u) {
    g = g * clip[1];
  }
  let w = param[i] * p.decay;
  let mi = m[i] + (g - m[i]) * (1.0 - p.beta1);
  let vi = v[i] * p.beta2 + (1.0 - p.beta2) * g * g;
  m[i] = mi;
  v[i] = vi;
  let denom = sqrt(vi) / p.bc2_sqrt + p.eps;
  param[i] = w - p.step_size * mi / denom;
}
