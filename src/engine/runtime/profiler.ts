// Counts the engine's dispatches and, where the device has `timestamp-query`, times each one on
// the GPU. Every dispatch goes through Kernel.dispatch in its own compute pass, so a pass's
// beginning/end timestamps (GPUComputePassTimestampWrites) are that kernel's GPU time.
// Benchmarks attach a profiler to a device (bench:train's step timeline and dispatch counts);
// without one, Kernel.dispatch records plain passes and nothing is counted.

/** What the profiler saw: dispatches in order, each with its kernel (entry point). */
export interface DispatchRecord {
  kernel: string;
  /** GPU nanoseconds between the pass's beginning and end; undefined without timestamps. */
  ns?: number;
}

/** Per-kernel totals over a range of dispatches. */
export interface KernelTotals {
  kernel: string;
  dispatches: number;
  /** Σ GPU ns; NaN when the dispatches were not timed. */
  ns: number;
}

// The WebGPU limit on a query set's size; two queries per dispatch.
const QUERIES_PER_SET = 4096;

const profilers = new WeakMap<GPUDevice, DispatchProfiler>();

/** The profiler attached to a device, if any (read by Kernel.dispatch). */
export function profilerOf(device: GPUDevice): DispatchProfiler | undefined {
  return profilers.get(device);
}

export class DispatchProfiler {
  /** Whether the device can time dispatches (`timestamp-query`) and timing was not refused. */
  readonly canTime: boolean;
  /** Whether dispatches recorded from now on get GPU timestamps (settable; needs canTime). */
  timing: boolean;
  private kernels: string[] = [];
  // The query pair of each dispatch (index of its first query), -1 when not timed.
  private queries: number[] = [];
  private used = 0;
  private sets: GPUQuerySet[] = [];
  private readonly maxTimed: number;

  /**
   * Attaches to `device` until detach(). `timestamps: false` only counts; `maxTimed` bounds the
   * timed dispatches (query sets of 2048 dispatches are made as needed), later ones are counted.
   */
  constructor(
    readonly device: GPUDevice,
    opts: { timestamps?: boolean; maxTimed?: number } = {},
  ) {
    this.canTime = (opts.timestamps ?? true) && device.features.has('timestamp-query');
    this.timing = this.canTime;
    this.maxTimed = opts.maxTimed ?? 65536;
    if (profilers.has(device)) throw new Error('DispatchProfiler: the device already has a profiler attached');
    profilers.set(device, this);
  }

  /** Dispatches recorded so far. */
  get dispatches(): number {
    return this.kernels.length;
  }

  /** Called by Kernel.dispatch: counts the dispatch and returns its pass descriptor. */
  pass(kernel: string): GPUComputePassDescriptor {
    this.kernels.push(kernel);
    if (!this.canTime || !this.timing || this.used >= this.maxTimed * 2) {
      this.queries.push(-1);
      return { label: kernel };
    }
    const q = this.used;
    this.used += 2;
    this.queries.push(q);
    const s = Math.floor(q / QUERIES_PER_SET);
    if (s === this.sets.length) {
      this.sets.push(this.device.createQuerySet({ type: 'timestamp', count: QUERIES_PER_SET, label: `profiler ${s}` }));
    }
    const i = q % QUERIES_PER_SET;
    return {
      label: kernel,
      timestampWrites: { querySet: this.sets[s], beginningOfPassWriteIndex: i, endOfPassWriteIndex: i + 1 },
    };
  }

  /**
   * Every dispatch so far with its GPU time. Call after the work was submitted; it resolves the
   * queries in a later submission, so the queue's order makes it wait for them.
   */
  async records(): Promise<DispatchRecord[]> {
    if (profilerOf(this.device) !== this) throw new Error('DispatchProfiler.records: call it before detach()');
    let t = new BigUint64Array(0);
    if (this.used > 0) {
      const bytes = this.used * 8;
      const resolve = this.device.createBuffer({
        size: bytes,
        usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC,
      });
      const read = this.device.createBuffer({ size: bytes, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
      const enc = this.device.createCommandEncoder({ label: 'profiler resolve' });
      for (let s = 0; s * QUERIES_PER_SET < this.used; s++) {
        const count = Math.min(QUERIES_PER_SET, this.used - s * QUERIES_PER_SET);
        enc.resolveQuerySet(this.sets[s], 0, count, resolve, s * QUERIES_PER_SET * 8);
      }
      enc.copyBufferToBuffer(resolve, 0, read, 0, bytes);
      this.device.queue.submit([enc.finish()]);
      await read.mapAsync(GPUMapMode.READ);
      t = new BigUint64Array(read.getMappedRange().slice(0));
      read.unmap();
      resolve.destroy();
      read.destroy();
    }
    return this.kernels.map((kernel, i) => {
      const q = this.queries[i];
      if (q < 0) return { kernel, ns: undefined };
      // A pass the implementation did not time reads 0, and a clock that ran backwards gives
      // end < begin: NaN rather than a made-up number.
      const ok = t[q] > 0n && t[q + 1] >= t[q];
      return { kernel, ns: ok ? Number(t[q + 1] - t[q]) : NaN };
    });
  }

  /** Stops counting and frees the query sets (read records() first). */
  detach(): void {
    if (profilers.get(this.device) === this) profilers.delete(this.device);
    for (const s of this.sets) s.destroy();
    this.sets = [];
  }
}

/** Per-kernel dispatch counts and GPU time over records[from, to), the slowest first. */
export function kernelTotals(records: DispatchRecord[], from = 0, to = records.length): KernelTotals[] {
  const by = new Map<string, KernelTotals>();
  for (const r of records.slice(from, to)) {
    let k = by.get(r.kernel);
    if (!k) by.set(r.kernel, (k = { kernel: r.kernel, dispatches: 0, ns: 0 }));
    k.dispatches++;
    k.ns += r.ns ?? NaN;
  }
  return [...by.values()].sort((a, b) => (b.ns || 0) - (a.ns || 0) || b.dispatches - a.dispatches);
}
