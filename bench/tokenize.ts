// Benchmark: records/s and tokens/s of Prism's render + tokenize + label pipeline on a generated
// agent + chat dataset, on 1 worker and on the pool, against transformers.js'
// apply_chat_template(messages, {tokenize: true, tools}) on the same records (no labels) in one
// thread. Run: node --import tsx --import ./src/cli/register.mjs bench/tokenize.ts [--records N]
//   [--tokenizer DIR] [--template ID] [--workers N]
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { readTokenizerFolder, spawnNodeWorker } from '../src/cli/tokenize-pool.ts';
import { toHFMessages, toHFTools } from '../src/templates/conformance/hf-messages.ts';
import { tokenizerFromFiles } from '../src/tokenize/load.ts';
import { TokenizePipeline, type PipelineItem } from '../src/tokenize/pipeline.ts';
import { defaultPoolSize, tokenizeWithPool } from '../src/tokenize/pool.ts';
import { lenmlDir } from '../src/tokenize/testing.ts';
import { benchDataset } from './tokenize-data.ts';

const { values } = parseArgs({
  options: {
    records: { type: 'string', default: '20000' },
    tokenizer: { type: 'string' },
    template: { type: 'string', default: 'qwen3' },
    workers: { type: 'string' },
  },
});
const n = Number(values.records);
const dir = values.tokenizer ?? lenmlDir('qwen3');
const template = values.template!;
const pool = values.workers ? Number(values.workers) : defaultPoolSize(availableParallelism());

const convs = benchDataset(n);
const items: PipelineItem[] = convs.map((conversation, i) => ({ line: i + 1, conversation }));
const files = await readTokenizerFolder(dir);
const tokenizer = tokenizerFromFiles(files);

interface Row {
  name: string;
  seconds: number;
  /** CPU time of the whole process (all threads): per-core cost, robust to a busy machine. */
  cpu: number;
  tokens: number;
  records: number;
}
const cpuNow = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};
const rows: Row[] = [];
const report = (r: Row) => {
  rows.push(r);
  console.log(
    `${r.name.padEnd(50)} ${r.seconds.toFixed(2).padStart(7)} s  ${(r.records / r.seconds).toFixed(0).padStart(6)} ` +
      `records/s  ${(r.tokens / r.seconds).toFixed(0).padStart(8)} tokens/s` +
      `  | ${r.cpu.toFixed(2).padStart(7)} CPU-s  ${(r.records / r.cpu).toFixed(0).padStart(6)} records/CPU-s`,
  );
};

console.log(
  `tokenize benchmark: ${n} records (half chat, half agent with tools), template ${template}, tokenizer ${dir}`,
);
console.log(`CPUs ${availableParallelism()}, pool size ${pool}\n`);

// Baseline: the tokenizer's own chat template through transformers.js, one thread, no labels.
{
  const t0 = performance.now();
  const c0 = cpuNow();
  let tokens = 0;
  for (const c of convs) {
    const tools = toHFTools(c);
    const ids = tokenizer.apply_chat_template(
      toHFMessages(c) as never,
      { tokenize: true, return_tensor: false, return_dict: false, ...(tools ? { tools } : {}) } as never,
    ) as unknown as number[];
    tokens += ids.length;
  }
  report({
    name: 'baseline: apply_chat_template(tokenize) 1 thread',
    seconds: (performance.now() - t0) / 1000,
    cpu: cpuNow() - c0,
    tokens,
    records: n,
  });
}

// Ours in this thread: the per-core cost with no messaging.
{
  const pipe = new TokenizePipeline(tokenizer, { template });
  const t0 = performance.now();
  const c0 = cpuNow();
  let tokens = 0;
  let failed = 0;
  for (const it of items) {
    const r = pipe.process(it);
    if (r.ok) tokens += r.tokens;
    else failed++;
  }
  if (failed) console.log(`  (${failed} records failed)`);
  report({
    name: 'prism render+tokenize+labels, main thread',
    seconds: (performance.now() - t0) / 1000,
    cpu: cpuNow() - c0,
    tokens,
    records: n,
  });
}

/** The pool pulls its first record once every worker has loaded the tokenizer. */
async function runPool(size: number): Promise<Row[]> {
  const t0 = performance.now();
  const c0 = cpuNow();
  let started = 0;
  let cStarted = 0;
  function* source() {
    started = performance.now();
    cStarted = cpuNow();
    yield* items;
  }
  // A fresh worker starts with cold JIT while the main-thread row above runs on code the
  // baseline already warmed: the steady-state row leaves out the first tenth of the results.
  const warm = Math.max(1, Math.floor(n / 10));
  let tWarm = 0;
  let cWarm = 0;
  let tokensWarm = 0;
  let seen = 0;
  let tokens = 0;
  for await (const r of tokenizeWithPool(source(), { spawn: spawnNodeWorker, files, config: { template }, size })) {
    if (r.ok) tokens += r.tokens;
    if (++seen === warm) {
      tWarm = performance.now();
      cWarm = cpuNow();
      tokensWarm = tokens;
    }
  }
  const t1 = performance.now();
  const c1 = cpuNow();
  const w = `${size} worker${size > 1 ? 's' : ''}`;
  return [
    {
      name: `prism pipeline, ${w} (incl. ${((started - t0) / 1000).toFixed(2)} s startup)`,
      seconds: (t1 - t0) / 1000,
      cpu: c1 - c0,
      tokens,
      records: n,
    },
    {
      name: `prism pipeline, ${w} (after startup)`,
      seconds: (t1 - started) / 1000,
      cpu: c1 - cStarted,
      tokens,
      records: n,
    },
    {
      name: `prism pipeline, ${w} (after the first ${warm})`,
      seconds: (t1 - tWarm) / 1000,
      cpu: c1 - cWarm,
      tokens: tokens - tokensWarm,
      records: n - warm,
    },
  ];
}
for (const r of await runPool(1)) report(r);
if (pool > 1) for (const r of await runPool(pool)) report(r);

const base = rows[0];
console.log('');
for (const r of rows.slice(1)) {
  // Rates, not times: the steady-state row covers fewer records than the baseline.
  const wall = r.records / r.seconds / (base.records / base.seconds);
  const perCpu = r.records / r.cpu / (base.records / base.cpu);
  console.log(`${r.name}: ${wall.toFixed(2)}× the baseline's records/s (wall), ${perCpu.toFixed(2)}× per CPU-second`);
}
