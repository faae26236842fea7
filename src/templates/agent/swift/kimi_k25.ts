// Ports ms-swift's KimiK25AgentTemplate (swift/agent_template/kimi_k25.py; id kimi_k25): Kimi
// K2.5/K2.6. Tools as a TypeScript `namespace functions` in a `tool_declare` system message
// (parameter types mapped coarsely: integer→number, array→any[], unknown→any; no enums, nesting or
// optional marks), calls between `<|tool_call_begin|>name<|tool_call_argument_begin|>json` markers,
// results as `## Return of {tool_call_id}` system messages.
import { pyItems } from '../../py/float.ts';
import { pyJsonDumps, pyStrip } from '../../pyjson.ts';
import { swiftParseJson } from '../../py/literal.ts';
import { pyFindall } from '../../py/regex.ts';
import { pyStr } from '../../py/repr.ts';
import { pyTruthy } from '../../py/truth.ts';
import { pyDict, pyGet, pyLookup } from '../../py/values.ts';
import { BaseAgentTemplate, contentOf, swiftFunction } from './base.ts';
import type { SwiftFunction, SwiftMessage, ToolResponses } from './types.ts';

const TS_TYPE: Readonly<Record<string, string>> = {
  string: 'string',
  number: 'number',
  integer: 'number',
  boolean: 'boolean',
  array: 'any[]',
  object: 'object',
  null: 'null',
};

const CALL_RE = /<\|tool_call_begin\|>(.*?)<\|tool_call_argument_begin\|>(.*?)<\|tool_call_end\|>/su;

/** `_tools_to_typescript`: each tool as `type name = (_: {...}) => any;` with `//` comments. */
function toolsToTypescript(tools: unknown[]): string {
  return tools
    .map((t) => {
      const tool = BaseAgentTemplate.unwrapTool(t);
      const name = pyStr(BaseAgentTemplate.getToolName(tool));
      const description = pyGet(tool, 'description', '');
      const properties = pyGet(pyGet(tool, 'parameters', {}), 'properties', {});
      const lines: string[] = [];
      if (pyTruthy(description)) lines.push(`// ${pyStr(description)}`);
      if (!pyTruthy(properties)) lines.push(`type ${name} = (_: {}) => any;`);
      else {
        lines.push(`type ${name} = (_: {`);
        const props = pyItems(pyDict(properties, 'items'));
        props.forEach(([pname, schema], i) => {
          const pdesc = pyGet(schema, 'description', '');
          const ptype = pyLookup(TS_TYPE, pyGet(schema, 'type', ''), 'any');
          if (pyTruthy(pdesc)) lines.push(`  // ${pyStr(pdesc)}`);
          lines.push(`  ${pname}: ${ptype}${i < props.length - 1 ? ',' : ''}`);
        });
        lines.push('}) => any;');
      }
      return lines.join('\n');
    })
    .join('\n');
}

export class KimiK25AgentTemplate extends BaseAgentTemplate {
  readonly id: string = 'kimi_k25';

  override getToolcall(response: string): SwiftFunction[] {
    const functions = pyFindall(CALL_RE, response).map(([name, raw]) => {
      const args = pyStrip(raw);
      const parsed = swiftParseJson(args);
      return swiftFunction(pyStrip(name), parsed !== undefined && parsed !== null ? parsed : args);
    });
    return functions.length ? functions : super.getToolcall(response);
  }

  formatTools(tools: unknown[], system: string | null): string {
    const content = `# Tools\n\n## functions\nnamespace functions {\n${toolsToTypescript(tools)}\n}\n`;
    const res = `tool_declare<|im_middle|>${content}`;
    return pyTruthy(system) ? `${res}<|im_end|><|im_system|>system<|im_middle|>${system}` : res;
  }

  override formatToolCalls(toolCallMessages: SwiftMessage[]): string {
    const calls = toolCallMessages.map((m) => {
      const call = BaseAgentTemplate.parseToolCall(m.content);
      const args = pyJsonDumps(call.arguments);
      return `<|tool_call_begin|>${pyStr(call.name)}<|tool_call_argument_begin|>${args}<|tool_call_end|>`;
    });
    return `<|tool_calls_section_begin|>${calls.join('')}<|tool_calls_section_end|>`;
  }

  override formatToolResponses(assistantContent: string, toolMessages: SwiftMessage[]): ToolResponses {
    if (this.withAction(assistantContent)) return super.formatToolResponses(assistantContent, toolMessages);
    const parts = ['<|im_end|>'];
    for (const m of toolMessages) {
      const id = pyGet(m, 'tool_call_id', '');
      parts.push(`<|im_system|>tool<|im_middle|>## Return of ${pyStr(id)}\n${contentOf(m)}<|im_end|>`);
    }
    parts.push('<|im_assistant|>assistant<|im_middle|>');
    return { assistantContent, parts };
  }
}
