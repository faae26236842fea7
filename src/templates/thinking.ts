// Reasoning handling of the families whose templates write it (spec.thinking): which replies keep
// their reasoning and how it is written. Qwen3 (official Qwen-Qwen3-0.6B.jinja): reasoning from
// `reasoning_content` or an inline `<think>…</think>`, kept as `<think>\n…\n</think>\n\n` in the
// replies after the last user query (a user turn that only wraps a <tool_response> is not a
// query), dropped before it; the last reply always gets a (possibly empty) think block.
// DeepSeek-R1 (deepseek-ai-DeepSeek-R1-Distill-*.jinja): the official template drops reasoning
// everywhere (it is written for inference); we keep the final round's so it is trained.
import type { Conversation, Message } from '../data/types.ts';
import type { Piece } from './agent/types.ts';
import { pyLstrip, pyRstrip, pyStrip } from './pyjson.ts';
import type { TemplateSpec, TemplateVars } from './spec.ts';
import { deepseek_v3_1 } from './thinking/deepseek_v3_1.ts';
import { gemma4 } from './thinking/gemma4.ts';
import { glm4_5, glm4_7 } from './thinking/glm4_5.ts';
import { gpt_oss } from './thinking/gpt_oss.ts';
import { mistral_small } from './thinking/mistral_small.ts';
import { seed_oss } from './thinking/seed_oss.ts';
import { granite3_3 } from './thinking/granite3_3.ts';
import { ignored } from './thinking/ignored.ts';
import { lfm2_5 } from './thinking/lfm2_5.ts';
import { smollm3 } from './thinking/smollm3.ts';
import { minicpm5 } from './thinking/minicpm5.ts';
import { qwen3_5 } from './thinking/qwen3_5.ts';

export interface ReplyText {
  /** The reply's text as the family writes it: think block (if kept) and content. */
  pieces: Piece[];
  /** The content after any think block, before the family strips newlines from it. */
  content: string;
  /** The reply's end marker instead of the family's ('' for none: Seed-OSS's empty reply). */
  suffix?: string;
}

/** What a rule may read of the render: the conversation and the template's variables. */
export interface ThinkingOptions {
  conversation: Conversation;
  /** The render ends with the generation prompt (not a training text). */
  addGenerationPrompt: boolean;
  enableThinking?: boolean;
  /** YYYY-MM-DD, or undefined for the current date. */
  today?: string;
  vars: TemplateVars;
}

export interface ThinkingContext extends ThinkingOptions {
  index: number;
  /** The last message of the conversation. */
  isLast: boolean;
  /** Index of the last user query (replies after it keep their reasoning). */
  lastQuery: number;
  hasCalls: boolean;
  trainEmptyThink: boolean;
  warn(code: string, message: string): void;
}

export interface ThinkingRule {
  /** Refuses a conversation the official template raises on (TemplateError with its message). */
  check?(conversation: Conversation): void;
  /** Index of the last message that starts a query. */
  lastQuery(messages: Message[]): number;
  reply(m: Message, ctx: ThinkingContext): ReplyText;
  /**
   * The system prompt as the template writes it, given the record's (or the tool list's): for
   * templates that build the system turn around it (SmolLM3's metadata block).
   */
  system?(sys: Piece[] | undefined, opts: ThinkingOptions): Piece[] | undefined;
  /** Appended to a user turn's content (GLM-4.6's `/nothink` when thinking is off). */
  userSuffix?(content: string, opts: ThinkingOptions): string;
  /** Written after the generation prompt, when it depends on more than enable_thinking (SmolLM3). */
  promptSuffix?(opts: ThinkingOptions): string;
  /** Written after the generation prompt when thinking is switched off (enable_thinking=false). */
  noThinkPrompt?: string;
  /** Written after the generation prompt when thinking is on (Qwen3.5's `<think>\n`). */
  thinkPrompt?: string;
  /** The template's thinking when enable_thinking is not given: on (Qwen3.5), or no prompt at all (MiniCPM5). */
  thinkPromptByDefault?: boolean;
}

const DROPPED = 'reasoning of turns before the last user message is dropped, as the official template does';

function lastIndex(messages: Message[], test: (m: Message) => boolean): number {
  for (let i = messages.length - 1; i >= 0; i--) if (test(messages[i])) return i;
  return messages.length - 1;
}

const qwen3: ThinkingRule = {
  lastQuery: (messages) =>
    lastIndex(
      messages,
      (m) => m.role === 'user' && !(m.content.startsWith('<tool_response>') && m.content.endsWith('</tool_response>')),
    ),
  reply(m, ctx) {
    const i = ctx.index;
    let content = m.content;
    let reasoning = '';
    if (m.reasoning_content !== undefined && m.reasoning_content !== null) reasoning = m.reasoning_content;
    else if (content.includes('</think>')) {
      const parts = content.split('</think>');
      content = pyLstrip(parts[parts.length - 1], '\n');
      const before = pyRstrip(parts[0], '\n').split('<think>');
      reasoning = pyLstrip(before[before.length - 1], '\n');
    }
    if (i > ctx.lastQuery && (ctx.isLast || reasoning)) {
      const think = '<think>\n' + pyStrip(reasoning, '\n') + '\n</think>\n\n';
      // The empty block the template inserts is trained only when asked (trainEmptyThink).
      const empty = pyStrip(reasoning, '\n') === '' && !ctx.trainEmptyThink;
      return {
        pieces: [
          empty ? { text: think, role: 'template' } : { text: think, role: 'assistant', msg: i },
          { text: pyLstrip(content, '\n'), role: 'assistant', msg: i },
        ],
        content,
      };
    }
    if (reasoning) ctx.warn('thinking_dropped', DROPPED);
    return { pieces: [{ text: content, role: 'assistant', msg: i }], content };
  },
  noThinkPrompt: '<think>\n\n</think>\n\n',
};

const r1: ThinkingRule = {
  lastQuery: (messages) => lastIndex(messages, (m) => m.role === 'user'),
  reply(m, ctx) {
    const i = ctx.index;
    let content = m.content;
    let reasoning = m.reasoning_content;
    if (content.includes('</think>')) {
      const parts = content.split('</think>');
      if (reasoning === undefined) reasoning = parts[0].split('<think>').pop();
      content = parts[parts.length - 1];
    }
    // A call turn's reasoning is dropped silently, as the official template writes only its calls.
    if (ctx.hasCalls) return { pieces: [{ text: content, role: 'assistant', msg: i }], content };
    const keep = i > ctx.lastQuery && reasoning !== undefined && pyStrip(reasoning) !== '';
    if (!keep && reasoning) ctx.warn('thinking_dropped', DROPPED);
    if (!keep) return { pieces: [{ text: content, role: 'assistant', msg: i }], content };
    ctx.warn(
      'reasoning_kept',
      'reasoning of the final round is written as <think> so it is trained; the official template ' +
        '(written for inference) drops it',
    );
    const think = '<think>\n' + pyStrip(reasoning!, '\n') + '\n</think>\n\n';
    return {
      pieces: [
        { text: think, role: 'assistant', msg: i },
        { text: pyLstrip(content, '\n'), role: 'assistant', msg: i },
      ],
      content,
    };
  },
};

const rules: Record<NonNullable<TemplateSpec['thinking']>, ThinkingRule> = {
  qwen3,
  r1,
  qwen3_5,
  ignored,
  minicpm5,
  granite3_3,
  lfm2_5,
  smollm3,
  glm4_5,
  glm4_7,
  deepseek_v3_1,
  seed_oss,
  mistral_small,
  gpt_oss,
  gemma4,
};

export function thinkingRule(spec: TemplateSpec): ThinkingRule | undefined {
  return spec.thinking ? rules[spec.thinking] : undefined;
}
