// What differs between two runs' settings, field by field, named as TrainConfig names them
// (`lora.r` for nested fields, as validateTrainConfig reports them): the run comparison shows
// each run's settings against the first selected run's.
import type { TrainConfig } from './config.ts';

export type ConfigValue = string | number | boolean | null;

export interface ConfigDifference {
  /** Dotted TrainConfig path, e.g. "learning_rate", "lora.r". */
  field: string;
  /** undefined: the field is absent from that config (an imported adapter's partial settings, an older run). */
  base: ConfigValue | undefined;
  other: ConfigValue | undefined;
}

/** Every leaf of a config as dotted path → value; lists (target_modules) as one comma-joined value. */
export function flattenConfig(cfg: TrainConfig | Record<string, unknown>, prefix = ''): Map<string, ConfigValue> {
  const out = new Map<string, ConfigValue>();
  for (const [k, v] of Object.entries(cfg)) {
    const key = prefix + k;
    if (v === undefined) continue;
    if (Array.isArray(v)) out.set(key, v.map(String).join(','));
    else if (v !== null && typeof v === 'object')
      for (const [kk, vv] of flattenConfig(v as Record<string, unknown>, `${key}.`)) out.set(kk, vv);
    else if (v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') out.set(key, v);
    else out.set(key, String(v));
  }
  return out;
}

/**
 * The fields whose values differ between `base` and `other`, in `base`'s field order, then
 * those only `other` has. Equal fields are left out.
 */
export function configDiff(
  base: TrainConfig | Record<string, unknown>,
  other: TrainConfig | Record<string, unknown>,
): ConfigDifference[] {
  const a = flattenConfig(base);
  const b = flattenConfig(other);
  const out: ConfigDifference[] = [];
  for (const [field, v] of a)
    if (!b.has(field) || b.get(field) !== v) out.push({ field, base: v, other: b.get(field) });
  for (const [field, v] of b) if (!a.has(field)) out.push({ field, base: undefined, other: v });
  return out;
}
