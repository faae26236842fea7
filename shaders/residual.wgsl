// Residual add, in place: x[i] += y[i]. The stream's skip connection, forward and backward.
struct Params { n: u32 }

@group(0) @binding(0) var<storage, read_write> x: array<f32>;
@group(0) @binding(1) var<storage, read> y: array<f32>;
@group(0) @binding(2) var<uniform> params: Params;

@compute @workgroup_size(256)
fn add_inplace(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  // 2-D grid so n may exceed 65535 workgroups' worth of elements.
  let i = gid.x + gid.y * nwg.x * 256u;
  if (i < params.n) {
    x[i] = x[i] + y[i];
  }
}

