// The gemm autotuner (issue 18 §2): on first use per adapter and shape class, time every gemm
// variant that applies (GEMM_VARIANTS; each is tested against float64 whatever the adapter),
// keep the fastest, and remember the choice in a store (IndexedDB in the browser:
// tuner-idb.ts; a JSON file in the CLI: src/cli/tuner-file.ts). gemm's 'auto' asks the tuner
// attached to the device first, then falls back to the built-in rule (matvec for ≤ 8 rows,
// else 'tiled').
// Tuning runs on scratch buffers of the shape (random data), never on the caller's buffers, and
// is explicit (`await tuner.tune(shapes)` before recording work): gemm records synchronously.
import { deviceIsCpu } from '../runtime/adapter.ts';
import { submit } from '../runtime/kernel.ts';
import { halfBitsToF32, toHalfBits, type DType } from '../tensor/dtype.ts';
import { GEMM_VARIANTS, gemm, gemmVariantApplies, setGemmChooser, type GemmArgs, type GemmVariant } from './matmul.ts';

/** Where choices persist: one record per adapter, shape class → variant. */
export interface TunerStore {
  get(adapter: string): Promise<Record<string, GemmVariant> | undefined>;
  set(adapter: string, choices: Record<string, GemmVariant>): Promise<void>;
}

/** A store that forgets (tests, or no persistence available). */
export function memoryTunerStore(): TunerStore {
  const m = new Map<string, Record<string, GemmVariant>>();
  return {
    get: async (a) => m.get(a),
    set: async (a, c) => void m.set(a, { ...c }),
  };
}

/** The shape of a product, as the tuner sees it. */
export interface GemmShape {
  M: number;
  N: number;
  K: number;
  transA?: boolean;
  transB?: boolean;
  bDtype?: DType;
}

// ≤ 64 ('xs') is a LoRA rank: its skinny products (N = r or K = r) would otherwise share a class
// with the full projections of the same size, whose best kernel differs (bench/RESULTS.md).
const bucket = (n: number) => (n <= 64 ? 'xs' : n < 1024 ? 's' : n < 4096 ? 'm' : 'l');

/**
 * Products in one class are expected to share a best variant: operand layout and weight dtype,
 * rows as decode (≤ 8) / short (≤ 64) / medium (≤ 512) / long, N and K up to 64 / below 1024 /
 * 4096 / above.
 */
export function shapeClass(s: GemmShape): string {
  const rows = s.M <= 8 ? 'vec' : s.M <= 64 ? 'short' : s.M <= 512 ? 'mid' : 'long';
  const layout = `${s.transA ? 'T' : 'N'}${(s.transB ?? true) ? 'T' : 'N'}`;
  return `${layout} ${s.bDtype ?? 'f32'} M:${rows} N:${bucket(s.N)} K:${bucket(s.K)}`;
}

interface AdapterIdentity {
  vendor?: string;
  architecture?: string;
  device?: string;
  description?: string;
}

/** The adapter a choice was measured on (GPUDevice.adapterInfo; choices never cross adapters). */
export function adapterKey(device: GPUDevice): string {
  const i = (device as GPUDevice & { adapterInfo?: AdapterIdentity }).adapterInfo;
  return [i?.vendor, i?.architecture, i?.device, i?.description].map((s) => s || '-').join('|');
}

/** One variant's time on one shape. */
export interface VariantTiming {
  variant: GemmVariant;
  seconds: number;
}

/**
 * A variant whose product disagreed with the float64 reference on the tuner's own data: never
 * chosen, whatever its speed (a kernel only ever tested on another adapter must not silently
 * corrupt a run on this one).
 */
export interface VariantRejection {
  variant: GemmVariant;
  /** Worst |error| over the checked entries, as a multiple of the tolerance. */
  worst: number;
}

/** Rows of C checked against float64 per variant (all of them when M is smaller). */
const CHECKED_ROWS = 4;

/** A small deterministic generator: the tuner's operands are the same on every run. */
function fill(n: number, seed: number): Float32Array {
  const x = new Float32Array(n);
  let st = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    st ^= st << 13;
    st ^= st >>> 17;
    st ^= st << 5;
    x[i] = ((st >>> 0) / 2 ** 32 - 0.5) * 2;
  }
  return x;
}

export class GemmTuner {
  private choices: Record<string, GemmVariant> = {};
  /** Variants refused for a wrong product, per shape class, since this tuner was attached. */
  readonly rejected: (VariantRejection & { shape: string })[] = [];
  readonly adapter: string;

  private constructor(
    readonly device: GPUDevice,
    private readonly store: TunerStore,
  ) {
    this.adapter = adapterKey(device);
  }

  /** A tuner for `device` with the choices `store` already holds for its adapter; gemm uses it. */
  static async attach(device: GPUDevice, store: TunerStore = memoryTunerStore()): Promise<GemmTuner> {
    const t = new GemmTuner(device, store);
    const saved = await store.get(t.adapter);
    for (const [k, v] of Object.entries(saved ?? {}))
      if ((GEMM_VARIANTS as readonly string[]).includes(v)) t.choices[k] = v;
    setGemmChooser(device, (g) => t.choice(g));
    return t;
  }

  /** gemm goes back to its built-in rule on this device. */
  detach(): void {
    setGemmChooser(this.device, undefined);
  }

  /** The remembered choice for these arguments' class, when it applies to them. */
  choice(g: GemmArgs): GemmVariant | undefined {
    const v = this.choices[shapeClass(g)];
    return v && gemmVariantApplies(this.device, g, v) ? v : undefined;
  }

  /** All remembered choices (class → variant). */
  get all(): Readonly<Record<string, GemmVariant>> {
    return this.choices;
  }

  /**
   * Times every applicable variant on each shape whose class has no choice yet (or all with
   * `force`), keeps the fastest and saves. Returns the timings of the shapes it measured.
   * On CPU adapters a timing takes as long as the product itself: keep shapes small there.
   */
  async tune(
    shapes: GemmShape[],
    opts: { force?: boolean; minSeconds?: number } = {},
  ): Promise<Map<string, VariantTiming[]>> {
    const out = new Map<string, VariantTiming[]>();
    for (const s of shapes) {
      const cls = shapeClass(s);
      if ((!opts.force && this.choices[cls]) || out.has(cls)) continue;
      const timings = await this.time(s, opts.minSeconds ?? (deviceIsCpu(this.device) ? 0 : 0.005), (r) =>
        this.rejected.push({ ...r, shape: cls }),
      );
      if (timings.length === 0) continue;
      timings.sort((a, b) => a.seconds - b.seconds);
      this.choices[cls] = timings[0].variant;
      out.set(cls, timings);
    }
    if (out.size > 0) await this.store.set(this.adapter, this.choices);
    return out;
  }

  /**
   * Seconds per product of each applicable variant: one warm-up whose product is checked against
   * float64 on a few rows (a variant that disagrees is reported to `reject` and not timed), then
   * ≥ 2 reps and ≥ minSeconds.
   */
  async time(
    s: GemmShape,
    minSeconds = 0.005,
    reject: (r: VariantRejection) => void = () => {},
  ): Promise<VariantTiming[]> {
    const d = this.device;
    const transA = s.transA ?? false,
      transB = s.transB ?? true,
      dt = s.bDtype ?? 'f32';
    const buf = (bytes: number, usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC) =>
      d.createBuffer({ size: Math.max(16, Math.ceil(bytes / 4) * 4), usage });
    // Random operands (B rounded to its dtype, as the kernel reads it), so a wrong product shows.
    const hostA = fill(s.M * s.K, 1);
    let hostB = fill(s.N * s.K, 2);
    const a = buf(s.M * s.K * 4);
    const b = buf(s.N * s.K * (dt === 'f32' ? 4 : 2));
    const c = buf(s.M * s.N * 4);
    d.queue.writeBuffer(a, 0, hostA);
    if (dt === 'f32') d.queue.writeBuffer(b, 0, hostB);
    else {
      const bits = toHalfBits(dt, hostB);
      hostB = halfBitsToF32(dt, bits);
      const padded = new Uint16Array(Math.ceil(bits.length / 2) * 2);
      padded.set(bits);
      d.queue.writeBuffer(b, 0, padded);
    }
    const check = new GemmCheck(s, hostA, hostB);
    const readback = buf(check.rows.length * s.N * 4, GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST);
    const res: VariantTiming[] = [];
    try {
      for (const variant of GEMM_VARIANTS) {
        const g: GemmArgs = { a, b, c, M: s.M, N: s.N, K: s.K, transA, transB, bDtype: dt, kernel: variant };
        if (!gemmVariantApplies(d, g, variant)) continue;
        const run = async (n: number) => {
          const enc = d.createCommandEncoder({ label: 'gemm tuner' });
          for (let i = 0; i < n; i++) gemm(d, enc, g);
          submit(d, enc);
          await d.queue.onSubmittedWorkDone();
        };
        d.pushErrorScope('validation');
        await run(1);
        const err = await d.popErrorScope();
        if (err) continue; // a variant the device cannot compile is not a choice
        const enc = d.createCommandEncoder({ label: 'gemm tuner check' });
        check.rows.forEach((m, i) => enc.copyBufferToBuffer(c, m * s.N * 4, readback, i * s.N * 4, s.N * 4));
        submit(d, enc);
        await readback.mapAsync(GPUMapMode.READ);
        const worst = check.worst(new Float32Array(readback.getMappedRange().slice(0)));
        readback.unmap();
        if (!(worst <= 1)) {
          reject({ variant, worst });
          continue;
        }
        let reps = 0;
        const t0 = performance.now();
        for (let n = 2; reps < 2 || (performance.now() - t0) / 1000 < minSeconds; n = Math.min(2 * n, 64)) {
          await run(n);
          reps += n;
        }
        res.push({ variant, seconds: (performance.now() - t0) / 1000 / reps });
      }
    } finally {
      a.destroy();
      b.destroy();
      c.destroy();
      readback.destroy();
    }
    return res;
  }
}

/**
 * A few rows of C = op(A)·op(B) in float64 from the host operands, and how far a kernel's rows are
 * from them: tolerance 1e-4·Σ_k |a·b| + 1e-6 per entry (f32 accumulation over K terms stays far
 * inside it; a wrong tile, stride or unpacking does not).
 */
export class GemmCheck {
  readonly rows: number[];
  private readonly ref: Float64Array;
  private readonly tol: Float64Array;

  constructor(s: GemmShape, a: Float32Array, b: Float32Array) {
    const { M, N, K } = s;
    const transA = s.transA ?? false,
      transB = s.transB ?? true;
    const picks = [0, M - 1, M >> 1, ((M * 2) / 3) | 0];
    this.rows = [...new Set(picks)].slice(0, CHECKED_ROWS);
    this.ref = new Float64Array(this.rows.length * N);
    this.tol = new Float64Array(this.rows.length * N);
    this.rows.forEach((m, r) => {
      for (let j = 0; j < N; j++) {
        let sum = 0,
          abs = 0;
        for (let k = 0; k < K; k++) {
          const x = transA ? a[k * M + m] : a[m * K + k];
          const y = transB ? b[j * K + k] : b[k * N + j];
          sum += x * y;
          abs += Math.abs(x * y);
        }
        this.ref[r * N + j] = sum;
        this.tol[r * N + j] = 1e-4 * abs + 1e-6;
      }
    });
  }

  /** The worst |error| / tolerance over the checked rows (NaN counts as infinitely wrong). */
  worst(got: Float32Array): number {
    let worst = 0;
    for (let i = 0; i < this.ref.length; i++) {
      const e = Math.abs(got[i] - this.ref[i]) / this.tol[i];
      if (!(e <= worst)) worst = Number.isNaN(e) ? Infinity : e;
    }
    return worst;
  }
}
