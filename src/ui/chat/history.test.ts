import { describe, expect, it } from 'vitest';
import type { Conversation, Message } from '../../data/types.ts';
import { getTemplate } from '../../templates/index.ts';
import { chatConversation, datasetTools, pendingCalls, renderedTurn, replyMessage, toolResult } from './history.ts';

const weather = {
  type: 'function' as const,
  function: {
    name: 'get_weather',
    description: 'Weather',
    parameters: { type: 'object', properties: { city: { type: 'string' } } },
  },
};
const time = { type: 'function' as const, function: { name: 'get_time' } };

describe('chat history', () => {
  it('collects the dataset’s tools once per name', () => {
    const convs = [
      { tools: [weather] },
      null,
      { tools: [time, { ...weather, function: { ...weather.function, description: 'later' } }] },
    ] as (Conversation | null)[];
    expect(datasetTools(convs)).toEqual([weather, time]);
  });

  it('keeps a reply with calls as tool_calls and knows which calls wait for a result', () => {
    const user: Message = { role: 'user', content: 'Paris?' };
    const reply = replyMessage(
      '<tool_call>…</tool_call>',
      [
        { name: 'get_weather', argumentsText: '{"city": "Paris"}', arguments: { city: 'Paris' } },
        { name: 'get_time', argumentsText: 'oops', arguments: undefined },
      ],
      1,
    );
    expect(reply).toEqual({
      role: 'assistant',
      content: '',
      tool_calls: [
        { id: 'call_1_0', name: 'get_weather', arguments: { city: 'Paris' } },
        { id: 'call_1_1', name: 'get_time', arguments: 'oops' },
      ],
    });
    expect(pendingCalls([user, reply]).map((c) => c.id)).toEqual(['call_1_0', 'call_1_1']);
    const first = toolResult(reply.tool_calls![0], '18°C');
    expect(first).toEqual({ role: 'tool', content: '18°C', tool_call_id: 'call_1_0', name: 'get_weather' });
    expect(pendingCalls([user, reply, first]).map((c) => c.id)).toEqual(['call_1_1']);
    expect(pendingCalls([user, reply, first, toolResult(reply.tool_calls![1], '9:00')])).toEqual([]);
    expect(pendingCalls([user, replyMessage('Sunny.', [], 1)])).toEqual([]);
  });

  it('shows a call in the template’s own format', () => {
    const conv = chatConversation('', [weather], [{ role: 'user', content: 'Paris?' }]);
    const call: Message = {
      role: 'assistant',
      content: '',
      tool_calls: [{ id: 'c', name: 'get_weather', arguments: { city: 'Paris' } }],
    };
    // Qwen2.5's official template: <tool_call>\n{"name": ..., "arguments": ...}\n</tool_call>
    expect(renderedTurn(getTemplate('qwen2_5'), conv, call, {})).toBe(
      '<tool_call>\n{"name": "get_weather", "arguments": {"city": "Paris"}}\n</tool_call>',
    );
    expect(renderedTurn(getTemplate('qwen2_5'), conv, call, { agentTemplate: 'react_en' })).toBe(
      "Action: get_weather\nAction Input: {'city': 'Paris'}\nObservation:",
    );
  });
});
