// What a record asks and answers in an evaluation: the prompt is the conversation before its last
// assistant reply, the reference is that reply (text or calls).
import { describe, expect, it } from 'vitest';
import type { Conversation } from '../../data/types.ts';
import { evalItem, lastAsk } from './items.ts';

const src = { format: 'messages', line: 7 } as const;

describe('evaluation items', () => {
  it('cuts the conversation before its last assistant reply, which becomes the reference', () => {
    const conv: Conversation = {
      system: 'Be brief.',
      messages: [
        { role: 'user', content: 'hi' },
        { role: 'assistant', content: 'hello' },
        { role: 'user', content: 'weather?' },
        { role: 'assistant', content: '', tool_calls: [{ name: 'get_weather', arguments: { city: 'Paris' } }] },
        { role: 'tool', content: '{"t": 14}', name: 'get_weather' },
        { role: 'assistant', content: 'It is 14 degrees.' },
        { role: 'user', content: 'thanks' },
      ],
      source: src,
    };
    const item = evalItem(conv);
    expect(item.line).toBe(7);
    expect(item.reference).toEqual({ content: 'It is 14 degrees.' });
    expect(item.prompt.system).toBe('Be brief.');
    expect(item.prompt.messages.map((m) => m.role)).toEqual(['user', 'assistant', 'user', 'assistant', 'tool']);
    expect(lastAsk(item)).toBe('[tool get_weather] {"t": 14}');
  });

  it('a call as the reference keeps its calls; no assistant reply means no reference', () => {
    const call: Conversation = {
      messages: [
        { role: 'user', content: 'weather?' },
        { role: 'assistant', content: '', tool_calls: [{ name: 'get_weather', arguments: { city: 'Paris' } }] },
      ],
      source: src,
    };
    expect(evalItem(call).reference).toEqual({
      content: '',
      tool_calls: [{ name: 'get_weather', arguments: { city: 'Paris' } }],
    });
    expect(lastAsk(evalItem(call))).toBe('weather?');
    const open: Conversation = { messages: [{ role: 'user', content: 'hi' }], source: src };
    expect(evalItem(open)).toEqual({ line: 7, prompt: open, reference: null });
  });
});
