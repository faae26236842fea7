// "Benchmark this GPU" (issue 18 §2): what the user's adapter is and offers, GFLOP/s of every gemm
// variant at training shapes (with the chip-independent work 2·M·N·K) and flash attention, one
// LoRA training step's tokens/s with its dispatches and per-kernel GPU time (timestamp-query, else
// wall time per submit), and the autotuner's picks stored for this adapter, with a re-tune. The
// measuring runs in a worker (src/bench/job.ts); "Copy results" gives the Markdown of report.ts.
import { useState } from 'react';
import type { AdapterFacts, BenchReport, GemmResult, TrainStepResult } from '../../bench/protocol.ts';
import { adapterName, gflops, num, reportMarkdown, variantNames } from '../../bench/report.ts';
import { fmt } from '../../engine/plan/index.ts';
import { useApp } from '../store.ts';
import { useGpuBench } from './store.ts';
import '../train/train.css';
import './gpu.css';

const yes = (b: boolean) => (b ? 'yes' : 'no');

function Adapter({ a }: { a: AdapterFacts }) {
  return (
    <section className="card" aria-labelledby="gb-adapter-h" data-testid="gpu-bench-adapter">
      <h3 id="gb-adapter-h">Adapter</h3>
      {a.isCpu && (
        <p className="banner banner-warn" data-testid="gpu-bench-cpu-warning">
          <strong>This adapter is a CPU</strong> ({adapterName(a)}): WebGPU runs in software here, so every number below
          is the processor’s, tens to thousands of times below a GPU’s. Enable hardware acceleration in the browser
          settings, or use a browser and computer with a WebGPU GPU.
        </p>
      )}
      <dl className="kv">
        <dt>Name</dt>
        <dd data-testid="gpu-bench-adapter-name">{adapterName(a)}</dd>
        <dt>Features</dt>
        <dd>
          shader-f16 {yes(a.features.f16)} · subgroups {yes(a.features.subgroups)} · timestamp-query{' '}
          {yes(a.features.timestamps)}{' '}
          <span className="muted small" title={a.allFeatures.join(', ')}>
            ({a.allFeatures.length} features in all)
          </span>
        </dd>
        <dt>Limits</dt>
        <dd>
          storage binding {fmt(a.limits.maxStorageBufferBindingSize)} · buffer {fmt(a.limits.maxBufferSize)} · workgroup
          storage {fmt(a.limits.maxComputeWorkgroupStorageSize)} · {a.limits.maxComputeInvocationsPerWorkgroup}{' '}
          invocations per workgroup
        </dd>
      </dl>
    </section>
  );
}

function GemmTable({ rows }: { rows: GemmResult[] }) {
  const names = variantNames(rows);
  return (
    <div className="scroll-x">
      <table className="bench-table" data-testid="gpu-bench-gemm">
        <caption className="sr-only">Gemm variants: milliseconds per product and GFLOP/s</caption>
        <thead>
          <tr>
            <th scope="col">Product</th>
            <th scope="col">M×N×K</th>
            <th scope="col">W</th>
            <th scope="col" className="num" title="2·M·N·K: the work, the same on every chip">
              GFLOP
            </th>
            {names.map((v) => (
              <th key={v} scope="col" className="num">
                {v}
              </th>
            ))}
            <th scope="col">Pick</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((g) => (
            <tr key={g.name} data-testid="gemm-row">
              <th scope="row">{g.name}</th>
              <td>
                {g.M}×{g.N}×{g.K}
              </td>
              <td>{g.bDtype}</td>
              <td className="num">{num(g.flops / 1e9)}</td>
              {names.map((v) => {
                const s = g.variants.find((x) => x.variant === v)?.seconds;
                return (
                  <td
                    key={v}
                    className={`num ${v === g.pick ? 'best' : ''}`}
                    data-variant={v}
                    data-gflops={s == null ? undefined : gflops(g.flops, s)}
                  >
                    {s == null ? (
                      <span className="muted" title="does not apply to this shape">
                        –
                      </span>
                    ) : (
                      <>
                        {num(gflops(g.flops, s))}
                        <br />
                        <small className="muted">{num(s * 1e3)} ms</small>
                      </>
                    )}
                  </td>
                );
              })}
              <td title={g.shapeClass}>
                {g.pick}
                {g.tunedNow && <small className="muted"> (tuned now)</small>}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Timeline({ t }: { t: TrainStepResult }) {
  if (t.timing === 'gpu') {
    const total = t.kernels.reduce((a, k) => a + (Number.isFinite(k.ms) ? k.ms : 0), 0);
    return (
      <>
        <h4>
          GPU time per kernel of the last step <span className="muted">(timestamp-query)</span>: Σ {num(total)} ms
        </h4>
        <div className="scroll-x">
          <table className="bench-table" data-testid="gpu-bench-timeline" data-timing="gpu">
            <thead>
              <tr>
                <th scope="col">Kernel</th>
                <th scope="col" className="num">
                  Dispatches
                </th>
                <th scope="col" className="num">
                  GPU ms
                </th>
                <th scope="col">Share</th>
              </tr>
            </thead>
            <tbody>
              {t.kernels.map((k) => (
                <tr key={k.kernel} data-testid="timeline-row" data-ms={k.ms}>
                  <th scope="row">{k.kernel}</th>
                  <td className="num">{k.dispatches}</td>
                  <td className="num">{num(k.ms)}</td>
                  <td className="share">
                    <span className="bar" style={{ width: `${total ? (80 * k.ms) / total : 0}px` }} />
                    <small>{total ? ((100 * k.ms) / total).toFixed(1) : '–'}%</small>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </>
    );
  }
  const total = t.submits.reduce((a, s) => a + s.ms, 0);
  return (
    <>
      <h4>
        Wall time per queue submit of the last step{' '}
        <span className="muted">(no timestamp-query on this device: includes driver and browser time)</span>
      </h4>
      <div className="scroll-x">
        <table className="bench-table" data-testid="gpu-bench-timeline" data-timing="wall">
          <thead>
            <tr>
              <th scope="col">Submit</th>
              <th scope="col" className="num">
                Dispatches
              </th>
              <th scope="col">Kernels</th>
              <th scope="col" className="num">
                Wall ms
              </th>
              <th scope="col">Share</th>
            </tr>
          </thead>
          <tbody>
            {t.submits.map((s) => (
              <tr key={s.index} data-testid="timeline-row" data-ms={s.ms}>
                <th scope="row">{s.index + 1}</th>
                <td className="num">{s.dispatches}</td>
                <td className="small">{s.kernels}</td>
                <td className="num">{num(s.ms)}</td>
                <td className="share">
                  <span className="bar" style={{ width: `${total ? (80 * s.ms) / total : 0}px` }} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}

const stepLine = (t: TrainStepResult) =>
  `${t.batch}×${t.seq} tokens, LoRA r=${t.r} on all linear layers; ` +
  `mean of ${t.steps} step${t.steps === 1 ? '' : 's'} after ${t.warmup} warm-up`;

function Results({ r }: { r: BenchReport }) {
  return (
    <>
      {r.adapter && <Adapter a={r.adapter} />}
      {(r.gemm.length > 0 || r.attention.length > 0) && (
        <section className="card" aria-labelledby="gb-kernels-h">
          <h3 id="gb-kernels-h">Kernels</h3>
          {r.gemm.length > 0 && (
            <>
              <p className="small muted">
                Each gemm variant that applies, at T={r.gemm[0].M} tokens (Qwen2.5-0.5B’s layer products, bf16 weights):
                GFLOP/s = 2·M·N·K / time, and below it ms per product (wall time to onSubmittedWorkDone after a
                warm-up). Highlighted: the pick, what training runs. “–”: the variant does not apply to the shape.
              </p>
              <GemmTable rows={r.gemm} />
            </>
          )}
          {r.attention.length > 0 && (
            <div className="scroll-x">
              <table className="bench-table" data-testid="gpu-bench-attention">
                <caption className="small muted">Flash attention (f32; FLOPs of the causal pairs only)</caption>
                <thead>
                  <tr>
                    <th scope="col">Kernel</th>
                    <th scope="col">Shape</th>
                    <th scope="col" className="num">
                      GFLOP
                    </th>
                    <th scope="col" className="num">
                      ms
                    </th>
                    <th scope="col" className="num">
                      GFLOP/s
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {r.attention.map((a) => (
                    <tr key={a.name} data-testid="attention-row" data-gflops={gflops(a.flops, a.seconds)}>
                      <th scope="row">{a.name}</th>
                      <td>{a.shape}</td>
                      <td className="num">{num(a.flops / 1e9)}</td>
                      <td className="num">{num(a.seconds * 1e3)}</td>
                      <td className="num">{num(gflops(a.flops, a.seconds))}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </section>
      )}
      {r.train && (
        <section className="card" aria-labelledby="gb-train-h" data-testid="gpu-bench-train">
          <h3 id="gb-train-h">A LoRA training step</h3>
          <dl className="kv">
            <dt>Model</dt>
            <dd>{r.train.model}</dd>
            <dt>Step</dt>
            <dd>{stepLine(r.train)}</dd>
            <dt>Tokens/s</dt>
            <dd data-testid="gpu-bench-tokens-per-second" data-value={r.train.tokensPerSecond}>
              <strong>{num(r.train.tokensPerSecond)}</strong> ({num(r.train.secondsPerStep)} s per step)
            </dd>
            <dt>Dispatches</dt>
            <dd data-testid="gpu-bench-dispatches" data-value={r.train.dispatchesPerStep}>
              {r.train.dispatchesPerStep} per step
            </dd>
          </dl>
          {r.train.note && <p className="small muted">Smaller than asked: {r.train.note}.</p>}
          <Timeline t={r.train} />
        </section>
      )}
      {r.tuner && (
        <section className="card" aria-labelledby="gb-tuner-h" data-testid="gpu-bench-tuner">
          <h3 id="gb-tuner-h">Autotuner picks for this adapter</h3>
          <p className="small muted">
            On first use per shape class the tuner times every gemm variant and keeps the fastest; the picks are kept in
            this browser (IndexedDB) under the adapter’s name: <code>{r.tuner.adapter}</code>.
          </p>
          {Object.keys(r.tuner.picks).length === 0 ? (
            <p className="muted">No picks yet.</p>
          ) : (
            <table className="bench-table">
              <thead>
                <tr>
                  <th scope="col">Shape class</th>
                  <th scope="col">Variant</th>
                  <th scope="col">Source</th>
                </tr>
              </thead>
              <tbody>
                {Object.entries(r.tuner.picks)
                  .sort(([x], [y]) => x.localeCompare(y))
                  .map(([cls, v]) => (
                    <tr key={cls} data-testid="tuner-pick">
                      <th scope="row">
                        <code>{cls}</code>
                      </th>
                      <td>{v}</td>
                      <td className="muted">{r.tuner!.stored[cls] === v ? 'stored' : 'tuned in this run'}</td>
                    </tr>
                  ))}
              </tbody>
            </table>
          )}
        </section>
      )}
    </>
  );
}

export function GpuBenchPage() {
  const gpu = useApp((s) => s.gpu);
  const b = useGpuBench();
  const [copied, setCopied] = useState<string | null>(null);
  const running = b.state === 'running';
  const r = b.report;
  const p = b.progress;
  const markdown = r ? reportMarkdown(r) : '';

  async function copy() {
    try {
      await navigator.clipboard.writeText(markdown);
      setCopied('Copied as Markdown.');
    } catch {
      setCopied('The browser refused the clipboard: select the Markdown below and copy it.');
    }
  }

  return (
    <div className="gpu-bench-page">
      <section className="card" aria-labelledby="gb-h">
        <h2 id="gb-h">Benchmark this GPU</h2>
        <p className="muted">
          What this computer’s GPU does for training, measured here in a background worker: each matmul kernel’s GFLOP/s
          at training shapes, attention, one LoRA training step’s tokens per second with the time of each kernel, and
          which kernels the autotuner picked.
        </p>
        {gpu.state === 'unsupported' && (
          <p className="warn" role="alert">
            {gpu.title} {gpu.reason}
          </p>
        )}
        <fieldset className="gb-size" disabled={running}>
          <legend>Size</legend>
          <label>
            <input
              type="radio"
              name="gb-size"
              checked={b.size === 'quick'}
              onChange={() => b.setSize('quick')}
              data-testid="gpu-bench-quick"
            />{' '}
            quick <small className="muted">(seconds: small shapes, a tiny model)</small>
          </label>
          <label>
            <input
              type="radio"
              name="gb-size"
              checked={b.size === 'full'}
              onChange={() => b.setSize('full')}
              data-testid="gpu-bench-full"
            />{' '}
            full <small className="muted">(512 tokens, Qwen2.5-0.5B’s products, a SmolLM2-135M-shaped step)</small>
          </label>
        </fieldset>
        <div className="controls">
          {!running && (
            <button
              type="button"
              className="primary"
              disabled={gpu.state === 'unsupported'}
              onClick={() => b.start()}
              data-testid="gpu-bench-run"
            >
              Run benchmark
            </button>
          )}
          {!running && (
            <button
              type="button"
              disabled={gpu.state === 'unsupported'}
              onClick={() => b.start({ retune: true })}
              title="Time every gemm variant again and replace the stored picks"
              data-testid="gpu-bench-retune"
            >
              Re-tune
            </button>
          )}
          {running && (
            <button type="button" onClick={b.cancel} data-testid="gpu-bench-cancel">
              Cancel
            </button>
          )}
          <button type="button" disabled={!r || running} onClick={() => void copy()} data-testid="gpu-bench-copy">
            Copy results
          </button>
          {copied && (
            <span className="small muted" role="status">
              {copied}
            </span>
          )}
        </div>
        <div role="status" aria-live="polite" data-testid="gpu-bench-progress">
          {running && (
            <>
              <progress max={p?.total || 1} value={p?.done ?? 0} aria-label="Benchmark progress" />
              <span className="small muted"> {p ? `${p.done}/${p.total}: ${p.phase}…` : 'starting the worker…'}</span>
            </>
          )}
          {b.state === 'done' && r?.seconds !== undefined && (
            <span className="small muted" data-testid="gpu-bench-done" data-cancelled={r.cancelled ? 'yes' : 'no'}>
              {r.cancelled ? 'Cancelled' : b.retune ? 'Re-tuned' : 'Done'} in {r.seconds.toFixed(1)} s.
            </span>
          )}
        </div>
        {r?.note && (
          <p className="small muted" data-testid="gpu-bench-note">
            Smaller than the training shapes: {r.note}.
          </p>
        )}
        {b.state === 'error' && (
          <p className="warn" role="alert" data-testid="gpu-bench-error">
            {b.error}
          </p>
        )}
      </section>
      {r && <Results r={r} />}
      {r && b.state !== 'running' && (
        <details className="card">
          <summary>Results as Markdown</summary>
          <pre className="gb-markdown" data-testid="gpu-bench-markdown">
            {markdown}
          </pre>
        </details>
      )}
    </div>
  );
}
