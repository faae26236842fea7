// How many partial sums the global gradient norm (shaders/grad_norm.wgsl, ./adamw.ts) writes, in a
// module without shaders so the memory plan can size its buffer.

/** Most workgroups (each one partial sum) of one sumsq_partial dispatch. */
export const PARTIALS_PER_BUFFER = 256;

/** Partial-sum slots gradNorm needs for `count` gradient buffers (size its `partials` buffer: 4 bytes each). */
export function gradNormSlots(count: number): number {
  return count * PARTIALS_PER_BUFFER;
}
