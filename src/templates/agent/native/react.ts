// ReAct text for families whose official template has no tool support (Llama 3.0, Gemma, Phi-3.5,
// InternLM2, SmolLM2): the tool list (LangChain / ms-swift wording) joins the system prompt, calls
// become `Action:` / `Action Input:` lines of the reply, and a run of results one user turn of
// `Observation:` lines. The official template then renders that as plain text (the conformance
// suite checks it against reactConversation()). Any model template can use it.
import type { Conversation, Tool, ToolCall } from '../../../data/types.ts';
import { pyJsonDumps } from '../../pyjson.ts';
import { contentOf, of, tpl, toolsText } from '../pieces.ts';
import type { AgentContext, Piece } from '../types.ts';
import { nativeId, type NativeAgentDef } from './types.ts';

/** ReAct instructions (the LangChain/ms-swift wording) for families with no tool format. */
export function reactToolsText(tools: Tool[]): string {
  const descs = tools
    .map(
      (t) =>
        `${t.function.name}: ${t.function.description ? t.function.description + ' ' : ''}Parameters: ` +
        `${pyJsonDumps(t.function.parameters ?? {})}`,
    )
    .join('\n');
  const names = tools.map((t) => t.function.name).join(', ');
  return (
    'Answer the following questions as best you can. You have access to the following tools:\n\n' +
    descs +
    '\n\nUse the following format:\n\n' +
    'Question: the input question you must answer\n' +
    'Thought: you should always think about what to do\n' +
    `Action: the action to take, should be one of [${names}]\n` +
    'Action Input: the input to the action\n' +
    'Observation: the result of the action\n' +
    '... (this Thought/Action/Action Input/Observation can be repeated zero or more times)\n' +
    'Thought: I now know the final answer\n' +
    'Final Answer: the final answer to the original input question\n\nBegin!'
  );
}

export function reactCalls(calls: ToolCall[]): string {
  return calls.map((c) => `Action: ${c.name}\nAction Input: ${pyJsonDumps(c.arguments)}`).join('\n');
}

/**
 * The conversation as a ReAct family renders it, as plain messages: what the official template is
 * given in the conformance suite to compare with our rendering.
 */
export function reactConversation(conv: Conversation): Conversation {
  const messages: Conversation['messages'] = [];
  conv.messages.forEach((m, i) => {
    if (m.role === 'assistant' && m.tool_calls?.length) {
      const { tool_calls, ...rest } = m;
      messages.push({ ...rest, content: m.content + (m.content ? '\n' : '') + reactCalls(tool_calls) });
    } else if (m.role === 'tool') {
      const line = 'Observation: ' + m.content;
      if (i > 0 && conv.messages[i - 1].role === 'tool') messages[messages.length - 1].content += '\n' + line;
      else messages.push({ role: 'user', content: line });
    } else messages.push({ ...m });
  });
  const tools = conv.tools?.length ? conv.tools : undefined;
  const system = tools ? (conv.system ? conv.system + '\n\n' : '') + reactToolsText(tools) : conv.system;
  const conversation: Conversation = { messages, source: conv.source };
  if (system !== undefined) conversation.system = system;
  return conversation;
}

function warnReact(ctx: AgentContext): void {
  ctx.warn(
    'tools_as_react',
    `${ctx.spec.id} has no native tool format: tools, calls and results are written as ReAct text`,
  );
}

export const react: NativeAgentDef = {
  id: nativeId('react'),
  kind: 'native',
  format: 'react',
  description: 'ReAct text (Action / Action Input / Observation) for families without native tool support',
  create: () => ({
    id: nativeId('react'),
    kind: 'native',
    tools(tools, ctx) {
      warnReact(ctx);
      const sys = ctx.conversation.system;
      const head = sys ? [{ text: sys + '\n\n', role: 'system' as const }] : [];
      return { system: [...head, toolsText(reactToolsText(tools))] };
    },
    calls({ index, calls, text, content }, ctx) {
      warnReact(ctx);
      const body: Piece[] = [...text];
      if (content) body.push(of(index, '\n', 'assistant'));
      body.push(of(index, reactCalls(calls), 'assistant'));
      return [{ body, callsInContent: true }];
    },
    results({ indexes }, ctx) {
      warnReact(ctx);
      const content: Piece[] = [];
      indexes.forEach((i, k) =>
        content.push(tpl((k > 0 ? '\n' : '') + 'Observation: '), of(i, contentOf(ctx, i), 'tool')),
      );
      return { parts: [{ kind: 'user', content, msg: indexes[indexes.length - 1] }], carriedBy: 'user' };
    },
  }),
};
