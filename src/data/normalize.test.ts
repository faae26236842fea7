// Each accepted format → the canonical Conversation, against expected objects written by hand
// from the formats' documentation (OpenAI, ms-swift, LLaMA-Factory's alpaca and sharegpt).
import { describe, expect, it } from 'vitest';
import { normalizeRecord } from './normalize.ts';
import type { Conversation } from './types.ts';

const weather = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Weather for a city',
    parameters: { type: 'object', properties: { city: { type: 'string' } } },
  },
};

function ok(value: unknown, line = 7): Conversation {
  const r = normalizeRecord(value, line);
  expect(r.issues).toEqual([]);
  expect(r.conversation).toBeDefined();
  return r.conversation!;
}

describe('OpenAI / HF messages', () => {
  it('system, user, assistant; content kept byte for byte', () => {
    const conv = ok({
      messages: [
        { role: 'system', content: '  You are terse.\n' },
        { role: 'user', content: ' hi  \n' },
        { role: 'assistant', content: '\nHello!\t' },
      ],
    });
    expect(conv).toEqual({
      system: '  You are terse.\n',
      messages: [
        { role: 'user', content: ' hi  \n' },
        { role: 'assistant', content: '\nHello!\t' },
      ],
      source: { format: 'messages', line: 7 },
    });
  });

  it('tool calls with string and object arguments, ids, tool results, reasoning', () => {
    const conv = ok({
      tools: [weather],
      messages: [
        { role: 'user', content: 'Weather in Oslo and Rome?' },
        {
          role: 'assistant',
          content: null,
          reasoning_content: 'Two cities: call twice.',
          tool_calls: [
            { id: 'c1', type: 'function', function: { name: 'get_weather', arguments: '{"city": "Oslo"}' } },
            { id: 'c2', type: 'function', function: { name: 'get_weather', arguments: { city: 'Rome' } } },
          ],
        },
        { role: 'tool', tool_call_id: 'c1', name: 'get_weather', content: '-4 C' },
        { role: 'tool', tool_call_id: 'c2', content: '18 C' },
        { role: 'assistant', content: 'Oslo -4 C, Rome 18 C.' },
      ],
    });
    expect(conv).toEqual({
      messages: [
        { role: 'user', content: 'Weather in Oslo and Rome?' },
        {
          role: 'assistant',
          content: '',
          reasoning_content: 'Two cities: call twice.',
          tool_calls: [
            { id: 'c1', name: 'get_weather', arguments: { city: 'Oslo' } },
            { id: 'c2', name: 'get_weather', arguments: { city: 'Rome' } },
          ],
        },
        { role: 'tool', tool_call_id: 'c1', name: 'get_weather', content: '-4 C' },
        { role: 'tool', tool_call_id: 'c2', content: '18 C' },
        { role: 'assistant', content: 'Oslo -4 C, Rome 18 C.' },
      ],
      tools: [weather],
      source: { format: 'messages', line: 7 },
    });
  });

  it('keeps tool objects exactly, extra keys and key order included', () => {
    const tool = { type: 'function', function: { name: 'f', parameters: { type: 'object' }, strict: true }, extra: 1 };
    const conv = ok({
      tools: [tool],
      messages: [
        { role: 'user', content: 'x' },
        { role: 'assistant', content: 'y' },
      ],
    });
    expect(JSON.stringify(conv.tools)).toBe(JSON.stringify([tool]));
  });

  it('a bare call {name, arguments} and absent arguments', () => {
    const conv = ok({
      messages: [
        { role: 'user', content: 'time?' },
        { role: 'assistant', tool_calls: [{ name: 'now' }, { name: 'tz', arguments: '"UTC"' }] },
        { role: 'tool', content: '12:00' },
        { role: 'tool', content: 'UTC' },
        { role: 'assistant', content: 'Noon UTC.' },
      ],
    });
    expect(conv.messages[1]).toEqual({
      role: 'assistant',
      content: '',
      tool_calls: [
        { name: 'now', arguments: {} },
        { name: 'tz', arguments: 'UTC' },
      ],
    });
    // Results are kept as written: no name is invented for them.
    expect(conv.messages[2]).toEqual({ role: 'tool', content: '12:00' });
  });

  it('null optional fields read as absent (Arrow/pandas exports)', () => {
    const conv = ok({
      tools: null,
      system: null,
      messages: [
        { role: 'user', content: 'a', name: null, loss: null },
        { role: 'assistant', content: 'b', tool_calls: null, reasoning_content: null },
      ],
    });
    expect(conv).toEqual({
      messages: [
        { role: 'user', content: 'a' },
        { role: 'assistant', content: 'b' },
      ],
      source: { format: 'messages', line: 7 },
    });
  });

  it('an empty tools list means no tools', () => {
    const conv = ok({
      tools: [],
      messages: [
        { role: 'user', content: 'a' },
        { role: 'assistant', content: 'b' },
      ],
    });
    expect(conv.tools).toBeUndefined();
  });
});

describe('ms-swift', () => {
  it('tools as a JSON string, parallel tool_call turns, tool_response, loss', () => {
    const tools = [
      weather,
      { name: 'get_time', description: 'Local time', parameters: { type: 'object', properties: {} } },
    ];
    const conv = ok({
      tools: JSON.stringify(tools),
      messages: [
        { role: 'system', content: 'Agent.' },
        { role: 'user', content: '北京和上海的天气？' },
        { role: 'tool_call', content: '{"name": "get_weather", "arguments": {"city": "北京"}}' },
        { role: 'tool_call', content: '{"name": "get_weather", "arguments": "{\\"city\\": \\"上海\\"}"}' },
        { role: 'tool_response', content: '{"temp": 3}' },
        { role: 'tool_response', content: '{"temp": 9}' },
        { role: 'assistant', content: '北京3度，上海9度。', loss: false },
        { role: 'user', content: 'time?' },
        { role: 'assistant', content: 'Let me check.' },
        { role: 'tool_call', content: '{"name": "get_time", "arguments": {}}', loss: true },
        { role: 'tool_response', content: '08:00' },
        { role: 'assistant', content: 'It is 8 am.' },
      ],
    });
    expect(conv).toEqual({
      system: 'Agent.',
      messages: [
        { role: 'user', content: '北京和上海的天气？' },
        {
          role: 'assistant',
          content: '',
          tool_calls: [
            { name: 'get_weather', arguments: { city: '北京' } },
            { name: 'get_weather', arguments: { city: '上海' } },
          ],
        },
        { role: 'tool', content: '{"temp": 3}' },
        { role: 'tool', content: '{"temp": 9}' },
        { role: 'assistant', content: '北京3度，上海9度。', loss: false },
        { role: 'user', content: 'time?' },
        // ms-swift renders "text, then call" as one assistant turn.
        { role: 'assistant', content: 'Let me check.', tool_calls: [{ name: 'get_time', arguments: {} }], loss: true },
        { role: 'tool', content: '08:00' },
        { role: 'assistant', content: 'It is 8 am.' },
      ],
      tools: [
        weather,
        {
          type: 'function',
          function: { name: 'get_time', description: 'Local time', parameters: { type: 'object', properties: {} } },
        },
      ],
      source: { format: 'swift', line: 7 },
    });
  });

  it('tools as a list of JSON strings', () => {
    const conv = ok({
      tools: [JSON.stringify(weather)],
      messages: [
        { role: 'user', content: 'a' },
        { role: 'assistant', content: 'b', loss: true },
      ],
    });
    expect(conv.tools).toEqual([weather]);
    expect(conv.source.format).toBe('swift');
    expect(conv.messages[1]).toEqual({ role: 'assistant', content: 'b', loss: true });
  });
});

describe('alpaca', () => {
  it('instruction + input on two lines, system, history before the turn', () => {
    const conv = ok({
      system: 'Be kind.',
      instruction: 'Translate to French:',
      input: ' The cat. ',
      output: 'Le chat.',
      history: [
        ['Hi', 'Hello!'],
        ['How are you?', 'Fine.'],
      ],
    });
    expect(conv).toEqual({
      system: 'Be kind.',
      messages: [
        { role: 'user', content: 'Hi' },
        { role: 'assistant', content: 'Hello!' },
        { role: 'user', content: 'How are you?' },
        { role: 'assistant', content: 'Fine.' },
        { role: 'user', content: 'Translate to French:\n The cat. ' },
        { role: 'assistant', content: 'Le chat.' },
      ],
      source: { format: 'alpaca', line: 7 },
    });
  });

  it('an empty or absent input adds nothing', () => {
    expect(ok({ instruction: 'Say hi.', input: '', output: 'hi' }).messages[0]).toEqual({
      role: 'user',
      content: 'Say hi.',
    });
    expect(ok({ instruction: 'Say hi.', output: 'hi' }).messages[0]).toEqual({ role: 'user', content: 'Say hi.' });
  });
});

describe('sharegpt', () => {
  it('from/value turns, system turn, function_call list, observation, tools', () => {
    const conv = ok({
      tools: JSON.stringify([weather]),
      conversations: [
        { from: 'system', value: 'You help.' },
        { from: 'human', value: 'Oslo and Rome?' },
        {
          from: 'function_call',
          value:
            '[{"name": "get_weather", "arguments": {"city": "Oslo"}}, {"name": "get_weather", ' +
            '"arguments": {"city": "Rome"}}]',
        },
        { from: 'observation', value: '-4' },
        { from: 'observation', value: '18' },
        { from: 'gpt', value: 'Cold and warm.' },
      ],
    });
    expect(conv).toEqual({
      system: 'You help.',
      messages: [
        { role: 'user', content: 'Oslo and Rome?' },
        {
          role: 'assistant',
          content: '',
          tool_calls: [
            { name: 'get_weather', arguments: { city: 'Oslo' } },
            { name: 'get_weather', arguments: { city: 'Rome' } },
          ],
        },
        { role: 'tool', content: '-4' },
        { role: 'tool', content: '18' },
        { role: 'assistant', content: 'Cold and warm.' },
      ],
      tools: [weather],
      source: { format: 'sharegpt', line: 7 },
    });
  });

  it('top-level system, and user/assistant names for from', () => {
    const conv = ok({
      system: 'S',
      conversations: [
        { from: 'user', value: 'q' },
        { from: 'assistant', value: 'a' },
      ],
    });
    expect(conv).toEqual({
      system: 'S',
      messages: [
        { role: 'user', content: 'q' },
        { role: 'assistant', content: 'a' },
      ],
      source: { format: 'sharegpt', line: 7 },
    });
  });

  it('role/content turns inside conversations', () => {
    const conv = ok({
      conversations: [
        { role: 'user', content: 'q' },
        { role: 'assistant', content: 'a' },
      ],
    });
    expect(conv.messages).toEqual([
      { role: 'user', content: 'q' },
      { role: 'assistant', content: 'a' },
    ]);
  });
});

describe('query / response', () => {
  it('query, response, history, system', () => {
    const conv = ok({ system: 'S', query: '2+2?', response: '4', history: [['1+1?', '2']] }, 3);
    expect(conv).toEqual({
      system: 'S',
      messages: [
        { role: 'user', content: '1+1?' },
        { role: 'assistant', content: '2' },
        { role: 'user', content: '2+2?' },
        { role: 'assistant', content: '4' },
      ],
      source: { format: 'query_response', line: 3 },
    });
  });
});

describe('warnings keep the record', () => {
  it('an empty assistant reply is valid with an empty_content warning', () => {
    const r = normalizeRecord(
      {
        messages: [
          { role: 'user', content: 'x' },
          { role: 'assistant', content: '' },
        ],
      },
      2,
    );
    expect(r.conversation?.messages).toEqual([
      { role: 'user', content: 'x' },
      { role: 'assistant', content: '' },
    ]);
    expect(r.issues).toEqual([
      { line: 2, severity: 'warning', code: 'empty_content', message: expect.any(String), path: 'messages[1]' },
    ]);
  });
});

describe('prompts to generate from (forGeneration)', () => {
  const codes = (value: unknown, forGeneration: boolean) => {
    const r = normalizeRecord(value, 1, { forGeneration });
    return { valid: r.conversation !== undefined, codes: r.issues.map((i) => i.code) };
  };
  const U = { role: 'user', content: 'q' };
  const A = { role: 'assistant', content: 'a' };
  const call = { role: 'assistant', tool_calls: [{ function: { name: 'f', arguments: '{}' } }] };
  const T = { role: 'tool', content: 'r' };

  it('accept a conversation that ends with the user or a tool result, with no warning', () => {
    expect(codes({ messages: [U] }, true)).toEqual({ valid: true, codes: [] });
    expect(codes({ messages: [U, A, U] }, true)).toEqual({ valid: true, codes: [] });
    expect(codes({ messages: [U, call, T] }, true)).toEqual({ valid: true, codes: [] });
    expect(codes({ query: 'q', response: 'r' }, true)).toEqual({ valid: true, codes: [] });
  });

  it('still refuse what no template can render, and change nothing without the option', () => {
    expect(codes({ messages: [] }, true)).toEqual({ valid: false, codes: ['no_assistant_turn'] });
    expect(codes({ messages: [U, A] }, true)).toEqual({ valid: true, codes: [] });
    expect(codes({ messages: [U] }, false)).toEqual({ valid: false, codes: ['no_assistant_turn'] });
    expect(codes({ messages: [U, A, U] }, false)).toEqual({ valid: true, codes: ['role_order'] });
  });
});
