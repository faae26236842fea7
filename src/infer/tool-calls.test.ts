// Round trip: a call rendered by each template (its native format, and ms-swift agent templates
// chosen explicitly) is what a model trained on that text would generate; parsing the generated
// part back must give the call's name and arguments. The rendering itself is checked against
// each model's Jinja template and ms-swift elsewhere (templates/*conformance*, agent/swift).
import { describe, expect, it } from 'vitest';
import type { Conversation } from '../data/types.ts';
import { getTemplate, render, templateIds } from '../templates/index.ts';
import { parseToolCalls, toolCallParserFor } from './tool-calls.ts';

const tools = [
  {
    type: 'function' as const,
    function: {
      name: 'get_weather',
      description: 'Weather for a city',
      parameters: {
        type: 'object',
        properties: { city: { type: 'string' }, days: { type: 'integer' } },
        required: ['city'],
      },
    },
  },
];
const args = { city: 'Paris', days: 2 };
const user: Conversation = {
  tools,
  messages: [{ role: 'user', content: 'Weather in Paris for two days?' }],
  source: { format: 'messages', line: 1 },
};
const call: Conversation = {
  ...user,
  messages: [
    ...user.messages,
    { role: 'assistant', content: '', tool_calls: [{ id: 'call_1', name: 'get_weather', arguments: args }] },
  ],
};

/**
 * The text the model generates for the call: the rendered call turn after the generation prompt,
 * up to the first stop word (where generation ends).
 */
function generated(template: string, agent?: string): string | null {
  const spec = getTemplate(template);
  const prompt = render(spec, user, { addGenerationPrompt: true, agentTemplate: agent }).text;
  const full = render(spec, call, { agentTemplate: agent }).text;
  if (!full.startsWith(prompt)) return null;
  const reply = full.slice(prompt.length);
  const cut = Math.min(...spec.stop.map((s) => reply.indexOf(s)).filter((i) => i >= 0), reply.length);
  return reply.slice(0, cut);
}

/** XML-style formats carry no types: ms-swift's parsers give every argument as a string. */
const STRING_ARGS = new Set(['qwen3_5', 'qwen3_coder', 'glm4_5', 'glm4_7', 'seed_oss']);
/** Templates whose generation prompt opens a think block that the rendered history closes otherwise. */
const NOT_A_CONTINUATION = new Set(['glm4_7']);

describe('parseToolCalls', () => {
  const withParser = templateIds.filter((t) => toolCallParserFor(getTemplate(t)) !== null);

  it('has a parser for the common families', () => {
    expect(withParser).toEqual(
      expect.arrayContaining([
        'qwen2_5',
        'qwen3',
        'chatml',
        'llama3',
        'llama3_2',
        'gemma3',
        'phi3',
        'qwen3_5',
        'glm4_5',
      ]),
    );
  });

  it.each(withParser.filter((t) => !NOT_A_CONTINUATION.has(t)))(
    'reads back the call %s renders in its own format',
    (template) => {
      const text = generated(template);
      expect(text, `${template}: the call turn continues the prompt`).not.toBeNull();
      const got = parseToolCalls(text!, getTemplate(template));
      expect(got.error).toBeUndefined();
      const want = STRING_ARGS.has(got.parser!) ? { city: 'Paris', days: '2' } : args;
      expect(got.calls.map((c) => [c.name, c.arguments])).toEqual([['get_weather', want]]);
    },
  );

  it.each(['hermes', 'react_en', 'llama3', 'chatglm4', 'glm4', 'qwen_en', 'mistral'])(
    'reads back ms-swift’s %s calls under qwen2_5',
    (agent) => {
      const text = generated('qwen2_5', agent);
      expect(text).not.toBeNull();
      const got = parseToolCalls(text!, getTemplate('qwen2_5'), agent);
      expect(got.parser).toBe(agent);
      expect(got.calls.map((c) => [c.name, c.arguments])).toEqual([['get_weather', args]]);
    },
  );

  // A reply that says something before calling: the text must stay the message's content, or the
  // next prompt renders a different history than the model wrote. Where the template writes the
  // content beside the call, parsing the rendered turn must give that content back exactly.
  const SAID = 'Let me look that up.';
  const GLUED = new Set(['glm4', 'chatglm4']);
  const saidFirst: Conversation = {
    ...call,
    messages: [user.messages[0], { ...call.messages[1], content: SAID }],
  };
  const withContent = (template: string, agent?: string): string | null => {
    const spec = getTemplate(template);
    const prompt = render(spec, user, { addGenerationPrompt: true, agentTemplate: agent }).text;
    const full = render(spec, saidFirst, { agentTemplate: agent }).text;
    if (!full.startsWith(prompt)) return null;
    const reply = full.slice(prompt.length);
    return reply.slice(0, Math.min(...spec.stop.map((s) => reply.indexOf(s)).filter((i) => i >= 0), reply.length));
  };
  const cases: [string, string | undefined][] = [
    ...withParser.filter((t) => !NOT_A_CONTINUATION.has(t)).map((t): [string, undefined] => [t, undefined]),
    ...['hermes', 'react_en', 'llama3', 'chatglm4', 'glm4', 'qwen_en', 'mistral'].map((a): [string, string] => [
      'qwen2_5',
      a,
    ]),
  ];

  it.each(cases)('keeps the text %s (agent %s) writes before a call as the content', (template, agent) => {
    const text = withContent(template, agent);
    expect(text).not.toBeNull();
    const got = parseToolCalls(text!, getTemplate(template), agent);
    if (GLUED.has(agent ?? '')) {
      // ms-swift writes the content and the tool's name with nothing between: its parser then
      // reads the line as the name, and no text before the call.
      expect(text).toContain(SAID + 'get_weather');
      expect(got.content).toBe('');
      return expect(got.calls.map((c) => c.name)).toEqual([SAID + 'get_weather']);
    }
    expect(got.calls.map((c) => c.name)).toEqual(['get_weather']);
    // What the model wrote before the call (a thinking block included), not the call's own text.
    const before = text!.includes(SAID) ? text!.slice(0, text!.indexOf(SAID) + SAID.length).trim() : '';
    expect(got.content).toBe(before);
  });

  it('renders the content before a call in most formats', () => {
    const kept = cases.filter(([t, a]) => withContent(t, a)?.includes(SAID));
    expect(kept.length).toBeGreaterThan(cases.length / 2);
  });

  it('returns no calls for a plain reply, and says when no parser is known', () => {
    expect(parseToolCalls('It is sunny.', getTemplate('qwen2_5')).calls).toEqual([]);
    const none = templateIds.find((t) => toolCallParserFor(getTemplate(t)) === null);
    if (none) expect(parseToolCalls('x', getTemplate(none)).error).toMatch(/no tool-call parser/);
  });
});
