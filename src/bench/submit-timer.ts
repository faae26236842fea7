// The step timeline of a device without `timestamp-query`: wall time per queue submit. While
// attached it wraps device.queue.submit; a submit's time is from when the queue could start it
// (its own submission or the previous one's completion, whichever is later) to its
// onSubmittedWorkDone — so it includes the driver's and the browser's share, not only the GPU's.
import type { SubmitTime } from './protocol.ts';

interface Entry {
  at: number;
  /** Dispatches recorded before this submit (the profiler's count). */
  dispatches: number;
  done: Promise<number>;
}

export class SubmitTimer {
  private entries: Entry[] = [];
  private readonly original: GPUQueue['submit'];

  /** `dispatches()` counts the dispatches recorded so far (DispatchProfiler.dispatches). */
  constructor(
    readonly device: GPUDevice,
    private readonly dispatches: () => number,
  ) {
    const queue = device.queue;
    this.original = queue.submit;
    const original = this.original;
    queue.submit = (buffers: Iterable<GPUCommandBuffer>) => {
      original.call(queue, buffers);
      const at = performance.now();
      this.entries.push({
        at,
        dispatches: this.dispatches(),
        done: queue.onSubmittedWorkDone().then(() => performance.now()),
      });
    };
  }

  /** Restores the queue's own submit. */
  detach(): void {
    this.device.queue.submit = this.original;
  }

  /**
   * Each submit since `from` (an earlier dispatch count) with its wall time and the kernels in it;
   * `kernelOf(i)` names dispatch i. Waits for the queue.
   */
  async submits(from: number, kernelOf: (i: number) => string): Promise<SubmitTime[]> {
    const dones = await Promise.all(this.entries.map((e) => e.done));
    let prevDone = -Infinity;
    let prevDispatches = from;
    return this.entries.map((e, index) => {
      const start = Math.max(e.at, prevDone);
      const counts = new Map<string, number>();
      for (let i = prevDispatches; i < e.dispatches; i++) counts.set(kernelOf(i), (counts.get(kernelOf(i)) ?? 0) + 1);
      const kernels =
        [...counts]
          .sort((a, b) => b[1] - a[1])
          .slice(0, 4)
          .map(([k, n]) => (n > 1 ? `${k} ×${n}` : k))
          .join(', ') + (counts.size > 4 ? ', …' : '') || '(copies and readbacks)';
      const row = { index, dispatches: e.dispatches - prevDispatches, kernels, ms: Math.max(0, dones[index] - start) };
      prevDone = dones[index];
      prevDispatches = e.dispatches;
      return row;
    });
  }
}
