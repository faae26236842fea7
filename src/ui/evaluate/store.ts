// The Evaluate page's state (zustand): the job sent to the evaluation worker and the rows it
// streams back. Generation and scoring happen in the worker (src/infer/eval/job.ts).
import { create } from 'zustand';
import type { EvalRow, EvalSummary } from '../../infer/eval/evaluate.ts';
import type { FromEvalWorker, StartEval } from '../../infer/eval/protocol.ts';
import { spawnEvalWorker, type EvalClient } from '../../workers/eval-client.ts';

export interface EvalState {
  state: 'idle' | 'running' | 'done' | 'error';
  runId: string | null;
  progress: { phase: string; loaded: number; total: number } | null;
  /** What the worker read: where the records come from, how many, which were left out. */
  items: Extract<FromEvalWorker, { type: 'items' }> | null;
  rows: EvalRow[];
  summary: EvalSummary | null;
  cancelled: boolean;
  error: string | null;
  start(job: Omit<StartEval, 'type'>): void;
  cancel(): void;
}

let client: EvalClient | null = null;

export const useEval = create<EvalState>((set, get) => ({
  state: 'idle',
  runId: null,
  progress: null,
  items: null,
  rows: [],
  summary: null,
  cancelled: false,
  error: null,
  start(job) {
    if (get().state === 'running') return;
    client?.terminate();
    set({
      state: 'running',
      runId: job.runId,
      progress: null,
      items: null,
      rows: [],
      summary: null,
      cancelled: false,
      error: null,
    });
    const mine: EvalClient = spawnEvalWorker((m) => {
      if (client !== mine) return;
      const end = () => {
        mine.terminate();
        client = null;
      };
      if (m.type === 'progress') set({ progress: { phase: m.phase, loaded: m.loaded, total: m.total } });
      else if (m.type === 'items') set({ items: m, progress: { phase: 'generating', loaded: 0, total: m.total } });
      else if (m.type === 'row')
        set((s) => ({ rows: [...s.rows, m.row], progress: { phase: 'generating', loaded: m.done, total: m.total } }));
      else if (m.type === 'done') {
        set({ state: 'done', progress: null, summary: m.summary, cancelled: m.cancelled });
        end();
      } else {
        set({ state: 'error', progress: null, error: m.message });
        end();
      }
    });
    client = mine;
    mine.post({ type: 'start', ...job });
  },
  cancel() {
    client?.post({ type: 'cancel' });
  },
}));
