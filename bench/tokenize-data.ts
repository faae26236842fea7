// A deterministic agent + chat dataset for the tokenize benchmark: half plain multi-turn chat,
// half tool-calling agent episodes (tools listed, calls with JSON arguments, tool results).
import type { Conversation, Message, Tool } from '../src/data/types.ts';

function mulberry32(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = (
  'the a model data train token river city weather python function value result answer question because ' +
  'however therefore learning adapter gradient layer memory browser worker packing sequence label loss ' +
  'quickly carefully small large 42 2026 3.14 über café naïve 東京 数据 训练 😀 — "quoted" (parens) list: item; end.'
).split(' ');

const TOOLS: Tool[] = [
  {
    type: 'function',
    function: {
      name: 'get_weather',
      description: 'Get the current weather for a city.',
      parameters: {
        type: 'object',
        properties: { city: { type: 'string' }, unit: { type: 'string', enum: ['celsius', 'fahrenheit'] } },
        required: ['city'],
      },
    },
  },
  {
    type: 'function',
    function: {
      name: 'search_web',
      description: 'Search the web and return the top results.',
      parameters: {
        type: 'object',
        properties: { query: { type: 'string' }, max_results: { type: 'integer' } },
        required: ['query'],
      },
    },
  },
  {
    type: 'function',
    function: {
      name: 'run_python',
      description: 'Run a Python snippet and return stdout.',
      parameters: { type: 'object', properties: { code: { type: 'string' } }, required: ['code'] },
    },
  },
];

export function benchDataset(n: number, seed = 1234): Conversation[] {
  const rnd = mulberry32(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));
  const sentence = (lo: number, hi: number) => {
    const k = int(lo, hi);
    const w: string[] = [];
    for (let i = 0; i < k; i++) w.push(WORDS[int(0, WORDS.length - 1)]);
    const s = w.join(' ');
    return s.charAt(0).toUpperCase() + s.slice(1) + '.';
  };
  const para = (s: number) => Array.from({ length: s }, () => sentence(6, 18)).join(' ');
  const out: Conversation[] = [];
  for (let r = 0; r < n; r++) {
    const messages: Message[] = [];
    const conv: Conversation = { messages, source: { format: 'messages', line: r + 1 } };
    if (rnd() < 0.6) conv.system = sentence(5, 15);
    if (r % 2 === 0) {
      const turns = int(1, 4);
      for (let t = 0; t < turns; t++) {
        messages.push({ role: 'user', content: para(int(1, 3)) });
        messages.push({ role: 'assistant', content: para(int(1, 6)) });
      }
    } else {
      conv.tools = TOOLS.slice(0, int(1, 3));
      messages.push({ role: 'user', content: para(int(1, 2)) });
      const steps = int(1, 3);
      for (let s = 0; s < steps; s++) {
        const calls = int(1, 2);
        const tool_calls = Array.from({ length: calls }, (_, c) => {
          const tool = conv.tools![int(0, conv.tools!.length - 1)].function.name;
          const args =
            tool === 'get_weather'
              ? { city: sentence(1, 2).slice(0, -1), unit: 'celsius' }
              : tool === 'search_web'
                ? { query: sentence(3, 8), max_results: int(1, 10) }
                : { code: `print(${int(1, 999)} * ${int(1, 999)})` };
          return { id: `call_${r}_${s}_${c}`, name: tool, arguments: args };
        });
        messages.push({ role: 'assistant', content: '', tool_calls });
        for (const c of tool_calls)
          messages.push({
            role: 'tool',
            content: JSON.stringify({ result: sentence(4, 20) }),
            tool_call_id: c.id,
            name: c.name,
          });
      }
      messages.push({ role: 'assistant', content: para(int(1, 4)) });
    }
    out.push(conv);
  }
  return out;
}
