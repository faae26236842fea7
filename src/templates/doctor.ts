// The template doctor: what will go wrong, or differently, when a record is rendered with one
// template. Render-time findings (system merged or dropped, tools rewritten as ReAct, thinking
// dropped, content dropped next to a call) come from render(); this adds content checks.
import type { Conversation } from '../data/types.ts';
import { render, TemplateError, type RenderOptions } from './render.ts';
import type { TemplateSpec } from './spec.ts';
import type { Rendered, RenderWarning } from './types.ts';

export interface DoctorOptions extends RenderOptions {
  /** Warn when the rendered text is longer than this many characters (default 32768). */
  maxChars?: number;
}

export const DEFAULT_MAX_CHARS = 32768;

/** Every field of the record that reaches the prompt, with a readable path. */
function* texts(conv: Conversation): Generator<[string, string]> {
  if (conv.system !== undefined) yield ['system', conv.system];
  for (const [i, m] of conv.messages.entries()) {
    yield [`messages[${i}].content`, m.content];
    if (m.reasoning_content !== undefined) yield [`messages[${i}].reasoning_content`, m.reasoning_content];
    for (const [k, c] of (m.tool_calls ?? []).entries())
      yield [`messages[${i}].tool_calls[${k}]`, c.name + ' ' + JSON.stringify(c.arguments)];
  }
  for (const [i, t] of (conv.tools ?? []).entries()) yield [`tools[${i}]`, JSON.stringify(t)];
}

/** Content warnings only (no rendering): the template's special tokens written in the data. */
export function contentWarnings(spec: TemplateSpec, conv: Conversation): RenderWarning[] {
  const found = new Map<string, string[]>();
  for (const [path, text] of texts(conv)) {
    for (const tok of spec.specialTokens) {
      if (tok && text.includes(tok)) found.set(tok, [...(found.get(tok) ?? []), path]);
    }
  }
  return [...found].map(([tok, paths]) => ({
    code: 'special_token_in_content',
    message:
      `${paths.join(', ')} contains ${JSON.stringify(tok)}, a special token of ${spec.id}: tokenized as the ` +
      `control token it will break the turn structure`,
  }));
}

export function lengthWarning(spec: TemplateSpec, text: string, maxChars = DEFAULT_MAX_CHARS): RenderWarning[] {
  return text.length > maxChars
    ? [
        {
          code: 'record_too_long',
          message:
            `rendered with ${spec.id} the record is ${text.length} characters, over ` +
            `the ${maxChars} limit: it will be truncated`,
        },
      ]
    : [];
}

/** Renders and adds the doctor's content findings to the result's warnings. */
export function renderChecked(spec: TemplateSpec, conv: Conversation, opts: DoctorOptions = {}): Rendered {
  const r = render(spec, conv, opts);
  return {
    ...r,
    warnings: [...r.warnings, ...contentWarnings(spec, conv), ...lengthWarning(spec, r.text, opts.maxChars)],
  };
}

/**
 * The opt-in fix that makes a refused record render, as a sentence, or undefined when none does
 * (today: tool call ids the template refuses, rewritten to its form by fixToolCallIds).
 */
export function refusalFix(spec: TemplateSpec, conv: Conversation, opts: RenderOptions = {}): string | undefined {
  if (opts.fixToolCallIds) return undefined;
  try {
    const fixed = render(spec, conv, { ...opts, fixToolCallIds: true });
    if (!fixed.warnings.some((w) => w.code === 'tool_call_ids_rewritten')) return undefined;
  } catch (e) {
    if (!(e instanceof TemplateError)) throw e;
    return undefined;
  }
  return (
    `with fixToolCallIds (prism render/tokenize --fix-tool-call-ids, the Templates page's "fix tool call ids") ` +
    `the tool call ids will be rewritten to the ${spec.id} form and the record renders`
  );
}

/**
 * All findings for one record and template; a refusal is a finding too (`template_refused`), and
 * where an opt-in fix makes the record render (Mistral Small's tool call ids), `fix_available` says so.
 */
export function doctor(spec: TemplateSpec, conv: Conversation, opts: DoctorOptions = {}): RenderWarning[] {
  try {
    return renderChecked(spec, conv, opts).warnings;
  } catch (e) {
    if (!(e instanceof TemplateError)) throw e;
    const out: RenderWarning[] = [
      { code: 'template_refused', message: `${spec.id} refuses this conversation: ${e.message}` },
    ];
    const fix = refusalFix(spec, conv, opts);
    if (fix) out.push({ code: 'fix_available', message: fix });
    return [...out, ...contentWarnings(spec, conv)];
  }
}
