// "Use the model's own template" mode: any Hugging Face chat_template (pasted, or from a
// tokenizer_config.json) rendered with @huggingface/jinja, set up as transformers'
// apply_chat_template (trim_blocks, lstrip_blocks, tojson without ASCII escaping, raise_exception,
// strftime_now: built into @huggingface/jinja's Template; python-strings.ts makes strip(chars),
// trim and strftime_now Python's, the date settable with `today`).
//
// A Jinja template says nothing about which characters belong to which message, so spans come from
// rendering prefixes of the conversation: P_k = messages[0..k) without the generation prompt,
// G_k = the same with it. Message k owns [P_k, P_k+1); for an assistant message [P_k, G_k) is its
// header (template) and [G_k, P_k+1) is what the model writes (content, tool calls, end of turn).
// That is exact when every prefix rendering is a prefix of the full one. Templates that rewrite
// earlier turns (Qwen3 dropping old reasoning, Mistral moving the system prompt to the last user
// turn, R1 opening <think> in the generation prompt) break that; boundaries are then located by
// matching and the result carries an `approximate_spans` warning.
import { Template } from '@huggingface/jinja';
import type { Conversation } from '../../data/types.ts';
import type { LossPolicy, Rendered, RenderWarning, Span } from '../types.ts';
import { trainedMessages, type LossOptions } from '../loss.ts';
import { pythonGlobals, usePythonStrings } from './python-strings.ts';
import { PyValues } from './python-values.ts';
import { toHFMessages, toHFTools, type HFMessage, type HFMessagesOptions } from '../conformance/hf-messages.ts';

export interface JinjaRenderOptions {
  addGenerationPrompt?: boolean;
  /** The tokenizer's special tokens (bos_token, eos_token, ...); null/absent ones stay undefined. */
  specialTokens?: Record<string, string | null>;
  /** Extra template kwargs: enable_thinking, date_string, ... */
  extra?: Record<string, unknown>;
  lossPolicy?: LossPolicy;
  /** Where `last_round` starts: after the last user-or-tool message (default, as ms-swift) or the last user message. */
  lastRoundBoundary?: LossOptions['lastRoundBoundary'];
  /** How the conversation becomes `messages` (tools on the system message for GLM-4 / Phi-4-mini). */
  messagesOptions?: HFMessagesOptions;
  /** The date strftime_now returns, YYYY-MM-DD (default: today, as transformers). */
  today?: string;
}

/** The template refused the conversation (raise_exception) or failed while rendering. */
export class JinjaTemplateError extends Error {
  override name = 'JinjaTemplateError';
}

const templateCache = new Map<string, Template>();

/** Parses once per template text (parsing is most of the cost for short conversations). */
export function compileChatTemplate(chatTemplate: string): Template {
  let t = templateCache.get(chatTemplate);
  if (!t) {
    try {
      t = usePythonStrings(new Template(chatTemplate));
    } catch (e) {
      throw new JinjaTemplateError(`cannot parse chat template: ${(e as Error).message}`);
    }
    if (templateCache.size > 64) templateCache.clear();
    templateCache.set(chatTemplate, t);
  }
  return t;
}

/** The text the template renders for `messages`, with the same kwargs apply_chat_template passes. */
export function renderChatTemplate(
  template: Template,
  messages: HFMessage[],
  tools: unknown[] | null,
  addGenerationPrompt: boolean,
  specialTokens: Record<string, string | null> = {},
  extra: Record<string, unknown> = {},
  today?: string,
): string {
  const kwargs: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(specialTokens)) if (v !== null && v !== undefined) kwargs[k] = v;
  Object.assign(kwargs, extra);
  // Converted on entry (python-values.ts: Python's floats and key order); callers' objects stay untouched.
  return template.render({
    ...kwargs,
    messages: new PyValues(messages),
    tools: tools === null ? null : new PyValues(tools),
    documents: null,
    add_generation_prompt: addGenerationPrompt,
    ...pythonGlobals(today),
  });
}

export function renderWithJinja(chatTemplate: string, conv: Conversation, opts: JinjaRenderOptions = {}): Rendered {
  const template = compileChatTemplate(chatTemplate);
  const messages = toHFMessages(conv, opts.messagesOptions);
  const tools = opts.messagesOptions?.toolsOnSystemMessage ? null : toHFTools(conv);
  const addGen = opts.addGenerationPrompt ?? false;
  const specials = opts.specialTokens ?? {};
  const render = (k: number, gen: boolean): string =>
    renderChatTemplate(template, messages.slice(0, k), tools, gen, specials, opts.extra ?? {}, opts.today);

  let text: string;
  try {
    text = render(messages.length, addGen);
  } catch (e) {
    throw new JinjaTemplateError((e as Error).message);
  }

  const n = messages.length;
  // Each prefix is rendered once (the header and the end of a turn both look at P_k).
  const rendered = new Map<string, string | undefined>();
  const tryRender = (k: number, gen: boolean): string | undefined => {
    const key = `${k}:${gen}`;
    if (rendered.has(key)) return rendered.get(key);
    let out: string | undefined;
    try {
      out = render(k, gen);
    } catch {
      out = undefined;
    }
    rendered.set(key, out);
    return out;
  };
  // Trailers a template prints only at the very end (Phi-3.5 / Phi-4-mini append eos_token when
  // there is no generation prompt): a prefix that ends with one is still exact without it.
  // Same for whatever an empty conversation renders beyond the full text's start (the original
  // Llama 3 template prints an assistant header after the last message even without the prompt).
  const trailers = Object.values(specials).filter((s): s is string => typeof s === 'string' && s.length > 0);
  const p0 = tryRender(0, false);
  if (p0 !== undefined) {
    const t0 = p0.slice(commonPrefix(p0, text));
    if (t0 && !trailers.includes(t0)) trailers.unshift(t0);
  }

  let approximate = false;
  const reasons: string[] = [];
  // pos[k]: where message k starts in `text` (pos[n]: where the last one ends); head[k]: where an
  // assistant message's own text starts, after its header.
  const pos: number[] = new Array<number>(n + 1).fill(0);
  const head: number[] = new Array<number>(n).fill(0);

  const locate = (
    prefix: string | undefined,
    lower: number,
    upper: number,
    kind: 'end' | 'header',
    content = '',
    k = 0,
  ): number => {
    if (prefix === undefined) {
      approximate = true;
      reasons.push('a prefix of the conversation could not be rendered');
      return lower;
    }
    if (text.startsWith(prefix)) return clamp(prefix.length, lower, upper);
    for (const t of trailers) {
      if (prefix.endsWith(t) && text.startsWith(prefix.slice(0, prefix.length - t.length))) {
        return clamp(prefix.length - t.length, lower, upper);
      }
    }
    approximate = true;
    const common = commonPrefix(prefix, text);
    if (kind === 'header') {
      // The generation prompt is what add_generation_prompt adds to P_k (G_k minus P_k), not the
      // part of G_k after where it stops matching the text: that cut can fall inside a token.
      const p = tryRender(k, false);
      const prompt =
        p !== undefined && prefix.startsWith(p) ? prefix.slice(p.length) : prefix.slice(commonPrefix(prefix, p ?? ''));
      const there = text.slice(lower, lower + Math.max(prompt.length, 12));
      reasons.push(
        `messages[${k}] (assistant) does not start with the generation prompt ${JSON.stringify(prompt)} in the ` +
          `rendered text (it starts with ${JSON.stringify(there)})`,
      );
      return clamp(common, lower, upper);
    }
    // Where the prefix stops matching decides how: if the message's own text is in the unmatched
    // rest, the template rewrote that turn and its tail is searched for; otherwise the template only
    // closed a block it keeps open when more follows (Qwen2.5 joining tool results), so the
    // matching part is the message.
    const rest = prefix.slice(common);
    const visible = content.trim();
    if (visible && rest.includes(visible)) {
      reasons.push('the template renders a turn differently once later turns follow');
      return clamp(endOfLongestSuffix(prefix, text, lower), lower, upper);
    }
    reasons.push(`the template closes a turn with ${JSON.stringify(rest.slice(0, 40))} only when it is the last one`);
    return clamp(common, lower, upper);
  };

  const dropped: RenderWarning[] = [];
  pos[0] = p0 !== undefined && text.startsWith(p0) ? p0.length : 0;
  for (let k = 0; k < n; k++) {
    const m = messages[k]!;
    const content = typeof m.content === 'string' ? m.content : '';
    const upTo = k + 1 === n && !addGen ? text : tryRender(k + 1, false);
    pos[k + 1] = locate(upTo, pos[k], text.length, 'end', content);
    // A message the template writes nothing for (GLM-4-9b-chat prints a message only when its
    // content is non-empty, so a tool-call turn vanishes): no header to find, and it is lost.
    const before = tryRender(k, false);
    if (upTo !== undefined && before !== undefined && upTo === before) {
      head[k] = pos[k];
      const calls = m.tool_calls?.length ?? 0;
      if (content.trim() || calls) {
        const what = [
          content.trim() ? 'its content' : '',
          calls ? `its ${calls} tool call${calls === 1 ? '' : 's'}` : '',
        ]
          .filter(Boolean)
          .join(' and ');
        dropped.push({
          code: 'message_not_rendered',
          message:
            `the template writes nothing for messages[${k}] ` +
            `(${m.role}): ${what} ${calls > 1 || (calls && content.trim()) ? 'are' : 'is'} not ` +
            `in the prompt and not trained`,
        });
      }
      continue;
    }
    if (m.role === 'assistant') {
      head[k] = locate(tryRender(k, true), pos[k], pos[k + 1], 'header', '', k);
    }
  }

  // Loss flags per HF message (a system message added for tools, or the record's system prompt,
  // comes first and follows the policy like any non-assistant message).
  const policy = opts.lossPolicy ?? 'all_assistant';
  const convFlags = trainedMessages(conv.messages, { lossPolicy: policy, lastRoundBoundary: opts.lastRoundBoundary });
  const offset = n - conv.messages.length;
  const trained = messages.map((_, i) => (i < offset ? policy === 'all' : convFlags[i - offset]!));
  const all = policy === 'all';

  const spans: Span[] = [];
  const add = (start: number, end: number, role: Span['role'], trainable: boolean): void => {
    if (end <= start) return;
    const last = spans.at(-1);
    if (last && last.role === role && last.trainable === trainable && last.end === start) last.end = end;
    else spans.push({ start, end, role, trainable });
  };

  add(0, pos[0], 'template', all);
  for (let k = 0; k < n; k++) {
    const m = messages[k]!;
    const [s, e] = [pos[k], pos[k + 1]];
    if (m.role === 'assistant') {
      add(s, head[k], 'template', all);
      // As the built-in templates: the turn is trained through its end-of-turn token
      // (eos_token), not the separator whitespace the template prints after it.
      const eos = specials.eos_token;
      const at = eos ? text.lastIndexOf(eos, e - eos.length) : -1;
      const end = at >= head[k] && /^\s+$/.test(text.slice(at + eos!.length, e)) ? at + eos!.length : e;
      add(head[k], end, 'assistant', trained[k]!);
      add(end, e, 'template', all);
    } else {
      const role: Span['role'] = m.role;
      const content = typeof m.content === 'string' ? m.content : '';
      const seg = text.slice(s, e);
      let at = content ? seg.indexOf(content) : -1;
      let len = content.length;
      if (at < 0 && content.trim()) {
        at = seg.indexOf(content.trim());
        len = content.trim().length;
      }
      if (at >= 0) {
        add(s, s + at, 'template', all);
        add(s + at, s + at + len, role, trained[k]!);
        add(s + at + len, e, 'template', all);
      } else {
        add(s, e, content.trim() ? role : 'template', all || (trained[k]! && content.trim() !== ''));
      }
    }
  }
  // After the last message: the generation prompt (never trained), or a trailer such as Phi's
  // eos_token that closes a final assistant turn (trained with it).
  const lastTrained = n > 0 && messages[n - 1]!.role === 'assistant' && !addGen && trained[n - 1]!;
  const tail = text.slice(pos[n]);
  const isEndToken = Object.values(specials).includes(tail);
  add(pos[n], text.length, 'template', all || (lastTrained && isEndToken));

  const warnings: RenderWarning[] = [...dropped];
  if (approximate) {
    warnings.push({
      code: 'approximate_spans',
      message:
        `spans are approximate: ${[...new Set(reasons)].join('; ')} (the template rewrites earlier turns, so ` +
        `message boundaries were located by matching)`,
    });
  }
  return { text, spans, warnings };
}

function clamp(x: number, lo: number, hi: number): number {
  return Math.min(Math.max(x, lo), hi);
}

function commonPrefix(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  return i;
}

/**
 * Where the prefix rendering's ending reappears in the full text: the end of the first occurrence
 * (at or after `from`) of the longest suffix of `prefix` found there. A rewritten turn usually keeps
 * its tail (the visible answer and end-of-turn marker) even when its start changed.
 */
function endOfLongestSuffix(prefix: string, text: string, from: number): number {
  let lo = 0; // a suffix of this length is known to occur
  let hi = prefix.length;
  let best = from;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    const at = text.indexOf(prefix.slice(prefix.length - mid), from);
    if (at >= 0) {
      lo = mid;
      best = at + mid;
    } else hi = mid - 1;
  }
  if (lo === 0) return from;
  if (best < from) best = from;
  // best was set by the last successful probe, which may be shorter than lo; recompute for lo.
  const at = text.indexOf(prefix.slice(prefix.length - lo), from);
  return at >= 0 ? at + lo : best;
}
