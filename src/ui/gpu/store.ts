// The Benchmark-this-GPU page's state (zustand): the run sent to the benchmark worker and the
// results it streams back (src/bench/job.ts measures; this only collects).
import { create } from 'zustand';
import type { BenchReport, BenchSize } from '../../bench/protocol.ts';
import { spawnBenchWorker, type BenchClient } from '../../workers/gpu-bench-client.ts';

export interface GpuBenchState {
  state: 'idle' | 'running' | 'done' | 'error';
  size: BenchSize;
  /** The run in progress or the last one (its results so far). */
  report: BenchReport | null;
  retune: boolean;
  progress: { phase: string; done: number; total: number } | null;
  error: string | null;
  setSize(size: BenchSize): void;
  start(opts?: { retune?: boolean; tunerDb?: string }): void;
  cancel(): void;
}

let client: BenchClient | null = null;

export const useGpuBench = create<GpuBenchState>((set, get) => ({
  state: 'idle',
  size: 'quick',
  report: null,
  retune: false,
  progress: null,
  error: null,
  setSize: (size) => set({ size }),
  start(opts = {}) {
    if (get().state === 'running') return;
    client?.terminate();
    const size = get().size;
    const retune = opts.retune ?? false;
    // A re-tune measures only the kernels: the last run's attention and step stay on the page.
    const prev = get().report;
    const report: BenchReport =
      retune && prev
        ? { ...prev, gemm: [], tuner: undefined, seconds: undefined }
        : {
            size,
            gemm: [],
            attention: [],
          };
    set({ state: 'running', report, retune, progress: null, error: null });
    const update = (f: (r: BenchReport) => Partial<BenchReport>) =>
      set((s) => ({ report: s.report ? { ...s.report, ...f(s.report) } : s.report }));
    const mine: BenchClient = spawnBenchWorker((m) => {
      if (client !== mine) return;
      const end = () => {
        mine.terminate();
        client = null;
      };
      if (m.type === 'progress') set({ progress: { phase: m.phase, done: m.done, total: m.total } });
      else if (m.type === 'adapter') update(() => ({ adapter: m.facts }));
      else if (m.type === 'plan') update(() => ({ note: m.note }));
      else if (m.type === 'gemm') update((r) => ({ gemm: [...r.gemm, m.result] }));
      else if (m.type === 'attention') update((r) => ({ attention: [...r.attention, m.result] }));
      else if (m.type === 'train') update(() => ({ train: m.result }));
      else if (m.type === 'tuner') update(() => ({ tuner: m.picks }));
      else if (m.type === 'done') {
        update(() => ({ seconds: m.seconds, cancelled: m.cancelled }));
        set({ state: 'done', progress: null });
        end();
      } else {
        set({ state: 'error', progress: null, error: m.message });
        end();
      }
    });
    client = mine;
    mine.post({ type: 'start', size: retune && prev ? prev.size : size, retune, tunerDb: opts.tunerDb });
  },
  cancel() {
    client?.post({ type: 'cancel' });
  },
}));
