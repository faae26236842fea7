// "Copy results" of the Benchmark-this-GPU page: the run as Markdown tables, the shapes of
// bench/kernels.ts's variant table (ms per product, GFLOP/s in brackets, the pick and its class)
// and of bench/train.ts's step summary and per-kernel GPU time, so numbers from a user's GPU and
// from the CLI benches read side by side. Also the numbers' formatting the page itself uses.
import { fmt } from '../engine/plan/index.ts';
import type { AdapterFacts, BenchReport, GemmResult, TrainStepResult } from './protocol.ts';

/** Three significant digits, without exponents for the sizes seen here (as bench/kernels.ts). */
export function num(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  if (Math.abs(x) >= 100) return x.toFixed(0);
  return x.toPrecision(3);
}

/** GFLOP/s of `flops` done in `seconds`. */
export const gflops = (flops: number, seconds: number) => flops / seconds / 1e9;

/** "ms (GFLOP/s)" of one variant, "-" where it does not apply. */
export function variantCell(g: GemmResult, variant: string): string {
  const s = g.variants.find((v) => v.variant === variant)?.seconds;
  return s == null ? '-' : `${num(s * 1e3)} (${num(gflops(g.flops, s))})`;
}

/** Every variant name that appears in the results, in GEMM_VARIANTS order. */
export function variantNames(gemm: GemmResult[]): string[] {
  return [...new Set(gemm.flatMap((g) => g.variants.map((v) => v.variant)))];
}

export function adapterName(a: AdapterFacts): string {
  const parts = [a.vendor, a.architecture, a.device, a.description].filter(Boolean);
  return [...new Set(parts)].join(' · ') || 'unknown adapter';
}

const yes = (b: boolean) => (b ? 'yes' : 'no');

const table = (head: string[], rows: string[][]) => [
  `| ${head.join(' | ')} |`,
  `| ${head.map(() => '---').join(' | ')} |`,
  ...rows.map((r) => `| ${r.join(' | ')} |`),
];

/** The training step's timeline rows: per kernel with GPU times, else per submit (wall). */
export function timelineTable(t: TrainStepResult): string[] {
  if (t.timing === 'gpu') {
    const total = t.kernels.reduce((a, k) => a + (Number.isFinite(k.ms) ? k.ms : 0), 0);
    return [
      `GPU time per kernel of the last step (timestamp-query, one pass per dispatch): Σ ${num(total)} ms`,
      '',
      ...table(
        ['kernel', 'dispatches', 'GPU ms', 'share'],
        t.kernels.map((k) => [k.kernel, String(k.dispatches), num(k.ms), `${((100 * k.ms) / total).toFixed(1)}%`]),
      ),
    ];
  }
  return [
    'Wall time per queue submit of the last step ' +
      '(this device has no timestamp-query; includes driver and browser time)',
    '',
    ...table(
      ['submit', 'dispatches', 'kernels', 'wall ms'],
      t.submits.map((s) => [String(s.index + 1), String(s.dispatches), s.kernels, num(s.ms)]),
    ),
  ];
}

export function reportMarkdown(r: BenchReport): string {
  const out: string[] = [`## Prism: Benchmark this GPU (${r.size})`, ''];
  const a = r.adapter;
  if (a) {
    out.push(`- adapter: ${adapterName(a)}${a.isCpu ? ' — a CPU (software) adapter: these are CPU numbers' : ''}`);
    const f = a.features;
    out.push(
      `- features: shader-f16 ${yes(f.f16)}, subgroups ${yes(f.subgroups)}, timestamp-query ${yes(f.timestamps)}`,
    );
    const l = a.limits;
    out.push(
      `- limits: storage binding ${fmt(l.maxStorageBufferBindingSize)}, buffer ${fmt(l.maxBufferSize)}, ` +
        `workgroup storage ${fmt(l.maxComputeWorkgroupStorageSize)}, ` +
        `invocations/workgroup ${l.maxComputeInvocationsPerWorkgroup}`,
    );
    out.push('');
  }
  if (r.note) out.push(`note: ${r.note}`, '');
  if (r.gemm.length) {
    const names = variantNames(r.gemm);
    out.push(
      `### Gemm variants at T=${r.gemm[0].M} (ms per product; GFLOP/s in brackets) and the autotuner's pick`,
      '',
    );
    out.push(
      ...table(
        ['product', 'M×N×K', 'W', 'GFLOP (2·M·N·K)', ...names, 'pick', 'class'],
        r.gemm.map((g) => [
          g.name,
          `${g.M}×${g.N}×${g.K}`,
          g.bDtype,
          num(g.flops / 1e9),
          ...names.map((v) => variantCell(g, v)),
          g.pick,
          g.shapeClass,
        ]),
      ),
      '',
    );
  }
  if (r.attention.length) {
    out.push('### Attention (f32)', '');
    out.push(
      ...table(
        ['kernel', 'shape', 'GFLOP', 'ms', 'GFLOP/s'],
        r.attention.map((x) => [
          x.name,
          x.shape,
          num(x.flops / 1e9),
          num(x.seconds * 1e3),
          num(gflops(x.flops, x.seconds)),
        ]),
      ),
      '',
    );
  }
  const t = r.train;
  if (t) {
    out.push('### LoRA training step', '');
    out.push(
      ...table(
        ['model', 'tokens/step', 'LoRA r', 'dispatches/step', 's/step', 'tokens/s'],
        [
          [
            t.model,
            `${t.batch}×${t.seq}`,
            String(t.r),
            String(t.dispatchesPerStep),
            num(t.secondsPerStep),
            num(t.tokensPerSecond),
          ],
        ],
      ),
      '',
    );
    if (t.note) out.push(`note: ${t.note}`, '');
    out.push(...timelineTable(t), '');
  }
  if (r.tuner) {
    out.push(`### Autotuner picks (adapter ${r.tuner.adapter})`, '');
    const rows = Object.entries(r.tuner.picks)
      .sort(([x], [y]) => x.localeCompare(y))
      .map(([cls, v]) => [cls, v, r.tuner!.stored[cls] === v ? 'stored' : 'tuned now']);
    out.push(...(rows.length ? table(['shape class', 'variant', 'source'], rows) : ['(no picks yet)']), '');
  }
  if (r.seconds !== undefined)
    out.push(
      `${r.cancelled ? 'cancelled after' : 'done in'} ${r.seconds.toFixed(1)} s; ` +
        'wall time to onSubmittedWorkDone after a warm-up.',
    );
  return out.join('\n') + '\n';
}
