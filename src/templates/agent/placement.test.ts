// Every ms-swift agent template on five model templates, rendered through the walk: the text must
// hold ms-swift's own pieces, byte for byte and in order — the tools block (as the system prompt),
// the calls text of each call run, and each results block right after the reply it follows (so
// ReAct's appended `Observation:` and the reply's end are where ms-swift puts them). The pieces
// come from placement_oracle.py, which runs ms-swift's agent templates (../shared/reference/
// ms-swift) inside ms-swift's own preparation walk. Where ms-swift refuses, the render must too.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Conversation, Message } from '../../data/types.ts';
import { toHFMessages } from '../conformance/hf-messages.ts';
import { render, TemplateError } from '../render.ts';
import { getTemplate } from '../specs.ts';
import type { Rendered } from '../types.ts';
import { SWIFT_REFERENCE_DIR, swiftReferenceExists } from './swift/oracle.ts';
import { SWIFT_AGENT_TEMPLATE_IDS } from './swift/registry.ts';
import { templateMetaOf } from './swift-adapter.ts';

const ORACLE = fileURLToPath(new URL('./placement_oracle.py', import.meta.url));

/** The five model templates with their TemplateMeta and default system, written by hand from the official formats. */
const MODELS: Record<string, { prompt: string; chatSep: string; defaultSystem: string | null }> = {
  qwen2_5: {
    prompt: '<|im_start|>user\n{{QUERY}}<|im_end|>\n<|im_start|>assistant\n',
    chatSep: '<|im_end|>\n',
    defaultSystem: 'You are Qwen, created by Alibaba Cloud. You are a helpful assistant.',
  },
  llama3_2: {
    prompt:
      '<|start_header_id|>user<|end_header_id|>\n\n{{QUERY}}<|eot_id|><|start_header_id|>' +
      'assistant<|end_header_id|>\n\n',
    chatSep: '<|eot_id|>',
    defaultSystem: null,
  },
  gemma3: {
    prompt: '<start_of_turn>user\n{{QUERY}}<end_of_turn>\n<start_of_turn>model\n',
    chatSep: '<end_of_turn>\n',
    defaultSystem: null,
  },
  glm4: { prompt: '<|user|>\n{{QUERY}}<|assistant|>\n', chatSep: '', defaultSystem: null },
  mistral: { prompt: '[INST] {{QUERY}}[/INST] ', chatSep: '</s>', defaultSystem: null },
};

const src = { format: 'messages' as const, line: 1 };
const weather = {
  type: 'function' as const,
  function: {
    name: 'get_weather',
    description: 'Current weather for a city.',
    parameters: {
      type: 'object',
      properties: { city: { type: 'string', description: 'e.g. "Paris"' } },
      required: ['city'],
    },
  },
};
const search = {
  type: 'function' as const,
  function: {
    name: 'search_web',
    description: '搜索网页',
    parameters: { type: 'object', properties: { query: { type: 'string' }, top_k: { type: 'integer' } } },
  },
};
const u = (content: string): Message => ({ role: 'user', content });
const a = (content: string, extra: Partial<Message> = {}): Message => ({ role: 'assistant', content, ...extra });
const call = (id: string, name: string, args: unknown) => ({ id, name, arguments: args });
const tool = (content: string, id?: string, name?: string): Message => ({
  role: 'tool',
  content,
  ...(id ? { tool_call_id: id } : {}),
  ...(name ? { name } : {}),
});

const RECORDS: { name: string; conv: Conversation; gen?: boolean }[] = [
  {
    name: 'one call and its result, with a system prompt',
    conv: {
      source: src,
      system: 'Be brief.',
      tools: [weather],
      messages: [
        u('Weather in Paris?'),
        a('', { tool_calls: [call('call_1', 'get_weather', { city: 'Paris' })] }),
        tool('{"temp": 18, "sky": "cloudy"}', 'call_1', 'get_weather'),
        a('18 °C and cloudy.'),
      ],
    },
  },
  {
    name: 'parallel calls, two results, CJK, no system prompt',
    conv: {
      source: src,
      tools: [weather, search],
      messages: [
        u('巴黎和东京的天气？'),
        a('', {
          tool_calls: [call('c1', 'get_weather', { city: 'Paris' }), call('c2', 'get_weather', { city: '東京' })],
        }),
        tool('晴 21°C', 'c1'),
        tool('雨 😀', 'c2'),
        a('巴黎晴，东京雨。'),
      ],
    },
  },
  {
    name: 'text before a call, a plain-text result',
    conv: {
      source: src,
      tools: [search],
      messages: [
        u('Find the news.'),
        a('Let me search.', { tool_calls: [call('s1', 'search_web', { query: 'news', top_k: 3 })] }),
        tool('no results today', 's1', 'search_web'),
        a('Nothing new.'),
      ],
    },
  },
  {
    name: 'two rounds of calls',
    conv: {
      source: src,
      system: 'You call tools.',
      tools: [weather],
      messages: [
        u('Rome?'),
        a('', { tool_calls: [call('r1', 'get_weather', { city: 'Rome' })] }),
        tool('{"temp": 25}', 'r1'),
        a('25 °C.'),
        u('And Oslo?'),
        a('', { tool_calls: [call('o1', 'get_weather', { city: 'Oslo' })] }),
        tool('{"temp": -3}', 'o1'),
        a('-3 °C.'),
      ],
    },
  },
  {
    name: 'arguments given as a string that is not JSON',
    conv: {
      source: src,
      tools: [search],
      messages: [u('q'), a('', { tool_calls: [call('x1', 'search_web', 'raw text query')] }), tool('ok'), a('done')],
    },
  },
  {
    name: 'ends with the results (generation prompt)',
    conv: {
      source: src,
      tools: [weather],
      messages: [
        u('Weather in Lima?'),
        a('', { tool_calls: [call('l1', 'get_weather', { city: 'Lima' })] }),
        tool('{"temp": 16}', 'l1'),
      ],
    },
    gen: true,
  },
  {
    name: 'a result right after a user message (standalone)',
    conv: {
      source: src,
      tools: [weather],
      messages: [u('Here is what the tool said:'), tool('{"temp": 9}'), a('So it is 9 °C.')],
    },
  },
  {
    name: 'ReAct written in the reply content, then a result',
    conv: {
      source: src,
      tools: [weather],
      messages: [
        u('Weather in Kyiv?'),
        a('Thought: I need the weather.\nAction: get_weather\nAction Input: {"city": "Kyiv"}'),
        tool('{"temp": 4}'),
        a('Final Answer: 4 °C.'),
      ],
    },
  },
];

type OracleOut =
  | { system: string | null; first: string | null; calls: string[]; results: [string, string][]; standalone: string[] }
  | { error: string };

function oracle(cases: object[]): OracleOut[] {
  const r = spawnSync('/usr/bin/python3', [ORACLE, SWIFT_REFERENCE_DIR], {
    input: cases.map((c) => JSON.stringify(c)).join('\n') + '\n',
    encoding: 'utf8',
    maxBuffer: 1 << 28,
  });
  if (r.status !== 0) throw new Error(`placement_oracle.py exited with ${r.status}: ${r.stderr}`);
  const lines = r.stdout.split('\n').filter((l) => l.trim() !== '');
  expect(lines.length).toBe(cases.length);
  return lines.map((l) => JSON.parse(l) as OracleOut);
}

/** Finds each needle in order; returns the first one missing (or undefined). */
function missingInOrder(text: string, needles: [string, string][]): string | undefined {
  let at = 0;
  for (const [what, n] of needles) {
    if (n === '') continue;
    const k = text.indexOf(n, at);
    if (k < 0) return `${what} ${JSON.stringify(n)} (after offset ${at})`;
    at = k + n.length;
  }
  return undefined;
}

describe.skipIf(!swiftReferenceExists())("ms-swift agent templates placed in a model template's text", () => {
  it('derives TemplateMeta from the spec as ms-swift writes it', () => {
    for (const [id, m] of Object.entries(MODELS)) {
      const meta = templateMetaOf(getTemplate(id));
      expect(meta.prompt.join(''), id).toBe(m.prompt);
      expect(meta.chatSep.join(''), id).toBe(m.chatSep);
    }
  });

  it("every ms-swift agent template's tools block, calls and results appear byte-identical and in order", async () => {
    const jobs: { id: string; model: string; rec: (typeof RECORDS)[number] }[] = [];
    for (const id of SWIFT_AGENT_TEMPLATE_IDS)
      for (const model of Object.keys(MODELS)) for (const rec of RECORDS) jobs.push({ id, model, rec });
    const want = oracle(
      jobs.map(({ id, model, rec }) => ({
        agent_template: id,
        tools: rec.conv.tools,
        system: rec.conv.system ?? MODELS[model].defaultSystem,
        messages: toHFMessages({ ...rec.conv, system: undefined }),
        template_meta: { prompt: [MODELS[model].prompt], chat_sep: [MODELS[model].chatSep] },
      })),
    );
    const failures: string[] = [];
    let rendered = 0;
    let refused = 0;
    jobs.forEach(({ id, model, rec }, k) => {
      const w = want[k];
      const where = `${id} on ${model} / ${rec.name}`;
      let r: Rendered;
      try {
        r = render(getTemplate(model), rec.conv, { agentTemplate: id, addGenerationPrompt: !!rec.gen });
      } catch (e) {
        if (!(e instanceof TemplateError)) throw e;
        if ('error' in w) refused++;
        else failures.push(`${where}: we refuse (${e.message}), ms-swift renders`);
        return;
      }
      if ('error' in w) {
        failures.push(`${where}: ms-swift refuses (${w.error}), we render`);
        return;
      }
      rendered++;
      expect(r.agentTemplate).toBe(id);
      const codes = r.warnings.map((x) => x.code);
      const needles: [string, string][] = [];
      // Mistral's template writes a system prompt only into a final user turn, and says so.
      if (w.system !== null && !codes.includes('system_dropped')) needles.push(['tools block', w.system]);
      if (w.first !== null && rec.conv.tools) {
        const original = rec.conv.messages[0].content;
        if (w.first !== original && w.first.endsWith(original))
          needles.push(['first message tools', w.first.slice(0, w.first.length - original.length)]);
      }
      for (const s of w.standalone) needles.push(['standalone results', s]);
      let c = 0;
      let res = 0;
      // Calls and results alternate as in the conversation; each results block follows its reply directly.
      for (const m of rec.conv.messages) {
        if (m.tool_calls?.length) needles.push(['calls', w.calls[c++]]);
      }
      const missing = missingInOrder(r.text, needles);
      if (missing) failures.push(`${where}: missing ${missing}\n  text: ${JSON.stringify(r.text)}`);
      for (const [reply, parts] of w.results) {
        if (!r.text.includes(reply + parts))
          failures.push(
            `${where}: results block not right after its ` +
              `reply: ${JSON.stringify(reply + parts)}\n  text: ${JSON.stringify(r.text)}`,
          );
        res++;
      }
      expect(res).toBe(w.results.length);
      // Tool result contents keep their span role.
      for (const m of rec.conv.messages.filter((x) => x.role === 'tool')) {
        const at = r.text.indexOf(m.content, r.text.indexOf(w.calls[0] ?? '') + 1);
        if (at < 0) continue;
        const span = r.spans.find((s) => s.start <= at && s.end > at)!;
        if (span.role !== 'tool')
          failures.push(`${where}: result ${JSON.stringify(m.content)} has span role ${span.role}`);
      }
    });
    if (process.env.PLACEMENT_DUMP)
      (await import('node:fs')).writeFileSync(process.env.PLACEMENT_DUMP, failures.join('\n\n'));
    expect(failures.slice(0, 8).join('\n\n'), `${failures.length} failures`).toBe('');
    // The matrix must exercise both sides: most combinations render, some are refused by ms-swift.
    expect(rendered).toBeGreaterThan(jobs.length * 0.7);
    expect(refused).toBeGreaterThan(0);
  });

  it('says which role carries the results', () => {
    const conv = RECORDS[0].conv;
    expect(render(getTemplate('qwen2_5'), conv, { agentTemplate: 'hermes' }).toolResultsIn).toBe('user');
    expect(render(getTemplate('qwen2_5'), conv, { agentTemplate: 'react_en' }).toolResultsIn).toBe('assistant');
    expect(render(getTemplate('llama3_2'), conv, { agentTemplate: 'llama3' }).toolResultsIn).toBe('tool');
    expect(render(getTemplate('llama3_2'), conv).toolResultsIn).toBe('tool');
    expect(render(getTemplate('qwen2_5'), conv).toolResultsIn).toBe('user');
  });

  it('trains the end marker ms-swift trains after a call reply (its template suffix, _add_dynamic_eos)', () => {
    const trainedAfter = (model: string, agent: string, marker: string) => {
      const r = render(getTemplate(model), RECORDS[0].conv, { agentTemplate: agent });
      const at = r.text.indexOf(marker, r.text.lastIndexOf('</tool_call>'));
      return r.spans.find((s) => s.start <= at && s.end > at)!.trainable;
    };
    expect(trainedAfter('qwen2_5', 'hermes', '<|im_end|>')).toBe(true);
    // GLM-4 has no end marker: ms-swift's suffix <|user|> opens the results turn and is trained.
    expect(trainedAfter('glm4', 'hermes', '<|user|>')).toBe(true);
  });

  it('refuses a user message right after results, as ms-swift does', () => {
    const conv: Conversation = {
      source: src,
      tools: [weather],
      messages: [
        u('Weather?'),
        a('', { tool_calls: [call('c', 'get_weather', { city: 'x' })] }),
        tool('r'),
        u('thanks'),
        a('ok'),
      ],
    };
    expect(() => render(getTemplate('qwen2_5'), conv, { agentTemplate: 'hermes' })).toThrow(/response_role/);
    expect(render(getTemplate('qwen2_5'), conv).text).toContain('thanks');
  });
});
