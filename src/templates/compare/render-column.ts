// One column of the Templates page: a record rendered with one template and the current choices,
// with the doctor's findings. A template that refuses the record is a result, not a crash.
import type { Conversation } from '../../data/index.ts';
import {
  doctor,
  getTemplate,
  LossScaleError,
  parseLossScale,
  parseTemplateVars,
  renderChecked,
  TemplateError,
  templateVarNames,
  withLossBase,
  type LossBase,
  type Rendered,
  type RenderOptions,
  type RenderWarning,
  type TemplateId,
  type TemplateSpec,
  type TemplateVars,
} from '../index.ts';
import type { LossPolicy } from '../types.ts';

/** The render options the Templates page offers (also what the stats worker renders with). */
export interface RenderChoices {
  lossPolicy: LossPolicy;
  /** Where `last_round` starts (render's lastRoundBoundary). */
  lastRoundBoundary: 'user' | 'user_or_tool';
  /** Llama 3.1+ `Today Date`; '' means the template's default. */
  date: string;
  /** enable_thinking; null: each template's own default. */
  enableThinking: boolean | null;
  /** The date templates print with strftime_now (YYYY-MM-DD); absent or '': the current date. */
  today?: string;
  /** The official templates' other variables as typed (NAME → text); each column uses those its template reads. */
  vars?: Record<string, string>;
  /** Rewrite tool call ids the template refuses (Mistral Small 3.2). */
  fixToolCallIds?: boolean;
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

const POLICY_BASE: Record<RenderChoices['lossPolicy'], LossBase> = {
  all_assistant: 'default',
  last_round: 'last_round',
  all: 'all',
};

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

/** The typed variables a template reads, parsed; or why one cannot be used (a value it cannot take). */
export function columnVars(c: RenderChoices, spec: TemplateSpec): { vars?: TemplateVars; error?: string } {
  const reads = templateVarNames(spec) as string[];
  const items = Object.entries(c.vars ?? {})
    .filter(([k, v]) => reads.includes(k) && v.trim() !== '')
    .map(([k, v]) => `${k}=${v.trim()}`);
  if (!items.length) return {};
  try {
    return { vars: parseTemplateVars(items, spec) };
  } catch (e) {
    return { error: (e as Error).message };
  }
}

/** The render options of the choices, for one template when given (its variables). */
export function renderOptions(c: RenderChoices, spec?: TemplateSpec): RenderOptions {
  const o: RenderOptions = {
    lossPolicy: c.lossPolicy,
    lastRoundBoundary: c.lastRoundBoundary,
    addGenerationPrompt: c.addGenerationPrompt,
    trainEmptyThink: c.trainEmptyThink,
  };
  if (c.enableThinking !== null) o.enableThinking = c.enableThinking;
  if (c.date.trim()) o.date = c.date.trim();
  if (c.today?.trim()) o.today = c.today.trim();
  if (c.fixToolCallIds) o.fixToolCallIds = true;
  const vars = spec ? columnVars(c, spec).vars : undefined;
  if (vars) o.vars = vars;
  if (c.agentTemplate && c.agentTemplate !== 'native') o.agentTemplate = c.agentTemplate;
  const scale = lossScaleSpec(c).spec;
  if (scale) o.lossScale = scale;
  return o;
}

export function renderColumn(id: TemplateId, conv: Conversation, choices: RenderChoices): ColumnRender {
  const spec = getTemplate(id);
  const bad = columnVars(choices, spec).error;
  if (bad) return { ok: false, error: bad, warnings: [] };
  const opts = renderOptions(choices, spec);
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
