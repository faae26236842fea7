// One column of the Templates page: a record rendered with one template and the current choices,
// with the doctor's findings. A template that refuses the record is a result, not a crash.
import type { Conversation } from '../../data/index.ts';
import {
  doctor, getTemplate, LossScaleError, parseLossScale, renderChecked, TemplateError, withLossBase,
  type LossBase, type Rendered, type RenderOptions, type RenderWarning, type TemplateId,
} from '../index.ts';
import type { LossPolicy } from '../types.ts';

/** The render options the Templates page offers (also what the stats worker renders with). */
export interface RenderChoices {
  lossPolicy: LossPolicy;
  /** Where `last_round` starts (render's lastRoundBoundary). */
  lastRoundBoundary: 'user' | 'user_or_tool';
  /** Llama 3.1+ `Today Date`; '' means the template's default. */
  date: string;
  enableThinking: boolean;
  trainEmptyThink: boolean;
  addGenerationPrompt: boolean;
  maxLength: number;
  /** The agent (tool-call) template every built-in column uses: 'native' (each family's own) or an id. */
  agentTemplate: string;
  /**
   * ms-swift loss-scale names after the base (`react`, `hermes+ignore_empty_think`); '' or absent =
   * weight 1 everywhere. The base strategy is `lossPolicy` (lossScaleSpec).
   */
  lossScale?: string;
}

export type ColumnRender = { ok: true; rendered: Rendered } | { ok: false; error: string; warnings: RenderWarning[] };

const POLICY_BASE: Record<RenderChoices['lossPolicy'], LossBase> = { all_assistant: 'default', last_round: 'last_round', all: 'all' };

/**
 * The full loss-scale spec of the choices (`last_round+react`): the names typed on the page under
 * the policy's base strategy. `error` when the names are not ms-swift's (then the policy alone applies).
 */
export function lossScaleSpec(c: Pick<RenderChoices, 'lossPolicy' | 'lossScale'>): { spec?: string; error?: string } {
  const names = (c.lossScale ?? '').trim();
  if (!names) return {};
  const spec = withLossBase(names, POLICY_BASE[c.lossPolicy]);
  try {
    parseLossScale(spec);
    return { spec };
  } catch (e) {
    if (e instanceof LossScaleError) return { error: e.message };
    throw e;
  }
}

export function renderOptions(c: RenderChoices): RenderOptions {
  const o: RenderOptions = {
    lossPolicy: c.lossPolicy,
    lastRoundBoundary: c.lastRoundBoundary,
    addGenerationPrompt: c.addGenerationPrompt,
    enableThinking: c.enableThinking,
    trainEmptyThink: c.trainEmptyThink,
  };
  if (c.date.trim()) o.date = c.date.trim();
  if (c.agentTemplate && c.agentTemplate !== 'native') o.agentTemplate = c.agentTemplate;
  const { spec } = lossScaleSpec(c);
  if (spec) o.lossScale = spec;
  return o;
}

export function renderColumn(id: TemplateId, conv: Conversation, choices: RenderChoices): ColumnRender {
  const spec = getTemplate(id);
  const opts = renderOptions(choices);
  try {
    return { ok: true, rendered: renderChecked(spec, conv, opts) };
  } catch (e) {
    if (!(e instanceof TemplateError)) return { ok: false, error: (e as Error).message, warnings: [] };
    return { ok: false, error: e.message, warnings: doctor(spec, conv, opts) };
  }
}

/** Characters in trainable spans over all characters. */
export function trainedCharShare(r: Rendered): number {
  let k = 0;
  for (const s of r.spans) if (s.trainable) k += s.end - s.start;
  return r.text.length ? k / r.text.length : 0;
}
