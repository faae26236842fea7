// "Copy results": the Markdown a user pastes into an issue. Values worked by hand: 2·16·224·224 =
// 1 605 632 FLOP in 59 ms is 0.0272 GFLOP/s; 32 tokens in 0.63 s is 50.8 tokens/s.
import { describe, expect, it } from 'vitest';
import type { DeviceLimits } from '../engine/device.ts';
import type { BenchReport } from './protocol.ts';
import { num, reportMarkdown } from './report.ts';

const limits = {
  maxStorageBufferBindingSize: 2 ** 30,
  maxBufferSize: 2 ** 30,
  maxComputeWorkgroupStorageSize: 32768,
  maxComputeInvocationsPerWorkgroup: 256,
} as DeviceLimits;

const report: BenchReport = {
  size: 'quick',
  adapter: {
    vendor: 'google',
    architecture: 'swiftshader',
    device: '',
    description: '',
    isCpu: true,
    features: { f16: false, subgroups: true, timestamps: false },
    allFeatures: ['subgroups'],
    limits,
  },
  gemm: [
    {
      name: 'q/o proj',
      M: 16,
      N: 224,
      K: 224,
      transB: true,
      bDtype: 'bf16',
      flops: 1605632,
      variants: [
        { variant: 'tiled', seconds: 0.059 },
        { variant: 'wide', seconds: null },
      ],
      pick: 'tiled',
      shapeClass: 'NT bf16 M:short N:s K:s',
      tunedNow: true,
    },
  ],
  attention: [],
  train: {
    model: 'tiny',
    batch: 1,
    seq: 32,
    r: 16,
    steps: 1,
    warmup: 1,
    secondsPerStep: 0.63,
    tokensPerSecond: 32 / 0.63,
    dispatchesPerStep: 205,
    timing: 'wall',
    kernels: [{ kernel: 'matmul', dispatches: 112, ms: NaN }],
    submits: [{ index: 0, dispatches: 205, kernels: 'matmul ×112, …', ms: 512 }],
  },
  tuner: { adapter: 'google|swiftshader|-|-', stored: {}, picks: { 'NT bf16 M:short N:s K:s': 'tiled' } },
  seconds: 12.34,
};

describe('reportMarkdown', () => {
  it('writes the adapter, the variant table, the step, its timeline and the picks', () => {
    const md = reportMarkdown(report).split('\n');
    expect(md[0]).toBe('## Prism: Benchmark this GPU (quick)');
    expect(md).toContain('- features: shader-f16 no, subgroups yes, timestamp-query no');
    expect(md.find((l) => l.startsWith('- adapter:'))).toContain('a CPU (software) adapter');
    expect(md).toContain('| product | M×N×K | W | GFLOP (2·M·N·K) | tiled | wide | pick | class |');
    expect(md).toContain(
      '| q/o proj | 16×224×224 | bf16 | 0.00161 | 59.0 (0.0272) | - | tiled | NT bf16 M:short N:s K:s |',
    );
    expect(md).toContain('| tiny | 1×32 | 16 | 205 | 0.630 | 50.8 |');
    expect(md.some((l) => l.startsWith('Wall time per queue submit'))).toBe(true);
    expect(md).toContain('| 1 | 205 | matmul ×112, … | 512 |');
    expect(md).toContain('| NT bf16 M:short N:s K:s | tiled | tuned now |');
    expect(md.at(-2)).toMatch(/^done in 12\.3 s/);
  });

  it('formats three significant digits without exponents', () => {
    expect([num(0.000123456), num(1.23456), num(99.95), num(1234.5), num(NaN)]).toEqual([
      '0.000123',
      '1.23',
      '100',
      '1235',
      'NaN',
    ]);
  });
});
