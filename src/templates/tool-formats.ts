// Tool formats, keyed by id: how each family lists the available tools and writes calls.
// Texts are copied from the official templates (byte-exact); the walk in render.ts places them.
import type { Tool, ToolCall } from '../data/types.ts';
import { pyJsonDumps } from './pyjson.ts';
import type { ToolFormatId } from './spec.ts';

export const toolFormatDescriptions: Record<ToolFormatId, string> = {
  hermes: 'Hermes/Qwen: tools as JSON in <tools></tools> in the system turn, calls as <tool_call>{"name", "arguments"}</tool_call>, results as <tool_response> in a user turn',
  llama3_json: 'Llama 3.1+: tools as indented JSON in the first user message, calls as {"name", "parameters"} JSON, results in ipython turns',
  mistral: 'Mistral: [AVAILABLE_TOOLS] before the last user message, [TOOL_CALLS] with 9-character ids, [TOOL_RESULTS]',
  glm4: 'GLM-4: tools in a system block (# 可用工具), calls as <|assistant|>NAME\\nARGS, results as <|observation|> turns',
  phi4_mini: 'Phi-4-mini: tools as <|tool|>JSON<|/tool|> in the system turn, calls as <|tool_call|>JSON<|/tool_call|>, results as <|tool|> turns',
  deepseek: 'DeepSeek: <｜tool▁calls▁begin｜> call blocks with ```json arguments, <｜tool▁outputs▁begin｜> results',
  react: 'ReAct text (Action / Action Input / Observation) for families without native tool support',
};

export function hermesToolsText(tools: Tool[]): string {
  return (
    '# Tools\n\nYou may call one or more functions to assist with the user query.\n\nYou are provided with function signatures within <tools></tools> XML tags:\n<tools>' +
    tools.map((t) => '\n' + pyJsonDumps(t)).join('') +
    '\n</tools>\n\nFor each function call, return a json object with function name and arguments within <tool_call></tool_call> XML tags:\n<tool_call>\n{"name": <function-name>, "arguments": <args-json-object>}\n</tool_call>'
  );
}

/** One Hermes call; Qwen3 prints string arguments as they are, Qwen2.5 through tojson. */
export function hermesCall(call: ToolCall, rawStringArgs: boolean): string {
  const args = rawStringArgs && typeof call.arguments === 'string' ? call.arguments : pyJsonDumps(call.arguments);
  return '<tool_call>\n{"name": "' + call.name + '", "arguments": ' + args + '}\n</tool_call>';
}

export const LLAMA3_USER_TOOLS_INTRO =
  'Given the following functions, please respond with a JSON for a function call with its proper arguments that best answers the given prompt.\n\n' +
  'Respond in the format {"name": function name, "parameters": dictionary of argument name and its value}.Do not use variables.\n\n';

export function llama3ToolsList(tools: Tool[]): string {
  return tools.map((t) => pyJsonDumps(t, { indent: 4 }) + '\n\n').join('');
}

export function llama3Call(call: ToolCall): string {
  return '{"name": "' + call.name + '", "parameters": ' + pyJsonDumps(call.arguments) + '}';
}

/** Mistral's tool list: string fields are pasted unescaped, as the official template does. */
export function mistralToolsText(tools: Tool[], space: string): string {
  const items = tools.map((t) => {
    const fields = Object.entries(t.function as unknown as Record<string, unknown>)
      .filter(([k, v]) => k !== 'return' && v !== undefined)
      .map(([k, v]) => (typeof v === 'string' ? `"${k}": "${v}"` : `"${k}": ${pyJsonDumps(v)}`));
    return '{"type": "function", "function": {' + fields.join(', ') + '}}';
  });
  return `[AVAILABLE_TOOLS]${space}[` + items.join(', ') + ']' + '[/AVAILABLE_TOOLS]';
}

export function mistralCalls(calls: { call: ToolCall; id: string }[], space: string): string {
  return (
    `[TOOL_CALLS]${space}[` +
    calls.map(({ call, id }) => pyJsonDumps({ name: call.name, arguments: call.arguments }).slice(0, -1) + ', "id": "' + id + '"}').join(', ') +
    ']'
  );
}

export function mistralResult(content: string, id: string, space: string): { head: string; tail: string } {
  return { head: `[TOOL_RESULTS]${space}{"content": `, tail: ', "call_id": "' + id + '"}[/TOOL_RESULTS]' };
}

/** A deterministic 9-character alphanumeric id (Mistral requires exactly 9). */
export function nineCharId(seed: string): string {
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193;
  for (let i = 0; i < seed.length; i++) {
    h1 = Math.imul(h1 ^ seed.charCodeAt(i), 16777619) >>> 0;
    h2 = Math.imul(h2 + seed.charCodeAt(i), 2246822519) >>> 0;
  }
  const alphabet = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
  let out = '';
  for (let i = 0; i < 9; i++) {
    const v = i < 5 ? h1 >>> (i * 6) : h2 >>> ((i - 5) * 7);
    out += alphabet[v % alphabet.length];
  }
  return out;
}

export const GLM4_SYSTEM_INTRO = '你是一个名为 ChatGLM 的人工智能助手。你是基于智谱AI训练的语言模型 GLM-4 模型开发的，你的任务是针对用户的问题和要求提供适当的答复和支持。\n\n# 可用工具';

export function glm4ToolsText(tools: Tool[]): string {
  return GLM4_SYSTEM_INTRO + tools.map((t) => `\n## ${t.function.name}\n\n${pyJsonDumps(t.function, { indent: 4 })}\n在调用上述函数时，请使用 Json 格式表示调用的参数。`).join('');
}

export function phi4ToolsJson(tools: Tool[]): string {
  return pyJsonDumps(tools.map((t) => t.function));
}

export function phi4Calls(calls: ToolCall[]): string {
  return '<|tool_call|>' + pyJsonDumps(calls.map((c) => ({ name: c.name, arguments: c.arguments }))) + '<|/tool_call|>';
}

export function deepseekCall(call: ToolCall): string {
  const args = typeof call.arguments === 'string' ? call.arguments : pyJsonDumps(call.arguments);
  return '<｜tool▁call▁begin｜>function<｜tool▁sep｜>' + call.name + '\n```json\n' + args + '\n```<｜tool▁call▁end｜>';
}

/** ReAct instructions (the LangChain/ms-swift wording) for families with no tool format. */
export function reactToolsText(tools: Tool[]): string {
  const descs = tools
    .map((t) => `${t.function.name}: ${t.function.description ? t.function.description + ' ' : ''}Parameters: ${pyJsonDumps(t.function.parameters ?? {})}`)
    .join('\n');
  const names = tools.map((t) => t.function.name).join(', ');
  return (
    'Answer the following questions as best you can. You have access to the following tools:\n\n' +
    descs +
    '\n\nUse the following format:\n\n' +
    'Question: the input question you must answer\n' +
    'Thought: you should always think about what to do\n' +
    `Action: the action to take, should be one of [${names}]\n` +
    'Action Input: the input to the action\n' +
    'Observation: the result of the action\n' +
    '... (this Thought/Action/Action Input/Observation can be repeated zero or more times)\n' +
    'Thought: I now know the final answer\n' +
    'Final Answer: the final answer to the original input question\n\nBegin!'
  );
}

export function reactCalls(calls: ToolCall[]): string {
  return calls.map((c) => `Action: ${c.name}\nAction Input: ${pyJsonDumps(c.arguments)}`).join('\n');
}
