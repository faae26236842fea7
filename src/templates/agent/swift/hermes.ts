// Ports ms-swift's HermesAgentTemplate and HunyuanHermesAgentTemplate (swift/agent_template/
// hermes.py; ids hermes, hunyuan_hermes): tools as JSON lines inside <tools></tools>, each call as
// a JSON object inside <tool_call></tool_call>, results inside <tool_response> wrapped in the
// model template's user turn (its TemplateMeta prompt, ChatML's when none is attached).
// Subclasses (qwen3_coder, youtu) override the protected pieces as their Python classes do.
import { pyJsonDumps } from '../../pyjson.ts';
import { pyRepr } from '../../py/repr.ts';
import { swiftParseJson } from '../../py/literal.ts';
import { isPyDict } from '../../py/values.ts';
import { pyFindall } from '../../py/regex.ts';
import { BaseAgentTemplate, contentOf, swiftFunction } from './base.ts';
import { AgentTemplateError, type SwiftFunction, type SwiftMessage, type ToolResponses } from './types.ts';

/** ms-swift's prompt when no model template is attached: ChatML's user turn. */
const CHATML_PROMPT = ['<|im_start|>user\n{{QUERY}}<|im_end|>\n<|im_start|>assistant\n'];
const CHATML_CHAT_SEP = ['<|im_end|>\n'];

/** Python's `s.replace(old, new)`: every occurrence, and `new` taken literally (no `$&` patterns). */
const replaceAll = (s: string, old: string, by: string): string => s.split(old).join(by);

/** Hermes' results: each in <tool_response> on its own lines, joined by newlines. */
export const hermesToolResponses = (toolMessages: SwiftMessage[]): string =>
  toolMessages.map((m) => `<tool_response>\n${contentOf(m)}\n</tool_response>`).join('\n');

export class HermesAgentTemplate extends BaseAgentTemplate {
  readonly id: string = 'hermes';

  override getToolcall(response: string): SwiftFunction[] {
    const functions: SwiftFunction[] = [];
    for (const [body] of pyFindall(/<tool_call>(.+?)<\/tool_call>/s, response)) {
      const res = swiftParseJson(body);
      if (isPyDict(res) && 'name' in res && 'arguments' in res) functions.push(swiftFunction(res.name, res.arguments));
    }
    // Nothing in Hermes form: read it as ReAct.
    return functions.length ? functions : super.getToolcall(response);
  }

  /** ↔ `_get_tool_responses`: the text of a run of results. */
  protected toolResponsesText(toolMessages: SwiftMessage[]): string {
    return hermesToolResponses(toolMessages);
  }

  /** ↔ `_get_tool_calls`: how the formatted calls of one run are joined. */
  protected joinToolCalls(toolCalls: string[]): string {
    return toolCalls.join('\n');
  }

  override formatToolResponses(assistantContent: string, toolMessages: SwiftMessage[]): ToolResponses {
    if (this.withAction(assistantContent)) return super.formatToolResponses(assistantContent, toolMessages);
    const prompt = this.templateMeta ? this.templateMeta.prompt : CHATML_PROMPT;
    const chatSep = this.templateMeta ? this.templateMeta.chatSep : CHATML_CHAT_SEP;
    const total = this.toolResponsesText(toolMessages);
    return { assistantContent, parts: [...chatSep, ...prompt.map((p) => replaceAll(p, '{{QUERY}}', total))] };
  }

  override formatStandaloneToolResponses(toolMessages: SwiftMessage[]): string[] {
    // Without a model template there is no user turn to put the results in.
    if (!this.templateMeta) return super.formatStandaloneToolResponses(toolMessages);
    const res = [...(this.templateMeta.chatSep ?? [])];
    const total = this.toolResponsesText(toolMessages);
    // The prompt up to the query, then the results (the rest of the turn is the model's to write).
    for (const context of this.templateMeta.prompt) {
      const at = context.indexOf('{{QUERY}}');
      if (at >= 0) {
        if (at > 0) res.push(context.slice(0, at));
        res.push(total);
        return res;
      }
      res.push(context);
    }
    throw new AgentTemplateError(
      `ValueError: Template prompt does not contain {{QUERY}}: ${pyRepr(this.templateMeta.prompt)}`,
    );
  }

  formatTools(tools: unknown[], system: string | null): string {
    const descs = tools.map((t) => pyJsonDumps(BaseAgentTemplate.wrapTool(t)));
    return (
      `${system || ''}\n\n# Tools\n\nYou may call one or more functions to assist with the user query.\n\n` +
      'You are provided with function signatures within <tools></tools> XML tags:\n<tools>\n' +
      descs.join('\n') +
      '\n</tools>\n\nFor each function call, return a json object with function name and arguments within ' +
      '<tool_call></tool_call> XML tags:\n<tool_call>\n{"name": <function-name>, "arguments": ' +
      '<args-json-object>}\n</tool_call>'
    );
  }

  override formatToolCalls(toolCallMessages: SwiftMessage[]): string {
    const calls = toolCallMessages.map(
      (m) => `<tool_call>\n${pyJsonDumps(BaseAgentTemplate.parseToolCall(m.content))}\n</tool_call>`,
    );
    return this.joinToolCalls(calls);
  }
}

export class HunyuanHermesAgentTemplate extends HermesAgentTemplate {
  override readonly id: string = 'hunyuan_hermes';

  override getToolcall(response: string): SwiftFunction[] {
    const functions = pyFindall(/<tool_call>(.+?)\n```json(.+?)```<\/tool_call>/s, response).map(([name, args]) =>
      swiftFunction(name, swiftParseJson(args) ?? null),
    );
    // Nothing in Hunyuan's form: Hermes' JSON form, then ReAct.
    return functions.length ? functions : super.getToolcall(response);
  }

  protected override toolResponsesText(toolMessages: SwiftMessage[]): string {
    const each = toolMessages.map((m) => `<tool_response>${contentOf(m)}</tool_response>`).join('\n');
    return `<tool_responses>${each}</tool_responses>`;
  }

  protected override joinToolCalls(toolCalls: string[]): string {
    return `<tool_calls>\n${toolCalls.join('\n')}\n</tool_calls>`;
  }

  override formatTools(tools: unknown[], system: string | null): string {
    const descs = tools.map((t) => pyJsonDumps(BaseAgentTemplate.wrapTool(t)));
    return (
      (system ? `${system}\n\n` : '') +
      '# Tools\n\nYou may call one or more functions to assist with the user query.\n\n' +
      'You are provided with function signatures within <tools></tools> XML tags:\n<tools>\n' +
      descs.join('\n') +
      '\n</tools>\n\nFor function call returns, you should first print <tool_calls>For ' +
      'each function call, you should ' +
      'return object like:\n<tool_call>function_name\n```json\nfunction_arguments_in_json_format\n```</tool_call>' +
      'At the end of function call returns, you should print </tool_calls>'
    );
  }
}
