// The doctor's opt-in fix for a refusal: Mistral Small 3.2 refuses tool call ids that are not 9
// characters, with the official template's own message (checked against real Jinja2), and the
// doctor says the fix renders the record.
import { describe, expect, it } from 'vitest';
import type { Conversation } from '../data/types.ts';
import { loadReferenceTemplate, referenceDirExists, renderOfficial } from './conformance/official.ts';
import { toHFMessages, toHFTools } from './conformance/hf-messages.ts';
import { doctor } from './doctor.ts';
import { render, TemplateError } from './render.ts';
import { getTemplate } from './specs.ts';

const conv: Conversation = {
  source: { format: 'messages', line: 1 },
  messages: [
    { role: 'user', content: 'Weather?' },
    {
      role: 'assistant',
      content: '',
      tool_calls: [{ id: 'call_1', name: 'get_weather', arguments: { city: 'Oslo' } }],
    },
    { role: 'tool', content: '{"t": 3}', tool_call_id: 'call_1' },
    { role: 'assistant', content: 'Cold.' },
  ],
};

describe.skipIf(!referenceDirExists())('doctor: opt-in fixes', () => {
  it('refuses Mistral Small ids as the official template does, and offers the id fix', async () => {
    const spec = getTemplate('mistral_small');
    const [official] = await renderOfficial([
      {
        template: loadReferenceTemplate(spec.reference!)!,
        messages: toHFMessages(conv),
        tools: toHFTools(conv),
        special_tokens: { bos_token: '<s>', eos_token: '</s>' },
      },
    ]);
    expect(official).toHaveProperty('error');
    expect(() => render(spec, conv, { today: '2026-01-15' })).toThrow(TemplateError);
    expect(() => render(spec, conv, { today: '2026-01-15' })).toThrow((official as { error: string }).error);
    const findings = doctor(spec, conv, { today: '2026-01-15' });
    expect(findings.map((f) => f.code)).toEqual(['template_refused', 'fix_available']);
    const fixed = render(spec, conv, { today: '2026-01-15', fixToolCallIds: true });
    expect(fixed.warnings.map((w) => w.code)).toContain('tool_call_ids_rewritten');
    expect(fixed.text).toMatch(/\[TOOL_CALLS\]get_weather\[CALL_ID\][A-Za-z0-9]{9}\[ARGS\]\{"city": "Oslo"\}<\/s>/);
  });
});
