// `prism swift-command --adapter DIR | --config FILE.json`: the ms-swift 4.x commands equivalent
// to a Prism run: `swift sft` (the same LoRA training at scale) and `swift export --merge_lora true`
// (the adapter folded into the base model). The run's config comes from the adapter folder's
// prism.json (or trainer_state.json, which `prism train` writes), or from a TrainConfig JSON.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { requireString, UsageError, type Command } from '../command.ts';
import { parsePrismJson, PRISM_JSON_FILE, type PrismRunInfo } from '../../adapters/prism-json.ts';
import { validateTrainConfig, type TrainConfig } from '../../train/config.ts';
import { hubModelId, NO_HUB_ID_NOTE } from '../../train/provenance.ts';
import { BASE_MODEL_PLACEHOLDER, SwiftCommandError, swiftCommand, swiftExportCommand } from '../../train/swift.ts';
import { datasetPathInZip } from '../../adapters/zip.ts';

async function readJson(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new UsageError(`${path}: cannot read it`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new UsageError(`${path}: not valid JSON (${(err as Error).message})`);
  }
}

/** A run's config (and prism.json when there is one) from an adapter folder. */
async function fromAdapter(dir: string): Promise<{ config: TrainConfig; info: PrismRunInfo | null }> {
  try {
    const info = parsePrismJson(await readFile(join(dir, PRISM_JSON_FILE), 'utf8'));
    return { config: info.config, info };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const state = (await readJson(join(dir, 'trainer_state.json')).catch(() => null)) as { config?: TrainConfig } | null;
  if (!state?.config)
    throw new UsageError(
      `${dir}: no ${PRISM_JSON_FILE} or trainer_state.json with the run's config (was it trained by Prism?)`,
    );
  return { config: state.config, info: null };
}

export const swiftCommandCli: Command = {
  name: 'swift-command',
  summary: 'Print the ms-swift 4.x commands (swift sft, swift export) for a run',
  help: `Usage: prism swift-command --adapter DIR [options]
       prism swift-command --config FILE.json [options]

Prints the \`swift sft\` command (ms-swift 4.x) that runs the same LoRA training on GPUs, and the
\`swift export --merge_lora true\` command that merges the adapter into the base model. Every flag
is one ms-swift's argument dataclasses define; the template, system prompt, agent template, loss
scale and thinking options are chosen so that ms-swift renders what Prism trained on.

Options:
  --adapter DIR      a Prism adapter folder (prism.json, or trainer_state.json from prism train)
  --config FILE      a TrainConfig JSON (or a prism.json / trainer_state.json holding one)
  --model-id ID      the base model's Hugging Face Hub id (when the run used a local folder)
  --dataset PATH     the dataset path in the command (default: the run's dataset file name)
  --output-dir DIR   swift sft's output folder (default: output)
`,
  options: {
    adapter: { type: 'string' },
    config: { type: 'string' },
    'model-id': { type: 'string' },
    dataset: { type: 'string' },
    'output-dir': { type: 'string' },
  },
  async run(args) {
    const adapterDir = args.values.adapter as string | undefined;
    const configFile = args.values.config as string | undefined;
    if (!adapterDir === !configFile) throw new UsageError('give --adapter DIR or --config FILE.json');
    let config: TrainConfig;
    let info: PrismRunInfo | null = null;
    if (adapterDir) ({ config, info } = await fromAdapter(adapterDir));
    else {
      const j = (await readJson(requireString(args, 'config'))) as Record<string, unknown>;
      config = (j && typeof j === 'object' && 'config' in j ? j.config : j) as TrainConfig;
      if (j && (j as { format?: unknown }).format === 'prism.adapter') info = parsePrismJson(JSON.stringify(j));
    }
    const issues = validateTrainConfig(config);
    if (issues.length)
      throw new UsageError(
        `the run's config is not valid: ${issues.map((i) => `${i.field}: ${i.message}`).join('; ')}`,
      );
    const given = args.values['model-id'] as string | undefined;
    if (given !== undefined && !hubModelId(given))
      throw new UsageError(`--model-id ${given} is not a Hub id (owner/name)`);
    const hub = given ?? info?.base_model.hub_id ?? hubModelId(config.model_id);
    const dataset =
      (args.values.dataset as string | undefined) ??
      info?.dataset?.file ??
      (info?.dataset ? datasetPathInZip({ dataset: info.dataset }) : 'train.jsonl');
    const out = (args.values['output-dir'] as string | undefined) ?? 'output';
    const modelId = hub ?? BASE_MODEL_PLACEHOLDER;
    const lines: string[] = [];
    if (!hub) lines.push(`# ${NO_HUB_ID_NOTE} Replace BASE_MODEL below (or pass --model-id).`);
    try {
      lines.push(
        '# The same LoRA training with ms-swift 4.x:',
        swiftCommand(config, { datasetPath: dataset, outputDir: out, modelId }),
        '',
      );
    } catch (err) {
      if (err instanceof SwiftCommandError) throw new UsageError(err.message);
      throw err;
    }
    lines.push(
      adapterDir
        ? '# Merge this adapter into the base model:'
        : `# Merge the trained adapter (a checkpoint under ${out}/) into the base model:`,
      swiftExportCommand(config, {
        adapterPath: adapterDir ?? `${out}/vX-XXXXXXXX-XXXXXX/checkpoint-N`,
        outputDir: `${out}-merged`,
        modelId,
      }),
    );
    process.stdout.write(lines.join('\n') + '\n');
    return 0;
  },
};
