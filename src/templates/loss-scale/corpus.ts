// Test corpus for the loss scales (loss-scale.test.ts), written by hand to hit what the scales split
// on: ReAct (Thought / Action / Action Input / Observation / Final Answer, several rounds, adjacent and
// trailing delimiters, agentflan's extra keys and cases), hermes <tool_call> blocks (one, several,
// multi-line, unclosed), Qwen ✿FUNCTION✿ text, think blocks (empty, non-empty, the seed / channel /
// mm variants, not at the start, Python-only whitespace), CJK and emoji, CRLF.

const react1 =
  'Thought: I need the weather in Paris.\nAction: get_weather\nAction Input: {"city": "Paris"}\n' +
  'Observation: {"temp": 21}\nThought: I now know the final answer\nFinal Answer: It is 21°C in Paris.';
const react2 =
  'Thought: search first\nAction: search_web\nAction Input: {"query": "天气"}\nObservation: 晴\n' +
  'Thought: then compute\nAction: compute\nAction Input: {"x": 1.5}\nObservation: 3\nFinal Answer: 3 — sunny 😀';

export const RESPONSES: string[] = [
  'Just a plain answer.',
  '',
  ' ',
  react1,
  react2,
  'Action: get_time\nAction Input: {}\n',
  'Action:Action:',
  'Thought: nothing to do\nObservation:',
  'Final Answer: done\r\nObservation: late\r\n',
  'Thought: agentflan style\nACTION: lookup\nACTION_INPUT: {"id": 7}\nObservation: ok',
  'Thought: t\nName: search\nArguments: {"q": "x"}\nTool: web\nCommand ls -la\naction input {"a": 1}',
  'Thought: umi\nAction: a\nAction Input: {}\nNext: caller\nFinal Answer: f',
  'I will call a tool.\n<tool_call>\n{"name": "get_weather", "arguments": {"city": "Paris"}}\n</tool_call>',
  '<tool_call>\n{"name": "a", "arguments": {}}\n</tool_call>\n<tool_call>\n{"name": "b", "arguments": ' +
    '{"q": "中文 😀"}}\n</tool_call>',
  'before <tool_call>{"name": "x"}</tool_call> middle <tool_call>y</tool_call> after',
  'unclosed <tool_call>{"name": "x"}',
  '<tool_call></tool_call>',
  '<tool_call>a<tool_call>b</tool_call>c</tool_call>',
  '✿FUNCTION✿: get_weather\n✿ARGS✿: {"city": "北京"}\n✿RESULT✿: 晴\n✿RETURN✿: 北京今天晴。',
  '✿FUNCTION✿: a\n✿ARGS✿: {}\n✿FUNCTION✿: b\n✿ARGS✿: {"x": 1}\n✿RESULT✿: r1\n✿RESULT✿: r2\n✿RETURN✿: done',
  '<think>\n\n</think>\n\nThe answer is 4.',
  '<think></think>The answer is 4.',
  '<think> \t\r\n</think>  \nanswer',
  '<think>\nLet me add 2 and 2.\n</think>\n\nThe answer is 4.',
  '<think>reasoning without a newline</think>answer',
  '<think>\n\n</think>\n\n<tool_call>\n{"name": "get_time", "arguments": {}}\n</tool_call>',
  '<think>\nI should call a tool.\n</think>\n\n<tool_call>\n{"name": "get_time", "arguments": {}}\n</tool_call>',
  '<think>\n\n</think>\n\nThought: t\nAction: a\nAction Input: {}\nObservation: o\nFinal Answer: f',
  '</think>\n\nanswer after a bare close',
  '<seed:think><seed:cot_budget_reflect>The current thinking budget is 0, so I will directly start answering ' +
    'the question.</seed:cot_budget_reflect>\n</seed:think>\n\nseed answer',
  '<|channel>thought\n<channel|>gemma answer',
  '</mm:think>\nmm answer',
  'answer first <think></think> then an empty think',
  '<think>\x85\x1c</think>\x1fPython whitespace only',
  '<think>\ufeff</think>JavaScript whitespace only',
  '<think>\u3000\u00a0</think>\u2028both',
  '<think>',
  '<think>\n',
  '\n<think>\n\n</think>\n\nleading newline',
];

/** Queries for agentflan's query map: each key, a key inside a longer text, and none. */
export const QUERIES: string[] = [
  'What is the weather in Paris?',
  'What is the tool you want to use',
  'Step 2. What are the required parameter names for this tool? Answer as a list.',
  'What is the value of "city"?',
  'what is the tool you want to use (lower case: no match)',
  '',
];

/** Specs ms-swift accepts: every name alone, with each base, and chains. */
export const SPECS: string[] = [
  'default',
  'last_round',
  'all',
  'base',
  'react',
  'hermes',
  'qwen',
  'agentflan',
  'alpha_umi',
  'ignore_empty_think',
  'ignore_think_prefix',
  'default+react',
  'last_round+react',
  'all+hermes',
  'last_round+base',
  'hermes+ignore_empty_think',
  'last_round+hermes+ignore_empty_think',
  'ignore_empty_think+hermes',
  'ignore_think_prefix+react',
  'react+react',
  'qwen+ignore_empty_think',
  'agentflan+ignore_think_prefix',
  'alpha_umi+hermes',
  'react+hermes+ignore_empty_think',
];

/** Specs ms-swift refuses. */
export const BAD_SPECS: string[] = [
  '',
  'Default',
  'react+',
  '+react',
  'react+default',
  'last_round+last_round',
  'hermes+tool',
  ' react',
  'react ',
  'default+react+qwen+nope',
];
