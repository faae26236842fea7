// Ports ms-swift's DeepSeekV31AgentTemplate (swift/agent_template/deepseek_v3_1.py; id
// deepseek_v3_1): tools as Markdown sections after the system prompt, calls between DeepSeek's
// `<｜tool▁call▁begin｜>name<｜tool▁sep｜>args<｜tool▁call▁end｜>` markers, results as
// `<｜tool▁output▁begin｜>` blocks after the end-of-sentence token.
import { pyJsonDumps, pyStrip } from '../../pyjson.ts';
import { swiftParseJson } from '../../py/literal.ts';
import { pyFindall } from '../../py/regex.ts';
import { pyStr } from '../../py/repr.ts';
import { pyTruthy } from '../../py/truth.ts';
import { pyGet } from '../../py/values.ts';
import { BaseAgentTemplate, contentOf, swiftFunction } from './base.ts';
import type { SwiftFunction, SwiftMessage, ToolResponses } from './types.ts';

const CALL_RE = /<｜tool▁call▁begin｜>(.*?)<｜tool▁sep｜>(.*?)<｜tool▁call▁end｜>/su;

export class DeepSeekV31AgentTemplate extends BaseAgentTemplate {
  readonly id: string = 'deepseek_v3_1';

  override getToolcall(response: string): SwiftFunction[] {
    const functions: SwiftFunction[] = [];
    for (const [name, args] of pyFindall(CALL_RE, response)) {
      const parsed = swiftParseJson(pyStrip(args));
      if (parsed !== undefined && parsed !== null) functions.push(swiftFunction(pyStrip(name), parsed));
    }
    return functions.length ? functions : super.getToolcall(response);
  }

  /** ↔ `_get_tool_responses`. */
  protected toolResponsesText(toolMessages: SwiftMessage[]): string {
    return toolMessages.map((m) => `<｜tool▁output▁begin｜>${contentOf(m)}<｜tool▁output▁end｜>`).join('');
  }

  override formatToolResponses(assistantContent: string, toolMessages: SwiftMessage[]): ToolResponses {
    if (this.withAction(assistantContent)) return super.formatToolResponses(assistantContent, toolMessages);
    return { assistantContent, parts: ['<｜end▁of▁sentence｜>', this.toolResponsesText(toolMessages)] };
  }

  formatTools(tools: unknown[], system: string | null): string {
    const descs = tools.map((t) => {
      const tool = BaseAgentTemplate.unwrapTool(t);
      const name = BaseAgentTemplate.getToolName(tool);
      const description = pyGet(tool, 'description', '');
      const parameters = pyGet(tool, 'parameters', {});
      return `### ${pyStr(name)}\nDescription: ${pyStr(description)}\n\nParameters: ${pyJsonDumps(parameters)}`;
    });
    return (
      `${pyTruthy(system) ? system : ''}\n\n## Tools\nYou have access to the following tools:\n\n` +
      `${descs.join('\n\n')}\n\n` +
      'IMPORTANT: ALWAYS adhere to this exact format for tool use:\n' +
      '<｜tool▁calls▁begin｜><｜tool▁call▁begin｜>tool_call_name<｜tool▁sep｜>' +
      'tool_call_arguments<｜tool▁call▁end｜>' +
      '{additional_tool_calls}<｜tool▁calls▁end｜>\n\n' +
      'Where:\n' +
      '- `tool_call_name` must be an exact match to one of the available tools\n' +
      "- `tool_call_arguments` must be valid JSON that strictly follows the tool's Parameters Schema\n" +
      '- For multiple tool calls, chain them directly without separators or spaces'
    );
  }

  override formatToolCalls(toolCallMessages: SwiftMessage[]): string {
    const calls = toolCallMessages.map((m) => {
      const call = BaseAgentTemplate.parseToolCall(m.content);
      const args = pyJsonDumps(call.arguments);
      return `<｜tool▁call▁begin｜>${pyStr(call.name)}<｜tool▁sep｜>${args}<｜tool▁call▁end｜>`;
    });
    return `<｜tool▁calls▁begin｜>${calls.join('')}<｜tool▁calls▁end｜>`;
  }
}
