// GLM-4's own tool format (official ../shared/reference/chat_templates/THUDM-glm-4-9b-chat.jinja,
// which reads tools from the system message and calls/results from `metadata` / `observation`
// messages): a `<|system|>` block listing the tools (# 可用工具), each call as its own assistant
// turn `<|assistant|>NAME\nARGS-JSON`, each result as an `<|observation|>` turn (the family's tool
// wrapper). The official template only prints message content, so it would drop calls given as
// OpenAI tool_calls (warning tool_calls_native).
import type { Tool } from '../../../data/types.ts';
import { pyJsonDumps } from '../../pyjson.ts';
import { contentOf, of, tpl, toolsText } from '../pieces.ts';
import type { AgentContext, AssistantTurn } from '../types.ts';
import { nativeId, type NativeAgentDef } from './types.ts';

export const GLM4_SYSTEM_INTRO =
  '你是一个名为 ChatGLM 的人工智能助手。你是基于智谱AI训练的语言模型 GLM-4 模型开发的，你的任务是针对用户的问题和要求提供适当的答复和支持。\n\n# 可用工具';

export function glm4ToolsText(tools: Tool[]): string {
  const each = (t: Tool) =>
    `\n## ${t.function.name}\n\n${pyJsonDumps(t.function, { indent: 4 })}\n在调用上述函数时，请使用 Json 格式表示调用的参数。`;
  return GLM4_SYSTEM_INTRO + tools.map(each).join('');
}

export function warnNativeCalls(ctx: AgentContext): void {
  ctx.warn(
    'tool_calls_native',
    `${ctx.spec.id}'s official template only prints message content, so it would drop tool calls; ` +
      "they are written in the model's own call format (see the spec notes)",
  );
}

export const glm4: NativeAgentDef = {
  id: nativeId('glm4'),
  kind: 'native',
  format: 'glm4',
  families: ['glm'],
  description:
    'GLM-4: tools in a system block (# 可用工具), calls as <|assistant|>NAME\\nARGS, results as <|observation|> turns',
  create: () => ({
    id: nativeId('glm4'),
    kind: 'native',
    tools: (tools) => ({ block: [tpl('<|system|>\n'), toolsText(glm4ToolsText(tools))] }),
    calls({ index, message, calls, text }, ctx) {
      warnNativeCalls(ctx);
      const turns: AssistantTurn[] = message.content !== '' ? [{ body: text }] : [];
      for (const c of calls) {
        turns.push({
          prefix: '<|assistant|>',
          body: [of(index, c.name + '\n' + pyJsonDumps(c.arguments), 'assistant')],
        });
      }
      return turns;
    },
    results({ indexes }, ctx) {
      warnNativeCalls(ctx);
      return {
        parts: indexes.map((i) => ({ kind: 'turn' as const, content: [of(i, contentOf(ctx, i), 'tool')], msg: i })),
        carriedBy: 'tool',
      };
    },
  }),
};
