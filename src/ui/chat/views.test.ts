// What the Chat page shows for a reply that calls a tool: a Qwen2.5 reply in its native (Hermes)
// format is parsed back and shown as the tool's name with its arguments, beside the call as the
// template writes it; history lines show calls as name(arguments). Rendered with react-dom/server.
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { parseToolCalls } from '../../infer/tool-calls.ts';
import { getTemplate } from '../../templates/index.ts';
import { chatConversation, renderedTurn, replyMessage } from './history.ts';
import { HistoryView, IDLE, ToolCalls } from './views.tsx';

const weather = {
  type: 'function' as const,
  function: { name: 'get_weather', description: 'Weather', parameters: { type: 'object' } },
};

describe('tool calls on the Chat page', () => {
  const spec = getTemplate('qwen2_5');
  // What a model tuned on Qwen2.5 tool data generates (up to the stop word).
  const text =
    'Let me check.\n<tool_call>\n{"name": "get_weather", "arguments": {"city": "Oslo", "days": 3}}\n</tool_call>';
  const parse = parseToolCalls(text, spec);
  const conv = chatConversation('', [weather], [{ role: 'user', content: 'Oslo?' }]);
  const reply = replyMessage(text, parse.calls, 1, parse.content);
  const callText = renderedTurn(spec, conv, reply, {});

  it('shows the parsed name and arguments and the template’s own form of the call', () => {
    const html = renderToStaticMarkup(
      createElement(ToolCalls, { live: { ...IDLE, state: 'done', text, parse, callText }, testid: 'reply-adapter' }),
    );
    expect(html).toContain('data-name="get_weather"');
    expect(html).toContain('{\n  &quot;city&quot;: &quot;Oslo&quot;,\n  &quot;days&quot;: 3\n}');
    expect(html).toContain('Parsed with ms-swift&#x27;s hermes get_toolcall.');
    expect(html).toContain(
      '&lt;tool_call&gt;\n{&quot;name&quot;: &quot;get_weather&quot;, &quot;arguments&quot;: {&quot;city&quot;: ' +
        '&quot;Oslo&quot;, &quot;days&quot;: 3}}\n&lt;/tool_call&gt;',
    );
  });

  it('shows nothing for a reply without calls, and the call in the history as name(arguments)', () => {
    const none = parseToolCalls('It is sunny.', spec);
    expect(
      renderToStaticMarkup(createElement(ToolCalls, { live: { ...IDLE, state: 'done', parse: none }, testid: 'x' })),
    ).toBe('');
    const html = renderToStaticMarkup(
      createElement(HistoryView, { messages: [{ role: 'user', content: 'Oslo?' }, reply] }),
    );
    expect(html).toContain('get_weather({&quot;city&quot;:&quot;Oslo&quot;,&quot;days&quot;:3})');
    // The text before the call stays in the history, ahead of the call.
    expect(html).toMatch(/<span class="text">Let me check\.<\/span><code class="call-line">get_weather/);
  });
});
