// The capability check's verdicts and fixes. Limits are those of real adapters (WebGPU's
// default 128 MiB binding; SwiftShader's 1 GiB), models from the Hub configs.
import { describe, expect, test } from 'vitest';
import { fits, planMemory } from '../../engine/plan/plan.ts';
import { KNOWN_MODELS } from '../../model/index.ts';
import type { GpuStatus } from '../gpu-check.ts';
import { canTrain, capabilityChecks, findFit } from './capability.ts';
import { memoryNeeded, shapeOf, tinyChoice, trainShape } from './models.ts';

const gpu = (binding: number, features: string[] = []): GpuStatus => ({
  state: 'ready',
  vendor: 'test',
  architecture: '',
  features,
  maxStorageBufferBindingSize: binding,
  maxBufferSize: binding,
});
const qwen15 = KNOWN_MODELS.find((m) => m.id === 'Qwen/Qwen2.5-1.5B-Instruct')!.spec;

describe('capability check', () => {
  test('no WebGPU: one failing check that says what to do', () => {
    const checks = capabilityChecks(
      { state: 'unsupported', title: 'No WebGPU in this browser.', reason: 'no navigator.gpu' },
      tinyChoice().spec,
      { batch: 1, seqLen: 256, r: 8 },
    );
    expect(checks).toHaveLength(1);
    expect(checks[0].level).toBe('fail');
    expect(checks[0].fix).toMatch(/Chrome|Edge/);
    expect(canTrain(checks)).toBe(false);
  });

  test('the tiny model fits the smallest WebGPU limits', () => {
    const checks = capabilityChecks(gpu(128 * 2 ** 20), tinyChoice().spec, { batch: 1, seqLen: 256, r: 8 });
    expect(checks.find((c) => c.id === 'fit')?.level).toBe('ok');
    expect(canTrain(checks)).toBe(true);
  });

  test('a long sequence that overflows a binding is refused with settings that fit', () => {
    const limits = { maxBufferSize: 128 * 2 ** 20, maxStorageBufferBindingSize: 128 * 2 ** 20 };
    const asked = { batch: 8, seqLen: 8192, r: 8 };
    expect(fits(planMemory(shapeOf(qwen15), trainShape({ ...asked, arch: 'qwen2' })), limits).ok).toBe(false);
    const checks = capabilityChecks(gpu(128 * 2 ** 20), qwen15, asked);
    const fit = checks.find((c) => c.id === 'fit')!;
    expect(fit.level).toBe('fail');
    expect(fit.suggestion).toBeDefined();
    const { batch, seqLen } = fit.suggestion!;
    // The suggestion fits, and doubling either setting again would not.
    expect(fits(planMemory(shapeOf(qwen15), trainShape({ batch, seqLen, r: 8, arch: 'qwen2' })), limits).ok).toBe(true);
    expect(batch * seqLen).toBeLessThan(8 * 8192);
    expect(
      fits(
        planMemory(
          shapeOf(qwen15),
          trainShape({
            batch: batch * 2 <= 8 ? batch * 2 : batch,
            seqLen: batch * 2 <= 8 ? seqLen : seqLen * 2,
            r: 8,
            arch: 'qwen2',
          }),
        ),
        limits,
      ).ok,
    ).toBe(false);
    expect(canTrain(checks)).toBe(false);
  });

  test('no fit at any length: the fix is a smaller model', () => {
    expect(
      findFit(qwen15, { batch: 1, seqLen: 64, r: 8 }, { maxBufferSize: 2 ** 16, maxStorageBufferBindingSize: 2 ** 16 }),
    ).toBeNull();
  });

  test('half-precision weights without shader-f16 warn; float32 ones do not', () => {
    const bf16 = capabilityChecks(gpu(2 ** 30), qwen15, { batch: 1, seqLen: 256, r: 8 }).find(
      (c) => c.id === 'features',
    )!;
    expect(bf16.level).toBe('warn');
    const f32 = capabilityChecks(gpu(2 ** 30), tinyChoice().spec, { batch: 1, seqLen: 256, r: 8 }).find(
      (c) => c.id === 'features',
    )!;
    expect(f32.level).toBe('ok');
  });
});

describe('planned memory adapts each architecture’s own linear layers (PEFT all-linear)', () => {
  const planned = (id: string, arch: Parameters<typeof trainShape>[0]['arch']) => {
    const spec = KNOWN_MODELS.find((m) => m.id === id)!.spec;
    const plan = planMemory(shapeOf(spec), trainShape({ batch: 1, seqLen: 64, r: 8, arch }));
    return {
      spec,
      plan,
      targets: Object.keys(plan.tensors.lora[0]).sort(),
    };
  };
  test('Qwen2: the seven q/k/v/o/gate/up/down, and the picker’s number is that plan', () => {
    const { spec, plan, targets } = planned('Qwen/Qwen2.5-0.5B-Instruct', 'qwen2');
    expect(targets).toEqual(['down_proj', 'gate_proj', 'k_proj', 'o_proj', 'q_proj', 'up_proj', 'v_proj']);
    expect(memoryNeeded(spec, { batch: 1, seqLen: 64, r: 8 })).toBe(plan.total);
  });
  test('Phi-4-mini: the fused qkv_proj and gate_up_proj; InternLM2.5: wqkv, wo, w1, w3, w2', () => {
    expect(planned('microsoft/Phi-4-mini-instruct', 'phi3').targets).toEqual([
      'down_proj',
      'gate_up_proj',
      'o_proj',
      'qkv_proj',
    ]);
    expect(planned('internlm/internlm2_5-1_8b-chat', 'internlm2').targets).toEqual(['w1', 'w2', 'w3', 'wo', 'wqkv']);
  });
});

describe('planned LoRA memory', () => {
  test('LoRA bytes of Qwen2.5-1.5B at r 8: 28 layers × (A + B) of 7 projections, ×4 for params, grads, m, v', () => {
    // hidden 1536, kv 256 (2 heads of 128), intermediate 8960: per layer
    // q 8·1536 + 1536·8, k 8·1536 + 256·8, v same, o 8·1536 + 1536·8, gate/up 8·1536 + 8960·8, down 8·8960 + 1536·8.
    const perLayer = 8 * (1536 + 1536) * 2 + 8 * (1536 + 256) * 2 + 8 * (1536 + 8960) * 3;
    const p = planMemory(shapeOf(qwen15), trainShape({ batch: 1, seqLen: 64, r: 8, arch: qwen15.arch }));
    expect(p.bytes.lora_params + p.bytes.lora_grads + p.bytes.optimizer).toBe(28 * perLayer * 4 * 4);
  });
});
