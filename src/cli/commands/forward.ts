// `prism forward`: logits of a token sequence, saved as float32 `logits` [T, V] (DESIGN.md contract).
import { writeFile } from 'node:fs/promises';
import { requireString, UsageError, type Command } from '../command.ts';
import { fsModelSource } from '../fs-source.ts';
import { nodeDevice } from '../node-gpu.ts';
import { writeSafetensors } from '../../model/safetensors/writer.ts';
import { loadAdapter, loadModel } from '../../infer/load.ts';
import { openModel } from '../../model/open.ts';
import { forwardLogits } from '../../infer/runner.ts';
import { AUTOTUNE_HELP, AUTOTUNE_OPTION, autotuneOption, cliAutotune } from '../autotune-option.ts';
import { modelGemmShapes, weightDtype } from '../../engine/kernels/autotune.ts';

export function parseIds(text: string): number[] {
  const ids = text.split(',').map((s) => Number(s.trim()));
  if (!ids.length || ids.some((n) => !Number.isInteger(n) || n < 0))
    throw new UsageError(`--ids must be comma-separated token ids, got ${text}`);
  return ids;
}

export const forward: Command = {
  name: 'forward',
  summary: 'Run a model forward and save the logits',
  help: `Usage: prism forward --model DIR [--adapter DIR] --ids 1,2,3 --out FILE.safetensors

Runs the model (with a PEFT LoRA adapter applied, if given) on the token ids and writes the
float32 tensor "logits" of shape [T, V] to FILE.safetensors.

Options:
${AUTOTUNE_HELP}
`,
  options: {
    model: { type: 'string' },
    adapter: { type: 'string' },
    ids: { type: 'string' },
    out: { type: 'string' },
    ...AUTOTUNE_OPTION,
  },
  async run(args) {
    const autotuneMode = autotuneOption(args);
    const modelDir = requireString(args, 'model');
    const ids = parseIds(requireString(args, 'ids'));
    const out = requireString(args, 'out');
    const adapterDir = args.values.adapter as string | undefined;
    const source = fsModelSource(modelDir);
    const adapterSource = adapterDir ? fsModelSource(adapterDir) : null;
    try {
      // The model's config and tensor list, then the adapter against them, are checked before anything is allocated.
      const opened = await openModel(source);
      const adapter = adapterSource ? await loadAdapter(adapterSource, opened.spec) : null;
      const device = await nodeDevice();
      const { spec } = opened;
      const shapes = modelGemmShapes(spec, {
        tokens: [ids.length],
        dtype: weightDtype(spec.torch_dtype),
        loraRank: adapter?.config.r,
        head: true,
      });
      await cliAutotune(device, shapes, autotuneMode, (s) => process.stderr.write(s));
      const model = await loadModel(source, device, { opened });
      const bad = ids.find((i) => i >= model.spec.vocab_size);
      if (bad !== undefined) throw new UsageError(`--ids: ${bad} is outside the vocabulary (${model.spec.vocab_size})`);
      const logits = await forwardLogits(device, model, ids, adapter);
      const data = new Uint8Array(logits.buffer, logits.byteOffset, logits.byteLength);
      await writeFile(
        out,
        writeSafetensors([{ name: 'logits', dtype: 'F32', shape: [ids.length, model.spec.vocab_size], data }]),
      );
      model.destroy();
      return 0;
    } finally {
      await source.close();
      await adapterSource?.close();
    }
  },
};
