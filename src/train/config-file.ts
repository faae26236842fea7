// A training config as a JSON file: what the Train page saves and loads. The file is the
// TrainConfig itself (the same object prism.json and trainer_state.json carry under "config",
// which load too). Loading names every problem by its field: unknown fields (a typo would
// otherwise be dropped in silence), wrong types and values (validateTrainConfig), unknown
// templates. Missing fields take ms-swift's defaults (config.ts), as the CLI's flags do.
import { templateIds } from '../templates/specs.ts';
import { DEFAULT_LORA, defaultTrainConfig, validateTrainConfig, type ConfigIssue, type TrainConfig } from './config.ts';

export const CONFIG_FILE_NAME = 'prism-train-config.json';

export class ConfigFileError extends Error {
  override name = 'ConfigFileError';
  constructor(
    readonly file: string,
    readonly issues: ConfigIssue[],
  ) {
    super(`${file}: ${issues.map((i) => `${i.field}: ${i.message}`).join('; ')}`);
  }
}

/** The file's text: the config, pretty-printed, fields in TrainConfig's order. */
export function trainConfigJson(cfg: TrainConfig): string {
  return JSON.stringify(cfg, null, 2) + '\n';
}

const TOP_FIELDS = new Set<string>([
  ...Object.keys(defaultTrainConfig({ model_id: '', template: '' })),
  'agent_template',
  'loss_policy',
]);
const LORA_FIELDS = new Set<string>(Object.keys(DEFAULT_LORA));

/** Levenshtein distance, for "did you mean" (field names are short). */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++)
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length];
}

/** "unknown field" with the nearest real name when one is close (a typo), else the list of names. */
function unknownField(name: string, known: Set<string>, where: string): string {
  const near = [...known].map((k) => [k, distance(name, k)] as const).sort((x, y) => x[1] - y[1])[0];
  if (near && near[1] <= Math.max(2, Math.floor(name.length / 4)))
    return `unknown field "${name}": did you mean "${near[0]}"?`;
  return `unknown field "${name}" (${where} has ${[...known].join(', ')})`;
}

/** JSON.parse's message plus the line and column of its position, when it gives one. */
function jsonError(text: string, err: Error): string {
  const pos = /position (\d+)/.exec(err.message);
  if (!pos || /line \d+/.test(err.message)) return err.message;
  const before = text.slice(0, Number(pos[1]));
  const line = before.split('\n').length;
  const col = before.length - before.lastIndexOf('\n');
  return `${err.message} (line ${line}, column ${col})`;
}

/**
 * The TrainConfig in a file's text (a saved config, or prism.json / trainer_state.json with a
 * "config" object). Throws a ConfigFileError naming each bad field; never half-applies.
 */
export function parseTrainConfigJson(text: string, file = CONFIG_FILE_NAME): TrainConfig {
  let j: unknown;
  try {
    j = JSON.parse(text);
  } catch (err) {
    throw new ConfigFileError(file, [{ field: '(file)', message: `not valid JSON: ${jsonError(text, err as Error)}` }]);
  }
  if (j && typeof j === 'object' && !Array.isArray(j) && !('model_id' in j) && 'config' in j)
    j = (j as { config: unknown }).config;
  if (!j || typeof j !== 'object' || Array.isArray(j)) {
    throw new ConfigFileError(file, [
      {
        field: '(file)',
        message: 'must be a JSON object of training settings (model_id, template, lora, learning_rate, …)',
      },
    ]);
  }
  const o = j as Record<string, unknown>;
  const issues: ConfigIssue[] = [];
  for (const k of Object.keys(o))
    if (!TOP_FIELDS.has(k)) issues.push({ field: k, message: unknownField(k, TOP_FIELDS, 'TrainConfig') });
  const lora = o.lora;
  if (lora !== undefined && (lora === null || typeof lora !== 'object' || Array.isArray(lora))) {
    issues.push({ field: 'lora', message: 'lora must be an object such as {"r": 8, "lora_alpha": 32}' });
  } else if (lora) {
    for (const k of Object.keys(lora))
      if (!LORA_FIELDS.has(k)) issues.push({ field: `lora.${k}`, message: unknownField(k, LORA_FIELDS, 'lora') });
  }
  if (issues.length) throw new ConfigFileError(file, issues);
  if (typeof o.model_id !== 'string' || typeof o.template !== 'string') {
    const missing = ['model_id', 'template'].filter((f) => typeof o[f] !== 'string');
    throw new ConfigFileError(
      file,
      missing.map((f) => ({ field: f, message: `${f} is required (a string)` })),
    );
  }
  const cfg = defaultTrainConfig(o as unknown as Parameters<typeof defaultTrainConfig>[0]);
  const found = validateTrainConfig(cfg);
  if (!(templateIds as readonly string[]).includes(cfg.template)) {
    found.unshift({
      field: 'template',
      message: `unknown template "${cfg.template}" (built in: ${templateIds.join(', ')})`,
    });
  }
  if (found.length) throw new ConfigFileError(file, found);
  return cfg;
}
