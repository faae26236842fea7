// One line per ms-swift agent template, for `prism templates` and the pickers (what the format
// looks like; the code is in this folder, checked against ms-swift's own).
import type { SwiftAgentTemplateId } from './registry.ts';

export const SWIFT_AGENT_DESCRIPTIONS: Readonly<Record<SwiftAgentTemplateId, string>> = {
  react_en:
    'ReAct in English: the tools block is the system prompt; calls as Action / Action Input, ' +
    'results inline after Observation:',
  react_zh: 'ReAct in Chinese (as react_en, Chinese instructions)',
  qwen_en: 'Qwen-Agent: ✿FUNCTION✿ / ✿ARGS✿ / ✿RESULT✿ / ✿RETURN✿ (English instructions)',
  qwen_zh: 'Qwen-Agent: ✿FUNCTION✿ / ✿ARGS✿ / ✿RESULT✿ / ✿RETURN✿ (Chinese instructions)',
  qwen_en_parallel: 'Qwen-Agent ✿FUNCTION✿ format with parallel calls (English)',
  qwen_zh_parallel: 'Qwen-Agent ✿FUNCTION✿ format with parallel calls (Chinese)',
  qwen3_coder:
    'Qwen3-Coder: XML calls <tool_call><function=NAME><parameter=KEY>, results as <tool_response> in a user turn',
  qwen3_5: 'Qwen3.5: Qwen3-Coder XML calls, separated from the text by a blank line',
  hermes:
    'Hermes: tools as JSON in <tools></tools>, calls as <tool_call> JSON, results as <tool_response> in a user turn',
  hunyuan_hermes: 'Hunyuan: <tool_calls> of <tool_call>NAME```json ARGS```</tool_call>, results in <tool_responses>',
  hy_v3_preview: 'Hunyuan v3 preview: <tool_calls> with <arg_key>/<arg_value>, results in <tool_responses>',
  hy_v3: 'Hunyuan v3: <tool_calls> with <arg_key>/<arg_value>, results in <tool_responses>',
  toolbench: 'ToolBench: the ToolBench instructions, ReAct calls',
  chatglm4: 'GLM-4-9b-chat: calls as <|assistant|>NAME\\nARGS ending <|observation|>, results after <|observation|>',
  glm4: "GLM-4-0414: the chatglm4 format with GLM-4-0414's tools text",
  glm4_5:
    'GLM-4.5: <tool_call>NAME<arg_key>K</arg_key><arg_value>V</arg_value></tool_call>, results as ' +
    '<tool_response> after <|observation|>',
  glm4_7: 'GLM-4.7: the GLM-4.5 format without newlines between arguments',
  glm5_1: 'GLM-5.1: the GLM-4.7 format',
  llama3: 'Llama 3.1+: tools in the first user message, calls as {"name", "parameters"} JSON, results in tool turns',
  llama4: 'Llama 4: the llama3 format with Llama 4 header tokens',
  deepseek_v3_1:
    'DeepSeek-V3.1: <｜tool▁calls▁begin｜>NAME<｜tool▁sep｜>ARGS blocks, results as <｜tool▁output▁begin｜> after the reply',
  deepseek_v4: 'DeepSeek-V4: DSML invoke / parameter calls, results as <tool_result> in a user turn',
  minimax_m2: 'MiniMax-M2: <invoke name><parameter name> XML calls, results as <response>',
  minimax_m3: 'MiniMax-M3: MiniMax XML calls with its namespace tokens, results as <response>',
  seed_oss: 'Seed-OSS: <seed:tool_call><function=NAME><parameter=KEY> XML calls',
  gemma4: 'Gemma 4: <|tool_call>call:NAME{...}<tool_call|>, results as <|tool_response> in the model turn',
  react_grpo: 'ReAct for GRPO: <think> reasoning then Action / Action Input',
  mistral: 'Mistral: [TOOL_CALLS][...]</s> JSON calls, [TOOL_RESULTS]{"content": ...}[/TOOL_RESULTS]',
  youtu: 'Youtu: <tool_call>{"name", "arguments"}</tool_call> JSON calls',
  kimi_k25: 'Kimi K2.5: <|tool_calls_section_begin|> calls, results as tool system turns',
  kimi_k3: 'Kimi K3: <|open|>tools call blocks, results as tool messages',
  minicpm5: 'MiniCPM5: <function name><param name> XML calls, results as <tool_response> in a user turn',
};
