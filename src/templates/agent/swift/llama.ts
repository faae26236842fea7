// ms-swift's `llama3` and `llama4` (Llama3AgentTemplate, Llama4AgentTemplate in
// swift/agent_template/llama.py): the tool list goes into the FIRST USER MESSAGE (rewritten in
// place, the system prompt stays as it is), a call is one JSON object `{"name", "parameters"}` per
// line, results are `tool` header turns. Llama 4 differs only in its special tokens.
import { pyJsonDumps } from '../../pyjson.ts';
import { swiftParseJson } from '../../py/literal.ts';
import { PY_S, pyFindall } from '../../py/regex.ts';
import { pyStr } from '../../py/repr.ts';
import { pyTruthy } from '../../py/truth.ts';
import { isPyDict, pyIn } from '../../py/values.ts';
import { BaseAgentTemplate, contentOf, swiftAssert, swiftFunction } from './base.ts';
import type { SwiftFunction, SwiftMessage, ToolResponses } from './types.ts';

const LLAMA_PROMPT =
  'Given the following functions, please respond with a JSON for a function call with its proper arguments that ' +
  'best answers the given prompt.\n\n' +
  'Respond in the format {"name": function name, "parameters": dictionary of argument name and its value}. ' +
  'Do not use variables.\n\n';

// A JSON object with "name" and then "parameters": {...}, found anywhere in the reply (lazy, as ms-swift's).
const CALL_RE = new RegExp(`(\\{[^{]*?"name":.*?"parameters":${PY_S}*?\\{.*?\\}${PY_S}*?\\})`, 'su');

export class Llama3AgentTemplate extends BaseAgentTemplate {
  readonly id: string = 'llama3';
  protected eomToken = '<|eom_id|>';
  protected startToken = '<|start_header_id|>';
  protected endToken = '<|end_header_id|>';
  protected eotToken = '<|eot_id|>';

  override getToolcall(response: string): SwiftFunction[] {
    const text = response.endsWith(this.eomToken) ? response.slice(0, -this.eomToken.length) : response;
    const functions: SwiftFunction[] = [];
    for (const [m] of pyFindall(CALL_RE, text)) {
      const obj = swiftParseJson(m);
      if (isPyDict(obj) && pyIn('name', obj) && pyIn('parameters', obj)) {
        functions.push(swiftFunction(obj.name, obj.parameters));
      }
    }
    return functions.length ? functions : super.getToolcall(text);
  }

  override formatToolResponses(assistantContent: string, toolMessages: SwiftMessage[]): ToolResponses {
    if (this.withAction(assistantContent)) return super.formatToolResponses(assistantContent, toolMessages);
    const parts = [this.eotToken];
    for (const m of toolMessages) {
      parts.push(`${this.startToken}tool${this.endToken}\n\n${contentOf(m)}${this.eotToken}`);
    }
    parts.push(`${this.startToken}assistant${this.endToken}\n\n`);
    return { assistantContent, parts };
  }

  formatTools(tools: unknown[], system: string | null, userMessage: SwiftMessage | null): string {
    swiftAssert(userMessage !== null, '');
    const descs = tools.map((t) => pyJsonDumps(t, { indent: 4 }));
    userMessage.content = LLAMA_PROMPT + descs.join('\n\n') + `\n\n${pyStr(userMessage.content)}`;
    return pyTruthy(system) ? (system as string) : '';
  }

  override formatToolCalls(toolCallMessages: SwiftMessage[]): string {
    return toolCallMessages
      .map((m) => {
        const call = BaseAgentTemplate.parseToolCall(m.content);
        return pyJsonDumps({ name: call.name, parameters: call.arguments });
      })
      .join('\n');
  }
}

export class Llama4AgentTemplate extends Llama3AgentTemplate {
  override readonly id: string = 'llama4';
  protected override eomToken = '<|eom|>';
  protected override startToken = '<|header_start|>';
  protected override endToken = '<|header_end|>';
  protected override eotToken = '<|eot|>';
}
