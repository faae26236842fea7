// `prism forward --adapter` as a user runs it: an adapter that does not fit the base model (its
// shapes), has non-finite values or a mistyped adapter_config.json is refused before any weight
// is uploaded, naming the tensor or field, with exit 1 and no logits written. (Every other case
// of the check is in src/adapters/peft.test.ts, without a process per case.)
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { prism } from '../testing.ts';
import { exportAdapter, peftKey, type LoraTensor } from '../../adapters/peft.ts';
import { makeTinyModel } from '../../model/tiny.ts';
import { writeFiles } from '../../train/testing.ts';

const dir = mkdtempSync(join(tmpdir(), 'prism-forward-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Hidden 32, 4 heads of 8, 2 KV heads (k/v 16 wide), intermediate 48, 2 layers.
const tm = makeTinyModel({
  arch: 'llama',
  hidden: 32,
  layers: 2,
  heads: 4,
  kvHeads: 2,
  intermediate: 48,
  seed: 1,
  dtype: 'float32',
  tokenizer: 'bytes',
});
const model = join(dir, 'model');
writeFiles(model, tm.files);

function adapter(name: string, tensors: LoraTensor[], config: Record<string, unknown> = {}): string {
  const files = exportAdapter(tensors, {
    base_model_name_or_path: 'test/tiny',
    r: 2,
    lora_alpha: 4,
    lora_dropout: 0,
    use_rslora: false,
  });
  const cfg = JSON.parse(new TextDecoder().decode(files.get('adapter_config.json')));
  files.set('adapter_config.json', new TextEncoder().encode(JSON.stringify({ ...cfg, ...config })));
  writeFiles(join(dir, name), files);
  return join(dir, name);
}
const q = (layer: number, inF = 32, outF = 32, fill = 0.01): LoraTensor => ({
  layer,
  module: 'q_proj',
  in_features: inF,
  out_features: outF,
  A: new Float32Array(2 * inF).fill(fill),
  B: new Float32Array(outF * 2).fill(fill),
});

describe('prism forward --adapter', () => {
  it.each([
    [
      'NaN values',
      () => {
        const t = q(1);
        t.B[5] = NaN;
        return adapter('nan', [q(0), t]);
      },
      `tensor "${peftKey(1, 'q_proj', 'B')}" holds NaN at [2, 1]`,
    ],
    [
      "another base's shapes",
      () => adapter('wide', [q(0, 64, 64)]),
      `tensor "${peftKey(0, 'q_proj', 'A')}" has shape [2,64], expected [2,32]`,
    ],
    [
      'use_rslora: "yes"',
      () => adapter('rslora', [q(0)], { use_rslora: 'yes' }),
      'adapter_config.json: use_rslora must be true or false, got "yes"',
    ],
  ])('refuses an adapter with %s, naming it, exit 1, no logits', async (_, make, message) => {
    const folder = make();
    const out = join(dir, `${folder.split('/').pop()}.safetensors`);
    const r = await prism('forward', '--model', model, '--adapter', folder, '--ids', '1,2,3', '--out', out);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^prism forward: [^\n]+ — check --adapter: [^\n]+\n$/);
    expect(r.stderr).toContain(message);
    expect(r.stderr).toContain(folder);
    expect(existsSync(out)).toBe(false);
  });
});
