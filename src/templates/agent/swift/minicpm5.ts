// Ports ms-swift's MiniCPM5AgentTemplate (swift/agent_template/minicpm5.py; id minicpm5): tools as
// JSON lines in <tools></tools>, calls as `<function name="..."><param name="...">value</param>
// </function>` (a string holding `<`, `&` or a newline goes in a CDATA block; anything else is JSON),
// results as `<tool_response>` blocks in the model template's user turn (ChatML's when none).
import { pyItems } from '../../py/float.ts';
import { pyJsonDumps } from '../../pyjson.ts';
import { pyJsonLoads } from '../../py/literal.ts';
import { PY_S } from '../../py/regex.ts';
import { pyStr } from '../../py/repr.ts';
import { pyTruthy } from '../../py/truth.ts';
import { isPyDict, pySetItem, type PyDict } from '../../py/values.ts';
import { BaseAgentTemplate, contentOf, swiftFunction } from './base.ts';
import { resultsInPrompt } from './minimax_m2.ts';
import type { SwiftFunction, SwiftMessage, ToolResponses } from './types.ts';

const FUNC_RE = new RegExp(`<function${PY_S}+name="([^"]+)">(.*?)</function>`, 'gsu');
const PARAM_RE = new RegExp(`<param${PY_S}+name="([^"]+)">(?:<!\\[CDATA\\[(.*?)\\]\\]>|([^<]*))</param>`, 'gsu');

const CHATML_PROMPT = ['<|im_start|>user\n{{QUERY}}<|im_end|>\n<|im_start|>assistant\n'];
const CHATML_CHAT_SEP = ['<|im_end|>\n'];

export class MiniCPM5AgentTemplate extends BaseAgentTemplate {
  readonly id: string = 'minicpm5';

  override getToolcall(response: string): SwiftFunction[] {
    const functions: SwiftFunction[] = [];
    for (const f of response.matchAll(FUNC_RE)) {
      const args: PyDict = {};
      for (const p of f[2].matchAll(PARAM_RE)) {
        const raw = p[2] ?? p[3]; // the CDATA text, else the plain text
        let value: unknown = raw;
        try {
          value = pyJsonLoads(raw);
        } catch {
          // not JSON: the text as it is
        }
        pySetItem(args, p[1], value);
      }
      functions.push(swiftFunction(f[1], args));
    }
    return functions.length ? functions : super.getToolcall(response);
  }

  /** ↔ `_get_tool_responses`. */
  protected toolResponsesText(toolMessages: SwiftMessage[]): string {
    return toolMessages.map((m) => `<tool_response>\n${contentOf(m)}\n</tool_response>`).join('\n');
  }

  override formatToolResponses(assistantContent: string, toolMessages: SwiftMessage[]): ToolResponses {
    if (this.withAction(assistantContent)) return super.formatToolResponses(assistantContent, toolMessages);
    const prompt = this.templateMeta ? this.templateMeta.prompt : CHATML_PROMPT;
    const chatSep = this.templateMeta ? this.templateMeta.chatSep : CHATML_CHAT_SEP;
    return { assistantContent, parts: resultsInPrompt(chatSep, prompt, this.toolResponsesText(toolMessages)) };
  }

  formatTools(tools: unknown[], system: string | null): string {
    const descs = tools.map((t) => pyJsonDumps(BaseAgentTemplate.wrapTool(t)));
    return (
      (pyTruthy(system) ? `${system}\n\n` : '') +
      '# Tools\n\nYou are provided with function signatures within <tools></tools> XML tags:\n<tools>\n' +
      descs.join('\n') +
      '\n</tools>\n\nTool usage guidelines:\n' +
      '- You may call zero or more functions. If no function calls are needed, ' +
      'just answer normally and do not include any <function ... </function>.\n' +
      '- When calling a function, return an XML object within <function ... </function> using:\n' +
      '<function name="function-name"><param name="param-name">param-value</param></function>\n' +
      '- param-value may be multi-line. If it contains <, & or newline characters, ' +
      'wrap it in a CDATA block: <param name="param-name"><![CDATA[...multi-line value...]]></param>'
    );
  }

  override formatToolCalls(toolCallMessages: SwiftMessage[]): string {
    return toolCallMessages
      .map((m) => {
        const call = BaseAgentTemplate.parseToolCall(m.content);
        let params = '';
        if (isPyDict(call.arguments)) {
          for (const [k, v] of pyItems(call.arguments)) {
            const cdata = typeof v === 'string' && (v.includes('<') || v.includes('&') || v.includes('\n'));
            const text = typeof v === 'string' ? v : pyJsonDumps(v);
            params += cdata ? `<param name="${k}"><![CDATA[${text}]]></param>` : `<param name="${k}">${text}</param>`;
          }
        }
        return `<function name="${pyStr(call.name)}">${params}</function>`;
      })
      .join('\n');
  }
}
