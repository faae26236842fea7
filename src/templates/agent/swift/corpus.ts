// Test corpus for the ms-swift agent templates (swift.test.ts): written by hand to hit what the
// formats differ on — single and parallel calls, arguments as objects and as JSON strings (and a
// Python-dict string), results as JSON and plain text, CJK, quotes and newlines, no system prompt
// and a system prompt, tools as JSON strings and objects, OpenAI {type, function} and bare tool
// objects, several rounds, text before a call, and inputs ms-swift refuses.
//
// Floats with an integral value (`2.0`) and a dict's integer-like keys are written as JSON text (a
// tool as a JSON string, a call's content): a JavaScript object literal cannot hold them, and our
// parse of that text keeps them (src/data/py-json.ts).
import type { SwiftCase } from './oracle.ts';
import type { SwiftMessage } from './types.ts';

const weather = {
  name: 'get_weather',
  description: 'Get the current weather for a city.',
  parameters: {
    type: 'object',
    properties: {
      city: { type: 'string', description: 'City name, e.g. "Paris"' },
      unit: { type: 'string', enum: ['celsius', 'fahrenheit'] },
    },
    required: ['city'],
  },
};
const search = {
  name: 'search_web',
  description: '在网上搜索信息。',
  parameters: {
    type: 'object',
    properties: { query: { type: 'string' }, top_k: { type: 'integer', default: 3 } },
    required: ['query'],
  },
};
const noParams = { name: 'get_time', description: 'Current UTC time.' };
const numbers = {
  name: 'compute',
  description: 'Evaluate numbers.',
  parameters: {
    type: 'object',
    properties: { x: { type: 'number' }, flags: { type: 'array', items: { type: 'boolean' } } },
  },
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
        type: 'array',
        minItems: 1,
        items: {
          type: 'object',
          properties: { line: { type: 'integer' }, text: { type: 'string' } },
          required: ['line'],
        },
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

// A schema with what the DSL / TypeScript / docstring formats render differently: a nested object, an
// array of objects, an enum, nullable, an object without `properties`, `required` given as a string,
// a property without a type, return values, and text that XML would have to escape.
const schedule = {
  name: 'schedule',
  description: 'Plan a meeting & notify <people>.',
  parameters: {
    type: 'object',
    properties: {
      title: { type: 'string', description: 'Title, "quoted" & <tagged>' },
      when: {
        type: 'object',
        description: 'Time window',
        properties: { start: { type: 'string' }, hours: { type: 'number', nullable: true } },
        required: ['start'],
      },
      attendees: {
        type: 'array',
        description: 'Who comes',
        items: {
          type: 'object',
          properties: { email: { type: 'string' }, optional: { type: 'boolean' } },
          required: ['email'],
        },
      },
      tags: { type: 'array', items: { type: ['string', 'null'], enum: ['a', 'b'], maxLength: 8 } },
      priority: { type: 'string', enum: ['low', 'high'], nullable: true },
      meta: { type: 'object', extra: { type: 'integer', description: 'x' }, required: 'extra' },
      count: { type: 'integer' },
      ratio: { type: 'number', description: 'In [0, 1]' },
      flag: { type: 'boolean', description: '' },
      anything: { description: 'No type given' },
      notes: { type: 'null' },
      // Sorted by code point, U+FF5A comes before U+1F600 (UTF-16 order puts the emoji's surrogates first).
      '\u{1F600}': { type: 'string' },
      '\uFF5A': { type: 'integer' },
    },
    required: ['title', 'when'],
  },
  returns: {
    type: 'object',
    properties: { id: { type: 'string', description: 'Meeting id' }, ok: { type: 'boolean' } },
  },
};

const wrapped = (f: object) => ({ type: 'function', function: f });
const call = (name: string, args: unknown): SwiftMessage => ({
  role: 'tool_call',
  content: JSON.stringify({ name, arguments: args }),
});
const result = (content: string): SwiftMessage => ({ role: 'tool_response', content });
const user = (content: string): SwiftMessage => ({ role: 'user', content });
const assistant = (content: string): SwiftMessage => ({ role: 'assistant', content });

type Base = Omit<SwiftCase, 'agent_template'> & { name: string };

export const SWIFT_CORPUS: Base[] = [
  {
    name: 'single call, object args, JSON result, no system',
    tools: [weather],
    system: null,
    messages: [
      user("What's the weather in Paris?"),
      call('get_weather', { city: 'Paris' }),
      result('{"temp": 21, "sky": "sunny"}'),
      assistant('It is 21 °C and sunny in Paris.'),
    ],
  },
  {
    name: 'wrapped tools, system prompt, plain-text result',
    tools: [wrapped(weather), wrapped(search)],
    system: 'You are a helpful assistant.',
    messages: [
      user('Weather in Berlin, in fahrenheit'),
      call('get_weather', { city: 'Berlin', unit: 'fahrenheit' }),
      result('Cloudy, 55F'),
      assistant('Cloudy and 55 °F.'),
    ],
  },
  {
    name: 'tools as JSON strings, parallel calls and results',
    tools: [JSON.stringify(weather), JSON.stringify(wrapped(search))],
    system: 'Be brief.',
    messages: [
      user('Weather in Tokyo and news about it'),
      call('get_weather', { city: 'Tokyo' }),
      call('search_web', { query: 'Tokyo news', top_k: 2 }),
      result('{"temp": 18}'),
      result('["a", "b"]'),
      assistant('18 °C; two headlines.'),
    ],
  },
  {
    name: 'arguments given as a JSON string',
    tools: [weather],
    system: null,
    messages: [
      user('Rome?'),
      { role: 'tool_call', content: JSON.stringify({ name: 'get_weather', arguments: '{"city": "Rome"}' }) },
      result('warm'),
      assistant('Warm.'),
    ],
  },
  {
    name: 'arguments given as a Python dict string',
    tools: [weather],
    system: null,
    messages: [
      user('Oslo?'),
      { role: 'tool_call', content: JSON.stringify({ name: 'get_weather', arguments: "{'city': 'Oslo'}" }) },
      result('cold'),
      assistant('Cold.'),
    ],
  },
  {
    name: 'CJK everywhere',
    tools: [search],
    system: '你是一个有用的助手。',
    messages: [
      user('搜索一下北京的天气'),
      call('search_web', { query: '北京 天气' }),
      result('北京：晴，25°C'),
      assistant('北京今天晴，25°C。'),
    ],
  },
  {
    name: 'two rounds, text before the second call',
    tools: [weather, noParams],
    system: null,
    messages: [
      user('Time?'),
      call('get_time', {}),
      result('12:00'),
      assistant('It is noon.'),
      user('And the weather in Lima?'),
      assistant('Let me check.'),
      call('get_weather', { city: 'Lima' }),
      result('{"temp": 20}'),
      assistant('20 °C.'),
    ],
  },
  {
    name: 'awkward values: quotes, newlines, numbers, booleans, null, nesting',
    tools: [numbers],
    system: 'Line one\nline "two"',
    messages: [
      user('Compute "it"\n please'),
      call('compute', {
        x: -1.5e-7,
        flags: [true, false, null],
        note: 'it\'s "quoted"\nnext',
        nested: { a: [1, 2.5, { b: 'ü' }] },
      }),
      result('result:\n{"ok": true}\n'),
      assistant('Done.'),
    ],
  },
  {
    name: 'a result that ends with a newline, and a call with empty arguments',
    tools: [noParams],
    system: null,
    messages: [user('now'), call('get_time', {}), result('2026-01-01T00:00:00Z\n'), assistant('New year.')],
  },
  {
    name: 'tool without a description (some formats refuse)',
    tools: [{ name: 'bare', parameters: { type: 'object', properties: {} } }],
    system: null,
    messages: [user('go'), call('bare', {}), result('ok'), assistant('ok')],
  },
  {
    name: 'no tool calls, tools given',
    tools: [weather],
    system: 'sys',
    messages: [user('hello'), assistant('Hi! How can I help?')],
  },
  {
    name: 'schema with nested, array, enum and extra keys; argument values of every JSON type; empty system',
    tools: [wrapped(editFile), weather],
    system: '',
    messages: [
      user('Append two lines to a.txt'),
      assistant('I will edit it.'),
      call('edit_file', {
        path: 'a.txt',
        mode: 'append',
        edits: [
          { line: 1, text: 'x "y"' },
          { line: 2, text: '中文' },
        ],
        options: null,
        count: 3,
        ratio: 0.5,
        big: 1e21,
        dry: true,
        empty: '',
        nothing: {},
        text: 'multi\nline  ',
      }),
      result('{"ok": true, "lines": 2}'),
      assistant('Edited.'),
    ],
  },
  {
    name: 'whitespace-only system prompt, results that follow no call',
    tools: [weather],
    system: ' \n ',
    messages: [
      user('Here is what the tool said earlier:'),
      result('{"temp": 3}'),
      result('second'),
      assistant('Noted: 3 °C.'),
    ],
  },
  {
    name: 'a call before any user message',
    tools: [wrapped(noParams), weather],
    system: 'sys',
    messages: [
      call('get_time', {}),
      result('12:00'),
      user('Thanks. And the weather in Paris?'),
      call('get_weather', { city: 'Paris' }),
      result('sunny'),
      assistant('Sunny.'),
    ],
  },
  {
    name: 'ReAct text written in the assistant content, no tool_call messages',
    tools: [weather],
    system: null,
    messages: [
      user('Weather in Paris?'),
      assistant('Thought: I need the weather.\nAction: get_weather\nAction Input: {"city": "Paris"}'),
      result('{"temp": 21}'),
      result('second result\n'),
      assistant('Final Answer: 21 °C.'),
    ],
  },
  {
    name: 'Qwen-Agent ✿FUNCTION✿ text written in the assistant content, ending in ✿RESULT✿:',
    tools: [weather],
    system: null,
    messages: [
      user('Weather in Paris?'),
      assistant('✿FUNCTION✿: get_weather\n✿ARGS✿: {"city": "Paris"}\n✿RESULT✿:'),
      result('{"temp": 21}'),
      assistant('✿RETURN✿: 21 °C.'),
    ],
  },
  {
    name: 'thinking and whitespace before calls',
    tools: [weather, noParams],
    system: 'Think first.',
    messages: [
      user('Paris?'),
      assistant('<think>\nplan\n</think>\n\n'),
      call('get_weather', { city: 'Paris' }),
      result('sunny'),
      assistant('<think>ok</think>\nNow the time.'),
      call('get_time', {}),
      result('noon'),
      assistant(' \n'),
      call('get_time', {}),
      result('still noon'),
      assistant('Sunny, noon.'),
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
    tools: [search],
    system: null,
    messages: [
      user('search'),
      call('search_web', { query: '$& {{QUERY}}' }),
      result('Use {{QUERY}} or $& or $1 here'),
      result("$' and $`"),
      assistant('Done.'),
    ],
  },
  {
    name: 'a tool whose name is not a string',
    tools: [{ name: 42, description: 'A numeric name.', parameters: { type: 'object', properties: {} } }],
    system: null,
    messages: [user('run 42'), call('42', {}), result('ran'), assistant('Ran.')],
  },
  {
    name: 'tools with type and no function key, with function and no type',
    tools: [
      { type: 'function', name: 'typed', description: 'Typed.' },
      { function: { name: 'inner', description: 'Inner.' } },
    ],
    system: null,
    messages: [user('go'), call('typed', { a: 1 }), result('ok'), assistant('ok')],
  },
  {
    name: 'schema oddities: properties given as a bare string and a list, a property named "type", blank descriptions',
    tools: [
      {
        name: 'odd',
        description: ' \t',
        parameters: {
          type: 'object',
          properties: { type: { type: 'string', description: '\n' }, plain: 'text', listed: ['x'] },
          required: [],
        },
      },
    ],
    system: 'S',
    messages: [user('odd'), call('odd', { type: 'a', plain: 'b' }), result('done'), assistant('Done.')],
  },
  {
    name: 'calls given as parsed objects, with `parameters` instead of `arguments`',
    tools: [weather, numbers],
    system: null,
    messages: [
      user('Bern, and compute'),
      { role: 'tool_call', content: { name: 'get_weather', parameters: { city: 'Bern' } } },
      { role: 'tool_call', content: { name: 'compute', arguments: { x: 2.25, flags: [] } } },
      result('mild'),
      result('4.5'),
      assistant('Mild; 4.5.'),
    ],
  },
  {
    name: 'floats with an integral value and integer-like keys, in tools and calls (JSON text)',
    tools: [
      '{"name": "sample", "description": "Sample.", "parameters": {"type": "object", "properties": ' +
        '{"temperature": {"type": "number", "default": 1.0, "maximum": 2.0}, "2": {"type": ' +
        '"integer"}, "1": {"type": "string"}}}}',
    ],
    system: null,
    messages: [
      user('go'),
      {
        role: 'tool_call',
        content: '{"name": "sample", "arguments": {"temperature": 1.0, "2": 3, "1": "x", "scale": [1e2, 0.5, -0.0]}}',
      },
      {
        role: 'tool_call',
        content: '{"name": "sample", "arguments": "{\\"temperature\\": 0.0, \\"10\\": 1.0, \\"9\\": 2}"}',
      },
      result('{"score": 1.0, "2": 2.0, "1": null}'),
      result('ok'),
      assistant('Done.'),
    ],
  },
  {
    name: 'arguments that are a list, not an object (some formats refuse)',
    tools: [numbers],
    system: null,
    messages: [user('sum'), call('compute', [1, 'two', { three: 3 }]), result('6'), assistant('6.')],
  },
  {
    name: 'model replies in every format (get_toolcall)',
    tools: [weather, noParams],
    system: null,
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
        '<arg_key>b</arg_key> \n <arg_value>True</arg_value>\n<arg_key>c</arg_key>\n' +
        '<arg_value>[1, 2.50]</arg_value>\n' +
        '<arg_key>d</arg_key>\n<arg_value> plain text </arg_value>\n</tool_call>\n<tool_call>no ' +
        'separator</tool_call>\n</tool_calls>',
      'get_weather\n{"city": "Kyiv"}',
      'Let me check.<|assistant|>get_time\n{}<|observation|>',
      "get_weather\n{'city': 'Kyiv'}é\nmore",
      'Thought: x\nAction: get_weather\nAction Input: {"city": "Cairo"}\nObservation:',
      '✿FUNCTION✿: get_time\n✿ARGS✿: {}\n✿RESULT✿:',
      'The answer is 42.',
    ],
  },
  {
    name: 'nested arguments of every type, text XML would escape, results carrying name and tool_call_id',
    tools: [schedule, wrapped(weather)],
    system: 'Plan carefully & quote "exactly".',
    messages: [
      user('Book "Q3 sync" <tomorrow> & tell me the weather'),
      call('schedule', {
        title: 'Sync "Q3" & <plans>',
        when: { start: '2026-01-02T10:00', hours: 1.5 },
        attendees: [{ email: 'a@x.io', optional: false }, { email: 'ü@x.io' }],
        tags: ['a', null],
        priority: null,
        meta: {},
        count: 0,
        ratio: -0.25,
        flag: true,
        notes: 'line1\nline2 & <b>',
        'key "q" & <k>': 'v',
      }),
      call('get_weather', { city: 'São Paulo', unit: 'celsius' }),
      { role: 'tool', content: '{"id": "m-1", "ok": true}', name: 'schedule', tool_call_id: 'call_0' },
      { role: 'tool', content: 'Rain & 18 "C"', name: 'get_weather', tool_call_id: 'call_1' },
      assistant('Booked; rain.'),
    ],
  },
  {
    name: 'a tool name with quotes, ampersand and angle brackets; a string argument that looks like JSON',
    tools: [
      {
        name: 'a"b&c<d>',
        description: 'Odd name.',
        parameters: { type: 'object', properties: { q: { type: 'string' } } },
      },
    ],
    system: null,
    messages: [
      user('odd'),
      call('a"b&c<d>', { q: '{"not": "parsed"}', n: '42', e: '' }),
      result('ok'),
      assistant('ok'),
    ],
  },
  {
    name: "a system prompt with Seed's system split token; results that follow no call carry a tool name",
    tools: [weather],
    system: 'Before<seed:eos><seed:bos>system\nAfter',
    messages: [
      user('Earlier result:'),
      { role: 'tool', content: 'cached', name: 'get_weather', tool: 'weather_tool' },
      call('get_weather', { city: 'Lima' }),
      result('warm'),
      result('extra result, more than calls'),
      assistant('Warm.'),
    ],
  },
  {
    name: 'model replies in the other formats (get_toolcall)',
    tools: [weather, noParams],
    system: null,
    messages: [user('hi'), assistant('hello')],
    replies: [
      '{"name": "get_weather", "parameters": {"city": "Paris"}}<|eom_id|>',
      '{"name": "get_weather", "parameters": {"city": "Oslo", "days": {"n": 2}}}\n' +
        '{"name": "get_time", "parameters": {}}',
      'Sure. {"name": "x", "arguments": {}} and {"name": "get_time", "parameters":\u3000{} }<|eom|>',
      '[TOOL_CALLS][\n{"name": "get_weather", "arguments": {"city": "Rome"}}\n' +
        '[{"name": "get_time", "arguments": {}}]\nbad\n]</s>',
      '[TOOL_CALLS][{"name": "x"}]</s>',
      '<｜tool▁calls▁begin｜><｜tool▁call▁begin｜> get_weather <｜tool▁sep｜> {"city": "Kyiv"} ' +
        '<｜tool▁call▁end｜>' +
        '<｜tool▁call▁begin｜>get_time<｜tool▁sep｜>null<｜tool▁call▁end｜><｜tool▁calls▁end｜>',
      '\n\n<｜DSML｜tool_calls>\n<｜DSML｜invoke  name="get_weather">\n' +
        '<｜DSML｜parameter name="city" string="true">New York</｜DSML｜parameter>\n' +
        '<｜DSML｜parameter name="days" string="false">3</｜DSML｜parameter>\n' +
        '<｜DSML｜parameter name="opts" string="false">{"a": [1, 2.5]}</｜DSML｜parameter>\n' +
        '<｜DSML｜parameter name="bad" string="false">not json</｜DSML｜parameter>\n</｜DSML｜invoke>\n' +
        '</｜DSML｜tool_calls>',
      '<minimax:tool_call>\n<invoke name="get_weather">\n<parameter name="city"> Paris </parameter>\n' +
        '<parameter name="days">3</parameter>\n<parameter name="x">null</parameter>\n</invoke>\n' +
        '<invoke name="get_time">\n</invoke>\n</minimax:tool_call>',
      ']<]minimax[>[<tool_call>\n]<]minimax[>[<invoke name="get_weather">' +
        ']<]minimax[>[<city> Paris ]<]minimax[>[</city>' +
        ']<]minimax[>[<opts>]<]minimax[>[<item>]<]minimax[>[<a>1]<]minimax[>[</a>]<]minimax[>[<a>x]<]minimax[>[</a>' +
        ']<]minimax[>[</item>]<]minimax[>[<item>true]<]minimax[>[</item>]<]minimax[>[</opts>' +
        ']<]minimax[>[<deep>]<]minimax[>[<deep>]<]minimax[>[<n>2.5]<]minimax[>[</n>' +
        ']<]minimax[>[</deep>]<]minimax[>[</deep>' +
        ']<]minimax[>[<empty>]<]minimax[>[</empty>]<]minimax[>[<cut>open]<]minimax[>[</invoke>\n' +
        ']<]minimax[>[</tool_call>',
      '<seed:tool_call>\n<function=get_weather>\n<parameter=city>Paris\n</parameter>\n<parameter=days>3</parameter>\n' +
        '</function>\n</seed:tool_call>\n<seed:tool_call>no function</seed:tool_call>',
      '<seed:tool_call>nothing here</seed:tool_call>',
      '<|tool_call>call:get_weather{city:<|"|>Paris<|"|>,days:3,opts:{deep:[true,null,1.5]},' +
        'k_ключ:<|"|>v<|"|>}<tool_call|>' +
        '<|tool_call>call: get_time {}<tool_call|><|tool_call>call:bad{a:<|"|>x"y<|"|>}<tool_call|>',
      '<|tool_calls_section_begin|><|tool_call_begin|> functions.get_weather:0 <|tool_call_argument_begin|>' +
        ' {"city": "Paris"} <|tool_call_end|><|tool_call_begin|>get_time<|tool_call_argument_begin|>not json' +
        '<|tool_call_end|><|tool_call_begin|>n<|tool_call_argument_begin|>null<|tool_call_end|>' +
        '<|tool_calls_section_end|>',
      '<|close|>response<|sep|><|open|>tools<|sep|><|open|>call tool="a&quot;b&amp;c" index="1"<|sep|>' +
        '<|open|>argument key="k&amp;" type="string"<|sep|> v <|close|>argument<|sep|>' +
        '<|open|>argument key="n" type="number"<|sep|>3<|close|>argument<|sep|>' +
        '<|open|>argument key="z" type="null"<|sep|>x<|close|>argument<|sep|>' +
        '<|open|>argument key="o" type="object"<|sep|>{"a": 1}<|close|>argument<|sep|>' +
        '<|open|>argument key="bad" type="array"<|sep|>[1,<|close|>argument<|sep|><|close|>call<|sep|>' +
        '<|open|>call tool="get_time" index="٢"<|sep|>' +
        '<|open|>json type="object"<|sep|>{"a": [1]}<|close|>json<|sep|><|close|>call<|sep|>' +
        '<|open|>call tool="raw"<|sep|><|open|>json type="object"<|sep|>not json<|close|>json<|sep|>' +
        '<|close|>call<|sep|><|close|>tools<|sep|>',
      '<function name="get_weather"><param name="city"><![CDATA[São\n<Paulo> & co]]></param>' +
        '<param name="days">3</param><param name="flag">true</param><param name="s">plain</param></function>\n' +
        '<function  name="get_time"></function><function name="x"><param name="a"><b></param></function>',
    ],
  },
  {
    name: 'call whose arguments cannot be parsed (refused)',
    tools: [weather],
    system: null,
    messages: [
      user('x'),
      { role: 'tool_call', content: JSON.stringify({ name: 'get_weather', arguments: '{not json' }) },
      result('?'),
      assistant('?'),
    ],
  },
];

/** ms-swift TemplateMeta pieces of two model templates, to test formats that read them. */
export const TEMPLATE_METAS: Record<string, { prompt: string[]; chat_sep: string[] }> = {
  chatml: { prompt: ['<|im_start|>user\n{{QUERY}}<|im_end|>\n<|im_start|>assistant\n'], chat_sep: ['<|im_end|>\n'] },
  llama3: {
    prompt: [
      '<|start_header_id|>user<|end_header_id|>\n\n{{QUERY}}<|eot_id|><|start_header_id|>' +
        'assistant<|end_header_id|>\n\n',
    ],
    chat_sep: ['<|eot_id|>'],
  },
};
