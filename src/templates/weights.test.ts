// Span weights from the render walk against ms-swift's own loss scales: for each trained reply
// of a few agent records, the weight of every character of the reply (0 where untrained) must
// equal what ms-swift's `get_loss_scale(response, query=...)` gives it (agent_oracle.py in
// ../shared/reference/ms-swift, its loss mode; loss_scale_oracle.py for chained specs), and the
// reply's end marker must carry the weight ms-swift gives the template suffix. Replies are written
// here by hand from the formats (the native Hermes call text, ms-swift's ReAct call text), not
// taken from our output.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Conversation, Message } from '../data/types.ts';
import { runLines, runLossScaleOracle, swiftReferenceExists, SWIFT_REFERENCE_DIR } from './loss-scale/oracle.ts';
import { render, type RenderOptions } from './render.ts';
import { getTemplate } from './specs.ts';
import type { Rendered } from './types.ts';

const src = { format: 'messages' as const, line: 1 };
const u = (content: string): Message => ({ role: 'user', content });
const a = (content: string, extra: Partial<Message> = {}): Message => ({ role: 'assistant', content, ...extra });
const weather = {
  type: 'function' as const,
  function: {
    name: 'get_weather',
    description: 'Weather',
    parameters: { type: 'object', properties: { city: { type: 'string' } } },
  },
};

const REACT_REPLY =
  'Thought: I need the weather.\nAction: get_weather\nAction Input: {"city": "Paris"}\nObservation: 18\nThought: I ' +
  'now know the final answer\nFinal Answer: 18 °C in Paris.';
const QWEN_REPLY = '✿FUNCTION✿: get_weather\n✿ARGS✿: {"city": "北京"}\n✿RESULT✿: 晴\n✿RETURN✿: 北京今天晴。';
const UMI_REPLY = 'Thought: umi\nAction: get_weather\nAction Input: {}\nNext: caller\nFinal Answer: done';

interface Check {
  name: string;
  template: string;
  opts: RenderOptions & { lossScale: string };
  conv: Conversation;
  /** The trained replies in order, each with its query (ms-swift's `messages[2 * i]['content']`), written by hand. */
  replies: { text: string; query: string | null }[];
}

const CHECKS: Check[] = [
  {
    name: 'react: a ReAct reply written as text',
    template: 'qwen2_5',
    opts: { lossScale: 'react' },
    conv: { source: src, messages: [u('Weather in Paris?'), a(REACT_REPLY), u('Thanks!'), a('You are welcome.')] },
    replies: [
      { text: REACT_REPLY, query: 'Weather in Paris?' },
      { text: 'You are welcome.', query: 'Thanks!' },
    ],
  },
  {
    name: 'hermes: the native <tool_call> block of a call turn after its text',
    template: 'qwen2_5',
    opts: { lossScale: 'hermes' },
    conv: {
      source: src,
      tools: [weather],
      messages: [
        u('Paris?'),
        a('Let me check.', { tool_calls: [{ name: 'get_weather', arguments: { city: 'Paris' } }] }),
        { role: 'tool', content: '18' },
        a('18 °C.'),
      ],
    },
    replies: [
      {
        text: 'Let me check.\n<tool_call>\n{"name": "get_weather", "arguments": {"city": "Paris"}}\n</tool_call>',
        query: 'Paris?',
      },
      { text: '18 °C.', query: null },
    ],
  },
  {
    name: 'qwen: ✿FUNCTION✿ text on Llama 3.2',
    template: 'llama3_2',
    opts: { lossScale: 'qwen' },
    conv: { source: src, messages: [u('北京天气？'), a(QWEN_REPLY)] },
    replies: [{ text: QWEN_REPLY, query: '北京天气？' }],
  },
  {
    name: 'agentflan: the query decides the whole reply',
    template: 'gemma3',
    opts: { lossScale: 'agentflan' },
    conv: {
      source: src,
      messages: [
        u('Step 1. What is the tool you want to use?'),
        a('Action: get_weather'),
        u('Now say it.'),
        a(REACT_REPLY),
      ],
    },
    replies: [
      { text: 'Action: get_weather', query: 'Step 1. What is the tool you want to use?' },
      { text: REACT_REPLY, query: 'Now say it.' },
    ],
  },
  {
    name: 'alpha_umi: Next:',
    template: 'mistral',
    opts: { lossScale: 'alpha_umi' },
    conv: { source: src, messages: [u('go'), a(UMI_REPLY)] },
    replies: [{ text: UMI_REPLY, query: 'go' }],
  },
  {
    name: 'ignore_empty_think: the empty think block Qwen3 puts in the last reply',
    template: 'qwen3',
    opts: { lossScale: 'ignore_empty_think', trainEmptyThink: true },
    conv: { source: src, messages: [u('Hi'), a('Hello!')] },
    replies: [{ text: '<think>\n\n</think>\n\nHello!', query: 'Hi' }],
  },
  {
    name: "react on ms-swift's react_en: the call text and the final reply (a tool round has no query)",
    template: 'qwen2_5',
    opts: { lossScale: 'react', agentTemplate: 'react_en' },
    conv: {
      source: src,
      tools: [weather],
      messages: [
        u('Paris?'),
        a('', { tool_calls: [{ name: 'get_weather', arguments: { city: 'Paris' } }] }),
        { role: 'tool', content: '18' },
        a('Final Answer: 18 °C.'),
      ],
    },
    replies: [
      { text: "Action: get_weather\nAction Input: {'city': 'Paris'}\nObservation:", query: 'Paris?' },
      { text: 'Final Answer: 18 °C.', query: null },
    ],
  },
  {
    name: 'hermes+ignore_empty_think chained (weights multiply) on a Qwen3 call turn',
    template: 'qwen3',
    opts: { lossScale: 'hermes+ignore_empty_think', trainEmptyThink: true },
    conv: {
      source: src,
      tools: [weather],
      messages: [u('Paris?'), a('', { tool_calls: [{ name: 'get_weather', arguments: { city: 'Paris' } }] })],
    },
    replies: [
      {
        text:
          '<think>\n\n</think>\n\n<tool_call>\n{"name": "get_weather", "arguments": ' +
          '{"city": "Paris"}}\n</tool_call>',
        query: 'Paris?',
      },
    ],
  },
];

/** The weight of each character of `r.text` (0 where untrained). */
function charWeights(r: Rendered): number[] {
  const w = new Array<number>(r.text.length).fill(0);
  for (const s of r.spans) if (s.trainable) w.fill(s.weight ?? 1, s.start, s.end);
  return w;
}

function expand(parts: [string, number][]): number[] {
  return parts.flatMap(([t, w]) => new Array<number>(t.length).fill(w));
}

describe.skipIf(!swiftReferenceExists())('span weights equal ms-swift loss scales', () => {
  it('on every trained reply, character by character, and on its end marker', () => {
    type Ask = { check: number; reply: number; spec: string; response: string; query: string | null };
    const asks: Ask[] = [];
    CHECKS.forEach((c, ci) => {
      c.replies.forEach((rep, ri) =>
        asks.push({ check: ci, reply: ri, spec: c.opts.lossScale, response: rep.text, query: rep.query }),
      );
      asks.push({
        check: ci,
        reply: -1,
        spec: c.opts.lossScale,
        response: getTemplate(c.template).assistant.suffix,
        query: null,
      });
    });
    // Single names through agent_oracle.py's loss mode, chained specs through the loss-scale oracle.
    const single = asks.filter((x) => !x.spec.includes('+'));
    const chained = asks.filter((x) => x.spec.includes('+'));
    const fromAgentOracle = runLines(
      [join(SWIFT_REFERENCE_DIR, 'agent_oracle.py')],
      single.map((x) => ({ loss_scale: x.spec, response: x.response, query: x.query })),
    ) as { parts: [string, number][] }[];
    const fromChain = runLossScaleOracle(chained.map((x) => ({ spec: x.spec, response: x.response, query: x.query })));
    const want = new Map<Ask, [string, number][]>();
    single.forEach((x, k) => {
      const o = fromAgentOracle[k] as { parts: [string, number][] } | { error: string };
      if ('parts' in o) want.set(x, o.parts);
      // ms-swift's agentflan tests `key in query` and raises on the suffix, whose query is None
      // (its training would stop there); we give the end marker weight 1, as for every other scale.
      else if (x.reply === -1 && x.spec === 'agentflan' && /NoneType/.test(o.error)) want.set(x, [[x.response, 1]]);
      else throw new Error(`ms-swift refused ${JSON.stringify(x)}: ${o.error}`);
    });
    chained.forEach((x, k) => {
      const o = fromChain[k];
      if ('error' in o) throw new Error(o.error);
      want.set(x, o.parts);
    });
    let checked = 0;
    CHECKS.forEach((c, ci) => {
      const r = render(getTemplate(c.template), c.conv, c.opts);
      const weights = charWeights(r);
      let at = 0;
      for (const [ri, rep] of c.replies.entries()) {
        const start = r.text.indexOf(rep.text, at);
        expect(
          start,
          `${c.name}: reply ${ri} ${JSON.stringify(rep.text)} in ${JSON.stringify(r.text)}`,
        ).toBeGreaterThanOrEqual(0);
        at = start + rep.text.length;
        const ask = asks.find((x) => x.check === ci && x.reply === ri)!;
        const expected = expand(want.get(ask)!);
        expect(weights.slice(start, at), `${c.name}: reply ${ri}`).toEqual(expected);
        checked++;
      }
      const end = getTemplate(c.template).assistant.suffix;
      const endAt = r.text.indexOf(end, at);
      const endWant = expand(want.get(asks.find((x) => x.check === ci && x.reply === -1)!)!);
      expect(weights.slice(endAt, endAt + end.length), `${c.name}: end marker`).toEqual(endWant);
    });
    expect(checked).toBe(CHECKS.reduce((n, c) => n + c.replies.length, 0));
  });

  it("a message's loss_scale weighs its reply; loss: false leaves it untrained; last_round zeroes earlier ones", () => {
    const conv: Conversation = {
      source: src,
      messages: [
        u('q1'),
        a(REACT_REPLY, { loss_scale: 3 }),
        u('q2'),
        a(REACT_REPLY, { loss: false }),
        u('q3'),
        a('Final Answer: x'),
      ],
    };
    const r = render(getTemplate('chatml'), conv, { lossScale: 'react' });
    const w = charWeights(r);
    const first = r.text.indexOf(REACT_REPLY);
    const second = r.text.indexOf(REACT_REPLY, first + 1);
    expect(new Set(w.slice(first, first + REACT_REPLY.length))).toEqual(new Set([3]));
    expect(new Set(w.slice(second, second + REACT_REPLY.length + '<|im_end|>'.length))).toEqual(new Set([0]));
    const last = render(getTemplate('chatml'), conv, { lossScale: 'last_round+react' });
    const lw = charWeights(last);
    expect(Math.max(...lw.slice(0, last.text.indexOf('Final Answer: x')))).toBe(0);
    expect(lw[last.text.indexOf('Final Answer: x')]).toBe(1);
  });
});
