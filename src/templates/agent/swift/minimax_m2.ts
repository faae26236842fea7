// Ports ms-swift's MinimaxM2AgentTemplate (swift/agent_template/minimax_m2.py; id minimax_m2):
// tools as `<tool>{schema}</tool>` lines, a run of calls as one `<minimax:tool_call>` block of
// `<invoke name=...>` elements with one `<parameter name=...>` per argument (strings as they are,
// anything else as JSON; nothing is XML-escaped), results as `<response>` lines in a `tool` turn.
import { pyItems } from '../../py/float.ts';
import { pyJsonDumps, pyStrip } from '../../pyjson.ts';
import { swiftParseJson } from '../../py/literal.ts';
import { pyFindall } from '../../py/regex.ts';
import { pyStr } from '../../py/repr.ts';
import { pyTruthy } from '../../py/truth.ts';
import { pyDict, pyReplace, pySetItem, type PyDict } from '../../py/values.ts';
import { BaseAgentTemplate, contentOf, swiftFunction } from './base.ts';
import type { SwiftFunction, SwiftMessage, ToolResponses } from './types.ts';

const BLOCK_RE = /<minimax:tool_call>(.*?)<\/minimax:tool_call>/su;
const INVOKE_RE = /<invoke name="([^"]+)">(.*?)<\/invoke>/su;
const PARAM_RE = /<parameter name="([^"]+)">(.*?)<\/parameter>/su;

/** The model template's user turn with `user` → `tool` (every occurrence, as Python's str.replace). */
export function toolTurnFromMeta(prompt: string[]): string[] {
  return prompt.map((p) => pyReplace(p, 'user', 'tool'));
}

/** chat_sep, then the prompt with the results in place of `{{QUERY}}`. */
export function resultsInPrompt(chatSep: string[], prompt: string[], total: string): string[] {
  return [...chatSep, ...prompt.map((p) => pyReplace(p, '{{QUERY}}', total))];
}

export class MinimaxM2AgentTemplate extends BaseAgentTemplate {
  readonly id: string = 'minimax_m2';

  override getToolcall(response: string): SwiftFunction[] {
    const functions: SwiftFunction[] = [];
    for (const [block] of pyFindall(BLOCK_RE, response)) {
      for (const [name, params] of pyFindall(INVOKE_RE, block)) {
        const args: PyDict = {};
        for (const [key, raw] of pyFindall(PARAM_RE, params)) {
          const value = pyStrip(raw);
          const parsed = swiftParseJson(value);
          pySetItem(args, key, parsed !== undefined && parsed !== null ? parsed : value);
        }
        functions.push(swiftFunction(name, args));
      }
    }
    return functions.length ? functions : super.getToolcall(response);
  }

  override formatToolResponses(assistantContent: string, toolMessages: SwiftMessage[]): ToolResponses {
    if (this.withAction(assistantContent)) return super.formatToolResponses(assistantContent, toolMessages);
    const meta = this.templateMeta;
    const prompt = meta ? toolTurnFromMeta(meta.prompt) : [']~b]tool\n{{QUERY}}[e~[\n'];
    const chatSep = meta ? meta.chatSep : ['[e~[\n'];
    const total = toolMessages.map((m) => `<response>${contentOf(m)}</response>`).join('\n');
    return { assistantContent, parts: resultsInPrompt(chatSep, prompt, total) };
  }

  formatTools(tools: unknown[], system: string | null): string {
    const schemas = tools.map((t) => `<tool>${pyJsonDumps(BaseAgentTemplate.unwrapTool(t))}</tool>`);
    return (
      `${pyTruthy(system) ? system : ''}\n\n# Tools\nYou may call one or more tools to assist with the user query.\n` +
      'Here are the tools available in JSONSchema format:\n\n<tools>\n' +
      schemas.join('\n') +
      '\n</tools>\n\nWhen making tool calls, use XML format to invoke tools and pass parameters:\n\n' +
      '<minimax:tool_call>\n<invoke name="tool-name-1">\n<parameter name="param-key-1">param-value-1</parameter>\n' +
      '<parameter name="param-key-2">param-value-2</parameter>\n...\n</invoke>\n</minimax:tool_call>'
    );
  }

  override formatToolCalls(toolCallMessages: SwiftMessage[]): string {
    const calls = toolCallMessages.map((m) => {
      const call = BaseAgentTemplate.parseToolCall(m.content);
      const params = pyItems(pyDict(call.arguments, 'items')).map(
        ([k, v]) => `<parameter name="${k}">${typeof v === 'string' ? v : pyJsonDumps(v)}</parameter>`,
      );
      return `<invoke name="${pyStr(call.name)}">\n${params.join('\n')}\n</invoke>`;
    });
    return calls.length ? `<minimax:tool_call>\n${calls.join('\n')}\n</minimax:tool_call>` : '';
  }
}
