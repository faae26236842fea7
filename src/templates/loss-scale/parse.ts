// `--loss-scale SPEC` → a LossScale, with ms-swift's grammar (swift/loss_scale/mapping.py,
// get_loss_scale): `+`-separated names; a leading base strategy (`default`, `last_round`, `all`)
// is optional (default `default`); no further names means `base` (weight 1 everywhere trained);
// several names chain as ConcatLossScale (weights multiply). Unknown names are refused naming the
// valid ones (ms-swift raises a KeyError).
import { AGENTFLAN, ALPHA_UMI, HERMES, IGNORE_EMPTY_THINK, IGNORE_THINK_PREFIX, QWEN, REACT } from './config.ts';
import { agentflanScale, BASE_SCALE, concatScale, configScale, type PartScale } from './scales.ts';
import type { LossBase, LossScale, WeightedPart } from './types.ts';

/** ms-swift's ALL_BASE_STRATEGY. */
export const LOSS_BASES: readonly LossBase[] = ['default', 'last_round', 'all'];

/** ms-swift's `loss_scale_map`, in its order. */
const SCALES = {
  base: BASE_SCALE,
  ignore_empty_think: configScale(IGNORE_EMPTY_THINK),
  ignore_think_prefix: configScale(IGNORE_THINK_PREFIX),
  react: configScale(REACT),
  hermes: configScale(HERMES),
  qwen: configScale(QWEN),
  agentflan: agentflanScale(AGENTFLAN),
  alpha_umi: configScale(ALPHA_UMI),
} satisfies Record<string, PartScale>;

export type LossScaleName = keyof typeof SCALES;
export const LOSS_SCALE_NAMES = Object.keys(SCALES) as LossScaleName[];

/** A `--loss-scale` spec that ms-swift would refuse; the message names the valid parts. */
export class LossScaleError extends Error {
  override name = 'LossScaleError';
}

const isBase = (s: string): s is LossBase => (LOSS_BASES as readonly string[]).includes(s);
const isName = (s: string): s is LossScaleName => Object.hasOwn(SCALES, s);

export function parseLossScale(spec: string): LossScale {
  const parts = spec.split('+');
  const base: LossBase = isBase(parts[0]) ? parts[0] : 'default';
  const names = isBase(parts[0]) ? parts.slice(1) : parts;
  if (!names.length) names.push('base');
  for (const n of names) {
    if (!isName(n)) {
      const what = n === '' ? 'an empty name' : isBase(n) ? `"${n}" (a base strategy, allowed only first)` : `"${n}"`;
      throw new LossScaleError(
        `loss_scale "${spec}": ${what} is not a loss scale. Write [BASE+]NAME[+NAME...]: BASE one of ` +
          `${LOSS_BASES.join(', ')}; NAME one of ${LOSS_SCALE_NAMES.join(', ')} (e.g. "last_round+react", ` +
          `"hermes+ignore_empty_think")`,
      );
    }
  }
  const scales = names.map((n) => SCALES[n as LossScaleName]);
  const scale = scales.length === 1 ? scales[0] : concatScale(scales);
  return { spec, base, binary: scale.binary, getLossScale: (response, query) => scale.getLossScale(response, query) };
}

/** The base strategy a spec names (`default` when it names none), without parsing its names. */
export function lossScaleBase(spec: string): LossBase {
  const first = spec.split('+')[0];
  return isBase(first) ? first : 'default';
}

/** The spec with its base strategy replaced: `withLossBase('react', 'last_round')` = `last_round+react`. */
export function withLossBase(spec: string, base: LossBase): string {
  const parts = spec.split('+');
  const names = isBase(parts[0]) ? parts.slice(1) : parts;
  if (!names.length) return base;
  return base === 'default' ? names.join('+') : [base, ...names].join('+');
}

/** Where a piece of rendered text sits, for `weighContext` (ms-swift's ContextType). */
export interface ContextInfo {
  /** `response`: an assistant message's content; `suffix`: the template's end marker; `other`: the rest. */
  type: 'response' | 'suffix' | 'other';
  /** The response's query: the message before it (ms-swift's `messages[2 * i]['content']`). */
  query?: string;
  /** The message's own `loss` field (response only). */
  loss?: boolean;
  /** The message's own `loss_scale` field (response only): the whole response gets this weight. */
  lossScale?: number;
  /** In the last round: after the last `user` or `tool` message (ms-swift's get_last_user_round). */
  lastRound: boolean;
}

/**
 * ms-swift's `LossScale._inner_call` for one string context: trained when the message says
 * `loss: true`, or it says nothing and the base strategy trains it (`all`: everything; `default`:
 * responses and suffixes; `last_round`: those in the last round). Trained text gets the message's
 * `loss_scale` when it has one, else the scale's parts; untrained text weighs 0.
 */
export function weighContext(ls: LossScale, context: string, info: ContextInfo): WeightedPart[] {
  const assistant = info.type === 'response' || info.type === 'suffix';
  const loss = info.type === 'response' ? info.loss : undefined;
  const byBase = ls.base === 'all' || (assistant && (ls.base === 'default' || info.lastRound));
  if (!(loss === true || (loss === undefined && byBase))) return [{ text: context, weight: 0 }];
  const lossScale = info.type === 'response' ? info.lossScale : undefined;
  if (lossScale !== undefined) return [{ text: context, weight: lossScale }];
  return ls.getLossScale(context, info.type === 'response' ? info.query : undefined);
}
