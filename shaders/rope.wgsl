// Rotary position embedding, Hugging Face rotate-half layout, in place on [T, H, D] rows
// (a token's heads may sit inside a wider row: element (t, h, i) is at off + t·stride + h·D + i).
// Only the first R dims of each head rotate (Phi-3's partial_rotary_factor: rotate-half over
// x[..., :R], x[..., R:] passes through); R = D otherwise.
// cos/sin are per-token tables [T, R/2] built on the CPU from explicit position ids (so
// packed rows restart positions, and the angles are rounded exactly as PyTorch rounds them).
//   forward:  y1 = x1·c − x2·s,  y2 = x2·c + x1·s
//   backward (sign = −1): the transposed rotation, dx1 = g1·c + g2·s, dx2 = g2·c − g1·s
// A second tensor `y` [T, H2, D] (packed; H2 = 0 for none) rotates by the same tables in the same
// dispatch: attention's k beside q, one dispatch instead of two.
struct Params { T: u32, H: u32, D: u32, stride: u32, off: u32, sign: f32, R: u32, H2: u32 }

@group(0) @binding(0) var<storage, read_write> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> y: array<f32>;
@group(0) @binding(2) var<storage, read> cos_t: array<f32>;
@group(0) @binding(3) var<storage, read> sin_t: array<f32>;
@group(0) @binding(4) var<uniform> p: Params;

fn rotate(a: f32, b: f32, c: f32, s: f32) -> vec2<f32> {
  return vec2<f32>(a * c - b * s, b * c + a * s);
}

@compute @workgroup_size(256)
fn rope(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let half = p.R / 2u;
  let heads = p.H + p.H2;
  let idx = gid.x + gid.y * nwg.x * 256u;
  if (idx >= p.T * heads * half) {
    return;
  }
  let i = idx % half;
  let h = (idx / half) % heads;
  let t = idx / (half * heads);
  let c = cos_t[t * half + i];
  let s = p.sign * sin_t[t * half + i];
  if (h < p.H) {
    let j1 = p.off + t * p.stride + h * p.D + i;
    let r = rotate(x[j1], x[j1 + half], c, s);
    x[j1] = r.x;
    x[j1 + half] = r.y;
  } else {
    let j1 = (t * p.H2 + h - p.H) * p.D + i;
    let r = rotate(y[j1], y[j1 + half], c, s);
    y[j1] = r.x;
    y[j1 + half] = r.y;
  }
}
