// A run's fingerprint: every TrainConfig field counts (a field added later too) except when to
// save/log/evaluate; the records' token ids and labels count, their line numbers do not; the
// model's spec and weights count; a mismatch names each field old → new; a checkpoint with no
// fingerprint is refused unless the caller vouches for it.
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../model/config.ts';
import { defaultTrainConfig, type TrainConfig } from './config.ts';
import { ResumeRefusal } from './errors.ts';
import {
  configFingerprint,
  fingerprintDifferences,
  ModelFingerprint,
  NOT_IN_FINGERPRINT,
  recordsDigest,
  runFingerprint,
  verifyResume,
} from './fingerprint.ts';

const config = defaultTrainConfig({ model_id: 'test/tiny', template: 'chatml' });
const records = [
  { line: 1, input_ids: [1, 2, 3, 4], labels: [-100, -100, 3, 4] },
  { line: 2, input_ids: Int32Array.from([5, 6, 7]), labels: Int32Array.from([-100, 6, 7]) },
];

function refusal(f: () => void): ResumeRefusal {
  try {
    f();
  } catch (e) {
    if (e instanceof ResumeRefusal) return e;
    throw e;
  }
  throw new Error('not refused');
}

describe('run fingerprint', () => {
  it('covers every TrainConfig field, nested and added later, but when to save, log and evaluate', () => {
    const fp = configFingerprint(config);
    const leaves = (o: object, prefix = ''): string[] =>
      Object.entries(o).flatMap(([k, v]) =>
        v !== null && typeof v === 'object' && !Array.isArray(v) ? leaves(v, `${prefix}${k}.`) : [`${prefix}${k}`],
      );
    expect(Object.keys(fp).sort()).toEqual(
      leaves(config)
        .filter((k) => !NOT_IN_FINGERPRINT.has(k))
        .sort(),
    );
    expect(fp['lora.r']).toBe(8);
    expect(fp['lora.target_modules']).toBe('all-linear');
    // A field TrainConfig does not have today (another module may add it) is covered as it is.
    const later = { ...config, agent_template: 'hermes', loss_scale: { name: 'default' } } as unknown as TrainConfig;
    expect(configFingerprint(later)).toMatchObject({ agent_template: 'hermes', 'loss_scale.name': 'default' });
    expect(configFingerprint({ ...config, save_steps: 7, logging_steps: 3, eval_steps: 9 })).toEqual(fp);
  });

  it('records: ids, labels and any per-token field count; line numbers and array types do not', () => {
    const d = recordsDigest(records);
    expect(recordsDigest(records.map((r) => ({ ...r, line: r.line + 10 })))).toBe(d);
    expect(
      recordsDigest(records.map((r) => ({ ...r, input_ids: Array.from(r.input_ids), labels: Array.from(r.labels) }))),
    ).toBe(d);
    expect(recordsDigest([records[0], { ...records[1], input_ids: [5, 6, 8] }])).not.toBe(d);
    expect(recordsDigest([records[0], { ...records[1], labels: [-100, -100, 7] }])).not.toBe(d);
    expect(recordsDigest([records[1], records[0]])).not.toBe(d);
    expect(
      recordsDigest(records.map((r) => ({ ...r, loss_weights: Float32Array.from(r.labels, () => 0.5) }))),
    ).not.toBe(d);
    // Train/eval split given by the caller: a record moved from one to the other is another run.
    expect(recordsDigest([records[0]], [records[1]])).not.toBe(recordsDigest(records, []));
  });

  it('model: the spec and every tensor, large ones sampled across their length', () => {
    const spec = parseConfig({
      architectures: ['LlamaForCausalLM'],
      model_type: 'llama',
      hidden_size: 8,
      intermediate_size: 16,
      num_hidden_layers: 1,
      num_attention_heads: 2,
      num_key_value_heads: 1,
      vocab_size: 32,
      max_position_embeddings: 64,
    });
    const big = new Uint8Array(1 << 20);
    const small = new Uint8Array(100);
    const digest = (
      s = spec,
      tensors = [
        { name: 'w', dtype: 'F32', shape: [512, 512], data: big },
        { name: 'n', dtype: 'F32', shape: [25], data: small },
      ],
    ) => {
      const m = new ModelFingerprint(s);
      for (const t of tensors) m.add(t);
      return m.hex();
    };
    const d = digest();
    expect(digest()).toBe(d);
    expect(digest({ ...spec, rope_theta: 500000 })).not.toBe(d);
    // The first and last bytes, and one inside the 8th of the 16 windows.
    for (const at of [0, Math.floor(((big.length - 1024) * 7) / 15) + 100, big.length - 1]) {
      const b = big.slice();
      b[at] ^= 1;
      expect(
        digest(spec, [
          { name: 'w', dtype: 'F32', shape: [512, 512], data: b },
          { name: 'n', dtype: 'F32', shape: [25], data: small },
        ]),
        `byte ${at}`,
      ).not.toBe(d);
    }
    const s2 = small.slice();
    s2[57] = 9;
    expect(
      digest(spec, [
        { name: 'w', dtype: 'F32', shape: [512, 512], data: big },
        { name: 'n', dtype: 'F32', shape: [25], data: s2 },
      ]),
    ).not.toBe(d);
    expect(
      digest(spec, [
        { name: 'w', dtype: 'BF16', shape: [512, 512], data: big },
        { name: 'n', dtype: 'F32', shape: [25], data: small },
      ]),
    ).not.toBe(d);
    expect(() => new ModelFingerprint(spec).hex()).toThrow(/no tensors/);
  });

  it('a mismatch names each differing field, old → new', () => {
    const a = runFingerprint(config, records, undefined, { model: 'a'.repeat(64) });
    const b = runFingerprint(
      { ...config, learning_rate: 2e-4, lora: { ...config.lora, r: 16 } },
      [records[0]],
      undefined,
      { model: 'b'.repeat(64) },
    );
    expect(fingerprintDifferences(a, b).map((d) => d.field)).toEqual([
      'model',
      'dataset',
      'dataset_records',
      'learning_rate',
      'lora.r',
    ]);
    const e = refusal(() => verifyResume({ step: 40, fingerprint: a }, b));
    expect(e.step).toBe(40);
    expect(e.differences).toContainEqual({ field: 'lora.r', old: 8, new: 16 });
    expect(e.message).toMatch(/checkpoint at step 40 belongs to another run/);
    expect(e.message).toContain('model (config and weights): aaaaaaaaaaaa… → bbbbbbbbbbbb…');
    expect(e.message).toContain('dataset_records: 2 → 1');
    expect(e.message).toContain('learning_rate: 0.0001 → 0.0002');
    expect(e.message).toContain('lora.r: 8 → 16');
    // A field only one side has is a difference too.
    const { model: _m, ...noModel } = a;
    expect(fingerprintDifferences(a, noModel)).toEqual([{ field: 'model', old: 'a'.repeat(64), new: undefined }]);
    expect(() => verifyResume({ step: 40, fingerprint: { ...a } }, a)).not.toThrow();
  });

  it('a checkpoint with no fingerprint is refused unless the caller vouches for it', () => {
    const fp = runFingerprint(config, records, undefined);
    const e = refusal(() => verifyResume({ step: 3 }, fp));
    expect(e.unverified).toBe(true);
    expect(e.message).toMatch(/no run fingerprint/);
    expect(() => verifyResume({ step: 3 }, fp, true)).not.toThrow();
  });
});
