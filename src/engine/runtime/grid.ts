// Dispatch-size helpers shared by the element-wise kernels.

/**
 * Workgroups for `n` threads in groups of `wg`, folded into a 2-D grid when one dimension
 * would exceed the device's per-dimension limit (kernels index i = gid.x + gid.y·nwg.x·wg).
 */
export function grid1d(device: GPUDevice, n: number, wg = 256): [number, number] {
  return foldGroups(Math.ceil(n / wg), device.limits.maxComputeWorkgroupsPerDimension);
}

/** `groups` workgroups as [x, y] with x ≤ max and x·y ≥ groups (the extra ones find no work). */
export function foldGroups(groups: number, max: number): [number, number] {
  if (groups <= max) return [groups, 1];
  const y = Math.ceil(groups / max);
  return [Math.ceil(groups / y), y];
}

/** One workgroup per row, folded like grid1d (kernels index row = wid.x + wid.y·nwg.x). */
export function gridRows(device: GPUDevice, rows: number): [number, number] {
  return grid1d(device, rows, 1);
}

const dummies = new WeakMap<GPUDevice, GPUBuffer>();

/** A small storage buffer to bind where a kernel's optional input is absent. */
export function dummyBuffer(device: GPUDevice): GPUBuffer {
  let b = dummies.get(device);
  if (!b) {
    b = device.createBuffer({ size: 16, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST, label: 'dummy' });
    dummies.set(device, b);
  }
  return b;
}
