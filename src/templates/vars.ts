// The official templates' own variables as render options (`--var NAME=VALUE`): parsed and checked
// against what the chosen template reads (its spec's `vars`), each refusal naming the variable and
// the values it takes.
import type { TemplateSpec, TemplateVars } from './spec.ts';

export class TemplateVarError extends Error {
  override name = 'TemplateVarError';
}

type VarName = keyof TemplateVars;

const BOOL = (name: string, v: string): boolean => {
  if (v === 'true') return true;
  if (v === 'false') return false;
  throw new TemplateVarError(`${name} is true or false, got ${JSON.stringify(v)}`);
};

const PARSERS: { [K in VarName]-?: (v: string) => TemplateVars[K] } = {
  reasoning_effort: (v) => {
    if (!['low', 'medium', 'high'].includes(v))
      throw new TemplateVarError(`reasoning_effort is low, medium or high, got ${JSON.stringify(v)}`);
    return v;
  },
  model_identity: (v) => v,
  builtin_tools: (v) => {
    const names = v === '' ? [] : v.split(',');
    for (const n of names)
      if (n !== 'browser' && n !== 'python')
        throw new TemplateVarError(
          `builtin_tools lists browser and/or python (comma-separated), got ${JSON.stringify(n)}`,
        );
    return names;
  },
  thinking_budget: (v) => {
    const n = Number(v);
    if (!/^-?\d+$/.test(v) || n < -1)
      throw new TemplateVarError(`thinking_budget is a whole number of tokens, -1 for none, got ${JSON.stringify(v)}`);
    return n;
  },
  keep_past_thinking: (v) => BOOL('keep_past_thinking', v),
  clear_thinking: (v) => BOOL('clear_thinking', v),
  thinking: (v) => BOOL('thinking', v),
};

export const TEMPLATE_VAR_NAMES = Object.keys(PARSERS) as VarName[];

/** The variables `spec` reads (beyond enable_thinking and today, which have their own options). */
export function templateVarNames(spec: TemplateSpec): VarName[] {
  return (spec.vars ?? []).map((v) => v.name).filter((n): n is VarName => (TEMPLATE_VAR_NAMES as string[]).includes(n));
}

/** `NAME=VALUE` items → TemplateVars for `spec`; refuses a name the template does not read. */
export function parseTemplateVars(items: string[], spec: TemplateSpec): TemplateVars {
  const out: TemplateVars = {};
  const reads = templateVarNames(spec);
  for (const item of items) {
    const eq = item.indexOf('=');
    if (eq <= 0) throw new TemplateVarError(`expected NAME=VALUE, got ${JSON.stringify(item)}`);
    const name = item.slice(0, eq) as VarName;
    if (!(TEMPLATE_VAR_NAMES as string[]).includes(name)) {
      throw new TemplateVarError(
        `unknown template variable ${JSON.stringify(name)} (known: ${TEMPLATE_VAR_NAMES.join(', ')})`,
      );
    }
    if (!reads.includes(name)) {
      throw new TemplateVarError(
        `${spec.id}'s template does not read ${name} (it reads: ${reads.join(', ') || 'none of them'})`,
      );
    }
    (out as Record<string, unknown>)[name] = PARSERS[name](item.slice(eq + 1));
  }
  return out;
}

/** `today` as the official templates read it: a date written YYYY-MM-DD. */
export function checkToday(today: string): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(today) || Number.isNaN(Date.parse(today + 'T00:00:00Z'))) {
    throw new TemplateVarError(`today is a date written YYYY-MM-DD, got ${JSON.stringify(today)}`);
  }
  return today;
}
