// A small PEFT adapter for the built-in tiny demo model, zipped as PEFT saves a folder: what the
// e2e tests import on the Adapters page instead of training one.
import { zipSync } from 'fflate';
import { exportAdapter, type LoraTensor } from '../src/adapters/peft.ts';

/** A small PEFT adapter for the tiny model (hidden 64, 2 layers), zipped the way PEFT saves a folder. */
export async function peftZip(): Promise<Uint8Array> {
  const t: LoraTensor[] = [];
  for (let layer = 0; layer < 2; layer++) {
    for (const module of ['q_proj', 'v_proj'] as const) {
      const out = module === 'q_proj' ? 64 : 32;
      t.push({
        layer,
        module,
        in_features: 64,
        out_features: out,
        A: Float32Array.from({ length: 4 * 64 }, (_, i) => Math.sin(i) / 8),
        B: Float32Array.from({ length: out * 4 }, (_, i) => Math.cos(i) / 16),
      });
    }
  }
  const files = exportAdapter(t, {
    base_model_name_or_path: 'prism/tiny-demo',
    r: 4,
    lora_alpha: 8,
    lora_dropout: 0,
    use_rslora: false,
  });
  return zipSync({ 'my-adapter': Object.fromEntries(files) });
}
