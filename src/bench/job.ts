// What the "Benchmark this GPU" worker does, without the worker globals (tests drive it in Node):
// acquire the device, tell the page what the adapter is, attach the autotuner with its store, time
// the gemm variants at the training shapes (tuning the classes without a pick), attention, and
// one LoRA training step; post every result as it comes. A cancel stops after the current item.
import { acquireDevice } from '../engine/device.ts';
import { GemmTuner, type TunerStore } from '../engine/kernels/tuner.ts';
import { isCpuAdapter } from '../engine/runtime/adapter.ts';
import { measureAttention, measureGemm } from './kernels.ts';
import type { AdapterFacts, FromBenchWorker, StartBench, ToBenchWorker } from './protocol.ts';
import { benchPlan } from './shapes.ts';
import { measureTrainStep } from './train-step.ts';

export interface BenchWorkerDeps {
  gpu: GPU;
  /** The tuner's store (IndexedDB in the browser); `name` from StartBench.tunerDb. */
  tunerStore(name?: string): TunerStore;
  post(msg: FromBenchWorker): void;
}

type Info = GPUAdapterInfo & { device?: string; isFallbackAdapter?: boolean };

/** A message handler: a start runs the benchmark (one at a time), a cancel stops it. */
export function createBenchHandler(deps: BenchWorkerDeps): (msg: ToBenchWorker) => Promise<void> {
  let abort: AbortController | null = null;
  return async (msg) => {
    if (msg.type === 'cancel') {
      abort?.abort();
      return;
    }
    if (abort) {
      deps.post({ type: 'error', message: 'a benchmark is already running' });
      return;
    }
    abort = new AbortController();
    try {
      await run(deps, msg, abort.signal);
    } catch (err) {
      deps.post({ type: 'error', message: (err as Error).message || String(err) });
    } finally {
      abort = null;
    }
  };
}

async function run(deps: BenchWorkerDeps, job: StartBench, signal: AbortSignal): Promise<void> {
  const t0 = performance.now();
  let gpuError: string | undefined;
  const acquired = await acquireDevice(deps.gpu, {
    onError: (e) => void (gpuError ??= e.message),
  });
  const { device, adapter, features, limits } = acquired;
  const check = () => {
    if (gpuError) throw new Error(`GPU error: ${gpuError}`);
  };
  const retune = job.retune ?? false;
  let tuner: GemmTuner | undefined;
  try {
    const info = (adapter as GPUAdapter & { info?: Info }).info;
    const facts: AdapterFacts = {
      vendor: info?.vendor ?? '',
      architecture: info?.architecture ?? '',
      device: info?.device ?? '',
      description: info?.description ?? '',
      isCpu: isCpuAdapter(info),
      features,
      allFeatures: [...adapter.features].map(String).sort(),
      limits,
    };
    deps.post({ type: 'adapter', facts });
    const plan = benchPlan(job.size, facts.isCpu);
    deps.post({ type: 'plan', note: plan.note });
    const trainSteps = retune ? 0 : plan.train.warmup + plan.train.steps;
    const total = plan.gemm.length + (retune ? 0 : 1) + trainSteps;
    let done = 0;
    const progress = (phase: string) => deps.post({ type: 'progress', phase, done, total });

    tuner = await GemmTuner.attach(device, deps.tunerStore(job.tunerDb));
    const stored = { ...tuner.all };
    for (const s of plan.gemm) {
      if (signal.aborted) break;
      progress(`gemm ${s.name} ${s.M}×${s.N}×${s.K}`);
      const result = await measureGemm(tuner, s, retune);
      check();
      deps.post({ type: 'gemm', result });
      done++;
    }
    deps.post({ type: 'tuner', picks: { adapter: tuner.adapter, stored, picks: { ...tuner.all } } });
    if (!retune && !signal.aborted) {
      progress(`attention T=${plan.attention.T}`);
      for (const result of await measureAttention(device, plan.attention)) {
        check();
        deps.post({ type: 'attention', result });
      }
      done++;
    }
    if (!retune && !signal.aborted) {
      progress(`training step: ${plan.train.model}, ${plan.train.seq} tokens (setup)`);
      const result = await measureTrainStep(device, plan.train, {
        signal,
        onStep: (step, steps) => {
          done++;
          progress(`training step ${step}/${steps}${step <= plan.train.warmup ? ' (warm-up)' : ''}`);
        },
      });
      check();
      if (result) deps.post({ type: 'train', result });
    }
    deps.post({
      type: 'done',
      cancelled: signal.aborted,
      seconds: (performance.now() - t0) / 1000,
      size: job.size,
      retune,
    });
  } finally {
    tuner?.detach();
    device.destroy();
  }
}
