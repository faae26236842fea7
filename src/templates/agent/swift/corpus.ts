// Test corpus for the ms-swift agent templates (swift.test.ts): written by hand to hit what the
// formats differ on — single and parallel calls, arguments as objects and as JSON strings (and a
// Python-dict string), results as JSON and plain text, CJK, quotes and newlines, no system prompt
// and a system prompt, tools as JSON strings and objects, OpenAI {type, function} and bare tool
// objects, several rounds, text before a call, and inputs ms-swift refuses.
import type { SwiftCase } from './oracle.ts';
import type { SwiftMessage } from './types.ts';

const weather = {
  name: 'get_weather',
  description: 'Get the current weather for a city.',
  parameters: {
    type: 'object',
    properties: { city: { type: 'string', description: 'City name, e.g. "Paris"' }, unit: { type: 'string', enum: ['celsius', 'fahrenheit'] } },
    required: ['city'],
  },
};
const search = {
  name: 'search_web',
  description: '在网上搜索信息。',
  parameters: { type: 'object', properties: { query: { type: 'string' }, top_k: { type: 'integer', default: 3 } }, required: ['query'] },
};
const noParams = { name: 'get_time', description: 'Current UTC time.' };
const numbers = {
  name: 'compute',
  description: 'Evaluate numbers.',
  parameters: { type: 'object', properties: { x: { type: 'number' }, flags: { type: 'array', items: { type: 'boolean' } } } },
};

const wrapped = (f: object) => ({ type: 'function', function: f });
const call = (name: string, args: unknown): SwiftMessage => ({ role: 'tool_call', content: JSON.stringify({ name, arguments: args }) });
const result = (content: string): SwiftMessage => ({ role: 'tool_response', content });
const user = (content: string): SwiftMessage => ({ role: 'user', content });
const assistant = (content: string): SwiftMessage => ({ role: 'assistant', content });

type Base = Omit<SwiftCase, 'agent_template'> & { name: string };

export const SWIFT_CORPUS: Base[] = [
  {
    name: 'single call, object args, JSON result, no system',
    tools: [weather], system: null,
    messages: [user("What's the weather in Paris?"), call('get_weather', { city: 'Paris' }), result('{"temp": 21, "sky": "sunny"}'), assistant('It is 21 °C and sunny in Paris.')],
  },
  {
    name: 'wrapped tools, system prompt, plain-text result',
    tools: [wrapped(weather), wrapped(search)], system: 'You are a helpful assistant.',
    messages: [user('Weather in Berlin, in fahrenheit'), call('get_weather', { city: 'Berlin', unit: 'fahrenheit' }), result('Cloudy, 55F'), assistant('Cloudy and 55 °F.')],
  },
  {
    name: 'tools as JSON strings, parallel calls and results',
    tools: [JSON.stringify(weather), JSON.stringify(wrapped(search))], system: 'Be brief.',
    messages: [
      user('Weather in Tokyo and news about it'),
      call('get_weather', { city: 'Tokyo' }), call('search_web', { query: 'Tokyo news', top_k: 2 }),
      result('{"temp": 18}'), result('["a", "b"]'),
      assistant('18 °C; two headlines.'),
    ],
  },
  {
    name: 'arguments given as a JSON string',
    tools: [weather], system: null,
    messages: [user('Rome?'), { role: 'tool_call', content: JSON.stringify({ name: 'get_weather', arguments: '{"city": "Rome"}' }) }, result('warm'), assistant('Warm.')],
  },
  {
    name: 'arguments given as a Python dict string',
    tools: [weather], system: null,
    messages: [user('Oslo?'), { role: 'tool_call', content: JSON.stringify({ name: 'get_weather', arguments: "{'city': 'Oslo'}" }) }, result('cold'), assistant('Cold.')],
  },
  {
    name: 'CJK everywhere',
    tools: [search], system: '你是一个有用的助手。',
    messages: [user('搜索一下北京的天气'), call('search_web', { query: '北京 天气' }), result('北京：晴，25°C'), assistant('北京今天晴，25°C。')],
  },
  {
    name: 'two rounds, text before the second call',
    tools: [weather, noParams], system: null,
    messages: [
      user('Time?'), call('get_time', {}), result('12:00'), assistant('It is noon.'),
      user('And the weather in Lima?'), assistant('Let me check.'), call('get_weather', { city: 'Lima' }), result('{"temp": 20}'), assistant('20 °C.'),
    ],
  },
  {
    name: 'awkward values: quotes, newlines, numbers, booleans, null, nesting',
    tools: [numbers], system: 'Line one\nline "two"',
    messages: [
      user('Compute "it"\n please'),
      call('compute', { x: -1.5e-7, flags: [true, false, null], note: "it's \"quoted\"\nnext", nested: { a: [1, 2.5, { b: 'ü' }] } }),
      result('result:\n{"ok": true}\n'), assistant('Done.'),
    ],
  },
  {
    name: 'a result that ends with a newline, and a call with empty arguments',
    tools: [noParams], system: null,
    messages: [user('now'), call('get_time', {}), result('2026-01-01T00:00:00Z\n'), assistant('New year.')],
  },
  {
    name: 'tool without a description (some formats refuse)',
    tools: [{ name: 'bare', parameters: { type: 'object', properties: {} } }], system: null,
    messages: [user('go'), call('bare', {}), result('ok'), assistant('ok')],
  },
  {
    name: 'no tool calls, tools given',
    tools: [weather], system: 'sys',
    messages: [user('hello'), assistant('Hi! How can I help?')],
  },
  {
    name: 'call whose arguments cannot be parsed (refused)',
    tools: [weather], system: null,
    messages: [user('x'), { role: 'tool_call', content: JSON.stringify({ name: 'get_weather', arguments: '{not json' }) }, result('?'), assistant('?')],
  },
];

/** ms-swift TemplateMeta pieces of two model templates, to test formats that read them. */
export const TEMPLATE_METAS: Record<string, { prompt: string[]; chat_sep: string[] }> = {
  chatml: { prompt: ['<|im_start|>user\n{{QUERY}}<|im_end|>\n<|im_start|>assistant\n'], chat_sep: ['<|im_end|>\n'] },
  llama3: {
    prompt: ['<|start_header_id|>user<|end_header_id|>\n\n{{QUERY}}<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n'],
    chat_sep: ['<|eot_id|>'],
  },
};
