// A kernel declared in one place (tfjs-backend-webgpu's way): its WGSL source and entry point,
// its storage bindings by WGSL variable name in binding order, and the fields of its uniform
// struct in declaration order. Call sites pass buffers and parameters by name; nothing about
// binding order or uniform layout is implicit. wgsl-layout.test.ts checks every declaration
// against the WGSL text.
import { Kernel, params, type KernelOptions } from './kernel.ts';

export type UniformType = 'u32' | 'i32' | 'f32';

export interface KernelSpec<B extends string = string, U extends string = string> {
  /** The shader file (shaders/NAME.wgsl), for messages and the layout test. */
  file: string;
  source: string;
  entryPoint: string;
  /** Storage buffers at @group(0) @binding(0..n-1), by their WGSL variable names. */
  bindings: readonly B[];
  /** The uniform struct at @binding(n), field by field; empty when the kernel has none. */
  uniform: readonly (readonly [U, UniformType])[];
}

const declared: KernelSpec[] = [];

/** Declares a kernel (and registers it for the layout test). */
export function kernelSpec<const B extends string, const U extends string = never>(
  spec: KernelSpec<B, U>,
): KernelSpec<B, U> {
  declared.push(spec as unknown as KernelSpec);
  return spec;
}

/** Every kernel declared by the modules loaded so far. */
export function declaredKernels(): readonly KernelSpec[] {
  return declared;
}

/** Records one dispatch of a declared kernel. */
export function runKernel<B extends string, U extends string>(
  device: GPUDevice,
  enc: GPUCommandEncoder,
  spec: KernelSpec<B, U>,
  buffers: Record<B, GPUBuffer | GPUBufferBinding>,
  uniform: Record<U, number>,
  workgroups: [number, number?, number?],
  options: KernelOptions & {
    /** The spec's source with compile-time constants written in (attention's tile sizes, the LM head's dtype). */
    source?: string;
  } = {},
): void {
  const kernel = new Kernel(device, options.source ?? spec.source, spec.entryPoint, options);
  const block = spec.uniform.length ? params(spec.uniform.map(([name, type]) => [type, uniform[name]])) : undefined;
  kernel.dispatch(
    enc,
    spec.bindings.map((b) => buffers[b]),
    block,
    workgroups,
  );
}
