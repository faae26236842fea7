import { nodeGPU } from '/work/wt/gpu-page/src/cli/node-gpu.ts';
import { memoryTunerStore } from '/work/wt/gpu-page/src/engine/kernels/tuner.ts';
import { createBenchHandler } from '/work/wt/gpu-page/src/bench/job.ts';
const t0 = performance.now();
const h = createBenchHandler({
  gpu: nodeGPU(),
  tunerStore: () => memoryTunerStore(),
  post: (m) => {
    console.log(((performance.now() - t0) / 1000).toFixed(1), JSON.stringify(m).slice(0, 300));
    if (m.type === 'done' || m.type === 'error') setTimeout(() => process.exit(0), 100);
  },
});
await h({ type: 'start', size: 'quick' });
