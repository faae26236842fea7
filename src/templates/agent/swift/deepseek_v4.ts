// Ports ms-swift's DeepSeekV4AgentTemplate (swift/agent_template/deepseek_v4.py; id deepseek_v4):
// DeepSeek-V4's DSML markup. Tools as JSON schemas under a fixed instruction block, each call as
// `<｜DSML｜invoke name="...">` with one `<｜DSML｜parameter name=... string="true|false">` line per
// argument (strings as they are, anything else as JSON), results as `<tool_result>` blocks in a
// user turn.
import { pyItems } from '../../py/float.ts';
import { pyJsonDumps } from '../../pyjson.ts';
import { pyJsonLoads } from '../../py/literal.ts';
import { PY_S, pyFindall } from '../../py/regex.ts';
import { pyStr } from '../../py/repr.ts';
import { pyTruthy } from '../../py/truth.ts';
import { pyDict, pySetItem, PyError, type PyDict } from '../../py/values.ts';
import { BaseAgentTemplate, contentOf, swiftFunction } from './base.ts';
import type { SwiftFunction, SwiftMessage, ToolResponses } from './types.ts';

const DSML = '｜DSML｜';

const toolsSection = (schemas: string): string =>
  '## Tools\n\n' +
  "You have access to a set of tools to help answer the user's question. " +
  `You can invoke tools by writing a "<${DSML}tool_calls>" block like the following:\n\n` +
  `<${DSML}tool_calls>\n` +
  `<${DSML}invoke name="$TOOL_NAME">\n` +
  `<${DSML}parameter name="$PARAMETER_NAME" string="true|false">$PARAMETER_VALUE</${DSML}parameter>\n` +
  '...\n' +
  `</${DSML}invoke>\n` +
  `<${DSML}invoke name="$TOOL_NAME2">\n` +
  '...\n' +
  `</${DSML}invoke>\n` +
  `</${DSML}tool_calls>\n\n` +
  'String parameters should be specified as is and set `string="true"`. ' +
  'For all other types (numbers, booleans, arrays, objects), ' +
  'pass the value in JSON format and set `string="false"`.\n\n' +
  'If thinking_mode is enabled (triggered by <think>), ' +
  'you MUST output your complete reasoning inside <think>...</think> BEFORE any tool calls or final response.\n\n' +
  'Otherwise, output directly after </think> with tool calls or final response.\n\n' +
  '### Available Tool Schemas\n\n' +
  `${schemas}\n\n` +
  'You MUST strictly follow the above defined tool name and parameter schemas to invoke tool calls.\n';

const INVOKE_RE = new RegExp(`<${DSML}invoke${PY_S}+name="([^"]+)">${PY_S}*(.*?)${PY_S}*</${DSML}invoke>`, 'su');
const PARAM_RE = new RegExp(
  `<${DSML}parameter${PY_S}+name="([^"]+)"${PY_S}+string="(true|false)">(.*?)</${DSML}parameter>`,
  'su',
);

/** One DSML parameter line per argument (a dict: Python calls `.items()` on it). */
function encodeArguments(args: unknown): string {
  return pyItems(pyDict(args, 'items'))
    .map(([k, v]) => {
      const isStr = typeof v === 'string';
      return `<${DSML}parameter name="${k}" string="${isStr}">${isStr ? v : pyJsonDumps(v)}</${DSML}parameter>`;
    })
    .join('\n');
}

export class DeepSeekV4AgentTemplate extends BaseAgentTemplate {
  readonly id: string = 'deepseek_v4';

  override getToolcall(response: string): SwiftFunction[] {
    const functions: SwiftFunction[] = [];
    for (const [name, block] of pyFindall(INVOKE_RE, response)) {
      const args: PyDict = {};
      for (const [key, isString, raw] of pyFindall(PARAM_RE, block)) {
        let value: unknown = raw;
        if (isString === 'false') {
          try {
            value = pyJsonLoads(raw);
          } catch {
            // not JSON: kept as text, as ms-swift does
          }
        }
        pySetItem(args, key, value);
      }
      functions.push(swiftFunction(name, pyJsonDumps(args)));
    }
    return functions.length ? functions : super.getToolcall(response);
  }

  /** ↔ `_get_tool_responses`: the results of one run in one user turn, a blank line apart. */
  protected toolResponsesText(toolMessages: SwiftMessage[]): string {
    return toolMessages.map((m) => `<tool_result>${contentOf(m)}</tool_result>`).join('\n\n');
  }

  override addToolCallPrefix(toolContent: string): string {
    return '\n\n' + toolContent;
  }

  override formatToolResponses(assistantContent: string, toolMessages: SwiftMessage[]): ToolResponses {
    if (this.withAction(assistantContent)) return super.formatToolResponses(assistantContent, toolMessages);
    return {
      assistantContent,
      parts: ['<｜end▁of▁sentence｜><｜User｜>', this.toolResponsesText(toolMessages), '<｜Assistant｜>'],
    };
  }

  formatTools(tools: unknown[], system: string | null): string {
    const section = toolsSection(tools.map((t) => pyJsonDumps(BaseAgentTemplate.unwrapTool(t))).join('\n'));
    return pyTruthy(system) ? `${system}\n\n${section}` : section;
  }

  override formatToolCalls(toolCallMessages: SwiftMessage[]): string {
    const invocations = toolCallMessages.map((m) => {
      const call = BaseAgentTemplate.parseToolCall(m.content);
      let args = call.arguments;
      if (typeof args === 'string') {
        try {
          args = pyJsonLoads(args);
        } catch (e) {
          throw new PyError('JSONDecodeError', (e as Error).message);
        }
      }
      return `<${DSML}invoke name="${pyStr(call.name)}">\n${encodeArguments(args)}\n</${DSML}invoke>`;
    });
    return `<${DSML}tool_calls>\n${invocations.join('\n')}\n</${DSML}tool_calls>`;
  }
}
