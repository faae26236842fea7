// ms-swift's field synonyms and per-message loss fields (swift/dataset/preprocessor/core.py:
// ResponsePreprocessor, MessagesPreprocessor, RowPreprocessor._check_messages), each against the
// conversation ms-swift's preprocessor makes of the same record, written by hand from that code;
// and the unknown_field warning for every field that is dropped.
import { describe, expect, it } from 'vitest';
import { normalizeRecord } from './normalize.ts';
import type { Conversation, Issue } from './types.ts';

const LINE = 3;
const src = (format: Conversation['source']['format']) => ({ format, line: LINE });

function read(value: unknown): { conversation?: Conversation; issues: [string, string, string | undefined][] } {
  const r = normalizeRecord(value, LINE);
  return { conversation: r.conversation, issues: r.issues.map((i: Issue) => [i.severity, i.code, i.path]) };
}

const qa = (q: string, a: string) => [
  { role: 'user', content: q },
  { role: 'assistant', content: a },
];

describe('ms-swift synonyms', () => {
  it('system_prompt is the system prompt', () => {
    expect(read({ system_prompt: 'Be brief.', messages: qa('Hi', 'Hello') })).toEqual({
      conversation: { system: 'Be brief.', messages: qa('Hi', 'Hello'), source: src('messages') },
      issues: [],
    });
    expect(read({ system_prompt: 'S', query: 'q', response: 'r' }).conversation?.system).toBe('S');
  });

  it('system and system_prompt together: the same field given twice', () => {
    expect(read({ system: 'A', system_prompt: 'B', messages: qa('Hi', 'Hello') })).toEqual({
      conversation: { system: 'A', messages: qa('Hi', 'Hello'), source: src('messages') },
      issues: [['warning', 'unknown_field', 'system_prompt']],
    });
  });

  for (const [q, r] of [
    ['prompt', 'completion'],
    ['question', 'answer'],
    ['problem', 'solution'],
    ['query', 'answers'],
    ['input', 'targets'],
  ]) {
    it(`${q} / ${r} are query / response`, () => {
      expect(read({ [q]: 'Translate "cat" to German.', [r]: 'Katze' })).toEqual({
        conversation: { messages: qa('Translate "cat" to German.', 'Katze'), source: src('query_response') },
        issues: [],
      });
    });
  }

  it('prompt / completion with history and system', () => {
    expect(read({ system: 'S', history: [['q0', 'r0']], prompt: 'q1', completion: 'r1' }).conversation).toEqual({
      system: 'S',
      messages: [...qa('q0', 'r0'), ...qa('q1', 'r1')],
      source: src('query_response'),
    });
  });

  it('two synonyms of one field: the standard one is read, the other is reported', () => {
    expect(read({ query: 'q', prompt: 'p', response: 'r', answer: 'a' })).toEqual({
      conversation: { messages: qa('q', 'r'), source: src('query_response') },
      issues: [
        ['warning', 'unknown_field', 'prompt'],
        ['warning', 'unknown_field', 'answer'],
      ],
    });
  });

  it('conversation [{human, assistant}] pairs', () => {
    const value = {
      system: 'S',
      conversation: [
        { human: 'q1', assistant: 'r1' },
        { human: 'q2', assistant: 'r2' },
      ],
    };
    expect(read(value)).toEqual({
      conversation: { system: 'S', messages: [...qa('q1', 'r1'), ...qa('q2', 'r2')], source: src('sharegpt') },
      issues: [],
    });
  });

  it('pairs with user/gpt/bot keys, in any of the three list fields', () => {
    expect(read({ messages: [{ user: 'q', bot: 'r' }] }).conversation?.messages).toEqual(qa('q', 'r'));
    expect(read({ conversations: [{ human: 'q', gpt: 'r' }] }).conversation?.messages).toEqual(qa('q', 'r'));
  });

  it('a pair without its assistant side is refused, naming the keys', () => {
    const r = normalizeRecord({ conversation: [{ human: 'q' }] }, LINE);
    expect(r.conversation).toBeUndefined();
    expect(r.issues[0]).toMatchObject({ code: 'missing_content', path: 'conversation[0]' });
    expect(r.issues[0].message).toMatch(/assistant, gpt, bot/);
  });

  it('conversation with from/value turns reads as conversations does', () => {
    const value = {
      conversation: [
        { from: 'human', value: 'q' },
        { from: 'bot', value: 'r' },
      ],
    };
    expect(read(value).conversation).toEqual({ messages: qa('q', 'r'), source: src('sharegpt') });
  });

  it('content as a list of text parts is the parts joined', () => {
    const value = {
      system: [
        { type: 'text', text: 'Be ' },
        { type: 'text', text: 'brief.' },
      ],
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Hello ' },
            { type: 'text', text: 'there' },
          ],
        },
        { role: 'assistant', content: [{ type: 'text', text: 'Hi!' }] },
      ],
    };
    expect(read(value)).toEqual({
      conversation: { system: 'Be brief.', messages: qa('Hello there', 'Hi!'), source: src('messages') },
      issues: [],
    });
  });

  it('an image part is refused at its path', () => {
    const value = {
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is this?' },
            { type: 'image_url', image_url: { url: 'x.png' } },
          ],
        },
        { role: 'assistant', content: 'A cat.' },
      ],
    };
    const r = normalizeRecord(value, LINE);
    expect(r.conversation).toBeUndefined();
    expect(r.issues).toMatchObject([{ code: 'content_not_string', path: 'messages[0].content[1]' }]);
    expect(r.issues[0].message).toMatch(/'image_url' part: only text parts/);
  });
});

describe('loss and loss_scale per message', () => {
  it('are read where ms-swift reads them (any message; the first tool_call of a run for its merged turn)', () => {
    const value = {
      messages: [
        { role: 'user', content: 'q' },
        { role: 'assistant', content: 'r1', loss_scale: 0.5 },
        { role: 'user', content: 'q2' },
        { role: 'tool_call', content: '{"name": "f", "arguments": {}}', loss: true, loss_scale: 2 },
        { role: 'tool_call', content: '{"name": "g", "arguments": {}}', loss_scale: 3 },
        { role: 'tool_response', content: '1' },
        { role: 'tool_response', content: '2' },
        { role: 'assistant', content: 'done', loss: false, loss_scale: 3 },
      ],
    };
    expect(read(value)).toEqual({
      conversation: {
        messages: [
          { role: 'user', content: 'q' },
          { role: 'assistant', content: 'r1', loss_scale: 0.5 },
          { role: 'user', content: 'q2' },
          {
            role: 'assistant',
            content: '',
            tool_calls: [
              { name: 'f', arguments: {} },
              { name: 'g', arguments: {} },
            ],
            loss: true,
            loss_scale: 2,
          },
          { role: 'tool', content: '1' },
          { role: 'tool', content: '2' },
          { role: 'assistant', content: 'done', loss: false, loss_scale: 3 },
        ],
        source: src('swift'),
      },
      issues: [],
    });
  });

  it('a loss_scale that is not a number ≥ 0 is refused at its path', () => {
    for (const bad of [-1, '2', true]) {
      const r = normalizeRecord(
        {
          messages: [
            { role: 'user', content: 'q' },
            { role: 'assistant', content: 'r', loss_scale: bad },
          ],
        },
        LINE,
      );
      expect(r.conversation).toBeUndefined();
      expect(r.issues).toMatchObject([{ code: 'invalid_type', path: 'messages[1].loss_scale' }]);
    }
  });
});

describe('unknown_field', () => {
  it('warns once per dropped field, naming it; null fields are absent, not dropped', () => {
    const value = {
      id: 'rec-9',
      source: 'web',
      meta: null,
      history: [['a', 'b']],
      messages: [
        { role: 'user', content: 'q', name: 'ann', weight: 0 },
        { role: 'assistant', content: 'r', refusal: null },
      ],
    };
    const r = normalizeRecord(value, LINE);
    expect(r.conversation).toEqual({ messages: qa('q', 'r'), source: src('messages') });
    expect(r.issues.map((i) => [i.line, i.severity, i.code, i.path])).toEqual([
      [LINE, 'warning', 'unknown_field', 'messages[0].name'],
      [LINE, 'warning', 'unknown_field', 'messages[0].weight'],
      [LINE, 'warning', 'unknown_field', 'id'],
      [LINE, 'warning', 'unknown_field', 'source'],
      [LINE, 'warning', 'unknown_field', 'history'],
    ]);
    expect(r.issues[2].message).toMatch(/^id is not read and is dropped/);
  });

  it('reads nothing twice: alpaca output beside a response synonym', () => {
    expect(read({ instruction: 'i', output: 'o', answer: 'a' })).toEqual({
      conversation: { messages: qa('i', 'o'), source: src('alpaca') },
      issues: [['warning', 'unknown_field', 'answer']],
    });
  });
});
