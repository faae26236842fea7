// Ports ms-swift's ChatGLM4AgentTemplate, GLM4AgentTemplate, GLM4_5AgentTemplate,
// GLM4_7AgentTemplate and GLM5_1AgentTemplate (swift/agent_template/glm4.py; ids chatglm4, glm4,
// glm4_5, glm4_7, glm5_1).
// - chatglm4 / glm4 (GLM-4-9B-0414, no built-in system text): tools as indented JSON under
//   `## name`, a call as `name\n{arguments}` (a Python dict's repr), several calls joined by
//   <|assistant|>, results after <|observation|>.
// - glm4_5 / glm4_7 / glm5_1: Hermes-like <tools> JSON lines and <tool_call>name<arg_key>…
//   <arg_value>… calls; glm4_5 puts each tag on its own line, the later two write them inline.
import { pyItems } from '../../py/float.ts';
import { pyJsonDumps, pyStrip } from '../../pyjson.ts';
import { pyStr } from '../../py/repr.ts';
import { PY_END, PY_W, pyFindall } from '../../py/regex.ts';
import { pyDict } from '../../py/values.ts';
import { BaseAgentTemplate, contentOf, pyDictJson, swiftFunction } from './base.ts';
import type { SwiftFunction, SwiftMessage, ToolResponses } from './types.ts';

const GLM4_SYSTEM =
  '你是一个名为 GLM-4 的人工智能助手。你是基于智谱AI训练的语言模型 GLM-4 模型开发的，你的任务是针对用户的问题和要求提供适当的答复和支持。\n\n';

/** `name\n{...}` up to a `}` that ends a line (or the text); ms-swift's pattern, in Python's `\w` and `$`. */
const CHATGLM4_CALL = new RegExp(`([^\\n\`]*?)\\n(\\{.*?\\})(?=${PY_W}*\\n|${PY_END})`, 'su');

export class ChatGLM4AgentTemplate extends BaseAgentTemplate {
  readonly id: string = 'chatglm4';
  /** GLM-4-0414 drops ChatGLM4's built-in system text. */
  protected readonly isGlm4_0414: boolean = false;

  /** ↔ `_find_function_call`: the first `name\n{arguments}` in one piece of the reply, or null. */
  static findFunctionCall(piece: string): SwiftFunction | null {
    const m = CHATGLM4_CALL.exec(piece.split('<|observation|>').join(''));
    return m ? swiftFunction(m[1], m[2]) : null;
  }

  override getToolcall(response: string): SwiftFunction[] {
    const functions: SwiftFunction[] = [];
    for (const piece of response.split('<|assistant|>')) {
      const f = ChatGLM4AgentTemplate.findFunctionCall(piece);
      if (f) functions.push(f);
    }
    return functions.length ? functions : super.getToolcall(response);
  }

  formatTools(tools: unknown[]): string {
    const descs = tools.map((t) => {
      const tool = BaseAgentTemplate.unwrapTool(t);
      const name = BaseAgentTemplate.getToolName(tool);
      return `## ${pyStr(name)}\n\n${pyJsonDumps(tool, { indent: 4 })}\n在调用上述函数时，请使用 Json 格式表示调用的参数。`;
    });
    return (this.isGlm4_0414 ? '' : GLM4_SYSTEM) + '# 可用工具\n\n' + descs.join('\n');
  }

  override formatToolResponses(assistantContent: string, toolMessages: SwiftMessage[]): ToolResponses {
    if (this.withAction(assistantContent)) return super.formatToolResponses(assistantContent, toolMessages);
    const parts = ['\n'];
    toolMessages.forEach((m, i) => {
      if (i > 0) parts.push('<|observation|>\n');
      parts.push(contentOf(m));
    });
    parts.push('<|assistant|>\n');
    return { assistantContent, parts };
  }

  override formatStandaloneToolResponses(toolMessages: SwiftMessage[]): string[] {
    return toolMessages.flatMap((m) => ['<|observation|>\n', contentOf(m)]);
  }

  override formatToolCalls(toolCallMessages: SwiftMessage[]): string {
    const calls = toolCallMessages.map((m) => {
      const call = BaseAgentTemplate.parseToolCall(m.content);
      return `${pyStr(call.name)}\n${pyStr(call.arguments)}`;
    });
    return calls.join('<|assistant|>') + '<|observation|>';
  }
}

export class GLM4AgentTemplate extends ChatGLM4AgentTemplate {
  override readonly id: string = 'glm4';
  protected override readonly isGlm4_0414: boolean = true;
}

type Glm45Type = 'glm4_5' | 'glm4_7' | 'glm5_1';

export class GLM4_5AgentTemplate extends BaseAgentTemplate {
  readonly id: string = 'glm4_5';
  /** ms-swift's `model_type`: which GLM generation's layout. */
  protected readonly modelType: Glm45Type = 'glm4_5';

  /** ↔ `_find_function_call`: `name<arg_key>k</arg_key><arg_value>v</arg_value>…`, or null. */
  static findFunctionCall(block: string): SwiftFunction | null {
    const s = pyStrip(block);
    const name = /^([^\n<]+)/.exec(s);
    if (!name) return null;
    const keys = pyFindall(/<arg_key>(.*?)<\/arg_key>/s, s);
    const values = pyFindall(/<arg_value>(.*?)<\/arg_value>/s, s);
    if (keys.length !== values.length) return null;
    const args = new Map<string, unknown>();
    keys.forEach(([k], i) => args.set(pyStrip(k), pyStrip(values[i][0])));
    return swiftFunction(pyStrip(name[1]), pyDictJson(args));
  }

  override getToolcall(response: string): SwiftFunction[] {
    const functions: SwiftFunction[] = [];
    for (const [block] of pyFindall(/<tool_call>(.*?)<\/tool_call>/s, response)) {
      const f = GLM4_5AgentTemplate.findFunctionCall(block);
      if (f) functions.push(f);
    }
    return functions.length ? functions : super.getToolcall(response);
  }

  private get inline(): boolean {
    return this.modelType !== 'glm4_5';
  }

  formatTools(tools: unknown[], system: string | null): string {
    const descs = [
      '# Tools\n\nYou may call one or more functions to assist with the user query.\n\n' +
        'You are provided with function signatures within <tools></tools> XML tags:\n<tools>',
    ];
    // Only GLM-5.1 lists the bare function; the others keep the {type, function} wrapper.
    for (const t of tools) descs.push(pyJsonDumps(this.modelType === 'glm5_1' ? BaseAgentTemplate.unwrapTool(t) : t));
    descs.push(
      this.inline
        ? '</tools>\n\nFor each function call, output the function name and arguments ' +
            'within the following XML format:\n' +
            '<tool_call>{function-name}<arg_key>{arg-key-1}</arg_key><arg_value>{arg-value-1}</arg_value>' +
            '<arg_key>{arg-key-2}</arg_key><arg_value>{arg-value-2}</arg_value>...</tool_call>'
        : '</tools>\n\nFor each function call, output the function name and arguments ' +
            'within the following XML format:\n' +
            '<tool_call>{function-name}\n<arg_key>{arg-key-1}</arg_key>\n<arg_value>{arg-value-1}</arg_value>\n' +
            '<arg_key>{arg-key-2}</arg_key>\n<arg_value>{arg-value-2}</arg_value>\n...\n</tool_call>',
    );
    let text = descs.join('\n');
    if (system !== null && pyStrip(system)) text += '<|system|>\n' + pyStrip(system);
    else if (this.inline && !text.startsWith('\n')) text = '\n' + text;
    return text;
  }

  override formatToolResponses(assistantContent: string, toolMessages: SwiftMessage[]): ToolResponses {
    if (this.withAction(assistantContent)) return super.formatToolResponses(assistantContent, toolMessages);
    const parts = toolMessages.map((m) => this.toolResponse(m));
    parts.push(this.inline ? '<|assistant|>' : '<|assistant|>\n');
    return { assistantContent, parts };
  }

  private toolResponse(m: SwiftMessage): string {
    return this.inline
      ? `<tool_response>${contentOf(m)}</tool_response>`
      : `\n<tool_response>\n${contentOf(m)}\n</tool_response>`;
  }

  override formatStandaloneToolResponses(toolMessages: SwiftMessage[]): string[] {
    return ['<|observation|>', ...toolMessages.map((m) => this.toolResponse(m))];
  }

  override formatToolCalls(toolCallMessages: SwiftMessage[]): string {
    const pieces: string[] = [];
    for (const m of toolCallMessages) {
      const call = BaseAgentTemplate.parseToolCall(m.content);
      pieces.push(`<tool_call>${pyStr(call.name)}`);
      // Values as Python's str(): a dict or list argument is written as its repr.
      for (const [k, v] of pyItems(pyDict(call.arguments, 'items')))
        pieces.push(`<arg_key>${k}</arg_key>`, `<arg_value>${pyStr(v)}</arg_value>`);
      pieces.push('</tool_call>');
    }
    return pieces.join(this.inline ? '' : '\n') + '<|observation|>';
  }
}

export class GLM4_7AgentTemplate extends GLM4_5AgentTemplate {
  override readonly id: string = 'glm4_7';
  protected override readonly modelType: Glm45Type = 'glm4_7';
}

export class GLM5_1AgentTemplate extends GLM4_5AgentTemplate {
  override readonly id: string = 'glm5_1';
  protected override readonly modelType: Glm45Type = 'glm5_1';
}
