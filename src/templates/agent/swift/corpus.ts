// Test corpus for the ms-swift agent templates (swift.test.ts): written by hand to hit what the
// formats differ on — single and parallel calls, arguments as objects and as JSON strings (and a
// Python-dict string), results as JSON and plain text, CJK, quotes and newlines, no system prompt
// and a system prompt, tools as JSON strings and objects, OpenAI {type, function} and bare tool
// objects, several rounds, text before a call, and inputs ms-swift refuses.
//
// Known gaps, left out because JSON.parse loses them before any template runs (the data path
// reads records with it): a float with an integral value (`2.0` is printed `2`, Python keeps
// `2.0`) and a dict's integer-like keys (`{"b": 1, "1": 2}` iterates "1" first in JavaScript,
// in insertion order in Python). Parsers that build their own dicts (get_toolcall) keep Python's
// order (base.ts pyDictJson).
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

const editFile = {
  name: 'edit_file',
  description: '  Edit a text file.\n',
  parameters: {
    type: 'object',
    properties: {
      path: { type: 'string', description: ' Path, relative to the repository root ' },
      mode: { type: 'string', enum: ['replace', 'append'], default: 'replace' },
      edits: {
        type: 'array', minItems: 1,
        items: { type: 'object', properties: { line: { type: 'integer' }, text: { type: 'string' } }, required: ['line'] },
      },
      options: { type: ['object', 'null'], properties: { dry_run: { type: 'boolean' } }, additionalProperties: false },
      count: { type: 'integer', minimum: 0, maximum: 10.5 },
      label: { title: 'Label', examples: ['a', 'ü'] },
    },
    required: ['path', 'edits'],
    additionalProperties: false,
  },
  strict: true,
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
    name: 'schema with nested, array, enum and extra keys; argument values of every JSON type; empty system',
    tools: [wrapped(editFile), weather], system: '',
    messages: [
      user('Append two lines to a.txt'), assistant('I will edit it.'),
      call('edit_file', {
        path: 'a.txt', mode: 'append', edits: [{ line: 1, text: 'x "y"' }, { line: 2, text: '中文' }], options: null,
        count: 3, ratio: 0.5, big: 1e21, dry: true, empty: '', nothing: {}, text: 'multi\nline  ',
      }),
      result('{"ok": true, "lines": 2}'), assistant('Edited.'),
    ],
  },
  {
    name: 'whitespace-only system prompt, results that follow no call',
    tools: [weather], system: ' \n ',
    messages: [user('Here is what the tool said earlier:'), result('{"temp": 3}'), result('second'), assistant('Noted: 3 °C.')],
  },
  {
    name: 'a call before any user message',
    tools: [wrapped(noParams), weather], system: 'sys',
    messages: [
      call('get_time', {}), result('12:00'),
      user('Thanks. And the weather in Paris?'), call('get_weather', { city: 'Paris' }), result('sunny'), assistant('Sunny.'),
    ],
  },
  {
    name: 'ReAct text written in the assistant content, no tool_call messages',
    tools: [weather], system: null,
    messages: [
      user('Weather in Paris?'),
      assistant('Thought: I need the weather.\nAction: get_weather\nAction Input: {"city": "Paris"}'),
      result('{"temp": 21}'), result('second result\n'), assistant('Final Answer: 21 °C.'),
    ],
  },
  {
    name: 'Qwen-Agent ✿FUNCTION✿ text written in the assistant content, ending in ✿RESULT✿:',
    tools: [weather], system: null,
    messages: [
      user('Weather in Paris?'),
      assistant('✿FUNCTION✿: get_weather\n✿ARGS✿: {"city": "Paris"}\n✿RESULT✿:'),
      result('{"temp": 21}'), assistant('✿RETURN✿: 21 °C.'),
    ],
  },
  {
    name: 'thinking and whitespace before calls',
    tools: [weather, noParams], system: 'Think first.',
    messages: [
      user('Paris?'), assistant('<think>\nplan\n</think>\n\n'), call('get_weather', { city: 'Paris' }), result('sunny'),
      assistant('<think>ok</think>\nNow the time.'), call('get_time', {}), result('noon'),
      assistant(' \n'), call('get_time', {}), result('still noon'), assistant('Sunny, noon.'),
    ],
  },
  {
    name: 'tool fields Python reads as false (empty name_for_human, description, parameters), name_for_model',
    tools: [
      { name: 'lookup', name_for_human: '', description: '', parameters: {} },
      { name_for_model: 'by_model', name: 'by_name', name_for_human: 'By Human', description: 'd', parameters: [] },
    ],
    system: null,
    messages: [user('look up x'), call('lookup', { q: 'x' }), result('found'), assistant('Found.')],
  },
  {
    name: 'results holding {{QUERY}} and $& (taken literally)',
    tools: [search], system: null,
    messages: [
      user('search'), call('search_web', { query: '$& {{QUERY}}' }),
      result('Use {{QUERY}} or $& or $1 here'), result("$' and $`"), assistant('Done.'),
    ],
  },
  {
    name: 'a tool whose name is not a string',
    tools: [{ name: 42, description: 'A numeric name.', parameters: { type: 'object', properties: {} } }], system: null,
    messages: [user('run 42'), call('42', {}), result('ran'), assistant('Ran.')],
  },
  {
    name: 'tools with type and no function key, with function and no type',
    tools: [{ type: 'function', name: 'typed', description: 'Typed.' }, { function: { name: 'inner', description: 'Inner.' } }],
    system: null,
    messages: [user('go'), call('typed', { a: 1 }), result('ok'), assistant('ok')],
  },
  {
    name: 'schema oddities: properties given as a bare string and a list, a property named "type", blank descriptions',
    tools: [{
      name: 'odd', description: ' \t',
      parameters: { type: 'object', properties: { type: { type: 'string', description: '\n' }, plain: 'text', listed: ['x'] }, required: [] },
    }],
    system: 'S',
    messages: [user('odd'), call('odd', { type: 'a', plain: 'b' }), result('done'), assistant('Done.')],
  },
  {
    name: 'calls given as parsed objects, with `parameters` instead of `arguments`',
    tools: [weather, numbers], system: null,
    messages: [
      user('Bern, and compute'),
      { role: 'tool_call', content: { name: 'get_weather', parameters: { city: 'Bern' } } },
      { role: 'tool_call', content: { name: 'compute', arguments: { x: 2.25, flags: [] } } },
      result('mild'), result('4.5'), assistant('Mild; 4.5.'),
    ],
  },
  {
    name: 'arguments that are a list, not an object (some formats refuse)',
    tools: [numbers], system: null,
    messages: [user('sum'), call('compute', [1, 'two', { three: 3 }]), result('6'), assistant('6.')],
  },
  {
    name: 'model replies in every format (get_toolcall)',
    tools: [weather, noParams], system: null,
    messages: [user('hi'), assistant('hello')],
    replies: [
      '<tool_call>\n{"name": "get_weather", "arguments": {"city": "Paris"}}\n</tool_call>\n' +
        '<tool_call>\n{"name": "search_web", "arguments": "{\\"query\\": \\"x\\"}"}\n</tool_call>',
      "<tool_call>{'name': 'get_time', 'arguments': {}}</tool_call>",
      '<tool_calls>\n<tool_call>get_weather\n```json\n{"city": "Oslo"}\n```</tool_call>\n' +
        '<tool_call>get_time\n```json\nnot json\n```</tool_call>\n</tool_calls>',
      '<tool_call>\n<function=get_weather>\n<parameter=city>\n New York \n</parameter>\n<parameter=unit>\ncelsius\n' +
        '</parameter>\n</function>\n</tool_call>\n<tool_call>\n<function=get_time>\n</function>\n</tool_call>',
      '<tool_call>\n<function=f>\n<parameter=a>\x1c v \x1c</parameter>\n<parameter= b >\ufeffw\ufeff</parameter>\n' +
        '</function>\n</tool_call>',
      '<tool_call>get_weather\n<arg_key>city</arg_key>\n<arg_value>Rome</arg_value>\n<arg_key>unit</arg_key>\n' +
        '<arg_value>celsius</arg_value>\n</tool_call>',
      '<tool_call>get_weather<arg_key>city</arg_key><arg_value>Rome</arg_value></tool_call>' +
        '<tool_call>bad<arg_key>a</arg_key></tool_call>',
      '<tool_calls:opensource>\n<tool_call:opensource>get_weather<tool_sep:opensource>\n' +
        '<arg_key:opensource>city</arg_key:opensource>\n<arg_value:opensource>Lima</arg_value:opensource>\n' +
        '<arg_key:opensource>days</arg_key:opensource>\n<arg_value:opensource>3</arg_value:opensource>\n' +
        '</tool_call:opensource>\n</tool_calls:opensource>',
      '<tool_calls>\n<tool_call>compute<tool_sep>\n<arg_key>a</arg_key>\n<arg_value>None</arg_value>\n' +
        '<arg_key>b</arg_key> \n <arg_value>True</arg_value>\n<arg_key>c</arg_key>\n<arg_value>[1, 2.50]</arg_value>\n' +
        '<arg_key>d</arg_key>\n<arg_value> plain text </arg_value>\n</tool_call>\n<tool_call>no separator</tool_call>\n</tool_calls>',
      'get_weather\n{"city": "Kyiv"}',
      'Let me check.<|assistant|>get_time\n{}<|observation|>',
      'get_weather\n{\'city\': \'Kyiv\'}é\nmore',
      'Thought: x\nAction: get_weather\nAction Input: {"city": "Cairo"}\nObservation:',
      '✿FUNCTION✿: get_time\n✿ARGS✿: {}\n✿RESULT✿:',
      'The answer is 42.',
    ],
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
