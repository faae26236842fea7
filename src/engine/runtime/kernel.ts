// The one way the engine runs a WGSL entry point: a compiled pipeline plus a dispatch that
// binds storage buffers in order and a small uniform block of u32/f32 parameters.
// Pipelines are cached per (device, source, entry point) so kernels can be created freely.
import { profilerOf } from './profiler.ts';

const pipelines = new WeakMap<GPUDevice, Map<string, GPUComputePipeline>>();

export interface KernelOptions {
  /** WGSL `override` constants, e.g. tile sizes. */
  constants?: Record<string, number>;
}

export class Kernel {
  readonly pipeline: GPUComputePipeline;

  constructor(
    readonly device: GPUDevice,
    readonly code: string,
    readonly entryPoint: string,
    options: KernelOptions = {},
  ) {
    let cache = pipelines.get(device);
    if (!cache) pipelines.set(device, (cache = new Map()));
    const key = `${entryPoint}\u0000${JSON.stringify(options.constants ?? {})}\u0000${code}`;
    let p = cache.get(key);
    if (!p) {
      const module = device.createShaderModule({ code, label: entryPoint });
      p = device.createComputePipeline({
        label: entryPoint,
        layout: 'auto',
        compute: { module, entryPoint, constants: options.constants },
      });
      cache.set(key, p);
    }
    this.pipeline = p;
  }

  /**
   * Records one dispatch. `buffers` bind to @group(0) @binding(0..n-1) in order; when `params`
   * is given it binds as the uniform at @binding(n). `workgroups` is [x, y?, z?].
   */
  dispatch(
    encoder: GPUCommandEncoder,
    buffers: (GPUBuffer | GPUBufferBinding)[],
    params: ArrayBuffer | ArrayBufferView | undefined,
    workgroups: [number, number?, number?],
  ): void {
    const entries: GPUBindGroupEntry[] = buffers.map((b, binding) => ({
      binding,
      resource: 'buffer' in b ? b : { buffer: b },
    }));
    if (params) {
      const ubuf = uniformBuffer(this.device, params);
      entries.push({ binding: buffers.length, resource: { buffer: ubuf } });
      transient.get(encoder)?.push(ubuf) ?? transient.set(encoder, [ubuf]);
    }
    const bindGroup = this.device.createBindGroup({ layout: this.pipeline.getBindGroupLayout(0), entries });
    // A profiler (benchmarks) counts the dispatch and may add timestamp writes to its pass.
    const pass = encoder.beginComputePass(profilerOf(this.device)?.pass(this.entryPoint) ?? { label: this.entryPoint });
    pass.setPipeline(this.pipeline);
    pass.setBindGroup(0, bindGroup);
    const [x, y = 1, z = 1] = workgroups;
    const max = this.device.limits.maxComputeWorkgroupsPerDimension;
    if (x > max || y > max || z > max) {
      throw new Error(`${this.entryPoint}: dispatch ${x}×${y}×${z} exceeds ${max} workgroups per dimension`);
    }
    if (x > 0 && y > 0 && z > 0) pass.dispatchWorkgroups(x, y, z);
    pass.end();
  }
}

// Uniform buffers made for one encoder, destroyed once its work is done.
const transient = new WeakMap<GPUCommandEncoder, GPUBuffer[]>();

/** Submits an encoder and frees the uniform buffers its dispatches created, once done. */
export function submit(device: GPUDevice, encoder: GPUCommandEncoder): void {
  device.queue.submit([encoder.finish()]);
  const bufs = transient.get(encoder);
  if (bufs) {
    transient.delete(encoder);
    void device.queue.onSubmittedWorkDone().then(() => bufs.forEach((b) => b.destroy()));
  }
}

function uniformBuffer(device: GPUDevice, params: ArrayBuffer | ArrayBufferView): GPUBuffer {
  const bytes =
    params instanceof ArrayBuffer
      ? new Uint8Array(params)
      : new Uint8Array(params.buffer, params.byteOffset, params.byteLength);
  const size = Math.max(16, Math.ceil(bytes.byteLength / 16) * 16);
  const buf = device.createBuffer({
    size,
    usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
    mappedAtCreation: true,
  });
  new Uint8Array(buf.getMappedRange()).set(bytes);
  buf.unmap();
  return buf;
}

/**
 * Packs a uniform block from a list of fields. WGSL uniform structs of scalar u32/i32/f32
 * fields are laid out 4 bytes each, so fields go in declaration order.
 */
export function params(fields: Array<['u32' | 'i32' | 'f32', number]>): ArrayBuffer {
  const buf = new ArrayBuffer(Math.max(16, Math.ceil((fields.length * 4) / 16) * 16));
  const dv = new DataView(buf);
  fields.forEach(([type, v], i) => {
    if (type === 'u32') dv.setUint32(i * 4, v, true);
    else if (type === 'i32') dv.setInt32(i * 4, v, true);
    else dv.setFloat32(i * 4, v, true);
  });
  return buf;
}
