// The planner on a tiny shape whose bytes are worked out by hand below, and the fit check.
import { describe, expect, it } from 'vitest';
import { fits, loraGroupStride, planDecoding, planMemory, type ModelShape, type TrainShape } from './plan.ts';
import type { PlannedBuffer } from './tensors.ts';

// hidden 8, intermediate 12, 2 layers, 2 heads / 1 kv head of dim 4, vocab 10, tied, bf16.
const tiny: ModelShape = {
  hidden: 8,
  intermediate: 12,
  layers: 2,
  heads: 2,
  kv_heads: 1,
  head_dim: 4,
  vocab: 10,
  tied: true,
  dtype: 'bf16',
};
// batch 2 × seq 3 = T 6 tokens; LoRA r 2 on q_proj and v_proj.
const train: TrainShape = { batch: 2, seq_len: 3, lora: { r: 2, targets: ['q_proj', 'v_proj'] }, recompute: false };

describe('planMemory (hand-computed tiny shape)', () => {
  it('weights: 2240 bytes', () => {
    // embed 10·8·2 = 160; per layer q 64 + k 32 + v 32 + o 64 + gate 96 + up 96 + down 96 = 480 el ·2 B = 960,
    // plus two f32 norms 2·8·4 = 64 → 1024 per layer, ·2 = 2048; final norm 32. 160 + 2048 + 32 = 2240.
    expect(planMemory(tiny, train).bytes.weights).toBe(2240);
  });

  it('LoRA params 1824, grads 1824, AdamW states 3648 (one arena each, tensors 256-byte aligned)', () => {
    // q: A [2,8] 64 B + B [8,2] 64 B; v: A [2,8] 64 B + B [4,2] 32 B; ·2 layers = 8 tensors, each
    // starting at a multiple of 256 bytes: 7·256 + the last 32 = 1824 per arena.
    const p = planMemory(tiny, train);
    expect(p.bytes.lora_params).toBe(1824);
    expect(p.bytes.lora_grads).toBe(1824);
    expect(p.bytes.optimizer).toBe(2 * 1824);
    expect(p.tensors.lora_arenas.length).toBe(1);
    expect(p.tensors.lora_arenas[0].floats).toBe(1824 / 4);
    const v1 = p.tensors.lora[1].v_proj!;
    expect([v1.B.offset, v1.B.bytes, v1.B_grad!.offset, v1.B_exp_avg_sq!.arena.name]).toEqual([
      1792,
      32,
      1792,
      'lora.0.exp_avg_sq',
    ]);
  });

  it('saved activations 5448 bytes without recompute', () => {
    // inputs: ids, labels, loss weights, seq ids 4·24 + rope cos/sin 2·(6·2·4) = 192
    // residual stream 3 · 6·8·4 = 576
    // per layer: ln1 192 + rstd1 24 + q 192 + k 96 + v 96 + lse 48 + attn_out 192 + residual_mid 192
    //   + ln2 192 + rstd2 24 + gate/up/act 3·288 + lora_h 2·48 = 2208, ·2 = 4416
    // final norm out 192 + rstd 24 + per-token loss 24 + lse 24 = 264
    expect(planMemory(tiny, train).bytes.activations).toBe(192 + 576 + 4416 + 264);
  });

  it('scratch 3144 bytes; recompute moves one layer of activations into scratch', () => {
    // logits chunk [6,10] 240; grads: residual 192, ln 192, q 192, k 96, v 96, attn_out 192,
    // gate/up/act 864, lora_h 48; grad-norm partials 256 per LoRA arena chunk · 1 chunk · 4 B = 1024; norm out 8.
    const p = planMemory(tiny, train);
    expect(p.bytes.scratch).toBe(3144);
    const rc = planMemory(tiny, { ...train, recompute: true });
    expect(rc.bytes.activations).toBe(192 + 576 + 264);
    expect(rc.bytes.scratch).toBe(3144 + 2208);
    expect(rc.total).toBeLessThan(p.total);
  });

  it('Qwen-style extras: q/k/v biases, q/k norm, untied head, dropout scratch', () => {
    const base = planMemory(tiny, train);
    const p = planMemory(
      { ...tiny, tied: false, qkv_bias: true, qk_norm: true },
      { ...train, lora: { ...train.lora, dropout: 0.1 } },
    );
    // + lm_head 160; per layer biases (8+4+4)·4 = 64 and q/k norm 2·4·4 = 32 → 2·96 = 192.
    expect(p.bytes.weights - base.bytes.weights).toBe(160 + 192);
    // per layer q_pre 192 + k_pre 96 + q_rstd 12·4 + k_rstd 6·4 = 360, ·2 = 720.
    expect(p.bytes.activations - base.bytes.activations).toBe(720);
    // dropout(x) for the widest LoRA input (8): 6·8·4 = 192.
    expect(p.bytes.scratch - base.bytes.scratch).toBe(192);
    expect(p.total).toBe(p.buffers.reduce((s, b) => s + b.bytes, 0));
  });
});

describe('fits', () => {
  it('accepts a plan under the limits, and names the buffer or budget that does not fit', () => {
    const p = planMemory(tiny, train);
    expect(fits(p, { maxBufferSize: 1 << 20, maxStorageBufferBindingSize: 1 << 20 })).toEqual({ ok: true });
    // 200 bytes: the embedding (160) fits; the LoRA arena (1824) and the [6,12] f32 gate (288) cannot be split.
    const small = fits(p, { maxBufferSize: 1 << 20, maxStorageBufferBindingSize: 200 });
    expect(small.ok).toBe(false);
    if (!small.ok) expect(small.reason).toMatch(/^lora\.0\.params \[456\] needs 1\.8 KiB in one buffer/);
    const noLora = planMemory(tiny, { ...train, lora: { r: 0, targets: [] } });
    const act = fits(noLora, { maxBufferSize: 1 << 20, maxStorageBufferBindingSize: 200 });
    expect(act.ok).toBe(false);
    if (!act.ok) expect(act.reason).toMatch(/lm_head\.logits_chunk|gate|up|act/);
    const budget = fits(p, { maxBufferSize: 1 << 20, maxStorageBufferBindingSize: 1 << 20 }, 4000);
    expect(budget.ok).toBe(false);
    if (!budget.ok) expect(budget.reason).toMatch(/recomputation/);
  });

  it('lets a big weight be split by rows (Qwen2.5-0.5B embedding under 128 MiB)', () => {
    const qwen: ModelShape = {
      hidden: 896,
      intermediate: 4864,
      layers: 24,
      heads: 14,
      kv_heads: 2,
      head_dim: 64,
      vocab: 151936,
      tied: true,
      dtype: 'bf16',
      qkv_bias: true,
    };
    const all = ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'] as const;
    const p = planMemory(qwen, { batch: 1, seq_len: 512, lora: { r: 16, targets: all }, recompute: true });
    expect(fits(p, { maxBufferSize: 2 ** 28, maxStorageBufferBindingSize: 2 ** 27 })).toEqual({ ok: true });
    // 24 layers · 7 targets · 2 matrices · 4 (param, grad, m, v), as ranges of four arena buffers
    // with no padding (every tensor's bytes are a multiple of 256 at these widths).
    const slices = p.tensors.lora.flatMap((l) => Object.values(l).flatMap((t) => Object.values(t)));
    expect(slices.length).toBe(24 * 7 * 2 * 4);
    expect(p.buffers.filter((b) => b.name.startsWith('lora.')).map((b) => b.name)).toEqual([
      'lora.0.params',
      'lora.0.grads',
      'lora.0.exp_avg',
      'lora.0.exp_avg_sq',
    ]);
    expect(p.bytes.lora_params).toBe(slices.reduce((s, x) => s + x.bytes, 0) / 4);
  });

  it("Gemma 3's 262,144-row vocabulary at 1024 tokens fits the default 128 MiB binding (embedding by rows)", () => {
    // gemma-3-1b-it: hidden 1152, 26 layers, 4/1 heads of 256, intermediate 6912, tied, bf16.
    const gemma: ModelShape = {
      hidden: 1152,
      intermediate: 6912,
      layers: 26,
      heads: 4,
      kv_heads: 1,
      head_dim: 256,
      vocab: 262_144,
      tied: true,
      dtype: 'bf16',
      qk_norm: true,
      arch: 'gemma3',
      rope_tables: 2,
      sandwich_norms: true,
    };
    const all = ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'] as const;
    const p = planMemory(gemma, { batch: 1, seq_len: 1024, lora: { r: 8, targets: all }, recompute: true });
    const embed = p.buffers.find((b) => b.name === 'model.embed_tokens.weight')!;
    expect(embed.bytes).toBe(262_144 * 1152 * 2); // 604 MB: more than one binding, rows of 2304 B
    expect(p.buffers.find((b) => b.name === 'lm_head.logits_chunk')!.bytes).toBe(1024 * 8192 * 4);
    expect(p.buffers.some((b) => b.name === 'rope_local.cos')).toBe(true);
    expect(p.buffers.some((b) => b.name === 'recompute.o_out')).toBe(true);
    expect(fits(p, { maxBufferSize: 2 ** 28, maxStorageBufferBindingSize: 2 ** 27 })).toEqual({ ok: true });
  });
});

/** Every PlannedBuffer reachable from a typed record (each object once). */
function reachable(x: unknown, out = new Set<PlannedBuffer>()): Set<PlannedBuffer> {
  if (typeof x !== 'object' || x === null) return out;
  if ('bytes' in x && 'category' in x) out.add(x as PlannedBuffer);
  else for (const v of Object.values(x)) reachable(v, out);
  return out;
}

describe('LoRA groups (modules sharing an input: one A product)', () => {
  // r 8 on q/k/v of the tiny shape: every A [8, 8] is 256 bytes, so the three lie back to back.
  const qkv: TrainShape = { ...train, lora: { r: 8, targets: ['v_proj', 'q_proj', 'k_proj'] } };
  it('q/k/v: A matrices back to back, then the B matrices; hT [3·r, stride]; no per-module lora_h', () => {
    const p = planMemory(tiny, qkv);
    const l0 = p.tensors.lora[0];
    // A_q 0, A_k 256, A_v 512; B_q [8,8] 256 B at 768, B_k [4,8] 128 B at 1024, B_v at 1280.
    expect([l0.q_proj!.A.offset, l0.k_proj!.A.offset, l0.v_proj!.A.offset]).toEqual([0, 256, 512]);
    expect([l0.q_proj!.B.offset, l0.k_proj!.B.offset, l0.v_proj!.B.offset]).toEqual([768, 1024, 1280]);
    const a = p.tensors.layers[0];
    expect(a.loraGroups.attn!.roles).toEqual(['q', 'k', 'v']);
    // 6 tokens; 8 rows of f32 span whole 256 bytes every 8 columns: stride 8.
    expect(loraGroupStride(8, 6)).toBe(8);
    expect(a.loraGroups.attn!.hT.shape).toEqual([24, 8]);
    expect(a.loraH).toEqual({});
    expect(p.tensors.grad.dhT!.shape).toEqual([24, 8]);
  });
  it('none with dropout, with one module of an input, or with A matrices off 256-byte multiples', () => {
    const drop = planMemory(tiny, { ...qkv, lora: { ...qkv.lora, dropout: 0.1 } });
    expect(drop.tensors.layers[0].loraGroups).toEqual({});
    expect(Object.keys(drop.tensors.layers[0].loraH).sort()).toEqual(['k', 'q', 'v']);
    expect(drop.tensors.grad.dhT).toBeUndefined();
    expect(
      planMemory(tiny, { ...qkv, lora: { r: 8, targets: ['q_proj', 'o_proj'] } }).tensors.layers[0].loraGroups,
    ).toEqual({});
    expect(planMemory(tiny, train).tensors.layers[0].loraGroups).toEqual({}); // r 2: A is 64 bytes
  });
  it('stride: r rows of whole 256-byte multiples, at least N', () => {
    expect([loraGroupStride(8, 64), loraGroupStride(16, 5), loraGroupStride(3, 5), loraGroupStride(64, 7)]).toEqual([
      64, 8, 64, 7,
    ]);
  });
});

describe('LoRA arenas', () => {
  it('split at 128 MiB per buffer (Llama-3-8B shape, r 64): every tensor inside one chunk, aligned, no overlap', () => {
    const llama8b: ModelShape = {
      hidden: 4096,
      intermediate: 14336,
      layers: 32,
      heads: 32,
      kv_heads: 8,
      head_dim: 128,
      vocab: 128256,
      tied: false,
      dtype: 'bf16',
    };
    const all = ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'] as const;
    const p = planMemory(llama8b, { batch: 1, seq_len: 64, lora: { r: 64, targets: all }, recompute: true });
    // Per layer r·(q 2·4096 + k, v 4096 + 1024 each + o 2·4096 + gate, up, down 4096 + 14336 each)
    // = 64·81920 floats; ·32 layers ·4 B = 640 MiB of parameters. A tensor that would cross 128 MiB
    // starts the next chunk, so a full chunk wastes less than the largest tensor (64·14336·4 B =
    // 3.5 MiB): five hold at most 640 MiB minus that waste, so six.
    expect(p.bytes.lora_params).toBe(32 * 64 * 81920 * 4);
    const arenas = p.tensors.lora_arenas;
    expect(arenas.length).toBe(6);
    for (const [i, a] of arenas.entries()) {
      expect(a.params.bytes).toBeLessThanOrEqual(2 ** 27);
      if (i < 5) expect(a.params.bytes).toBeGreaterThan(2 ** 27 - 64 * 14336 * 4);
      for (const b of [a.grads!, a.exp_avg!, a.exp_avg_sq!]) expect(b.bytes).toBe(a.params.bytes);
    }
    const byArena = new Map<string, [number, number][]>();
    for (const layer of p.tensors.lora)
      for (const t of Object.values(layer))
        for (const x of Object.values(t)) {
          expect(x.offset % 256).toBe(0);
          expect(x.offset + x.bytes).toBeLessThanOrEqual(x.arena.bytes);
          byArena.set(x.arena.name, [...(byArena.get(x.arena.name) ?? []), [x.offset, x.offset + x.bytes]]);
        }
    expect(byArena.size).toBe(6 * 4);
    for (const ranges of byArena.values()) {
      ranges.sort((a, b) => a[0] - b[0]);
      for (let i = 1; i < ranges.length; i++) expect(ranges[i][0]).toBeGreaterThanOrEqual(ranges[i - 1][1]);
    }
    expect(p.buffers.find((b) => b.name === 'grad_norm.partials')!.bytes).toBe(6 * 256 * 4);
  });
});

describe('the typed record', () => {
  const variants: [string, ModelShape, TrainShape][] = [
    ['tiny', tiny, train],
    ['recompute, dropout', tiny, { ...train, recompute: true, lora: { ...train.lora, dropout: 0.1 } }],
    ['no LoRA', tiny, { ...train, lora: { r: 0, targets: [] } }],
    [
      'Gemma 3 (q/k norm, sandwich, two RoPE tables)',
      { ...tiny, arch: 'gemma3', qk_norm: true, sandwich_norms: true, rope_tables: 2 },
      train,
    ],
    [
      'Phi-3 (fused projections)',
      { ...tiny, arch: 'phi3' },
      { ...train, lora: { r: 2, targets: ['qkv_proj', 'down_proj'] } },
    ],
  ];
  for (const [name, m, t] of variants) {
    it(`${name}: holds exactly the listed non-weight buffers`, () => {
      const p = planMemory(m, t);
      const listed = p.buffers.filter((b) => b.category !== 'weights');
      const inRecord = reachable(p.tensors);
      expect([...inRecord].map((b) => b.name).sort()).toEqual(listed.map((b) => b.name).sort());
      expect(new Set(listed).size).toBe(listed.length);
    });
  }

  it('recompute: every layer shares one set; without: one set per layer', () => {
    const rc = planMemory(tiny, { ...train, recompute: true }).tensors.layers;
    expect(rc[0]).toBe(rc[1]);
    const per = planMemory(tiny, train).tensors.layers;
    expect(per[0].q.name).toBe('layers.0.q');
    expect(per[1].loraH.v?.name).toBe('layers.1.v_proj.lora_h');
  });

  it('refuses a LoRA target the architecture does not have, naming its modules', () => {
    expect(() => planMemory({ ...tiny, arch: 'phi3' }, train)).toThrow(
      /q_proj is not a linear module of phi3.*qkv_proj/,
    );
  });
});

describe('planDecoding (hand-computed tiny shape)', () => {
  // Cache of 5 tokens, LoRA r 2 on q_proj and v_proj.
  const p = planDecoding(tiny, { max_tokens: 5, lora: { r: 2, targets: ['q_proj', 'v_proj'] } });
  it('LoRA A/B only: 1824 bytes (256-byte aligned, as in training), no gradients or optimizer state', () => {
    expect(p.bytes.lora_params).toBe(1824);
    expect(p.bytes.lora_grads).toBe(0);
    expect(p.bytes.optimizer).toBe(0);
  });
  it('activations 2600 bytes, scratch 148', () => {
    // inputs: ids, seq ids 2·20 + rope cos/sin 2·(5·2·4) = 120; residual pair 2·160 = 320;
    // one layer set: ln1 160 + rstd1 20 + q 160 + k 80 + v 80 + lse 40 + attn_out 160 + mid 160
    //   + ln2 160 + rstd2 20 + gate/up/act 3·240 + lora_h 2·40 = 1840;
    // cache: 2 layers · (k + v) 2·80 = 320.
    expect(p.bytes.activations).toBe(120 + 320 + 1840 + 320);
    // scores [2 heads, 5] 40, last row 32, final norm 32 + 4, logits [1, 10] 40.
    expect(p.bytes.scratch).toBe(40 + 32 + 36 + 40);
    expect(p.total).toBe(p.buffers.reduce((s, b) => s + b.bytes, 0));
  });
  it('holds exactly the listed non-weight buffers', () => {
    const listed = p.buffers
      .filter((b) => b.category !== 'weights')
      .map((b) => b.name)
      .sort();
    expect([...reachable(p.tensors)].map((b) => b.name).sort()).toEqual(listed);
  });
});
