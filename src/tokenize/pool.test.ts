import { beforeAll, describe, expect, it } from 'vitest';
import { spawnNodeWorker } from '../cli/tokenize-pool.ts';
import type { Conversation } from '../data/types.ts';
import { corpus } from '../templates/conformance/corpus.ts';
import type { TokenizerFiles } from './load.ts';
import { TokenizePipeline, type PipelineItem, type PipelineResult } from './pipeline.ts';
import { AbortError, defaultPoolSize, tokenizeWithPool, type PortLike, type Spawn } from './pool.ts';
import type { ToWorker } from './protocol.ts';
import { addResult, StatsAccumulator } from './stats.ts';
import { datasetStats } from './summary.ts';
import { lenmlTokenizer } from './testing.ts';
import { createWorkerHandler } from './worker-core.ts';

let files: TokenizerFiles;
let inline: TokenizePipeline;
beforeAll(async () => {
  const t = await lenmlTokenizer('qwen3');
  files = t.files;
  inline = new TokenizePipeline(t.tokenizer, { template: 'qwen3' });
});

const chat = (i: number): PipelineItem => {
  const conversation: Conversation = {
    messages: [
      { role: 'user', content: `Question ${i}: what is ${i} squared?` },
      { role: 'assistant', content: `${i} squared is ${i * i}.` },
    ],
    source: { format: 'messages', line: i + 1 },
  };
  return { line: i + 1, conversation };
};

/** An in-process port running the real worker handler, asynchronously like a worker. */
function fakeSpawn(log: { ports: { terminated: boolean }[]; transfers: number }): Spawn {
  return () => {
    const state = { terminated: false };
    log.ports.push(state);
    const port: PortLike = {
      onmessage: null,
      onerror: null,
      postMessage(msg: ToWorker) {
        setTimeout(() => !state.terminated && handle(msg), 1);
      },
      terminate() {
        state.terminated = true;
      },
    };
    const handle = createWorkerHandler((m, transfer) => {
      log.transfers += transfer.length;
      setTimeout(() => !state.terminated && port.onmessage?.({ data: m }), 1);
    });
    return port;
  };
}

const same = (a: PipelineResult, b: PipelineResult) => {
  expect(a.line).toBe(b.line);
  expect(a.ok).toBe(b.ok);
  if (a.ok && b.ok) {
    expect(Array.from(a.record!.input_ids)).toEqual(Array.from(b.record!.input_ids));
    expect(Array.from(a.record!.labels)).toEqual(Array.from(b.record!.labels));
  }
};

describe('tokenizeWithPool', () => {
  it('sizes the pool hardwareConcurrency − 1, at least 1', () => {
    expect(defaultPoolSize(8)).toBe(7);
    expect(defaultPoolSize(1)).toBe(1);
  });

  it('gives the same rows as the in-thread pipeline, in input order, over worker_threads', async () => {
    const items: PipelineItem[] = corpus.map((c, i) => ({ line: i + 1, conversation: c.conversation }));
    const out: PipelineResult[] = [];
    for await (const r of tokenizeWithPool(items, {
      spawn: spawnNodeWorker,
      files,
      config: { template: 'qwen3' },
      size: 2,
      batchSize: 7,
    }))
      out.push(r);
    expect(out.length).toBe(items.length);
    out.forEach((r, i) => same(r, inline.process(items[i])));
    const ok = out.filter((r) => r.ok);
    expect(ok.length).toBeGreaterThan(items.length / 2);
    expect(ok[0].ok && ok[0].record!.input_ids).toBeInstanceOf(Int32Array);
  }, 60_000);

  it('pulls records only as results drain (bounded in-flight batches) and transfers the arrays', async () => {
    const log = { ports: [] as { terminated: boolean }[], transfers: 0 };
    let pulled = 0;
    let maxAhead = 0;
    let yielded = 0;
    function* source() {
      for (let i = 0; i < 600; i++) {
        pulled++;
        maxAhead = Math.max(maxAhead, pulled - yielded);
        yield chat(i);
      }
    }
    const progress: number[] = [];
    for await (const r of tokenizeWithPool(source(), {
      spawn: fakeSpawn(log),
      files,
      config: { template: 'qwen3' },
      size: 2,
      batchSize: 10,
      inFlightPerWorker: 2,
      onProgress: (p) => progress.push(p.records),
    })) {
      same(r, inline.process(chat(yielded)));
      yielded++;
      // A slow consumer: the pool must not read ahead while we dawdle.
      if (yielded % 50 === 0) await new Promise((res) => setTimeout(res, 5));
    }
    expect(yielded).toBe(600);
    // 2 workers × 2 batches × 10 records out, plus the batch being read.
    expect(maxAhead).toBeLessThanOrEqual(2 * 2 * 10 + 10);
    expect(maxAhead).toBeGreaterThan(10);
    expect(log.transfers).toBe(2 * 600); // input_ids + labels of every record
    expect(progress.at(-1)).toBe(600);
    expect(log.ports.every((p) => p.terminated)).toBe(true);
  }, 60_000);

  it('stops on abort: throws AbortError and terminates every worker', async () => {
    const log = { ports: [] as { terminated: boolean }[], transfers: 0 };
    const ctl = new AbortController();
    let got = 0;
    const run = async () => {
      for await (const _ of tokenizeWithPool(
        Array.from({ length: 5000 }, (_, i) => chat(i)),
        {
          spawn: fakeSpawn(log),
          files,
          config: { template: 'qwen3' },
          size: 3,
          batchSize: 20,
          signal: ctl.signal,
          onProgress: () => ctl.abort(),
        },
      ))
        got++;
    };
    await expect(run()).rejects.toBeInstanceOf(AbortError);
    expect(got).toBeLessThanOrEqual(20);
    expect(log.ports.length).toBe(3);
    expect(log.ports.every((p) => p.terminated)).toBe(true);
  }, 60_000);

  it('summarizes a dataset per model with max_length outcomes, as the in-thread pipeline would', async () => {
    const items = Array.from({ length: 120 }, (_, i) => chat(i * 997));
    const tokenizer = (await lenmlTokenizer('qwen3')).tokenizer;
    // A max_length in the middle of the records' lengths, so some are dropped and some kept.
    const unlimited = new TokenizePipeline(tokenizer, { template: 'qwen3' });
    const lengths = items
      .map((it) => {
        const r = unlimited.process(it);
        return r.ok ? r.tokens : 0;
      })
      .sort((a, b) => a - b);
    const config = { template: 'qwen3', length: { max_length: lengths[60], truncation: 'delete' as const } };
    const stats = await datasetStats(items, {
      spawn: fakeSpawn({ ports: [], transfers: 0 }),
      files,
      config,
      size: 2,
      batchSize: 16,
    });
    const acc = new StatsAccumulator();
    const ref = new TokenizePipeline(tokenizer, config);
    for (const it of items) addResult(acc, ref.process(it));
    expect(stats).toEqual(acc.result());
    expect(stats.records).toBe(120);
    expect(stats.dropped).toBeGreaterThan(0);
    expect(stats.dropped).toBeLessThan(120);
  }, 60_000);

  it('reports a record that fails without stopping the others', async () => {
    const bad: PipelineItem = {
      line: 2,
      rendered: { text: 'abc', spans: [{ start: 0, end: 2, role: 'user', trainable: false }], warnings: [] },
    };
    const out: PipelineResult[] = [];
    for await (const r of tokenizeWithPool([chat(0), bad, chat(2)], {
      spawn: fakeSpawn({ ports: [], transfers: 0 }),
      files,
      config: { template: 'qwen3' },
      size: 1,
    }))
      out.push(r);
    expect(out.map((r) => r.ok)).toEqual([true, false, true]);
    expect(out[1].ok === false && out[1].error).toMatch(/spans cover 2 of 3/);
  });

  it('fails the run when a worker cannot start', async () => {
    const run = async () => {
      for await (const _ of tokenizeWithPool([chat(0)], {
        spawn: spawnNodeWorker,
        files: { tokenizerJSON: {}, tokenizerConfig: {} },
        config: {},
        size: 1,
      }))
        void _;
    };
    await expect(run()).rejects.toThrow(/no "model"/);
  }, 30_000);
});
