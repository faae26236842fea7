// Any ms-swift agent template (swift/registry.ts) on any model template, placed as ms-swift's own
// Template places it (swift/template/base.py at the commit in ../shared/reference/ms-swift/
// SOURCES.md: normalize_openai_tool_calls, _preprocess_tool_call, _preprocess_standalone_tools,
// _swift_prepare_inputs, _get_system):
//   - tools: `_format_tools(tools, system, messages[0])` becomes the whole system prompt (the
//     record's system, else the model template's default, is passed in; formats that leave it out
//     drop it: warning system_replaced), and the family puts it where it puts a system prompt;
//     llama3/llama4 also rewrite the first message, whose added text goes before its content;
//   - calls: the reply is the message's text followed by `_add_tool_call_prefix(_format_tool_calls())`
//     (two response contexts when there is text, as ms-swift keeps them);
//   - results: `_format_tool_responses(reply, results)` with the model template's TemplateMeta
//     built from the spec's wrappers (prompt = user turn with {{QUERY}} + assistant header,
//     chat_sep = assistant end marker + separator). Its parts are written as they are, right after
//     the reply (they hold the reply's end, the results turn and the next header, or go on inline
//     as ReAct does); the reply text it changes (ReAct's `Observation:`) changes here too.
// Where ms-swift raises, the render is refused with its reason.
import type { Conversation, Message } from '../../data/types.ts';
import { TemplateError } from '../errors.ts';
import { pyJsonDumps } from '../pyjson.ts';
import type { TemplateSpec } from '../spec.ts';
import { of, tpl, toolsText } from './pieces.ts';
import { swiftAgentTemplates, type SwiftAgentTemplateId } from './swift/registry.ts';
import {
  AgentTemplateError,
  type SwiftAgentTemplate,
  type SwiftMessage,
  type SwiftTemplateMeta,
} from './swift/types.ts';
import type { AgentTemplate, Piece, ResultsBlock } from './types.ts';

/** ms-swift's TemplateMeta pieces for a model template, from its turn wrappers. */
export function templateMetaOf(spec: TemplateSpec): SwiftTemplateMeta {
  return {
    prompt: [spec.user.prefix + '{{QUERY}}' + spec.user.suffix + spec.user.sep + spec.assistant.prefix],
    chatSep: [spec.assistant.suffix + spec.assistant.sep],
  };
}

/** A message of ms-swift's list, with the index of the message of ours it came from. */
interface SwiftEntry {
  role: SwiftMessage['role'];
  content: unknown;
  src: number;
  /** A result's own fields, which some formats read (gemma4, kimi). */
  name?: string;
  tool_call_id?: string;
}

/** What ms-swift's preparation made of the conversation, by our message indexes. */
interface Prepared {
  /** Per message with calls: the calls text and whether ms-swift keeps the text before it as its own context. */
  calls: Map<number, { text: string; afterText: boolean }>;
  /** Per run of results (first tool index): the parts, and the reply before them as passed and as returned. */
  results: Map<number, { parts: string[]; before: unknown; after: unknown }>;
  /** Per run of results that follows a user message: the text appended to that message. */
  standalone: Map<number, string>;
  /** messages[0] as `_get_system` sees it. */
  first: SwiftEntry | undefined;
}

/**
 * A reply ms-swift holds as a list is passed as an array (JavaScript's `includes` then tests
 * elements, as Python's `in` on a list does; see swift/types.ts).
 */
const asPython = (content: unknown): string => content as string;

const STANDALONE = 'A standalone tool message must follow a user message.';

function refuse(id: string, e: unknown): never {
  if (e instanceof AgentTemplateError) {
    throw new TemplateError(`ms-swift's ${id} refuses this conversation: ${e.message}`);
  }
  throw e;
}

/** normalize_openai_tool_calls + StdTemplateInputs.from_dict: our messages in ms-swift's form. */
function swiftMessages(conv: Conversation): SwiftEntry[] {
  const out: SwiftEntry[] = [];
  conv.messages.forEach((m: Message, i) => {
    if (m.role === 'assistant' && m.tool_calls?.length) {
      if (m.content) out.push({ role: 'assistant', content: m.content, src: i });
      for (const c of m.tool_calls) {
        let args = c.arguments;
        if (typeof args === 'string') {
          try {
            args = JSON.parse(args);
          } catch {
            // ms-swift keeps arguments that are not JSON as the string
          }
        }
        out.push({ role: 'tool_call', content: pyJsonDumps({ name: c.name, arguments: args }), src: i });
      }
    } else {
      const e: SwiftEntry = { role: m.role, content: m.content, src: i };
      if (m.role === 'tool' && m.tool_call_id !== undefined) e.tool_call_id = m.tool_call_id;
      if (m.role === 'tool' && m.name !== undefined) e.name = m.name;
      out.push(e);
    }
  });
  return out;
}

function view(e: SwiftEntry | undefined): SwiftMessage | null {
  if (!e) return null;
  const m: SwiftMessage = { role: e.role, content: e.content };
  if (e.tool_call_id !== undefined) m.tool_call_id = e.tool_call_id;
  if (e.name !== undefined) m.name = e.name;
  return m;
}

/** ms-swift's _preprocess_tool_call, _preprocess_standalone_tools and _swift_prepare_inputs. */
function prepare(t: SwiftAgentTemplate, conv: Conversation): Prepared {
  const p: Prepared = { calls: new Map(), results: new Map(), standalone: new Map(), first: undefined };
  const msgs = swiftMessages(conv);
  // Runs of tool calls become one assistant message.
  for (let i = 0; i < msgs.length; i++) {
    if (msgs[i].role !== 'tool_call') continue;
    let j = i;
    while (j + 1 < msgs.length && msgs[j + 1].role === 'tool_call') j++;
    const run = msgs.slice(i, j + 1).map((e) => view(e)!);
    const pre = i > 0 ? msgs[i - 1] : undefined;
    const text = t.addToolCallPrefix(t.formatToolCalls(run), view(pre));
    const src = msgs[i].src;
    p.calls.set(src, { text, afterText: pre?.role === 'assistant' && pre.src === src });
    msgs.splice(i, j - i + 1, { role: 'assistant', content: text, src });
  }
  // Results that follow no reply are appended to the user message before them.
  for (let i = 0; i < msgs.length; i++) {
    if (msgs[i].role !== 'tool' || (i > 0 && (msgs[i - 1].role === 'assistant' || msgs[i - 1].role === 'tool'))) {
      continue;
    }
    let j = i;
    while (j + 1 < msgs.length && msgs[j + 1].role === 'tool') j++;
    const query = i > 0 ? msgs[i - 1] : undefined;
    if (query?.role !== 'user') {
      throw new TemplateError(`ms-swift refuses this conversation: ValueError: ${STANDALONE}`);
    }
    const text = t.formatStandaloneToolResponses(msgs.slice(i, j + 1).map((e) => view(e)!)).join('');
    p.standalone.set(msgs[i].src, text);
    query.content = String(query.content ?? '') + text;
    msgs.splice(i, j - i + 1);
    i--;
  }
  // Results after a reply are formatted with it; consecutive replies (text, then calls) become one list.
  for (let i = 1; i < msgs.length; i++) {
    const pre = msgs[i - 1];
    const cur = msgs[i];
    if (pre.role === 'assistant' && cur.role === 'tool') {
      let j = i;
      while (j + 1 < msgs.length && msgs[j + 1].role === 'tool') j++;
      const before = pre.content;
      let r;
      try {
        r = t.formatToolResponses(
          asPython(before),
          msgs.slice(i, j + 1).map((e) => view(e)!),
        );
      } catch (e) {
        // Python fails on a list where a string method is called; so does JavaScript on an array.
        if (Array.isArray(before) && e instanceof TypeError) {
          throw new AgentTemplateError(`AttributeError: 'list' object has no attribute (${e.message})`);
        }
        throw e;
      }
      pre.content = r.assistantContent;
      p.results.set(cur.src, { parts: r.parts, before, after: r.assistantContent });
      msgs.splice(i, j - i + 1, { role: 'tool', content: r.parts, src: cur.src });
    } else if (pre.role === 'assistant' && cur.role === 'assistant') {
      const list = (c: unknown) => (Array.isArray(c) ? c : [c]);
      pre.content = [...list(pre.content), ...list(cur.content)];
      msgs.splice(i, 1);
      i--;
    } else if (pre.role === 'user' && cur.role === 'user') {
      pre.content = String(pre.content) + String(cur.content);
      msgs.splice(i, 1);
      i--;
    }
  }
  p.first = msgs[0];
  return p;
}

/**
 * The results text as pieces: the reply's end marker (when the parts start with the family's, it
 * is trained with the reply, as ms-swift's _add_dynamic_eos does with the template suffix), each result's content as a
 * `tool` piece where it appears, the rest scaffolding.
 */
function resultPieces(
  joined: string,
  contents: { msg: number; text: string }[],
  replyMsg: number | null,
  spec: TemplateSpec,
): Piece[] {
  const out: Piece[] = [];
  let at = 0;
  // ms-swift trains its template suffix where it follows a trained reply; for a family without an
  // end marker (GLM-4) that is the stop marker it adds after a final reply.
  const end = spec.assistant.suffix || spec.finalStop;
  if (replyMsg !== null && end && joined.startsWith(end)) {
    out.push({ text: end, role: 'template', msg: replyMsg, end: true });
    at = end.length;
  }
  for (const c of contents) {
    if (c.text === '') continue;
    const k = joined.indexOf(c.text, at);
    if (k < 0) continue;
    out.push(tpl(joined.slice(at, k)), of(c.msg, c.text, 'tool'));
    at = k + c.text.length;
  }
  out.push(tpl(joined.slice(at)));
  return out;
}

export function swiftAgent(id: SwiftAgentTemplateId, spec: TemplateSpec): AgentTemplate {
  const make = swiftAgentTemplates[id];
  if (!make) throw new TemplateError(`ms-swift's agent template ${id} is not available in this build yet`);
  const t = make();
  t.templateMeta = templateMetaOf(spec);
  let p: Prepared;
  const guard = <T>(f: () => T): T => {
    try {
      return f();
    } catch (e) {
      return refuse(id, e);
    }
  };
  return {
    id,
    kind: 'ms-swift',
    prepare(conv) {
      p = guard(() => prepare(t, conv));
      return conv;
    },
    tools(tools, ctx) {
      const system = ctx.conversation.system ?? ctx.spec.defaultSystem ?? null;
      const first = p.first ? { role: p.first.role, content: p.first.content } : null;
      const before = first?.content;
      // Our tools are already ms-swift's wrapped form ({type: 'function', function}); some formats edit them.
      const wrapped: unknown[] = structuredClone(tools);
      const text = guard(() => t.formatTools(wrapped, system, first));
      const placed: ReturnType<AgentTemplate['tools']> = { systemVerbatim: true };
      // ms-swift: an empty system prompt is no system prompt (the template's plain prefix).
      if (text === '') placed.system = null;
      else if (system && text.includes(system)) {
        const k = text.indexOf(system);
        const after = text.slice(k + system.length);
        placed.system = [toolsText(text.slice(0, k)), { text: system, role: 'system' }, toolsText(after)];
      } else {
        if (ctx.conversation.system) {
          ctx.warn(
            'system_replaced',
            `ms-swift's ${id} writes its tools block as the whole system prompt without the record's system prompt, ` +
              'which is dropped (as ms-swift does)',
          );
        }
        placed.system = [toolsText(text)];
      }
      if (first && first.content !== before) {
        const now = String(first.content);
        const was = String(before ?? '');
        if (now.endsWith(was)) placed.firstMessage = { pieces: [toolsText(now.slice(0, now.length - was.length))] };
        else {
          const why = 'rewrites the first message in a way that cannot be placed: its tool list is left out';
          ctx.warn('tools_dropped', `ms-swift's ${id} ${why}`);
        }
      }
      return placed;
    },
    calls({ index, text }, ctx) {
      const c = p.calls.get(index)!;
      const body = [...text, { text: c.text, role: 'assistant' as const, msg: index, part: c.afterText ? 1 : 0 }];
      // ms-swift writes no end marker after a final reply that already ends with a stop word.
      return [{ body, endsTurn: ctx.spec.stop.some((s) => s !== '' && c.text.endsWith(s)) }];
    },
    results({ indexes, after }, ctx): ResultsBlock {
      const contents = indexes.map((i) => ({ msg: i, text: ctx.conversation.messages[i].content }));
      const standalone = p.standalone.get(indexes[0]);
      if (standalone !== undefined) {
        return { parts: [], intoUser: resultPieces(standalone, contents, null, spec), carriedBy: 'user' };
      }
      const r = p.results.get(indexes[0])!;
      const joined = r.parts.join('');
      const block: ResultsBlock = {
        parts: [{ kind: 'text', pieces: resultPieces(joined, contents, after!.index, spec) }],
        continuesCall: true,
        next: {
          assistantPrefix: '',
          callPrefix: '',
          generationPrompt: false,
          userRefusal:
            `ms-swift's ${id} pairs tool results with the assistant reply after them, ` +
            'and a user message follows here ' +
            '(ms-swift: AssertionError: response_role: "user")',
        },
        carriedBy:
          spec.user.prefix && joined.includes(spec.user.prefix)
            ? 'user'
            : spec.assistant.prefix.trim() && joined.includes(spec.assistant.prefix)
              ? 'tool'
              : 'assistant',
      };
      if (typeof r.before === 'string' && typeof r.after === 'string' && r.after !== r.before) {
        if (r.after.startsWith(r.before)) block.replySuffix = r.after.slice(r.before.length);
        else if (r.before.startsWith(r.after)) block.replyTrimEnd = r.before.length - r.after.length;
      }
      return block;
    },
  };
}
