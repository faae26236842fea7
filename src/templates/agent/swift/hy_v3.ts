// Ports ms-swift's HyV3PreviewAgentTemplate and HyV3AgentTemplate (swift/agent_template/hy_v3.py;
// ids hy_v3_preview, hy_v3): Hunyuan v3's <tool_calls> blocks with `name<tool_sep>` and
// <arg_key>/<arg_value> pairs, results between its end-of-turn and assistant tokens. hy_v3 is the
// same format with every tag suffixed `:opensource`.
import { pyItems } from '../../py/float.ts';
import { pyJsonDumps, pyStrip } from '../../pyjson.ts';
import { pyStr } from '../../py/repr.ts';
import { swiftParseJson } from '../../py/literal.ts';
import { PY_S, pyFindall } from '../../py/regex.ts';
import { isPyDict } from '../../py/values.ts';
import { BaseAgentTemplate, contentOf, pyDictJson, swiftFunction } from './base.ts';
import type { SwiftFunction, SwiftMessage, ToolResponses } from './types.ts';

export class HyV3PreviewAgentTemplate extends BaseAgentTemplate {
  readonly id: string = 'hy_v3_preview';
  /** The suffix of every tag (ms-swift's HYTK); letters and `:` only, so safe inside a regex. */
  protected readonly tk: string = '';

  override getToolcall(response: string): SwiftFunction[] {
    const tk = this.tk;
    const functions: SwiftFunction[] = [];
    for (const [block] of pyFindall(new RegExp(`<tool_call${tk}>(.*?)</tool_call${tk}>`, 's'), response)) {
      // The name is the text before the separator; a block without one is skipped.
      const name = new RegExp(`^(.*?)<tool_sep${tk}>`, 's').exec(block);
      if (!name) continue;
      const pairs = new RegExp(`<arg_key${tk}>(.*?)</arg_key${tk}>${PY_S}*<arg_value${tk}>(.*?)</arg_value${tk}>`, 's');
      const args = new Map<string, unknown>();
      for (const [k, v] of pyFindall(pairs, block)) {
        const value = pyStrip(v);
        // A value that parses (JSON or a Python literal) is kept parsed, anything else as text;
        // `null` / `None` parse to None, which ms-swift also keeps as the text.
        const parsed = swiftParseJson(value);
        args.set(pyStrip(k), parsed === undefined || parsed === null ? value : parsed);
      }
      functions.push(swiftFunction(pyStrip(name[1]), pyDictJson(args)));
    }
    return functions.length ? functions : super.getToolcall(response);
  }

  /** ↔ `_get_tool_responses`. */
  protected toolResponsesText(toolMessages: SwiftMessage[]): string {
    const tk = this.tk;
    const each = toolMessages.map((m) => `<tool_response${tk}>\n${contentOf(m)}\n</tool_response${tk}>`).join('\n');
    return `<tool_responses${tk}>\n${each}\n</tool_responses${tk}>`;
  }

  override formatToolResponses(assistantContent: string, toolMessages: SwiftMessage[]): ToolResponses {
    if (this.withAction(assistantContent)) return super.formatToolResponses(assistantContent, toolMessages);
    const tk = this.tk;
    return {
      assistantContent,
      parts: [`<｜hy_eos${tk}｜>`, this.toolResponsesText(toolMessages), `<｜hy_Assistant${tk}｜>`],
    };
  }

  formatTools(tools: unknown[], system: string | null): string {
    const tk = this.tk;
    const descs = tools.map((t) => pyJsonDumps(BaseAgentTemplate.wrapTool(t)));
    return (
      (system ? `${system}\n\n` : '') +
      '# Tools\n\nYou may call one or more functions to assist with the user query.\n\n' +
      'You are provided with function signatures within <tools></tools> XML tags:\n<tools>\n' +
      descs.join('\n') +
      `\n</tools>\n\nFor function call returns, you should first print <tool_calls${tk}>\n` +
      'For each function call, you should return object like:\n' +
      `<tool_call${tk}>{function-name}<tool_sep${tk}>\n` +
      `<arg_key${tk}>{arg-key-1}</arg_key${tk}>\n` +
      `<arg_value${tk}>{arg-value-1}</arg_value${tk}>\n` +
      `<arg_key${tk}>{arg-key-2}</arg_key${tk}>\n` +
      `<arg_value${tk}>{arg-value-2}</arg_value${tk}>\n` +
      `...\n</tool_call${tk}>\n` +
      `At the end of function call returns, you should print </tool_calls${tk}>`
    );
  }

  override formatToolCalls(toolCallMessages: SwiftMessage[]): string {
    const tk = this.tk;
    const calls = toolCallMessages.map((m) => {
      const call = BaseAgentTemplate.parseToolCall(m.content);
      // Arguments that are not a dict are dropped (an empty argument list), as in ms-swift.
      const lines = isPyDict(call.arguments)
        ? pyItems(call.arguments).map(([k, v]) => {
            const value = typeof v === 'string' ? v : pyJsonDumps(v);
            return `<arg_key${tk}>${k}</arg_key${tk}>\n<arg_value${tk}>${value}</arg_value${tk}>`;
          })
        : [];
      return `<tool_call${tk}>${pyStr(call.name)}<tool_sep${tk}>\n${lines.join('\n')}\n</tool_call${tk}>`;
    });
    return `<tool_calls${tk}>\n${calls.join('\n')}\n</tool_calls${tk}>`;
  }
}

export class HyV3AgentTemplate extends HyV3PreviewAgentTemplate {
  override readonly id: string = 'hy_v3';
  protected override readonly tk: string = ':opensource';
}
