// The tiled GEMM core: acc = op(A)[row0.., k] · op(B)[k, col0..] for one 64×64 output tile,
// 16×16 threads with a 4×4 block each (four vec4 multiply-adds per k into a mat4x4: 4× faster
// than scalar fma on SwiftShader, bench/RESULTS.md), 16-deep k slices staged in workgroup
// memory. A prelude (src/engine/kernels/gemm-tile.ts, withGemmTile): matmul.wgsl and the fused
// cross entropy's ce_logits and ce_dh run their k loop on it with their own operand reads and
// epilogue:
//
//   var acc = mat4x4<f32>();
//   for (var k0 = 0u; k0 < K; k0 += TILE_K) {
//     for (var l = 0u; l < TILE_LOADS; l++) {
//       let sa = tile_a_slot(tid, l); // (i, k) within the tile
//       let sb = tile_b_slot(tid, l); // (k, j)
//       tile_stage(sa, A(row0 + sa.x, k0 + sa.y), sb, B(k0 + sb.x, col0 + sb.y));
//     }
//     workgroupBarrier();
//     tile_accumulate(&acc, lid.xy);
//     workgroupBarrier();
//   }
//   // acc[i][j] is C at row row0 + tile_row(lid.y, i), column col0 + tile_col(lid.x, j).
//
// Specialized per pipeline by two override constants, matmul's: TRANS_A (A is stored [K, M],
// else [M, K]) and TRANS_B (B is stored [N, K] — weights [out, in] — else [K, N]). They pick
// which tile coordinate consecutive threads walk when staging, so that each load is contiguous
// in memory. Both tiles are stored [64][TILE_KP]: one row per output row (column), k along it,
// padded to 17 so that neither the staging writes nor the reads of a k step hit one bank twice.
override TRANS_A: bool = false;
override TRANS_B: bool = true;

const TILE_M = 64u;
const TILE_N = 64u;
const TILE_K = 16u;
const TILE_KP = 17u;
// Elements of each tile one thread stages per k slice: 64·16 / 256 threads.
const TILE_LOADS = 4u;

var<workgroup> tile_a: array<f32, 1088>; // [TILE_M][TILE_KP]
var<workgroup> tile_b: array<f32, 1088>; // [TILE_N][TILE_KP]

// The (i, k) of A's tile that thread tid stages in load l.
fn tile_a_slot(tid: u32, l: u32) -> vec2<u32> {
  let idx = tid + l * 256u;
  if (TRANS_A) {
    return vec2<u32>(idx % TILE_M, idx / TILE_M);
  }
  return vec2<u32>(idx / TILE_K, idx % TILE_K);
}

// The (k, j) of B's tile that thread tid stages in load l.
fn tile_b_slot(tid: u32, l: u32) -> vec2<u32> {
  let idx = tid + l * 256u;
  if (TRANS_B) {
    return vec2<u32>(idx % TILE_K, idx / TILE_K);
  }
  return vec2<u32>(idx / TILE_N, idx % TILE_N);
}

// Stores A(i, k) at slot sa and B(k, j) at slot sb. The caller's reads give 0 outside the
// matrices, as `var v = 0.0; if (inside) { v = … }` rather than an early return: on SwiftShader
// (measured, bench/RESULTS.md) the early return costs ~5% of the product.
fn tile_stage(sa: vec2<u32>, av: f32, sb: vec2<u32>, bv: f32) {
  tile_a[sa.x * TILE_KP + sa.y] = av;
  tile_b[sb.y * TILE_KP + sb.x] = bv;
}

// One k slice into the thread's 4×4 block; t = (column thread, row thread) = lid.xy. The block
// is updated through a pointer: returning the mat4x4 by value was ~10% slower on SwiftShader.
// 272 = 16 · TILE_KP: the next row of the thread's block.
fn tile_accumulate(acc: ptr<function, mat4x4<f32>>, t: vec2<u32>) {
  for (var kk = 0u; kk < TILE_K; kk++) {
    let ai = t.y * TILE_KP + kk;
    let bi = t.x * TILE_KP + kk;
    // Rows t.y + {0, 16, 32, 48} of A's tile and columns t.x + {0, 16, 32, 48} of B's.
    let ar = vec4<f32>(tile_a[ai], tile_a[ai + 272u], tile_a[ai + 544u], tile_a[ai + 816u]);
    let br = vec4<f32>(tile_b[bi], tile_b[bi + 272u], tile_b[bi + 544u], tile_b[bi + 816u]);
    (*acc)[0] += ar.x * br;
    (*acc)[1] += ar.y * br;
    (*acc)[2] += ar.z * br;
    (*acc)[3] += ar.w * br;
  }
}

// The tile row of acc[i] for row thread ty, and the tile column of acc[i][j] for column thread tx.
fn tile_row(ty: u32, i: u32) -> u32 {
  return ty + 16u * i;
}

fn tile_col(tx: u32, j: u32) -> u32 {
  return tx + 16u * j;
}
