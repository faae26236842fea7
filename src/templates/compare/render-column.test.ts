// The Templates page's loss-scale choice: names typed on the page under the policy's base make
// ms-swift's spec (its grammar: swift/loss_scale/mapping.py), bad names are reported and ignored,
// and a column rendered with hermes weighs the tool call 2 (ms-swift's hermes.json).
import { describe, expect, it } from 'vitest';
import type { Conversation } from '../../data/index.ts';
import { lossScaleSpec, renderColumn, renderOptions } from './render-column.ts';
import type { RenderChoices } from './render-column.ts';

const CHOICES: RenderChoices = {
  lossPolicy: 'all_assistant',
  lastRoundBoundary: 'user_or_tool',
  date: '',
  enableThinking: true,
  trainEmptyThink: false,
  addGenerationPrompt: false,
  maxLength: 2048,
  agentTemplate: 'native',
};

describe('loss scale on the Templates page', () => {
  it('composes the spec from the policy and the names', () => {
    expect(lossScaleSpec(CHOICES)).toEqual({});
    expect(lossScaleSpec({ ...CHOICES, lossScale: 'react' })).toEqual({ spec: 'react' });
    expect(lossScaleSpec({ ...CHOICES, lossPolicy: 'last_round', lossScale: ' hermes+ignore_empty_think ' })).toEqual({
      spec: 'last_round+hermes+ignore_empty_think',
    });
    expect(lossScaleSpec({ ...CHOICES, lossPolicy: 'all', lossScale: 'last_round+qwen' })).toEqual({
      spec: 'all+qwen',
    });
    expect(lossScaleSpec({ ...CHOICES, lossScale: 'tools' }).error).toMatch(/"tools" is not a loss scale/);
    expect(renderOptions({ ...CHOICES, lossScale: 'tools' }).lossScale).toBeUndefined();
    expect(renderOptions({ ...CHOICES, lossScale: 'hermes' }).lossScale).toBe('hermes');
  });

  it('a Qwen column under hermes weighs the tool call 2', () => {
    const conv: Conversation = {
      tools: [{ type: 'function', function: { name: 'get_time', parameters: { type: 'object', properties: {} } } }],
      messages: [
        { role: 'user', content: 'Time?' },
        { role: 'assistant', content: '', tool_calls: [{ name: 'get_time', arguments: {} }] },
        { role: 'tool', content: '12:00' },
        { role: 'assistant', content: 'Noon.' },
      ],
      source: { format: 'messages', line: 1 },
    };
    const r = renderColumn('qwen2_5', conv, { ...CHOICES, lossScale: 'hermes' });
    if (!r.ok) throw new Error(r.error);
    const weighted = r.rendered.spans
      .filter((s) => s.weight !== undefined)
      .map((s) => [r.rendered.text.slice(s.start, s.end), s.weight]);
    expect(weighted).toEqual([['<tool_call>\n{"name": "get_time", "arguments": {}}\n</tool_call>', 2]]);
  });
});
