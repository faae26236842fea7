// Test oracle: real llama.cpp (the prebuilt binaries of the npm package node-llama-cpp, CPU only)
// loads GGUF files Prism wrote and reports what it computes. Run as a child process (a native
// addon stays out of the test runner's workers):  node llama_cpp_oracle.mjs < jobs.json
// jobs: [{ "model": FILE, "lora": FILE | null, "ids": [..], "out": FILE }]       → log-probabilities
//         of the next token after each position, float32 [T, V], written to `out`;
//       [{ "model": FILE, "tokenize": [TEXT, ...] }]                              → token ids.
// With temperature 0 node-llama-cpp's sampler chain is greedy only, which leaves the candidates'
// logits untouched; the probabilities it returns are softmax(logits) over the whole vocabulary.
import { writeFileSync } from 'node:fs';
import { getLlama } from 'node-llama-cpp';

const jobs = JSON.parse(
  await new Promise((ok) => {
    let s = '';
    process.stdin.on('data', (d) => (s += d));
    process.stdin.on('end', () => ok(s));
  }),
);
const llama = await getLlama({
  gpu: false,
  build: 'never',
  skipDownload: true,
  progressLogs: false,
  logLevel: 'error',
});
const results = [];
for (const job of jobs) {
  const model = await llama.loadModel({ modelPath: job.model, gpuLayers: 0 });
  try {
    if (job.tokenize) {
      results.push({ ids: job.tokenize.map((t) => [...model.tokenize(t, true)]) });
      continue;
    }
    const vocab = model.fileInfo.metadata.tokenizer.ggml.tokens.length;
    const ctx = await model.createContext({
      contextSize: Math.max(32, job.ids.length),
      batchSize: Math.max(32, job.ids.length),
      sequences: 1,
      threads: 1,
      // llama.cpp keeps the KV cache in f16 by default: f32 here, so only the weights' type differs.
      experimentalKvCacheKeyType: 'F32',
      experimentalKvCacheValueType: 'F32',
      flashAttention: false,
      lora: job.lora ? { adapters: [{ filePath: job.lora, scale: 1 }] } : undefined,
    });
    try {
      const seq = ctx.getSequence();
      const res = await seq.controlledEvaluate(
        job.ids.map((t) => [t, { generateNext: { probabilities: true, options: { temperature: 0 } } }]),
      );
      const out = new Float32Array(job.ids.length * vocab).fill(Number.NEGATIVE_INFINITY);
      res.forEach((r, t) => {
        for (const [id, p] of r.next.probabilities) out[t * vocab + id] = Math.log(p);
      });
      writeFileSync(job.out, new Uint8Array(out.buffer));
      results.push({ vocab, positions: job.ids.length });
    } finally {
      await ctx.dispose();
    }
  } finally {
    await model.dispose();
  }
}
await llama.dispose();
process.stdout.write(JSON.stringify(results));
