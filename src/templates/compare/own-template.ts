// "Use the model's own template" columns: where the Jinja chat template comes from (pasted text, a
// tokenizer_config.json, a loaded tokenizer), what the column's chips are, and rendering one record
// with it through the jinja mode of src/templates. Pure: no React, no DOM.
import type { Conversation } from '../../data/index.ts';
import type { RenderWarning } from '../index.ts';
import { renderWithJinja } from '../jinja/render.ts';
import type { HFMessagesOptions } from '../conformance/hf-messages.ts';
import type { ColumnRender } from './render-column.ts';
import type { RenderChoices } from './render-column.ts';

export type OwnSourceKind = 'paste' | 'jinja' | 'file' | 'tokenizer';

/** What an own-template column renders with (plain data: it is saved in localStorage). */
export interface OwnTemplateSource {
  kind: OwnSourceKind;
  /** Where it came from, for the column header: "pasted", a file name, a tokenizer's source.
   *  Kind 'jinja' is a chat_template.jinja file (the template's text, as newer models ship it). */
  label: string;
  chatTemplate: string;
  /** The named template picked from a config with several (`default` unless chosen). */
  templateName?: string;
  /** bos_token, eos_token, ... as the template receives them (null = not set). */
  specialTokens: Record<string, string | null>;
  /** The config's other special tokens (added_tokens_decoder, additional_special_tokens). */
  addedSpecial: string[];
  /** With kind 'tokenizer': the loaded tokenizer (tokenizers.ts key) whose config it came from. */
  tokenizerKey?: string;
  /** How tools reach the template (GLM-4 and Phi-4-mini read them from the system message). */
  toolsOnSystemMessage?: HFMessagesOptions['toolsOnSystemMessage'];
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export interface ChatTemplateChoice {
  template: string;
  /** The name picked ('default' for a single template). */
  name: string;
  /** Every name the config offers (one, 'default', for the string form). */
  names: string[];
}

/**
 * The chat_template of a tokenizer_config.json, in either form transformers writes: a string, or a
 * list of {name, template} (also accepted: a {name: template} object). Without `name` the one
 * called `default` is used, as apply_chat_template does; a config with several and no default
 * needs a name.
 */
export function chatTemplateFromConfig(cfg: unknown, name?: string): ChatTemplateChoice {
  if (!cfg || typeof cfg !== 'object' || Array.isArray(cfg))
    throw new ConfigError('not a tokenizer_config.json: expected a JSON object');
  const ct = (cfg as Record<string, unknown>).chat_template;
  if (ct === undefined || ct === null) {
    throw new ConfigError(
      'this tokenizer_config.json has no chat_template (newer models keep it in ' +
        'chat_template.jinja: paste that file instead)',
    );
  }
  if (typeof ct === 'string') {
    if (name !== undefined && name !== 'default')
      throw new ConfigError(`no chat template named ${JSON.stringify(name)}: this config has only one`);
    return { template: ct, name: 'default', names: ['default'] };
  }
  const named = new Map<string, string>();
  if (Array.isArray(ct)) {
    for (const item of ct) {
      const it = item as { name?: unknown; template?: unknown } | null;
      if (!it || typeof it.name !== 'string' || typeof it.template !== 'string') {
        throw new ConfigError('chat_template is a list whose items are not {"name": ..., "template": ...}');
      }
      named.set(it.name, it.template);
    }
  } else if (typeof ct === 'object') {
    for (const [k, v] of Object.entries(ct as Record<string, unknown>)) {
      if (typeof v !== 'string') throw new ConfigError(`chat_template ${JSON.stringify(k)} is not a string`);
      named.set(k, v);
    }
  } else {
    throw new ConfigError('chat_template is neither a string nor a list of named templates');
  }
  const names = [...named.keys()];
  if (names.length === 0) throw new ConfigError('chat_template is an empty list');
  const want = name ?? (named.has('default') ? 'default' : names.length === 1 ? names[0]! : undefined);
  if (want === undefined)
    throw new ConfigError(
      `this config has several chat templates (${names.join(', ')}) and none is called "default": pick one`,
    );
  const template = named.get(want);
  if (template === undefined)
    throw new ConfigError(`no chat template named ${JSON.stringify(want)} (there are: ${names.join(', ')})`);
  return { template, name: want, names };
}

const SPECIAL_KEYS = [
  'bos_token',
  'eos_token',
  'unk_token',
  'sep_token',
  'pad_token',
  'cls_token',
  'mask_token',
] as const;

function tokenContent(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (v && typeof v === 'object' && typeof (v as { content?: unknown }).content === 'string')
    return (v as { content: string }).content;
  return undefined;
}

/**
 * The special_tokens_map apply_chat_template passes to the template: the named special tokens
 * (AddedToken objects reduced to their content); one set to null stays null (the template sees it
 * undefined, as transformers leaves it out).
 */
export function specialTokensFromConfig(cfg: Record<string, unknown>): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  for (const k of SPECIAL_KEYS) {
    if (!(k in cfg)) continue;
    const c = tokenContent(cfg[k]);
    out[k] = c ?? null;
  }
  return out;
}

/** Every other token the config (or tokenizer.json) marks special, for chips and the doctor. */
export function addedSpecialTokens(cfg: Record<string, unknown>, tokenizerJSON?: Record<string, unknown>): string[] {
  const out = new Set<string>();
  const dec = cfg.added_tokens_decoder;
  if (dec && typeof dec === 'object') {
    for (const v of Object.values(dec as Record<string, unknown>)) {
      const t = v as { content?: unknown; special?: unknown };
      if (typeof t?.content === 'string' && t.special === true) out.add(t.content);
    }
  }
  if (Array.isArray(cfg.additional_special_tokens)) {
    for (const v of cfg.additional_special_tokens) {
      const c = tokenContent(v);
      if (c) out.add(c);
    }
  }
  if (tokenizerJSON && Array.isArray(tokenizerJSON.added_tokens)) {
    for (const v of tokenizerJSON.added_tokens as { content?: unknown; special?: unknown }[]) {
      if (typeof v?.content === 'string' && v.special === true) out.add(v.content);
    }
  }
  return [...out];
}

/** An own-template source from a tokenizer_config.json (and its tokenizer.json when loaded). */
export function sourceFromConfig(
  cfg: unknown,
  kind: 'file' | 'tokenizer',
  label: string,
  opts: { name?: string; tokenizerJSON?: Record<string, unknown>; tokenizerKey?: string } = {},
): OwnTemplateSource {
  const choice = chatTemplateFromConfig(cfg, opts.name);
  const c = cfg as Record<string, unknown>;
  const src: OwnTemplateSource = {
    kind,
    label,
    chatTemplate: choice.template,
    specialTokens: specialTokensFromConfig(c),
    addedSpecial: addedSpecialTokens(c, opts.tokenizerJSON),
  };
  if (choice.names.length > 1) src.templateName = choice.name;
  if (opts.tokenizerKey) src.tokenizerKey = opts.tokenizerKey;
  return src;
}

/** Parses the text of a tokenizer_config.json file (a JSON syntax error becomes a ConfigError). */
export function parseConfigText(text: string): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new ConfigError(`not valid JSON: ${(e as Error).message}`);
  }
  if (!v || typeof v !== 'object' || Array.isArray(v))
    throw new ConfigError('not a tokenizer_config.json: expected a JSON object');
  return v as Record<string, unknown>;
}

// Literals in a template that look like control tokens: <|im_start|>, DeepSeek's full-width
// <｜User｜>, Mistral's [INST] / [TOOL_CALLS], Gemma's <start_of_turn>, <s> / </s>. A pasted
// template comes without its tokenizer's list, so its chips are guessed from its own text.
const LOOKS_SPECIAL =
  /<\|[^|<>\s]{1,48}\|>|<｜[^｜<>]{1,48}｜>|\[\/?[A-Z][A-Z_]{1,30}\]|<\/?s>|<(?:start|end)_of_turn>/g;

/** The column's chip tokens: the named special tokens, the config's special tokens the template
 *  prints, and literals that look like control tokens. */
export function chipTokens(src: Pick<OwnTemplateSource, 'chatTemplate' | 'specialTokens' | 'addedSpecial'>): string[] {
  const out = new Set<string>();
  for (const v of Object.values(src.specialTokens)) if (v) out.add(v);
  // Only those the template writes: Llama 3 lists 256 reserved tokens no prompt contains.
  // Whitespace-like or one-character "special" tokens some tokenizers list would chip every line.
  for (const t of src.addedSpecial) if (t.trim().length >= 3 && src.chatTemplate.includes(t)) out.add(t);
  for (const m of src.chatTemplate.matchAll(LOOKS_SPECIAL)) out.add(m[0]);
  return [...out];
}

/** Content that contains one of the column's special tokens (the doctor's finding, for own columns). */
export function ownContentWarnings(conv: Conversation, tokens: string[]): RenderWarning[] {
  const texts: [string, string][] = [];
  if (conv.system) texts.push(['system', conv.system]);
  conv.messages.forEach((m, i) => {
    texts.push([`messages[${i}].content`, m.content]);
    if (m.reasoning_content) texts.push([`messages[${i}].reasoning_content`, m.reasoning_content]);
  });
  const out: RenderWarning[] = [];
  for (const tok of tokens) {
    const where = texts.filter(([, t]) => t.includes(tok)).map(([p]) => p);
    if (where.length) {
      out.push({
        code: 'special_token_in_content',
        message:
          `${where.join(', ')} contains ${JSON.stringify(tok)}, a special token of this template: tokenized ` +
          `as the control token it will break the turn structure`,
      });
    }
  }
  return out;
}

/**
 * One record rendered with the model's own template and the page's choices: the loss policy and
 * its last-round boundary as the built-in columns take them; thinking is the template's `enable_thinking` kwarg and the
 * date its `date_string`. `trainEmptyThink` does not apply: spans follow whatever the template prints in a turn.
 */
/** A typed variable as a template kwarg: true/false and whole numbers as such, a,b lists as lists, else text. */
function ownVarValue(v: string): unknown {
  if (v === 'true' || v === 'false') return v === 'true';
  if (/^-?\d+$/.test(v)) return Number(v);
  return v.includes(',') ? v.split(',') : v;
}

export function renderOwnColumn(src: OwnTemplateSource, conv: Conversation, choices: RenderChoices): ColumnRender {
  const extra: Record<string, unknown> =
    choices.enableThinking === null ? {} : { enable_thinking: choices.enableThinking };
  if (choices.date.trim()) extra.date_string = choices.date.trim();
  // The other variables as typed, passed as the template's own kwargs (it reads what it knows).
  for (const [k, v] of Object.entries(choices.vars ?? {})) if (v.trim() !== '') extra[k] = ownVarValue(v.trim());
  const today = /^\d{4}-\d{2}-\d{2}$/.test(choices.today?.trim() ?? '') ? choices.today!.trim() : undefined;
  try {
    const rendered = renderWithJinja(src.chatTemplate, conv, {
      addGenerationPrompt: choices.addGenerationPrompt,
      specialTokens: src.specialTokens,
      extra,
      lossPolicy: choices.lossPolicy,
      lastRoundBoundary: choices.lastRoundBoundary,
      messagesOptions: src.toolsOnSystemMessage ? { toolsOnSystemMessage: src.toolsOnSystemMessage } : undefined,
      ...(today ? { today } : {}),
    });
    return {
      ok: true,
      rendered: { ...rendered, warnings: [...rendered.warnings, ...ownContentWarnings(conv, chipTokens(src))] },
    };
  } catch (e) {
    return { ok: false, error: (e as Error).message || String(e), warnings: [] };
  }
}
