// The Node side of the peers benchmark (issue 18 §3): bundles page.ts with esbuild (WGSL `?raw` imports
// inlined as text, as bench/pack-gpu.mjs does), serves it and onnxruntime-web's wasm from a localhost
// server (a secure context, so navigator.gpu exists), opens it in Debian's Chromium with WebGPU
// (e2e/harness.ts's launch), samples the CPU time of Chromium's processes from /proc while the page times,
// and formats the report. main.ts (npm run bench:peers) and e2e/bench-peers.e2e.ts both call runPeers.
import { readFileSync, readdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { cpus } from 'node:os';
import { extname, join, resolve } from 'node:path';
import { build, type Plugin } from 'esbuild';
import { ROOT, launchChromium } from '../../e2e/harness.ts';
import type { CpuSample, PeersConfig, PeersReport, ShapeResult } from './protocol.ts';

const raw: Plugin = {
  name: 'raw',
  setup(b) {
    b.onResolve({ filter: /\?raw$/ }, (a) => ({ path: resolve(a.resolveDir, a.path.slice(0, -4)), namespace: 'raw' }));
    b.onLoad({ filter: /.*/, namespace: 'raw' }, (a) => ({ contents: readFileSync(a.path, 'utf8'), loader: 'text' }));
  },
};

async function bundle(): Promise<string> {
  const out = await build({
    entryPoints: [join(ROOT, 'bench/peers/page.ts')],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    plugins: [raw],
    logLevel: 'warning',
  });
  return out.outputFiles[0].text;
}

const ORT_DIST = join(ROOT, 'node_modules/onnxruntime-web/dist');
const TYPES: Record<string, string> = {
  '.mjs': 'text/javascript',
  '.js': 'text/javascript',
  '.wasm': 'application/wasm',
};

/** `/` the page, `/peers.js` the bundle, `/ort/<file>` onnxruntime-web's dist (its wasm and glue). */
async function serve(js: string): Promise<{ server: Server; url: string }> {
  const ortFiles = new Set(readdirSync(ORT_DIST));
  const cpu = JSON.stringify({ hz: CLK_TCK, cores: cpus().length });
  const html = `<!doctype html><html><head><meta charset="utf-8"><title>Prism peers</title></head>
<body data-cpu='${cpu}'><script type="module" src="/peers.js"></script></body></html>`;
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const file = path.startsWith('/ort/') ? path.slice(5) : undefined;
    if (path === '/') res.writeHead(200, { 'content-type': 'text/html' }).end(html);
    else if (path === '/favicon.ico') res.writeHead(204).end();
    else if (path === '/peers.js') res.writeHead(200, { 'content-type': 'text/javascript' }).end(js);
    else if (file && ortFiles.has(file)) {
      res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
      res.end(readFileSync(join(ORT_DIST, file)));
    } else res.writeHead(404).end();
  });
  await new Promise<void>((ok) => server.listen(0, 'localhost', ok));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('peers: the server has no port');
  return { server, url: `http://localhost:${address.port}` };
}

// /proc/<pid>/stat counts CPU time in clock ticks of sysconf(_SC_CLK_TCK), 100 on Linux x86-64 and arm64.
const CLK_TCK = 100;

/**
 * User + system ticks of every live descendant of this Node process (Chromium's browser, GPU, renderer and
 * utility processes: SwiftShader's threads run in the GPU process), from /proc/<pid>/stat (proc(5): fields
 * 14 utime and 15 stime, counted after the parenthesized command name).
 */
function chromiumTicks(): number {
  const stats = new Map<number, { ppid: number; ticks: number }>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    let text: string;
    try {
      text = readFileSync(`/proc/${d}/stat`, 'utf8');
    } catch {
      continue; // exited meanwhile
    }
    const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
    stats.set(Number(d), { ppid: Number(f[1]), ticks: Number(f[11]) + Number(f[12]) });
  }
  let ticks = 0;
  for (const s of stats.values()) {
    for (let p = s.ppid, hops = 0; p > 1 && hops < 64; p = stats.get(p)?.ppid ?? 0, hops++) {
      if (p === process.pid) {
        ticks += s.ticks;
        break;
      }
    }
  }
  return ticks;
}

export interface RunOptions {
  config: PeersConfig;
  /** Progress lines (the page's console.log and errors). */
  log?: (line: string) => void;
  /** Milliseconds the page may take in all. */
  timeoutMs?: number;
}

/** Runs the benchmark page once in a fresh Chromium and returns its report. */
export async function runPeers(opts: RunOptions): Promise<PeersReport> {
  const log = opts.log ?? (() => {});
  const t0 = performance.now();
  const js = await bundle();
  const { server, url } = await serve(js);
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    page.setDefaultTimeout(opts.timeoutMs ?? 30 * 60_000);
    const errors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
      log(`  [page ${m.type()}] ${m.text()}`);
    });
    page.on('pageerror', (e) => errors.push(e.message));
    await page.exposeFunction('__peersCpu', (): CpuSample => ({ ticks: chromiumTicks(), ms: performance.now() }));
    await page.goto(url);
    await page.waitForFunction(() => typeof window.peers === 'function');
    log(`  (page open after ${((performance.now() - t0) / 1000).toFixed(1)} s)`);
    const ticks0 = chromiumTicks();
    const w0 = performance.now();
    const report = await page.evaluate((cfg) => window.peers(cfg), opts.config);
    // Load-independent cost of the run: on a busy host the wall time stretches, the CPU time does not.
    const cpuS = (chromiumTicks() - ticks0) / CLK_TCK;
    log(`  (page ran ${((performance.now() - w0) / 1000).toFixed(0)} s wall, Chromium used ${cpuS.toFixed(0)} CPU-s)`);
    if (errors.length) log(`  (the page logged ${errors.length} error(s); see above)`);
    return report;
  } finally {
    await browser.close();
    await new Promise((ok) => server.close(ok));
  }
}

// ------------------------------------------------------------------------------------------ report
function num(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  if (Math.abs(x) >= 100) return x.toFixed(0);
  return x.toPrecision(3);
}

/** The best (lowest median) implementation among `impls` matching `pick`. */
function best(s: ShapeResult, pick: (i: ShapeResult['impls'][number]) => boolean) {
  return s.impls
    .filter(pick)
    .reduce<ShapeResult['impls'][number] | undefined>((b, i) => (!b || i.medianMs < b.medianMs ? i : b), undefined);
}

export interface Ratio {
  shape: string;
  /** Best peer's median ms / Prism's best median ms: > 1 means Prism is faster. */
  f32: number;
  bf16?: number;
}

/** Lines of the report's tables, and the Prism-vs-best-peer ratio per shape. */
export function formatReport(report: PeersReport, cfg: PeersConfig): { lines: string[]; ratios: Ratio[] } {
  const lines: string[] = [];
  const ratios: Ratio[] = [];
  const cols = ['implementation', 'W', 'median ms', 'GFLOP/s', 'min ms', 'max ms', 'CPU', 'checked', 'warm-up ms'];
  const w = [34, 4, 10, 8, 8, 8, 4, 16, 10];
  const line = (cells: string[]) =>
    lines.push(cells.map((c, i) => (i < 2 ? c.padEnd(w[i]) : c.padStart(w[i]))).join(' '));
  for (const s of report.shapes) {
    const { M, N, K, transB, name } = s.shape;
    const flops = 2 * M * N * K;
    lines.push('');
    lines.push(`${name}: Y[${M}×${N}] = A[${M}×${K}]·${transB ? `B[${N}×${K}]ᵀ` : `B[${K}×${N}]`}`);
    line(cols);
    line(w.map((x) => '-'.repeat(x)));
    for (const i of s.impls) {
      line([
        i.name,
        i.dtype,
        num(i.medianMs),
        num(flops / (i.medianMs / 1e3) / 1e9),
        num(Math.min(...i.ms)),
        num(Math.max(...i.ms)),
        `${Math.round(i.cpu * 100)}%`,
        `${i.checked} ≤${i.worst.toPrecision(2)}tol`,
        num(i.warmMs),
      ]);
    }
    const peer = best(s, (i) => i.library !== 'prism');
    const p32 = best(s, (i) => i.library === 'prism' && i.dtype === 'f32');
    const p16 = best(s, (i) => i.library === 'prism' && i.dtype === 'bf16');
    if (!peer || !p32) throw new Error(`peers: ${name} has no Prism or no peer result`);
    const r: Ratio = { shape: name, f32: peer.medianMs / p32.medianMs };
    let text = `ratio  best peer ${peer.name} ${num(peer.medianMs)} ms; Prism best / best peer (speed): `;
    text += `f32 ${r.f32.toFixed(2)}× (${p32.name})`;
    if (p16) {
      r.bf16 = peer.medianMs / p16.medianMs;
      text += `, bf16 weights ${r.bf16.toFixed(2)}× (${p16.name})`;
    }
    lines.push(text);
    ratios.push(r);
  }
  lines.push('');
  lines.push(
    `note: ${cfg.rounds} timed round(s) after a warm-up; round r runs every implementation once, starting at the r-th`,
    `      (rotating order); each time = ${cfg.reps} product(s) queued, then one wait for the queue; median of rounds.`,
    `note: checked = output entries compared with float64 (at most ${Math.min(cfg.samples, 1e9)}, sampled), worst`,
    `      |error| as a multiple of the tolerance 1e-4·Σₖ|a·b| + 1e-6; any > 1 fails the run. bf16 rows: reference`,
    `      from the bf16-rounded weights. ORT MatMul takes B as [K, N]: for transB shapes it gets Bᵀ pre-transposed.`,
    `note: warm-up ms = the first product, untimed in the median (pipeline compilation, first allocations).`,
    `note: CPU = user+system time of all Chromium processes (/proc/<pid>/stat) during that implementation's timed`,
    `      regions / wall time / ${cpus().length} cores. SwiftShader computes on the CPUs: well under 100% means other`,
    `      processes took the rest; interleaving spreads that load over all implementations alike.`,
  );
  return { lines, ratios };
}
