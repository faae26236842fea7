// `prism generate`: render the prompt with a chat template, generate with the KV cache, and
// stream the reply to stdout.
import { optionalNumber, requireString, UsageError, type Command } from '../command.ts';
import { fsModelSource } from '../fs-source.ts';
import { nodeDevice } from '../node-gpu.ts';
import { eosList } from '../../model/config.ts';
import { getTemplate, render } from '../../templates/index.ts';
import { generate as run } from '../../infer/generate.ts';
import { loadAdapter, loadModel, modelTokenizer } from '../../infer/load.ts';
import { openModel } from '../../model/open.ts';
import { createKvRunner, kvNextLogits } from '../../infer/runner.ts';
import { AUTOTUNE_HELP, AUTOTUNE_OPTION, autotuneOption, cliAutotune } from '../autotune-option.ts';
import { modelGemmShapes, weightDtype } from '../../engine/kernels/autotune.ts';

export const generate: Command = {
  name: 'generate',
  summary: 'Generate a reply',
  help: `Usage: prism generate --model DIR [--adapter DIR] --template ID --prompt TEXT [options]

Renders the prompt as one user turn with the chat template (generation prompt added), then
generates with a KV cache and streams the reply to stdout. Stops at the model's eos ids, the
template's stop strings, or --max-new-tokens.

Options:
  --adapter DIR          a PEFT LoRA adapter folder, applied unmerged
  --system TEXT          a system prompt
  --max-new-tokens N     default 128
  --temperature T        0 (default) is greedy
  --top-k K              default 0 (off)
  --top-p P              default 1 (off)
  --seed N               sampling seed (default 0)
${AUTOTUNE_HELP}
`,
  options: {
    model: { type: 'string' },
    adapter: { type: 'string' },
    template: { type: 'string' },
    prompt: { type: 'string' },
    system: { type: 'string' },
    'max-new-tokens': { type: 'string' },
    temperature: { type: 'string' },
    'top-k': { type: 'string' },
    'top-p': { type: 'string' },
    seed: { type: 'string' },
    ...AUTOTUNE_OPTION,
  },
  async run(args) {
    const autotuneMode = autotuneOption(args);
    const modelDir = requireString(args, 'model');
    const templateId = requireString(args, 'template');
    const prompt = requireString(args, 'prompt');
    const system = args.values.system as string | undefined;
    const maxNew = optionalNumber(args, 'max-new-tokens') ?? 128;
    if (!Number.isInteger(maxNew) || maxNew < 1)
      throw new UsageError(`--max-new-tokens must be a positive integer, got ${maxNew}`);
    const temperature = optionalNumber(args, 'temperature') ?? 0;
    const top_k = optionalNumber(args, 'top-k') ?? 0;
    const top_p = optionalNumber(args, 'top-p') ?? 1;
    const seed = optionalNumber(args, 'seed') ?? 0;
    if (temperature < 0 || top_k < 0 || !(top_p > 0 && top_p <= 1))
      throw new UsageError('--temperature ≥ 0, --top-k ≥ 0 and 0 < --top-p ≤ 1');
    let template;
    try {
      template = getTemplate(templateId);
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
    const adapterDir = args.values.adapter as string | undefined;
    const source = fsModelSource(modelDir);
    const adapterSource = adapterDir ? fsModelSource(adapterDir) : null;
    try {
      // The model's config and tensor list, then the adapter against them, are checked before anything is allocated.
      const opened = await openModel(source);
      const adapter = adapterSource ? await loadAdapter(adapterSource, opened.spec) : null;
      const device = await nodeDevice();
      const model = await loadModel(source, device, { opened });
      const tokenizer = modelTokenizer(model, modelDir);
      const rendered = render(
        template,
        {
          system,
          messages: [{ role: 'user', content: prompt }],
          source: { format: 'messages', line: 1 },
        } as Parameters<typeof render>[1],
        { addGenerationPrompt: true },
      );
      const ids = Array.from(tokenizer.encode(rendered.text, { add_special_tokens: false }) as ArrayLike<number>);
      // The prompt's prefill, then one row per decode step.
      const shapes = modelGemmShapes(model.spec, {
        tokens: [ids.length, 1],
        dtype: weightDtype(model.spec.torch_dtype),
        loraRank: adapter?.config.r,
        head: true,
      });
      await cliAutotune(device, shapes, autotuneMode, (s) => process.stderr.write(s));
      const { kv, destroy } = createKvRunner(device, model, ids.length + maxNew, adapter);
      // Template stop tokens end the reply as text (decoded with special tokens kept).
      const eos = new Set(eosList(model.spec));
      for await (const piece of run(kvNextLogits(kv), ids, {
        max_new_tokens: maxNew,
        temperature,
        top_k,
        top_p,
        seed,
        eos_token_ids: [...eos],
        stop: template.stop,
        decode: (out) => tokenizer.decode(out, { skip_special_tokens: false }),
      }))
        process.stdout.write(piece.text);
      process.stdout.write('\n');
      destroy();
      model.destroy();
      return 0;
    } finally {
      await source.close();
      await adapterSource?.close();
    }
  },
};
