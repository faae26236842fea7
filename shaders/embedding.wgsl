// Embedding gather: out[t, :] = W[ids[t], :] for the ids that fall in this row chunk of W
// (a vocabulary too big for one binding is split by rows; one dispatch per chunk).
// W is f32, or bf16 / f16 packed two per u32, widened exactly (common/weights.wgsl, the
// prelude); then multiplied by `scale` (Gemma's √hidden normalizer, in f32; 1 elsewhere).
struct Params { T: u32, D: u32, row_start: u32, rows: u32, scale: f32 }

@group(0) @binding(0) var<storage, read> ids: array<u32>;
@group(0) @binding(1) var<storage, read> w: array<u32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
@group(0) @binding(3) var<uniform> p: Params;

fn load_w(e: u32) -> f32 {
  return widen_weight(w[weight_word(e)], e);
}

@compute @workgroup_size(256)
fn embedding(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let idx = gid.x + gid.y * nwg.x * 256u;
  if (idx >= p.T * p.D) {
    return;
  }
  let t = idx / p.D;
  let d = idx % p.D;
  let id = ids[t];
  if (id >= p.row_start && id < p.row_start + p.rows) {
    out[idx] = load_w((id - p.row_start) * p.D + d) * p.scale;
  }
}
