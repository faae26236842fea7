// General tiled matmul: C = alpha · op(A) · op(B) (+ bias[j]) (+ C when accumulating).
// op(A)(i,k) = A[a_off + i·lda + k], or A[a_off + k·lda + i] with TRANS_A.
// op(B)(k,j) = B[j·ldb + k] with TRANS_B (weights stored [out, in]: Y = X·Wᵀ), else B[k·ldb + j].
// B may be f32, or bf16 / f16 packed two per u32 (element 2e in the low half), widened
// exactly where it is read (common/weights.wgsl, WEIGHT_DTYPE), so frozen weights stay in
// their checkpoint dtype and no shader-f16 is needed.
// Each 16×16 workgroup computes a 64×64 tile of C on the tiled GEMM core (common/gemm_tile.wgsl,
// which also declares TRANS_A and TRANS_B); edges are masked so any M, N, K work.
struct Params {
  M: u32, N: u32, K: u32,
  lda: u32, ldb: u32, ldc: u32,
  a_off: u32, c_off: u32, bias_off: u32,
  accumulate: u32, has_bias: u32, alpha: f32,
}

@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read> b: array<u32>;
@group(0) @binding(2) var<storage, read> bias: array<f32>;
@group(0) @binding(3) var<storage, read_write> c: array<f32>;
@group(0) @binding(4) var<uniform> p: Params;

// Element e of B in its checkpoint dtype (common/weights.wgsl, put in front by the wrapper).
fn load_b(e: u32) -> f32 {
  return widen_weight(b[weight_word(e)], e);
}

fn a_at(i: u32, k: u32) -> f32 {
  var v = 0.0;
  if (i < p.M && k < p.K) {
    if (TRANS_A) {
      v = a[p.a_off + k * p.lda + i];
    } else {
      v = a[p.a_off + i * p.lda + k];
    }
  }
  return v;
}

fn b_at(k: u32, j: u32) -> f32 {
  var v = 0.0;
  if (j < p.N && k < p.K) {
    if (TRANS_B) {
      v = load_b(j * p.ldb + k);
    } else {
      v = load_b(k * p.ldb + j);
    }
  }
  return v;
}

@compute @workgroup_size(16, 16)
fn matmul(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  let tid = lid.y * 16u + lid.x;
  let row0 = wid.y * TILE_M;
  let col0 = wid.x * TILE_N;

  var acc = mat4x4<f32>();
  for (var k0 = 0u; k0 < p.K; k0 += TILE_K) {
    for (var l = 0u; l < TILE_LOADS; l++) {
      let sa = tile_a_slot(tid, l);
      let sb = tile_b_slot(tid, l);
      tile_stage(sa, a_at(row0 + sa.x, k0 + sa.y), sb, b_at(k0 + sb.x, col0 + sb.y));
    }
    workgroupBarrier();
    tile_accumulate(&acc, lid.xy);
    workgroupBarrier();
  }

  for (var i = 0u; i < 4u; i++) {
    let r = row0 + tile_row(lid.y, i);
    let row = acc[i];
    for (var j = 0u; j < 4u; j++) {
      let cc = col0 + tile_col(lid.x, j);
      if (r < p.M && cc < p.N) {
        var v = p.alpha * row[j];
        if (p.has_bias != 0u) {
          v += bias[p.bias_off + cc];
        }
        let ci = p.c_off + r * p.ldc + cc;
        if (p.accumulate != 0u) {
          v += c[ci];
        }
        c[ci] = v;
      }
    }
  }
}
