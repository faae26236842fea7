// The weighted fused cross entropy (ms-swift's loss_scale) against PyTorch autograd computing
// ms-swift's own formula (swift/trainers/seq2seq_trainer.py, compute_loss, and
// swift/trainers/utils.py, per_token_loss_func): per-token F.cross_entropy(reduction='none') on
// labels rolled by −1, times loss_scale rolled by −1, summed, divided by num_items_in_batch = the
// number of labels ≠ -100. Awkward sizes (T not a multiple of 64, hidden 48 not a multiple of the
// k tile, vocabulary in three uneven buffers and blocks that cut across them), weights 0, 0.5, 1,
// 2 and 3 in one batch, f32 and bf16 heads, and a batch of packed rows built by tokenize/pack.ts.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { nodeDevice } from '../../cli/node-gpu.ts';
import type { ModelSpec } from '../../model/types.ts';
import { buildRows } from '../../tokenize/pack.ts';
import type { EncodedRecord } from '../../tokenize/types.ts';
import { collate } from '../../train/data.ts';
import { prepareBatch } from '../decoder/batch.ts';
import { readF32, storageBuffer, submit } from '../runtime/index.ts';
import { maxRelErr, rng } from '../testing/random.ts';
import { FusedCrossEntropy, type LmHeadDType } from './cross_entropy.ts';

const PY = '/usr/bin/python3';
const TOL = 1e-5;
const CHUNKS = [384, 384, 232];
const V = 1000;
const D = 48;

// ms-swift's loss on [B, T] unshifted labels and loss_scale (rolled by −1 per row, as it does).
const TORCH = String.raw`
import json, sys
import torch
import torch.nn.functional as F
a = json.load(sys.stdin)
B, T, d, V = a['B'], a['T'], a['d'], a['V']
h = torch.tensor(a['h'], dtype=torch.float64).reshape(B * T, d).requires_grad_(True)
w = torch.tensor(a['w'], dtype=torch.float64).reshape(V, d)
labels = torch.tensor(a['labels'], dtype=torch.long).reshape(B, T)
loss_scale = torch.tensor(a['loss_scale'], dtype=torch.float64).reshape(B, T)
logits = h @ w.T
rolled = torch.roll(labels, shifts=-1, dims=-1).view(-1)
per_token = F.cross_entropy(logits, rolled, ignore_index=-100, reduction='none')
per_token = per_token * torch.roll(loss_scale, shifts=-1, dims=-1).view(-1)
num_items_in_batch = (labels != -100).sum()
loss = per_token.sum() / num_items_in_batch
loss.backward()
json.dump({'loss': loss.item(), 'n': int(num_items_in_batch), 'dh': h.grad.reshape(-1).tolist()}, sys.stdout)
`;

function torch(input: object): { loss: number; n: number; dh: number[] } {
  if (!existsSync(PY)) throw new Error(`${PY} not found: apt-get install python3 python3-torch`);
  const r = spawnSync(PY, ['-c', TORCH], { input: JSON.stringify(input), encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`PyTorch failed: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

/** A head exactly representable in bf16 (k/256), so f32 and bf16 runs see the same numbers. */
function head(seed: number): Float32Array {
  return rng(seed)
    .uniform(V * D)
    .map((x) => Math.round(x * 255) / 256);
}

let device: GPUDevice;
beforeAll(async () => {
  device = await nodeDevice();
});

/** The weighted loss and dHidden on the GPU for shifted targets and weights. */
async function gpu(h: Float32Array, w: Float32Array, targets: Int32Array, weights: Float32Array, dtype: LmHeadDType) {
  const T = targets.length;
  const bufs: GPUBuffer[] = [];
  const mk = (v: ArrayBufferView | number) => {
    const b = storageBuffer(device, v);
    bufs.push(b);
    return b;
  };
  let r0 = 0;
  const chunks = CHUNKS.map((rows) => {
    const x = w.subarray(r0 * D, (r0 + rows) * D);
    r0 += rows;
    const data = dtype === 'f32' ? x : Uint16Array.from(new Uint32Array(Float32Array.from(x).buffer), (u) => u >>> 16);
    return { buffer: mk(data), rows };
  });
  const ce = new FusedCrossEntropy(device, { hidden: D, dtype, chunks }, { maxTokens: T, chunkRows: 160 });
  const b = {
    hidden: mk(h),
    targets: mk(targets),
    weights: mk(weights),
    loss: mk(T * 4),
    lse: mk(T * 4),
    mean: mk(8),
    dHidden: mk(T * D * 4),
  };
  const enc = device.createCommandEncoder();
  ce.forward(enc, T, b);
  ce.backward(enc, T, b);
  submit(device, enc);
  const out = { mean: await readF32(device, b.mean, 2), dh: await readF32(device, b.dHidden, T * D) };
  ce.destroy();
  bufs.forEach((x) => x.destroy());
  return out;
}

const SPEC = { head_dim: 8, rope_theta: 10000, rope_scaling: null, vocab_size: V } as unknown as ModelSpec;

describe('weighted cross entropy (loss_scale) vs PyTorch autograd', () => {
  for (const dtype of ['f32', 'bf16'] as const) {
    it(`weights 0, 0.5, 1, 2, 3 in one row of 77 tokens (${dtype} head)`, async () => {
      const T = 77;
      const r = rng(31);
      const labels = Array.from(r.ints(T, V));
      const scale = labels.map((_, t) => [0, 0.5, 1, 2, 3][t % 5]);
      // Untrained tokens as ms-swift makes them (loss_scale 0 → label -100), one trained token of
      // weight 0 (counted in N, contributing nothing), and targets at the vocabulary's seams.
      for (let t = 0; t < T; t += 7) labels[t] = -100;
      labels[3] = 0;
      labels[4] = V - 1;
      labels[6] = CHUNKS[0];
      scale[10] = 0;
      const batch = prepareBatch(SPEC, {
        input_ids: [labels.map((y) => Math.max(y, 0))],
        labels: [labels],
        loss_scale: [scale],
      });
      const h = r.normal(T * D);
      const w = head(32);
      const want = torch({ B: 1, T, d: D, V, h: [...h], w: [...w], labels, loss_scale: scale });
      const got = await gpu(h, w, batch.targets!, batch.weights!, dtype);
      const errs = { loss: Math.abs(got.mean[0] - want.loss) / Math.abs(want.loss), dh: maxRelErr(got.dh, want.dh) };
      console.log(`weighted ${dtype} vs torch`, JSON.stringify(errs));
      expect(got.mean[1]).toBe(want.n);
      expect(batch.kept).toBe(want.n);
      expect(errs.loss).toBeLessThan(TOL);
      expect(errs.dh).toBeLessThan(TOL);
    });
  }

  it('a batch of packed rows (pack.ts) with weighted and unweighted records, padded by collate', async () => {
    const r = rng(41);
    const rec = (line: number, n: number, weighted: boolean): EncodedRecord => {
      const input_ids = r.ints(n, V);
      const labels = Int32Array.from(input_ids, (id, t) => (t < n / 3 ? -100 : id));
      const e: EncodedRecord = { line, input_ids, labels, straddles: 0 };
      if (weighted) e.loss_scale = Float64Array.from(labels, (y, t) => (y === -100 ? 0 : [2, 0.5, 3][t % 3]));
      return e;
    };
    const recs = [rec(1, 19, true), rec(2, 23, false), rec(3, 11, true), rec(4, 30, false)];
    const rows = buildRows(recs, [[0, 1, 2], [3]], { max_length: 64, padId: 0, pad: false });
    const trainRows = rows.map((x) => ({
      input_ids: x.input_ids,
      labels: x.labels,
      position_ids: x.position_ids,
      seq_ids: x.sequence_ids,
      loss_scale: x.loss_scale,
    }));
    const batch = collate(trainRows, 0);
    expect(batch.loss_scale).toBeDefined(); // row 2 has none: collate fills 1 where trained
    const prep = prepareBatch(SPEC, batch);
    const { B, T } = prep;
    const h = r.normal(B * T * D);
    const w = head(42);
    // The labels PyTorch sees are ms-swift's: -100 at each packed sequence's first token, so the
    // roll never trains across a boundary, and -100 on padding.
    const want = torch({
      B,
      T,
      d: D,
      V,
      h: [...h],
      w: [...w],
      labels: batch.labels!.flatMap((x) => Array.from(x)),
      loss_scale: batch.loss_scale!.flatMap((x) => Array.from(x)),
    });
    const got = await gpu(h, w, prep.targets!, prep.weights!, 'f32');
    const errs = { loss: Math.abs(got.mean[0] - want.loss) / Math.abs(want.loss), dh: maxRelErr(got.dh, want.dh) };
    console.log('packed weighted vs torch', JSON.stringify(errs));
    expect(got.mean[1]).toBe(want.n);
    expect(errs.loss).toBeLessThan(TOL);
    expect(errs.dh).toBeLessThan(TOL);
  });

  it('no weights and weights of 1 give the same bits', async () => {
    const T = 45;
    const r = rng(51);
    const labels = Array.from(r.ints(T, V), (y, t) => (t % 4 === 0 ? -100 : y));
    const prep = prepareBatch(SPEC, { input_ids: [labels.map((y) => Math.max(y, 0))], labels: [labels] });
    const ones = prepareBatch(SPEC, {
      input_ids: [labels.map((y) => Math.max(y, 0))],
      labels: [labels],
      loss_scale: [labels.map(() => 1)],
    });
    const h = r.normal(T * D);
    const w = head(52);
    const a = await gpu(h, w, prep.targets!, prep.weights!, 'f32');
    const b = await gpu(h, w, ones.targets!, ones.weights!, 'f32');
    expect(Array.from(b.mean)).toEqual(Array.from(a.mean));
    expect(Array.from(b.dh)).toEqual(Array.from(a.dh));
  });
});
