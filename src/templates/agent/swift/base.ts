// ms-swift's BaseAgentTemplate and ReactCompatMixin (swift/agent_template/base.py): the shared
// helpers (wrap/unwrap a tool, parse a tool description, parse a call) and the ReAct defaults every
// format falls back to (calls as `Action:` / `Action Input:`, results as `Observation:`). Ported
// method by method; the subclasses in this folder override what their Python class overrides.
import { pyJsonDumps, pyStrip } from '../../pyjson.ts';
import { pyStr } from '../../py/repr.ts';
import { swiftParseJson } from '../../py/literal.ts';
import { splitStrPartsBy } from '../../py/split.ts';
import { pyOr } from '../../py/truth.ts';
import {
  AgentTemplateError,
  type SwiftAgentTemplate,
  type SwiftFunction,
  type SwiftMessage,
  type SwiftTemplateMeta,
  type ToolResponses,
} from './types.ts';

export interface AgentKeyword {
  action: string;
  actionInput: string;
  observation: string;
}

export const REACT_KEYWORD: AgentKeyword = {
  action: 'Action:',
  actionInput: 'Action Input:',
  observation: 'Observation:',
};

/** ms-swift's ToolDesc. */
export interface ToolDesc {
  nameForModel: string;
  /** The name as the tool gives it (Python's `','.join` of names refuses one that is not a str). */
  nameForModelValue: unknown;
  nameForHuman: string;
  descriptionForModel: string;
  parameters: string;
  argsFormat: string;
}

type Obj = Record<string, unknown>;

const isObj = (x: unknown): x is Obj => typeof x === 'object' && x !== null && !Array.isArray(x);

/** Python's `assert cond, message`. */
export function swiftAssert(cond: unknown, message: string): asserts cond {
  if (!cond) throw new AgentTemplateError(`AssertionError: ${message}`);
}

/** A message's content as ms-swift's f-strings print it. */
export const contentOf = (m: SwiftMessage): string => pyStr(m.content);

/** ms-swift's `Function.__post_init__`: non-string arguments as json.dumps, both stripped. */
export function swiftFunction(name: unknown, args: unknown): SwiftFunction {
  const a = typeof args === 'string' ? args : pyJsonDumps(args);
  // Python's str.strip(), whose whitespace is not JavaScript's trim(); a parsed name that is not a
  // str has no .strip() in Python (AttributeError).
  if (typeof name !== 'string') throw new AgentTemplateError(`AttributeError: name ${pyStr(name)} has no strip()`);
  return { name: pyStrip(name), arguments: pyStrip(a) };
}

/**
 * `json.dumps(d, ensure_ascii=False)` of a dict built key by key in Python (a parser's arguments):
 * a Map keeps Python's insertion order, where a JavaScript object would move integer-like keys
 * ("1", "20") to the front. A repeated key keeps its first place and takes the last value, as in
 * a dict.
 */
export function pyDictJson(d: Map<string, unknown>): string {
  if (d.size === 0) return '{}';
  return '{' + [...d].map(([k, v]) => `${pyJsonDumps(k)}: ${pyJsonDumps(v)}`).join(', ') + '}';
}

export abstract class BaseAgentTemplate implements SwiftAgentTemplate {
  abstract readonly id: string;
  keyword: AgentKeyword = REACT_KEYWORD;
  templateMeta?: SwiftTemplateMeta;

  abstract formatTools(tools: unknown[], system: string | null, userMessage: SwiftMessage | null): string;

  addToolCallPrefix(toolContent: string, _preMessage: SwiftMessage | null): string {
    return toolContent;
  }

  static getToolName(tool: Obj): unknown {
    return pyOr(tool.name_for_model, tool.name);
  }

  static unwrapTool(tool: unknown): Obj {
    swiftAssert(isObj(tool), `tool: ${pyStr(tool)}`);
    if ('type' in tool && 'function' in tool) return tool.function as Obj;
    return tool;
  }

  static wrapTool(tool: unknown): Obj {
    swiftAssert(isObj(tool), `tool: ${pyStr(tool)}`);
    if (!('type' in tool) && !('function' in tool)) return { type: 'function', function: tool };
    return tool;
  }

  static parseTool(toolIn: unknown, lang: 'zh' | 'en'): ToolDesc {
    const tool = BaseAgentTemplate.unwrapTool(toolIn);
    const nameForModel = BaseAgentTemplate.getToolName(tool);
    const nameForHuman = pyOr(tool.name_for_human, nameForModel);
    let description = tool.description;
    if (description === undefined || description === null) description = tool.description_for_model;
    const params = pyOr(tool.parameters, {});
    const parameters = typeof params === 'string' ? params : pyJsonDumps(params);
    const argsFormat = lang === 'zh' ? '此工具的输入应为JSON对象。' : 'Format the arguments as a JSON object.';
    swiftAssert(
      nameForModel !== undefined && nameForModel !== null && description !== undefined && description !== null,
      `tool_desc: ToolDesc(name_for_model=${pyStr(nameForModel ?? null)}, ` +
        `description_for_model=${pyStr(description ?? null)})`,
    );
    return {
      nameForModel: pyStr(nameForModel),
      nameForModelValue: nameForModel,
      nameForHuman: pyStr(nameForHuman),
      descriptionForModel: pyStr(description),
      parameters,
      argsFormat,
    };
  }

  /** Python's `sep.join(names)` of the tools' names: a name that is not a str is refused. */
  static joinToolNames(descs: ToolDesc[], sep: string): string {
    descs.forEach((d, i) => {
      if (typeof d.nameForModelValue !== 'string') {
        throw new AgentTemplateError(
          `TypeError: sequence item ${i}: expected str instance, got ${pyStr(d.nameForModelValue)}`,
        );
      }
    });
    return descs.map((d) => d.nameForModel).join(sep);
  }

  /** `_parse_tool_call`: `{name, arguments}` from a call message's content. */
  static parseToolCall(content: unknown): { name: unknown; arguments: unknown } {
    const obj = swiftParseJson(content);
    swiftAssert(isObj(obj), `content: ${pyStr(content)}`); // Python: TypeError/KeyError on obj['name']
    if (!('name' in obj)) throw new AgentTemplateError(`KeyError: 'name'`);
    let args = obj.arguments;
    if (args === undefined || args === null) args = obj.parameters;
    args = swiftParseJson(args);
    swiftAssert(args !== undefined && args !== null, `content: ${pyStr(content)}`);
    return { name: obj.name, arguments: args };
  }

  static splitActionActionInput(response: string, keyword: AgentKeyword): SwiftFunction[] {
    const parts = splitStrPartsBy(response, [keyword.action, keyword.actionInput, keyword.observation]);
    const functions: SwiftFunction[] = [];
    let action: string | null = null;
    for (const part of parts) {
      const key = part.key.toLowerCase();
      if (action === null && key === keyword.action.toLowerCase()) action = part.content;
      else if (action !== null && key === keyword.actionInput.toLowerCase()) {
        functions.push(swiftFunction(action, part.content));
        action = null;
      }
    }
    return functions;
  }

  getToolcall(response: string): SwiftFunction[] {
    let functions = BaseAgentTemplate.splitActionActionInput(response, this.keyword);
    if (functions.length === 0 && this.keyword !== REACT_KEYWORD)
      functions = BaseAgentTemplate.splitActionActionInput(response, REACT_KEYWORD);
    return functions;
  }

  protected withAction(assistantContent: string): boolean {
    return assistantContent.includes(this.keyword.action) && assistantContent.includes(this.keyword.actionInput);
  }

  formatToolResponses(assistantContent: string, toolMessages: SwiftMessage[]): ToolResponses {
    swiftAssert(toolMessages.length > 0, '');
    if (this.withAction(assistantContent)) {
      let content = assistantContent;
      if (!content.endsWith(this.keyword.observation)) {
        if (!content.endsWith('\n')) content += '\n';
        content += this.keyword.observation;
      }
      const parts: string[] = [];
      toolMessages.forEach((m, i) => {
        if (i > 0) parts.push(this.keyword.observation);
        const c = contentOf(m);
        parts.push(c);
        if (!c.endsWith('\n')) parts.push('\n');
      });
      return { assistantContent: content, parts };
    }
    return { assistantContent, parts: toolMessages.map(contentOf) };
  }

  protected reactStandaloneToolResponses(toolMessages: SwiftMessage[]): string[] {
    swiftAssert(toolMessages.length > 0, '');
    return toolMessages.flatMap((m) => ['\n', this.keyword.observation, '\n', contentOf(m)]);
  }

  formatStandaloneToolResponses(_toolMessages: SwiftMessage[]): string[] {
    throw new AgentTemplateError(
      `NotImplementedError: Agent template ${this.constructor.name} does not support standalone tool responses.`,
    );
  }

  formatToolCalls(toolCallMessages: SwiftMessage[]): string {
    const out = toolCallMessages.map((m) => {
      const call = BaseAgentTemplate.parseToolCall(m.content);
      return `${this.keyword.action} ${pyStr(call.name)}\n${this.keyword.actionInput} ${pyStr(call.arguments)}\n`;
    });
    return out.join('') + this.keyword.observation;
  }
}
