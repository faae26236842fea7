// strip / lstrip / rstrip(chars) and |trim in the jinja mode against real Jinja2 (hf_render.py):
// Python's whitespace set and explicit chars, on strings with the characters where Python and
// JavaScript disagree (U+001C, U+0085, U+FEFF).
import { describe, expect, it } from 'vitest';
import { renderOfficial } from '../conformance/official.ts';
import { compileChatTemplate, renderChatTemplate } from './render.ts';

const TEMPLATE =
  "{% for m in messages %}[{{ m.content.strip() }}|{{ m.content.lstrip('\\n') }}|{{ m.content.rstrip('\\n ') }}" +
  "|{{ m.content.strip('\\n') }}|{{ m.content|trim }}|{{ m.content|trim('\\n') }}" +
  "|{{ (m.content ~ 'x').strip('x\\n') }}" +
  "|{{ m.content.split('</think>')[-1].lstrip('\\n') }}|{{ m.content.strip(none) }}]{% endfor %}";

const contents = [
  '\n\n  hi  \n\n',
  ' \u001c\u0085 edge \ufeff',
  '<think>\n r \n</think>\n\n answer \n',
  '\n',
  '',
  'xx\nx',
];

describe('Python string stripping in @huggingface/jinja', () => {
  it('matches Jinja2 on strip/lstrip/rstrip(chars) and trim', async () => {
    const messages = contents.map((content) => ({ role: 'user' as const, content }));
    const [official] = await renderOfficial([{ template: TEMPLATE, messages, add_generation_prompt: false }]);
    expect(official).toHaveProperty('text');
    const ours = renderChatTemplate(compileChatTemplate(TEMPLATE), messages, null, false);
    expect(ours).toBe((official as { text: string }).text);
  });

  it('refuses a non-string like Python does, naming the method', () => {
    const t = compileChatTemplate('{{ messages.strip() }}');
    expect(() => renderChatTemplate(t, [], null, false)).toThrow("'list' object has no attribute 'strip'");
  });
});
