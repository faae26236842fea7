// The Chat page's conversations: the base model and the adapter each keep their own history
// (each side's replies are what that model said), sharing the user's turns, the system prompt
// and the tools. A reply with tool calls goes into its history as an assistant message with
// tool_calls, so the next prompt renders it in the template's own call format; the user answers
// a call with a tool message.
import type { Conversation, Message, Tool, ToolCall } from '../../data/types.ts';
import type { ParsedToolCall } from '../../infer/tool-calls.ts';
import { render, type RenderOptions } from '../../templates/index.ts';
import type { TemplateSpec } from '../../templates/spec.ts';

/** The dataset's tools, one per function name (the first definition), in order of first use. */
export function datasetTools(conversations: readonly (Conversation | undefined | null)[]): Tool[] {
  const seen = new Map<string, Tool>();
  for (const c of conversations)
    for (const t of c?.tools ?? []) if (!seen.has(t.function.name)) seen.set(t.function.name, t);
  return [...seen.values()];
}

export function chatConversation(system: string, tools: readonly Tool[], messages: readonly Message[]): Conversation {
  return {
    ...(system.trim() ? { system } : {}),
    ...(tools.length ? { tools: [...tools] } : {}),
    messages: [...messages],
    source: { format: 'messages', line: 0 },
  };
}

/**
 * The history entry for a finished reply: its tool calls, with the text it wrote before them
 * (`content` of parseToolCalls), when it made any; else its text.
 */
export function replyMessage(reply: string, calls: readonly ParsedToolCall[], turn: number, content = ''): Message {
  if (!calls.length) return { role: 'assistant', content: reply };
  const toolCalls: ToolCall[] = calls.map((c, i) => ({
    id: `call_${turn}_${i}`,
    name: c.name,
    // Arguments no parser could read stay the text the model wrote.
    arguments: c.arguments === undefined ? c.argumentsText : c.arguments,
  }));
  return { role: 'assistant', content, tool_calls: toolCalls };
}

/** The calls of the last assistant message that no tool message has answered yet. */
export function pendingCalls(history: readonly Message[]): ToolCall[] {
  const last = history.at(-1);
  if (last?.role === 'assistant' && last.tool_calls?.length) return last.tool_calls;
  // Some calls answered: the rest are still pending.
  let i = history.length - 1;
  const answered = new Set<string>();
  while (i >= 0 && history[i].role === 'tool') answered.add(history[i--].tool_call_id ?? '');
  const call = history[i];
  if (i < history.length - 1 && call?.role === 'assistant' && call.tool_calls)
    return call.tool_calls.filter((c) => !answered.has(c.id ?? ''));
  return [];
}

/** The tool message answering `call`. */
export function toolResult(call: ToolCall, content: string): Message {
  return { role: 'tool', content, tool_call_id: call.id, name: call.name };
}

/**
 * The text the template writes for an assistant message after `conv` (its call turn in the
 * template's format), up to the first stop word; null when the rendered turn does not continue
 * the generation prompt (a template that renders history differently) or the template refuses it.
 */
export function renderedTurn(
  spec: TemplateSpec,
  conv: Conversation,
  message: Message,
  opts: RenderOptions,
): string | null {
  try {
    const prompt = render(spec, conv, { ...opts, addGenerationPrompt: true }).text;
    const full = render(
      spec,
      { ...conv, messages: [...conv.messages, message] },
      { ...opts, addGenerationPrompt: false },
    ).text;
    if (!full.startsWith(prompt)) return null;
    const turn = full.slice(prompt.length);
    const cut = Math.min(...spec.stop.map((s) => turn.indexOf(s)).filter((i) => i >= 0), turn.length);
    return turn.slice(0, cut);
  } catch {
    return null;
  }
}
