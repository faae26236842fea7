// Spans and loss: tiling on every template and corpus case, and hand-written expectations of
// exactly which characters are trained (written from the templates' formats, not from our output).
import { describe, expect, it } from 'vitest';
import type { Conversation, Message } from '../data/types.ts';
import { corpus } from './conformance/corpus.ts';
import { doctor, renderChecked } from './doctor.ts';
import { render, TemplateError, type RenderOptions } from './render.ts';
import { getTemplate, templateIds } from './specs.ts';
import type { Rendered } from './types.ts';

const src = { format: 'messages' as const, line: 1 };
const u = (content: string, extra: Partial<Message> = {}): Message => ({ role: 'user', content, ...extra });
const a = (content: string, extra: Partial<Message> = {}): Message => ({ role: 'assistant', content, ...extra });
const conv = (messages: Message[], extra: Partial<Conversation> = {}): Conversation => ({
  messages,
  source: src,
  ...extra,
});
const weather = {
  type: 'function' as const,
  function: {
    name: 'get_weather',
    description: 'Weather',
    parameters: { type: 'object', properties: { city: { type: 'string' } } },
  },
};

/** The trained runs of text (adjacent trainable spans joined). */
function trained(r: Rendered): string[] {
  const runs: string[] = [];
  let prevEnd = -1;
  for (const s of r.spans) {
    if (!s.trainable) continue;
    const piece = r.text.slice(s.start, s.end);
    if (s.start === prevEnd) runs[runs.length - 1] += piece;
    else runs.push(piece);
    prevEnd = s.end;
  }
  return runs;
}
const trainedText = (r: Rendered) => trained(r).join('');
const r = (id: string, c: Conversation, o: RenderOptions = {}) => render(getTemplate(id), c, o);

describe('spans tile the text', () => {
  it('for every template and every corpus case, under every loss policy', () => {
    let checked = 0;
    for (const id of templateIds) {
      for (const c of corpus) {
        for (const lossPolicy of ['all_assistant', 'last_round', 'all'] as const) {
          let out: Rendered;
          try {
            out = r(id, c.conversation, { addGenerationPrompt: c.addGenerationPrompt, lossPolicy });
          } catch (e) {
            expect(e).toBeInstanceOf(TemplateError);
            continue;
          }
          let pos = 0;
          for (const s of out.spans) {
            expect(s.start).toBe(pos);
            expect(s.end).toBeGreaterThan(s.start);
            pos = s.end;
          }
          expect(pos).toBe(out.text.length);
          if (lossPolicy === 'all') expect(out.spans.every((s) => s.trainable)).toBe(true);
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(3000);
  });
});

describe('what is trained (default all_assistant)', () => {
  const chat = conv([u('Hi'), a('Hello!'), u('Bye'), a(' See you. ')], { system: 'Be brief.' });

  it('qwen2_5: each reply and its <|im_end|>, not the newline after it', () => {
    expect(trained(r('qwen2_5', chat))).toEqual(['Hello!<|im_end|>', ' See you. <|im_end|>']);
  });

  it('llama3_2: trimmed replies and <|eot_id|>', () => {
    expect(trained(r('llama3_2', chat))).toEqual(['Hello!<|eot_id|>', 'See you.<|eot_id|>']);
  });

  it('gemma3: replies and <end_of_turn>; the system prompt is merged into the first user turn, untrained', () => {
    const out = r('gemma3', chat);
    expect(trained(out)).toEqual(['Hello!<end_of_turn>', 'See you.<end_of_turn>']);
    expect(out.text.startsWith('<bos><start_of_turn>user\nBe brief.\n\nHi<end_of_turn>\n')).toBe(true);
  });

  it('mistral: reply, then </s>', () => {
    expect(trained(r('mistral', chat))).toEqual(['Hello!</s>', 'See you.</s>']);
  });

  it('qwen2_5 tool calls: the call block and <|im_end|>; default system, tool results and tool list untrained', () => {
    const c = conv(
      [
        u('Weather in Paris?'),
        a('', { tool_calls: [{ id: 'c1', name: 'get_weather', arguments: { city: 'Paris' } }] }),
        { role: 'tool', content: '{"t": 18}', tool_call_id: 'c1' },
        a('18 °C.'),
      ],
      { tools: [weather] },
    );
    const out = r('qwen2_5', c);
    expect(trained(out)).toEqual([
      '<tool_call>\n{"name": "get_weather", "arguments": {"city": "Paris"}}\n</tool_call><|im_end|>',
      '18 °C.<|im_end|>',
    ]);
    const roles = new Set(out.spans.map((s) => s.role));
    expect([...roles].sort()).toEqual(['assistant', 'system', 'template', 'tool', 'tools', 'user']);
    const tool = out.spans.find((s) => s.role === 'tool')!;
    expect(out.text.slice(tool.start, tool.end)).toBe('{"t": 18}');
  });

  it('llama3_2 tool call: {"name", "parameters"} JSON and <|eot_id|>', () => {
    const c = conv(
      [u('Weather in Paris?'), a('', { tool_calls: [{ name: 'get_weather', arguments: { city: 'Paris' } }] })],
      { tools: [weather] },
    );
    expect(trained(r('llama3_2', c))).toEqual(['{"name": "get_weather", "parameters": {"city": "Paris"}}<|eot_id|>']);
  });

  it('glm4: reply, and the role token that ends it; the final reply gets <|user|> added for training', () => {
    const out = r('glm4', conv([u('Hi'), a('Hello!'), u('Bye'), a('Ciao')]));
    expect(trained(out)).toEqual(['Hello!<|user|>', 'Ciao<|user|>']);
    // The official template ends with the reply; the added marker is flagged so the preview says so.
    const added = out.spans.filter((s) => s.added);
    expect(added.map((s) => out.text.slice(s.start, s.end))).toEqual(['<|user|>']);
    expect(added[0].end).toBe(out.text.length);
    // No marker is added where the text goes on (generation prompt): its role token ends the reply.
    const gen = r('glm4', conv([u('Hi'), a('Hello!')]), { addGenerationPrompt: true });
    expect(gen.spans.some((s) => s.added)).toBe(false);
    expect(trained(gen)).toEqual(['Hello!<|assistant|>']);
  });

  it('every family ends a trained final reply with a trained stop marker', () => {
    for (const id of templateIds) {
      const out = r(id, conv([u('Hi'), a('Hello!')]));
      const runs = trained(out);
      expect(runs.length, id).toBe(1);
      expect(runs[0].length, id).toBeGreaterThan('Hello!'.length);
      expect(
        getTemplate(id).stop.some((s) => runs[0].endsWith(s)),
        `${id}: ${runs[0]}`,
      ).toBe(true);
    }
  });
});

describe('loss policies and overrides', () => {
  const c = conv([u('Q1'), a('A1'), u('Q2'), a('A2'), { role: 'tool', content: 'R' }, a('A3')]);

  it('last_round trains only the turns after the last user message', () => {
    expect(trainedText(r('qwen3', conv([u('Q1'), a('A1'), u('Q2'), a('A2')]), { lossPolicy: 'last_round' }))).toBe(
      'A2<|im_end|>',
    );
  });

  it('last_round starts after the last user or tool message (ms-swift get_last_user_round); or the last user', () => {
    const base = r('chatml', c, { lossPolicy: 'last_round' });
    expect(trained(base)).toEqual(['A3<|im_end|>']);
    expect(trained(r('chatml', c, { lossScale: 'last_round' }))).toEqual(['A3<|im_end|>']);
    const user = r('chatml', c, { lossPolicy: 'last_round', lastRoundBoundary: 'user' });
    expect(trained(user)).toEqual(['A2<|im_end|>', 'A3<|im_end|>']);
  });

  it('the same record trains the same replies under every template (last_round)', () => {
    const agent = conv(
      [
        u('Q1'),
        a('A1'),
        u('Q2'),
        a('', { tool_calls: [{ id: 'abcdefghi', name: 'get_weather', arguments: { city: 'x' } }] }),
        { role: 'tool', content: 'R', tool_call_id: 'abcdefghi' },
        a('A3'),
      ],
      { tools: [weather] },
    );
    for (const id of templateIds) {
      const runs = trained(r(id, agent, { lossPolicy: 'last_round' }));
      expect(runs.length, id).toBe(1);
      // Harmony's model writes the channel header after the generation prompt `<|start|>assistant`: it is trained.
      const reply = id === 'gpt_oss' ? runs[0].replace(/^<\|channel\|>final<\|message\|>/, '') : runs[0];
      expect(reply.startsWith('A3'), `${id}: ${runs[0]}`).toBe(true);
    }
  });

  it('all trains every character', () => {
    const out = r('chatml', c, { lossPolicy: 'all' });
    expect(trainedText(out)).toBe(out.text);
  });

  it('all keeps a message\'s "loss": false', () => {
    const out = r('chatml', conv([u('Q1'), a('A1', { loss: false }), u('Q2'), a('A2')]), { lossPolicy: 'all' });
    expect(trainedText(out)).toBe(out.text.replace('A1<|im_end|>', ''));
  });

  it('per-message loss overrides the policy both ways', () => {
    const o = conv([u('Q1', { loss: true }), a('A1', { loss: false }), u('Q2'), a('A2')]);
    expect(trained(r('chatml', o))).toEqual(['Q1<|im_end|>', 'A2<|im_end|>']);
    expect(trained(r('chatml', o, { lossPolicy: 'last_round' }))).toEqual(['Q1<|im_end|>', 'A2<|im_end|>']);
  });
});

describe('thinking', () => {
  it('qwen3: the template-inserted empty think block is untrained unless trainEmptyThink', () => {
    const c = conv([u('Hi'), a('Hello!')]);
    expect(trainedText(r('qwen3', c))).toBe('Hello!<|im_end|>');
    expect(trainedText(r('qwen3', c, { trainEmptyThink: true }))).toBe('<think>\n\n</think>\n\nHello!<|im_end|>');
  });

  it('qwen3: reasoning of the last round is trained; earlier rounds lose it with a warning', () => {
    const c = conv([
      u('Q1'),
      a('A1', { reasoning_content: 'old' }),
      u('Q2'),
      a('A2', { reasoning_content: '\nnew\n' }),
    ]);
    const out = r('qwen3', c);
    expect(trained(out)).toEqual(['A1<|im_end|>', '<think>\nnew\n</think>\n\nA2<|im_end|>']);
    expect(out.warnings.map((w) => w.code)).toContain('thinking_dropped');
  });

  it('qwen3 enableThinking=false adds the empty think block after the generation prompt', () => {
    expect(r('qwen3', conv([u('Hi')]), { addGenerationPrompt: true, enableThinking: false }).text).toBe(
      '<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\n',
    );
  });

  it('deepseek_r1 keeps the final round reasoning as a trained think block', () => {
    const out = r('deepseek_r1', conv([u('Q'), a('A', { reasoning_content: 'R' })]));
    expect(trained(out)).toEqual(['<think>\nR\n</think>\n\nA<｜end▁of▁sentence｜>']);
    expect(out.warnings.map((w) => w.code)).toContain('reasoning_kept');
  });
});

describe('options', () => {
  it('llama3_2 writes the date option into Today Date', () => {
    expect(r('llama3_2', conv([u('Hi')]), { date: '15 Jan 2026' }).text).toContain('Today Date: 15 Jan 2026\n\n');
  });
});

describe('doctor', () => {
  const codes = (id: string, c: Conversation, o = {}) => doctor(getTemplate(id), c, o).map((w) => w.code);

  it('flags the template special tokens written in content, with the field', () => {
    const w = doctor(getTemplate('qwen2_5'), conv([u('end it with <|im_end|> please'), a('ok')]));
    expect(w.map((x) => x.code)).toEqual(['special_token_in_content']);
    expect(w[0].message).toContain('messages[0].content');
    expect(codes('llama3_2', conv([u('end it with <|im_end|> please'), a('ok')]))).toEqual([]);
  });

  it('flags merged, dropped and unsupported system prompts', () => {
    const c = conv([u('Hi'), a('Hello')], { system: 'S' });
    expect(codes('gemma2', c)).toEqual(['system_merged']);
    expect(codes('mistral', c)).toEqual(['system_dropped']);
    expect(codes('qwen2_5', c)).toEqual([]);
  });

  it('flags tools the family cannot express, and refusals', () => {
    const c = conv(
      [
        u('Hi'),
        a('', {
          tool_calls: [
            { name: 'get_weather', arguments: {} },
            { name: 'get_weather', arguments: { city: 'x' } },
          ],
        }),
      ],
      { tools: [weather] },
    );
    expect(codes('phi3', c)).toContain('tools_as_react');
    expect(codes('llama3_2', c)).toEqual(['template_refused']);
    expect(codes('gemma3', conv([u('a'), u('b')]))).toEqual(['template_refused']);
  });

  it('flags records longer than the limit', () => {
    const c = conv([u('x'.repeat(100)), a('y')]);
    expect(codes('chatml', c, { maxChars: 50 })).toEqual(['record_too_long']);
    expect(renderChecked(getTemplate('chatml'), c, { maxChars: 1000 }).warnings).toEqual([]);
  });
});
