// The one walk: a Conversation and a TemplateSpec in, the exact prompt text and its spans out.
// Text and spans come from the same SpanBuilder calls, so they always tile. Each family's
// official template is followed byte for byte (conformance.test.ts checks it against Jinja2);
// where the official template refuses or loses data, the spec's `notes` say what we do.
import type { Conversation, ToolCall, Tool } from '../data/types.ts';
import { SpanBuilder, type SpanRole } from './builder.ts';
import { trainedMessages } from './loss.ts';
import { pyLstrip, pyRstrip, pyStrip, pyJsonDumps } from './pyjson.ts';
import type { TemplateSpec, TurnWrapper } from './spec.ts';
import * as tf from './tool-formats.ts';
import type { LossPolicy, Rendered, RenderWarning } from './types.ts';

export interface RenderOptions {
  /** Default `all_assistant`. */
  lossPolicy?: LossPolicy;
  /** Append the prompt that starts the assistant's reply (for inference). Default false. */
  addGenerationPrompt?: boolean;
  /** Llama 3.1+ `Today Date`, in the template's "26 Jul 2024" form. */
  date?: string;
  /** Qwen3: false adds the empty think block after the generation prompt. */
  enableThinking?: boolean;
  /** Train the empty `<think>\n\n</think>\n\n` block a template inserts (default false). */
  trainEmptyThink?: boolean;
  /** Where `last_round` starts: after the last user message (default) or user-or-tool message. */
  lastRoundBoundary?: 'user' | 'user_or_tool';
}

/** A template refused the conversation (the official template would raise the same reason). */
export class TemplateError extends Error {}

interface Seg {
  text: string;
  role: SpanRole;
}

/** A message as the walk sees it, after the loss policy and any ReAct rewrite. */
interface Turn {
  role: 'user' | 'assistant' | 'tool';
  content: string;
  /** Span role of the content (a ReAct observation is a user turn holding tool output). */
  contentRole: SpanRole;
  reasoning?: string;
  toolCalls?: ToolCall[];
  toolCallId?: string;
  train: boolean;
}

const segText = (segs: Seg[]) => segs.map((s) => s.text).join('');

/** Python's strip() across pieces: leading space off the first pieces, trailing off the last. */
function stripSegs(segs: Seg[]): Seg[] {
  const out = segs.map((s) => ({ ...s }));
  for (const s of out) {
    s.text = pyLstrip(s.text);
    if (s.text !== '') break;
  }
  for (let i = out.length - 1; i >= 0; i--) {
    out[i].text = pyRstrip(out[i].text);
    if (out[i].text !== '') break;
  }
  return out.filter((s) => s.text !== '');
}

/**
 * Rewrites tools as ReAct text for families with no tool format: the tool list joins the system
 * prompt, calls become `Action:` lines of the assistant turn, and each run of tool results
 * becomes one user turn of `Observation:` lines. Also returns which rewritten turns hold tool
 * output (their spans keep the `tool` role).
 */
function reactRewrite(conv: Conversation): { conversation: Conversation; observations: Set<number> } {
  const messages: Conversation['messages'] = [];
  const observations = new Set<number>();
  conv.messages.forEach((m, i) => {
    if (m.role === 'assistant' && m.tool_calls?.length) {
      const { tool_calls, ...rest } = m;
      messages.push({ ...rest, content: m.content + (m.content ? '\n' : '') + tf.reactCalls(tool_calls) });
    } else if (m.role === 'tool') {
      const line = 'Observation: ' + m.content;
      if (i > 0 && conv.messages[i - 1].role === 'tool') messages[messages.length - 1].content += '\n' + line;
      else {
        observations.add(messages.length);
        messages.push({ role: 'user', content: line, ...(m.loss !== undefined ? { loss: m.loss } : {}) });
      }
    } else messages.push({ ...m });
  });
  const tools = conv.tools?.length ? conv.tools : undefined;
  const system = tools ? (conv.system ? conv.system + '\n\n' : '') + tf.reactToolsText(tools) : conv.system;
  const conversation: Conversation = { messages, source: conv.source };
  if (system !== undefined) conversation.system = system;
  return { conversation, observations };
}

/** The conversation as a ReAct family renders it (exported for the conformance test). */
export function reactConversation(conv: Conversation): Conversation {
  return reactRewrite(conv).conversation;
}

function usesTools(conv: Conversation): boolean {
  return !!conv.tools?.length || conv.messages.some((m) => m.role === 'tool' || !!m.tool_calls?.length);
}

export function render(spec: TemplateSpec, conv: Conversation, opts: RenderOptions = {}): Rendered {
  const all = (opts.lossPolicy ?? 'all_assistant') === 'all';
  const warnings: RenderWarning[] = [];
  const warn = (code: string, message: string) => {
    if (!warnings.some((w) => w.code === code)) warnings.push({ code, message });
  };

  // ReAct families: rewrite first, keeping which user turns hold tool output and the system split.
  let system: Seg[] | undefined = conv.system !== undefined ? [{ text: conv.system, role: 'system' }] : undefined;
  let source = conv;
  const obsTurns = new Set<number>();
  if (spec.toolFormat === 'react' && usesTools(conv)) {
    warn('tools_as_react', `${spec.id} has no native tool format: tools, calls and results are written as ReAct text`);
    const rewritten = reactRewrite(conv);
    source = rewritten.conversation;
    rewritten.observations.forEach((i) => obsTurns.add(i));
    if (conv.tools?.length) {
      system = [
        ...(conv.system ? [{ text: conv.system + '\n\n', role: 'system' as const }] : []),
        { text: tf.reactToolsText(conv.tools), role: 'tools' },
      ];
    }
  }
  if (spec.toolFormat === 'mistral') {
    const ids = withNineCharIds(source);
    source = ids.conversation;
    if (ids.rewritten) warn('tool_call_ids_rewritten', 'Mistral needs 9-character tool call ids; ids were replaced by generated ones (the official template refuses these)');
  }
  const tools: Tool[] | undefined = spec.toolFormat !== 'react' && source.tools?.length ? source.tools : undefined;
  const trained = trainedMessages(source.messages, opts);
  let turns: Turn[] = source.messages.map((m, i) => ({
    role: m.role,
    content: m.content,
    contentRole: obsTurns.has(i) ? 'tool' : m.role,
    reasoning: m.reasoning_content,
    toolCalls: m.tool_calls?.length ? m.tool_calls : undefined,
    toolCallId: m.tool_call_id,
    train: trained[i],
  }));

  const b = new SpanBuilder();
  const tpl = (text: string, train = all) => b.add(text, 'template', train);
  const add = (text: string, role: SpanRole, train: boolean) => b.add(text, role, train || all);
  const addSegs = (segs: Seg[]) => segs.forEach((s) => add(s.text, s.role, false));
  const trim = (s: string) => (spec.trimContent ? pyStrip(s) : s);
  // GLM-4 has no end-of-turn marker: a reply ends where the model writes the next role token
  // (<|user|> or <|observation|>), so that token is trained with the reply before it.
  let roleTokenEndsReply = false;
  const header = (prefix: string) => {
    const end = prefix.indexOf('|>');
    const cut = roleTokenEndsReply && end >= 0 ? end + 2 : 0;
    tpl(prefix.slice(0, cut), true);
    tpl(prefix.slice(cut));
    roleTokenEndsReply = false;
  };
  /** header + content + end-of-turn (trained with the turn) + separator. */
  const turn = (w: TurnWrapper, body: () => void, train: boolean) => {
    header(w.prefix);
    body();
    tpl(w.suffix, train || all);
    tpl(w.sep);
  };

  // Refusals happen before any text, as the official templates raise before rendering.
  if (spec.systemPlacement === 'first_user' && system !== undefined) {
    warn(
      'system_merged',
      spec.systemUnsupported
        ? `${spec.id}'s official template refuses a system role: the system prompt is prepended to the first user turn instead`
        : `${spec.id} has no system turn: the system prompt is prepended to the first user turn, as its template does`,
    );
  }
  if (spec.alternation) checkAlternation(spec, turns);

  // Llama 3.0 only writes BOS before a first message; every other template writes it always.
  if (!(spec.id === 'llama3' && turns.length === 0 && system === undefined)) tpl(spec.bos);

  // ---- system prompt (and the tool list, where the family puts it there) ----
  let firstUserPrefix: Seg[] | undefined;
  let lastUserSystem: Seg[] | undefined;
  switch (spec.systemPlacement) {
    case 'turn': {
      const sys = system ?? (spec.defaultSystem !== undefined ? [{ text: spec.defaultSystem, role: 'system' as const }] : undefined);
      const w = spec.systemTurn;
      if (tools && spec.toolFormat === 'hermes') {
        turn(w, () => {
          if (sys) addSegs([...sys, { text: '\n\n', role: 'tools' }]);
          add(tf.hermesToolsText(tools), 'tools', false);
        }, false);
      } else if (tools && spec.toolFormat === 'glm4') {
        tpl('<|system|>\n');
        add(tf.glm4ToolsText(tools), 'tools', false);
        if (sys && segText(sys) !== '') turn(w, () => addSegs(sys), false);
      } else if (tools && spec.toolFormat === 'phi4_mini') {
        turn(w, () => {
          if (sys) addSegs(sys);
          tpl('<|tool|>');
          add(tf.phi4ToolsJson(tools), 'tools', false);
          tpl('<|/tool|>');
        }, false);
      } else if (sys && !(spec.skipEmptySystem && segText(sys) === '')) {
        turn(w, () => addSegs(spec.trimContent ? stripSegs(sys) : sys), false);
      }
      break;
    }
    case 'llama3': {
      const w = spec.systemTurn;
      tpl(w.prefix);
      if (tools) add('Environment: ipython\n', 'tools', false);
      tpl('Cutting Knowledge Date: December 2023\nToday Date: ' + (opts.date ?? spec.defaultDate ?? '') + '\n\n');
      if (system) addSegs(stripSegs(system));
      tpl(w.suffix);
      if (tools) {
        // tools_in_user_message: the first message (whatever its role) carries the tool list.
        if (turns.length === 0) throw new TemplateError("Cannot put tools in the first user message when there's no first user message!");
        const [first, ...rest] = turns;
        tpl(spec.user.prefix);
        add(tf.LLAMA3_USER_TOOLS_INTRO + tf.llama3ToolsList(tools), 'tools', false);
        add(pyStrip(first.content), first.contentRole, first.train);
        tpl(spec.user.suffix, first.train || all);
        turns = rest;
      }
      break;
    }
    case 'raw':
      if (system) addSegs(system);
      break;
    case 'first_user':
      if (system) firstUserPrefix = [...system, { text: '\n\n', role: system[system.length - 1].role }];
      break;
    case 'last_user':
      if (system) {
        if (turns.length && turns[turns.length - 1].role === 'user') lastUserSystem = [...system, { text: '\n\n', role: 'system' }];
        else warn('system_dropped', `${spec.id}'s official template only writes the system prompt into a final user turn; this conversation ends with another role, so the system prompt is dropped`);
      }
      break;
  }

  // ---- Qwen3 / R1 thinking: which turns keep their reasoning ----
  let lastQuery = turns.length - 1;
  if (spec.thinking) {
    for (let i = turns.length - 1; i >= 0; i--) {
      const c = turns[i].content;
      // Qwen3 does not count a user turn that only wraps a tool response as a new query.
      const wrapsToolResponse = spec.thinking === 'qwen3' && c.startsWith('<tool_response>') && c.endsWith('</tool_response>');
      if (turns[i].role === 'user' && !wrapsToolResponse) {
        lastQuery = i;
        break;
      }
    }
  }

  // Mistral: tools are listed before every user turn equal to the last one (the official
  // template compares message dicts, so an identical earlier turn gets them too).
  const lastUserContent = [...turns].reverse().find((t) => t.role === 'user')?.content;
  const mistralSpace = spec.id === 'mistral' ? ' ' : '';

  // ---- turns ----
  let dsOutputFirst = true;
  let dsInTool = false;
  for (let i = 0; i < turns.length; i++) {
    const t = turns[i];
    const isLast = i === turns.length - 1;
    const prefixSegs = i === 0 && firstUserPrefix ? firstUserPrefix : undefined;

    if (t.role === 'user') {
      if (spec.toolFormat === 'glm4' && t.content === '') continue;
      if (spec.toolFormat === 'mistral' && tools && t.content === lastUserContent) add(tf.mistralToolsText(tools, mistralSpace), 'tools', false);
      if (spec.toolFormat === 'deepseek') dsInTool = false;
      turn(spec.user, () => {
        if (prefixSegs) addSegs(prefixSegs);
        if (isLast && lastUserSystem) addSegs(lastUserSystem);
        add(trim(t.content), t.contentRole, t.train);
      }, t.train);
      continue;
    }

    if (t.role === 'tool') {
      renderToolResult(i);
      continue;
    }

    // assistant
    const w = spec.assistant;
    if (spec.toolFormat === 'hermes') {
      if (spec.thinking === 'qwen3') qwen3Assistant(i);
      else if (t.toolCalls) {
        // Qwen2.5: `<|im_start|>assistant` + ('\n' + content)? + ('\n<tool_call>...')*
        tpl('<|im_start|>assistant\n');
        const body = (t.content ? '\n' + t.content : '') + t.toolCalls.map((c) => '\n' + tf.hermesCall(c, false)).join('');
        add(body.slice(1), 'assistant', t.train);
        tpl(w.suffix, t.train || all);
        tpl(w.sep);
      } else turn(w, () => add(t.content, 'assistant', t.train), t.train);
    } else if (spec.toolFormat === 'llama3_json' && t.toolCalls) {
      if (t.toolCalls.length !== 1) throw new TemplateError('This model only supports single tool-calls at once!');
      if (t.content !== '') warn('content_dropped', `${spec.id}'s template writes only the call of a tool-call turn: its text content is dropped`);
      turn(w, () => add(tf.llama3Call(t.toolCalls![0]), 'assistant', t.train), t.train);
    } else if (spec.toolFormat === 'mistral' && t.toolCalls) {
      if (t.content !== '') warn('content_dropped', `${spec.id}'s template writes only the calls of a tool-call turn: its text content is dropped`);
      add(tf.mistralCalls(t.toolCalls.map((call) => ({ call, id: call.id! })), mistralSpace), 'assistant', t.train);
      tpl(spec.eos, t.train || all);
    } else if (spec.toolFormat === 'glm4' && t.toolCalls) {
      warnNative();
      if (t.content !== '') turn(w, () => add(t.content, 'assistant', t.train), t.train);
      for (const c of t.toolCalls) {
        header('<|assistant|>');
        add(c.name + '\n' + pyJsonDumps(c.arguments), 'assistant', t.train);
      }
      roleTokenEndsReply = t.train;
    } else if (spec.toolFormat === 'phi4_mini' && t.toolCalls) {
      warnNative();
      turn(w, () => add(t.content + tf.phi4Calls(t.toolCalls!), 'assistant', t.train), t.train);
    } else if (spec.toolFormat === 'deepseek') {
      deepseekAssistant(i);
    } else {
      if (spec.toolFormat === 'glm4' && t.content === '') continue;
      const content = spec.trimAssistant ? pyStrip(t.content) : trim(t.content);
      turn(w, () => {
        if (prefixSegs) addSegs(prefixSegs);
        add(content, 'assistant', t.train);
      }, t.train);
      if (spec.toolFormat === 'glm4') roleTokenEndsReply = t.train;
    }
  }

  // ---- end ----
  if (spec.toolFormat === 'deepseek' && dsInTool) tpl('<｜tool▁outputs▁end｜>');
  if (opts.addGenerationPrompt) {
    if (!(spec.toolFormat === 'deepseek' && dsInTool)) tpl(spec.generationPrompt);
    if (spec.thinking === 'qwen3' && opts.enableThinking === false) tpl('<think>\n\n</think>\n\n');
  } else if (spec.endWithoutGenerationPrompt) tpl(spec.endWithoutGenerationPrompt);
  if (spec.alwaysAppend) tpl(spec.alwaysAppend);

  return { text: b.text, spans: b.spans, warnings };

  // ---- family pieces (closures over the walk's state) ----

  function renderToolResult(i: number): void {
    const t = turns[i];
    const prevTool = i > 0 && turns[i - 1].role === 'tool';
    const nextTool = i + 1 < turns.length && turns[i + 1].role === 'tool';
    switch (spec.toolFormat) {
      case 'hermes':
        if (!prevTool) tpl('<|im_start|>user');
        tpl('\n<tool_response>\n');
        add(t.content, 'tool', t.train);
        tpl('\n</tool_response>');
        if (!nextTool) {
          tpl('<|im_end|>', t.train || all);
          tpl('\n');
        }
        return;
      case 'llama3_json':
        // The template tests `content is iterable`, which a string is: results are JSON strings.
        turn(spec.tool!, () => add(pyJsonDumps(t.content), 'tool', t.train), t.train);
        return;
      case 'mistral': {
        const r = tf.mistralResult(t.content, t.toolCallId!, mistralSpace);
        tpl(r.head);
        add(t.content, 'tool', t.train);
        tpl(r.tail, t.train || all);
        return;
      }
      case 'deepseek':
        dsInTool = true;
        tpl(dsOutputFirst ? '<｜tool▁outputs▁begin｜><｜tool▁output▁begin｜>' : '\n<｜tool▁output▁begin｜>');
        dsOutputFirst = false;
        add(t.content, 'tool', t.train);
        tpl('<｜tool▁output▁end｜>', t.train || all);
        return;
      default:
        if (spec.toolFormat === 'glm4') warnNative();
        turn(spec.tool!, () => add(t.content, 'tool', t.train), t.train);
    }
  }

  function warnNative(): void {
    warn('tool_calls_native', `${spec.id}'s official template only prints message content, so it would drop tool calls; they are written in the model's own call format (see the spec notes)`);
  }

  function qwen3Assistant(i: number): void {
    const t = turns[i];
    const isLast = i === turns.length - 1;
    let content = t.content;
    let reasoning = '';
    if (t.reasoning !== undefined && t.reasoning !== null) reasoning = t.reasoning;
    else if (content.includes('</think>')) {
      const parts = content.split('</think>');
      content = pyLstrip(parts[parts.length - 1], '\n');
      const before = pyRstrip(parts[0], '\n').split('<think>');
      reasoning = pyLstrip(before[before.length - 1], '\n');
    }
    tpl('<|im_start|>assistant\n');
    if (i > lastQuery && (isLast || reasoning)) {
      const think = '<think>\n' + pyStrip(reasoning, '\n') + '\n</think>\n\n';
      if (pyStrip(reasoning, '\n') === '' && !opts.trainEmptyThink) tpl(think);
      else add(think, 'assistant', t.train);
      add(pyLstrip(content, '\n'), 'assistant', t.train);
    } else {
      if (reasoning) warn('thinking_dropped', 'reasoning of turns before the last user message is dropped, as the official template does');
      add(content, 'assistant', t.train);
    }
    t.toolCalls?.forEach((c, k) => {
      add((k === 0 && content) || k > 0 ? '\n' : '', 'assistant', t.train);
      add(tf.hermesCall(c, true), 'assistant', t.train);
    });
    tpl('<|im_end|>', t.train || all);
    tpl('\n');
  }

  function deepseekAssistant(i: number): void {
    const t = turns[i];
    let content = t.content;
    let reasoning = t.reasoning;
    if (content.includes('</think>')) {
      const parts = content.split('</think>');
      if (reasoning === undefined) reasoning = parts[0].split('<think>').pop();
      content = parts[parts.length - 1];
    }
    if (t.toolCalls) {
      // The official R1-Distill files disagree: the Llama one leaves <｜tool▁calls▁end｜> off a
      // single call, both leave the opening markers off every later call turn (`is_first` is
      // never reset) and drop the text of a call turn. We write DeepSeek-V3's full format.
      {
        warn('tool_format_repaired', `${spec.id}'s official template leaves out the markers of later tool-call turns and the text of a call turn; calls are written with DeepSeek's full markers, text before them (as DeepSeek-V3 does)`);
      }
      tpl(dsInTool ? '<｜tool▁outputs▁end｜>' : '');
      dsInTool = false;
      tpl('<｜Assistant｜>');
      const calls = '<｜tool▁calls▁begin｜>' + t.toolCalls.map((c) => tf.deepseekCall(c)).join('\n') + '<｜tool▁calls▁end｜>';
      add((content ? content : '') + calls, 'assistant', t.train);
      tpl(spec.eos, t.train || all);
      return;
    }
    const keep = i > lastQuery && reasoning !== undefined && pyStrip(reasoning) !== '';
    if (!keep && reasoning) warn('thinking_dropped', 'reasoning of turns before the last user message is dropped, as the official template does');
    if (keep) warn('reasoning_kept', 'reasoning of the final round is written as <think> so it is trained; the official template (written for inference) drops it');
    if (dsInTool) {
      tpl('<｜tool▁outputs▁end｜>');
      dsInTool = false;
    } else tpl('<｜Assistant｜>');
    if (keep) add('<think>\n' + pyStrip(reasoning!, '\n') + '\n</think>\n\n', 'assistant', t.train);
    add(keep ? pyLstrip(content, '\n') : content, 'assistant', t.train);
    tpl(spec.eos, t.train || all);
  }
}

function checkAlternation(spec: TemplateSpec, turns: Turn[]): void {
  let k = 0;
  for (const t of turns) {
    if (spec.toolFormat === 'mistral' && (t.role === 'tool' || t.toolCalls)) continue;
    if ((t.role === 'user') !== (k % 2 === 0)) throw new TemplateError(spec.alternation!);
    k++;
  }
}

/**
 * Mistral needs 9-character call ids on calls and results. When every id is valid the conversation
 * is returned as is; otherwise every id is replaced by a deterministic one, results matched to
 * calls by id or else in order. Exported so the conformance test can give the official template
 * the same ids.
 */
export function withNineCharIds(conv: Conversation): { conversation: Conversation; rewritten: boolean } {
  const valid = (id?: string) => id !== undefined && id.length === 9;
  const allValid = conv.messages.every((m) =>
    m.role === 'tool' ? valid(m.tool_call_id) : (m.tool_calls ?? []).every((c) => valid(c.id)),
  );
  if (allValid) return { conversation: conv, rewritten: false };
  const byOriginal = new Map<string, string>();
  let pending: string[] = [];
  const messages = conv.messages.map((m, i) => {
    if (m.tool_calls?.length) {
      const tool_calls = m.tool_calls.map((c, k) => {
        const id = tf.nineCharId(`${i}:${k}:${c.id ?? ''}:${c.name}`);
        if (c.id !== undefined) byOriginal.set(c.id, id);
        return { ...c, id };
      });
      pending = tool_calls.map((c) => c.id);
      return { ...m, tool_calls };
    }
    if (m.role === 'tool') {
      const id = (m.tool_call_id !== undefined && byOriginal.get(m.tool_call_id)) || pending.shift() || tf.nineCharId(`result:${i}`);
      pending = pending.filter((p) => p !== id);
      return { ...m, tool_call_id: id };
    }
    return m;
  });
  return { conversation: { ...conv, messages }, rewritten: true };
}
