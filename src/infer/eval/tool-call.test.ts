// The tool-call check of an evaluation: the reply text comes from rendering a record with a
// format (byte-checked against the official templates elsewhere), the expected calls are the
// record's own. Parsing itself is src/infer/tool-calls.ts's (its round-trip test covers every
// format with a parser).
import { describe, expect, it } from 'vitest';
import type { Conversation, ToolCall } from '../../data/types.ts';
import { getTemplate, render } from '../../templates/index.ts';
import type { TemplateSpec } from '../../templates/spec.ts';
import { checkToolCalls, sameArguments } from './tool-call.ts';

const CALLS: ToolCall[] = [{ name: 'get_weather', arguments: { city: 'Paris', days: 2, metric: true } }];

function record(calls: ToolCall[]): Conversation {
  return {
    tools: [
      {
        type: 'function',
        function: { name: 'get_weather', description: 'Weather', parameters: { type: 'object', properties: {} } },
      },
    ],
    messages: [
      { role: 'user', content: 'Weather in Paris for 2 days?' },
      { role: 'assistant', content: '', tool_calls: calls },
    ],
    source: { format: 'messages', line: 1 },
  };
}

/** The assistant's trained text: what a model trained on this record learns to write. */
function replyText(spec: TemplateSpec, conv: Conversation, agentTemplate?: string): string {
  const r = render(spec, conv, agentTemplate ? { agentTemplate } : {});
  return r.spans
    .filter((s) => s.role === 'assistant' && s.trainable)
    .map((s) => r.text.slice(s.start, s.end))
    .join('');
}

describe('tool call check', () => {
  // JSON formats keep types; XML formats (qwen3_coder) write every value as text, True for true.
  for (const template of ['qwen2_5', 'llama3_2', 'glm4', 'qwen3_coder']) {
    it(`${template}: the record's own call passes; another value or tool does not`, () => {
      const spec = getTemplate(template);
      const reply = replyText(spec, record(CALLS));
      expect(checkToolCalls(reply, CALLS, spec)).toMatchObject({ parsed: true, names: true, arguments: true });
      expect(
        checkToolCalls(reply, [{ name: 'get_weather', arguments: { city: 'Lyon', days: 2, metric: true } }], spec),
      ).toMatchObject({ parsed: true, names: true, arguments: false });
      expect(checkToolCalls(reply, [{ name: 'get_time', arguments: CALLS[0].arguments }], spec)).toMatchObject({
        parsed: true,
        names: false,
        arguments: false,
      });
      expect(checkToolCalls(reply, [...CALLS, ...CALLS], spec)).toMatchObject({ parsed: true, names: false });
    });
  }

  it('uses the run’s ms-swift agent template over the family’s format', () => {
    const spec = getTemplate('llama3_2');
    const reply = replyText(spec, record(CALLS), 'hermes');
    expect(reply).toContain('<tool_call>');
    expect(checkToolCalls(reply, CALLS, spec, 'hermes')).toMatchObject({ parsed: true, names: true, arguments: true });
  });

  it('a plain answer or broken JSON is no call; a format without a parser is not checked', () => {
    const spec = getTemplate('qwen2_5');
    expect(checkToolCalls('It is sunny in Paris.', CALLS, spec)).toMatchObject({
      parsed: false,
      names: false,
      arguments: false,
    });
    expect(
      checkToolCalls('<tool_call>\n{"name": "get_weather", "arguments": {"city": \n</tool_call>', CALLS, spec)?.parsed,
    ).toBe(false);
    expect(checkToolCalls('x', CALLS, getTemplate('phi4_mini'))).toBeNull();
  });

  it('matches arguments by value, whatever the key order, and text values by what they read as', () => {
    expect(sameArguments({ days: 2, city: 'Paris' }, { city: 'Paris', days: 2 })).toBe(true);
    expect(sameArguments({ city: 'Paris', days: '2', metric: 'True' }, { city: 'Paris', days: 2, metric: true })).toBe(
      true,
    );
    expect(sameArguments({ city: 'Paris', days: 'two' }, { city: 'Paris', days: 2 })).toBe(false);
    expect(sameArguments({ city: 'Paris' }, { city: 'Paris', days: 2 })).toBe(false);
    expect(sameArguments({ city: 'Paris', days: 2, x: 1 }, { city: 'Paris', days: 2 })).toBe(false);
    expect(sameArguments({ q: { a: [1, 2] } }, { q: { a: [1, 2] } })).toBe(true);
    expect(sameArguments(undefined, { q: 1 })).toBe(false);
    expect(sameArguments({}, undefined)).toBe(true);
  });
});
