// Fused projections (Phi-3's qkv_proj and gate_up_proj, InternLM2's wqkv) run as one linear
// layer into a fused buffer; these copy its columns out to the q/k/v (or gate/up) buffers the
// rest of the layer reads, and the parts' gradients back into one (shaders/split.wgsl).
import src from '../../../shaders/split.wgsl?raw';
import { kernelSpec, runKernel } from '../runtime/spec.ts';
import { dummyBuffer, grid1d } from '../runtime/grid.ts';
import type { FusedSplit } from '../../model/layout.ts';

const SPLIT = kernelSpec({
  file: 'split.wgsl',
  source: src,
  entryPoint: 'split_columns',
  bindings: ['fused', 'part0', 'part1', 'part2'],
  uniform: [
    ['N', 'u32'],
    ['groups', 'u32'],
    ['w0', 'u32'],
    ['w1', 'u32'],
    ['w2', 'u32'],
    ['pack', 'u32'],
  ],
});

function run(
  device: GPUDevice,
  enc: GPUCommandEncoder,
  fused: GPUBuffer,
  parts: GPUBuffer[],
  N: number,
  s: FusedSplit,
  pack: boolean,
) {
  if (parts.length !== s.perGroup.length || parts.length < 2 || parts.length > 3)
    throw new Error('split: 2 or 3 parts');
  const [w0, w1, w2 = 0] = s.perGroup;
  runKernel(
    device,
    enc,
    SPLIT,
    { fused, part0: parts[0], part1: parts[1], part2: parts[2] ?? dummyBuffer(device) },
    {
      N,
      groups: s.groups,
      w0,
      w1,
      w2,
      pack: pack ? 1 : 0,
    },
    grid1d(device, N * s.groups * (w0 + w1 + w2)),
  );
}

/** parts ← columns of fused [N, Σ widths]. */
export function unpackColumns(
  device: GPUDevice,
  enc: GPUCommandEncoder,
  fused: GPUBuffer,
  parts: GPUBuffer[],
  N: number,
  s: FusedSplit,
): void {
  run(device, enc, fused, parts, N, s, false);
}

/** fused ← the parts' columns (the gradient of unpackColumns). */
export function packColumns(
  device: GPUDevice,
  enc: GPUCommandEncoder,
  fused: GPUBuffer,
  parts: GPUBuffer[],
  N: number,
  s: FusedSplit,
): void {
  run(device, enc, fused, parts, N, s, true);
}
