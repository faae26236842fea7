// A seeded generator of hostile JSONL for the fuzz test (fuzz.test.ts): valid records of every
// format, each mutated (or not) by one or two of many kinds of damage a careless or hostile user
// produces. Pure and deterministic: the same seed gives the same bytes.
import { mulberry32 } from '../model/random.ts';

type Rand = () => number;
type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
const enc = new TextEncoder();

const WEATHER = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Weather for a city',
    parameters: { type: 'object', properties: { city: { type: 'string' } } },
  },
};
const TEXTS = [
  'Hi',
  'What is 2+2?',
  '你好，世界',
  'مرحبا بالعالم',
  'emoji 😀👍🏽',
  'tabs\tand\nnewlines',
  'quote " and \\ backslash',
  '',
  ' ',
  'Ünïcödé',
];
const ODD = [
  '<|im_end|>',
  '[INST]',
  '<|eot_id|>',
  '<start_of_turn>',
  '{{ messages }}',
  '{% endfor %}',
  '\u202Eok',
  '\u2067x\u2069',
  '\u0000nul',
  '\uFEFFbom',
];

/** One valid record, in one of the formats the reader takes. */
function baseRecord(r: Rand, i: number): { [k: string]: Json } {
  const t = () => (r() < 0.15 ? pick(r, ODD) : pick(r, TEXTS)) + (r() < 0.3 ? ` #${i}` : '');
  const kind = Math.floor(r() * 8);
  switch (kind) {
    case 0:
      return {
        messages: [
          { role: 'user', content: t() || 'q' },
          { role: 'assistant', content: t() || 'a' },
        ],
      };
    case 1:
      return {
        messages: [
          { role: 'system', content: t() },
          { role: 'user', content: 'q' },
          { role: 'assistant', content: 'a1' },
          { role: 'user', content: t() },
          { role: 'assistant', content: t(), reasoning_content: t() },
        ],
      };
    case 2: {
      const args: Json = r() < 0.5 ? { city: t(), n: Math.floor(r() * 100), f: r() } : JSON.stringify({ city: t() });
      return {
        tools: [WEATHER],
        messages: [
          { role: 'user', content: t() },
          {
            role: 'assistant',
            content: '',
            tool_calls: [{ id: `call_${i}`, type: 'function', function: { name: 'get_weather', arguments: args } }],
          },
          { role: 'tool', tool_call_id: `call_${i}`, content: t() },
          { role: 'assistant', content: t() || 'done' },
        ],
      };
    }
    case 3:
      return {
        tools: JSON.stringify([WEATHER]),
        messages: [
          { role: 'user', content: t() },
          { role: 'tool_call', content: JSON.stringify({ name: 'get_weather', arguments: { city: t() } }) },
          { role: 'tool_response', content: t() },
          { role: 'assistant', content: t() || 'ok', loss: r() < 0.5 },
        ],
      };
    case 4:
      return {
        system: t(),
        conversations: [
          { from: 'human', value: t() },
          { from: 'gpt', value: t() || 'r' },
        ],
      };
    case 5:
      return { instruction: t() || 'do', input: t(), output: t() || 'done', history: [[t(), t()]] };
    case 6:
      return { query: t() || 'q', response: t() || 'r', system: t() };
    default:
      return {
        messages: [
          { role: 'user', content: t() || 'q' },
          { role: 'assistant', content: t() || 'a' },
          { role: 'user', content: t() || 'q2' },
          { role: 'assistant', content: 'a2' },
        ],
      };
  }
}

/** Every [container, key] of a value, for mutations that hit a random field. */
function slots(v: Json): [Json[] | { [k: string]: Json }, string | number][] {
  const out: [Json[] | { [k: string]: Json }, string | number][] = [];
  const stack: Json[] = [v];
  while (stack.length) {
    const x = stack.pop()!;
    if (Array.isArray(x)) x.forEach((y, i) => (out.push([x, i]), stack.push(y)));
    else if (x && typeof x === 'object') for (const k of Object.keys(x)) (out.push([x, k]), stack.push(x[k]));
  }
  return out;
}

function setSlot(c: Json[] | { [k: string]: Json }, k: string | number, v: Json): void {
  (c as Record<string | number, Json>)[k] = v;
}

const nested = (d: number): string => '['.repeat(d) + ']'.repeat(d);

/** The mutations, by name. Each takes the record and returns the line's text (or bytes). */
const MUTATIONS: Record<string, (rec: { [k: string]: Json }, r: Rand) => string | Uint8Array> = {
  none: (rec) => JSON.stringify(rec),
  truncated: (rec, r) => {
    const s = JSON.stringify(rec);
    return s.slice(0, Math.floor(r() * s.length));
  },
  wrong_type: (rec, r) => {
    const s = slots(rec);
    if (s.length) {
      const [c, k] = pick(r, s);
      setSlot(c, k, pick(r, [null, 0, -1.5, true, false, [], {}, '', [1, 2], { a: 1 }, 'text'] as Json[]));
    }
    return JSON.stringify(rec);
  },
  drop_key: (rec, r) => {
    const s = slots(rec).filter(([c]) => !Array.isArray(c));
    if (s.length) {
      const [c, k] = pick(r, s);
      delete (c as Record<string, Json>)[k as string];
    }
    return JSON.stringify(rec);
  },
  huge_number: (rec, r) => {
    const n = pick(r, ['1e400', '-1e400', '1e308', '-0', '12345678901234567890123', '1e-400', '0.1']);
    return JSON.stringify({
      ...rec,
      messages: [
        { role: 'user', content: 'q' },
        { role: 'assistant', tool_calls: [{ function: { name: 'f', arguments: { x: 0 } } }] },
      ],
    }).replace('{"x":0}', `{"x": ${n}, "y": [${n}]}`);
  },
  deep: (rec, r) => {
    const d = pick(r, [10, 400, 493, 494, 499, 501, 600, 5000, 100_000]);
    const asString = r() < 0.5;
    const call = JSON.stringify({
      messages: [
        { role: 'user', content: 'q' },
        { role: 'assistant', tool_calls: [{ function: { name: 'f', arguments: '@' } }] },
      ],
    });
    return call.replace('"@"', asString ? JSON.stringify(`{"x": ${nested(d)}}`) : `{"x": ${nested(d)}}`);
  },
  invalid_utf8: (rec, r) => {
    const b = enc.encode(JSON.stringify(rec));
    const at = Math.floor(r() * b.length);
    const bad = pick(r, [[0xff], [0xc3], [0xe2, 0x82], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xc0, 0xaf]]);
    return new Uint8Array([...b.subarray(0, at), ...bad, ...b.subarray(at)]);
  },
  bom: (rec) => '\uFEFF' + JSON.stringify(rec),
  bidi: (rec, r) => {
    const s = slots(rec).filter(([c, k]) => typeof (c as Record<string | number, Json>)[k] === 'string');
    if (s.length) {
      const [c, k] = pick(r, s);
      setSlot(
        c,
        k,
        `${(c as Record<string | number, Json>)[k]}${pick(r, ['\u202E', '\u202A', '\u2066', '\u200F', '\u061C'])}tail`,
      );
    }
    return JSON.stringify(rec);
  },
  lone_surrogate: (rec) => JSON.stringify(rec).replace(/"content":"/, '"content":"\\ud83d x \\udc00'),
  unknown_role: (rec, r) =>
    JSON.stringify(rec).replace(
      /"(role|from)":"[a-z_]+"/,
      `"$1":"${pick(r, ['bot', 'User', 'function', '', 'system'])}"`,
    ),
  call_without_result: () =>
    JSON.stringify({
      messages: [
        { role: 'user', content: 'q' },
        { role: 'assistant', tool_calls: [{ function: { name: 'f', arguments: '{}' } }] },
        { role: 'user', content: 'again' },
        { role: 'assistant', content: 'a' },
      ],
    }),
  result_without_call: () =>
    JSON.stringify({
      messages: [
        { role: 'user', content: 'q' },
        { role: 'tool', content: 'r' },
        { role: 'assistant', content: 'a' },
      ],
    }),
  bad_arguments: () =>
    JSON.stringify({
      messages: [
        { role: 'user', content: 'q' },
        { role: 'assistant', tool_calls: [{ function: { name: 'f', arguments: "{'x': 1}" } }] },
      ],
    }),
  bad_tools: (rec, r) =>
    JSON.stringify({ ...rec, tools: pick(r, ['[{]', { a: 1 }, [{ function: {} }], 42, '[]'] as Json[]) }),
  duplicate_keys: (rec) => JSON.stringify(rec).replace(/^\{/, '{"messages":[],'),
  // Long: 3,000 characters of words and one 400-character "word" (BPE's slow cases; Gemma's
  // tokenizer has no pre-tokenizer, so its cost grows with the whole text's length).
  long_string: (rec) =>
    JSON.stringify({
      messages: [
        { role: 'user', content: 'lorem ipsum '.repeat(250) },
        { role: 'assistant', content: 'x'.repeat(400) },
      ],
      extra: rec,
    }),
  not_object: (_rec, r) =>
    pick(r, ['42', '"text"', '[1,2,3]', 'null', 'true', '[]', '{}', '-', 'NaN', '{"a":Infinity}']),
  garbage: (_rec, r) =>
    new Uint8Array(
      Array.from({ length: 1 + Math.floor(r() * 60) }, () => Math.floor(r() * 256)).filter((b) => b !== 0x0a),
    ),
  system_mid: () =>
    JSON.stringify({
      messages: [
        { role: 'user', content: 'q' },
        { role: 'system', content: 's' },
        { role: 'assistant', content: 'a' },
      ],
    }),
  assistant_first: () =>
    JSON.stringify({
      messages: [
        { role: 'assistant', content: 'I start' },
        { role: 'user', content: 'q' },
        { role: 'assistant', content: 'a' },
      ],
    }),
  empty_messages: () => JSON.stringify({ messages: [] }),
  proto_keys: () =>
    '{"__proto__": {"polluted": 1}, "constructor": {"prototype": {}}, "messages": [{"role": "user", "content": "q", ' +
    '"__proto__": null}, {"role": "assistant", "content": "a"}]}',
  content_parts: () =>
    JSON.stringify({
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'q' }] },
        { role: 'assistant', content: 'a' },
      ],
    }),
  control_chars: () =>
    JSON.stringify({
      messages: [
        { role: 'user', content: '\u0000\u0001\u001f\u007f\u0085\u2028\u2029' },
        { role: 'assistant', content: '\r\n\r' },
      ],
    }),
};

export const MUTATION_KINDS = Object.keys(MUTATIONS);

export interface FuzzFile {
  bytes: Uint8Array;
  /** Physical lines (LF-separated; a last line without LF counts). */
  lines: number;
  /** Lines that are not blank (only spaces, tabs, CR): the records. */
  records: number;
  /** Mutation kinds used, with how many lines each. */
  kinds: Record<string, number>;
}

/** `n` lines (records, mutated, and blank lines between), LF or CRLF, from `seed`. */
export function fuzzFile(seed: number, n: number): FuzzFile {
  const r = mulberry32(seed);
  const parts: Uint8Array[] = [];
  const kinds: Record<string, number> = {};
  let records = 0;
  for (let i = 0; i < n; i++) {
    const eol = enc.encode(r() < 0.3 ? '\r\n' : '\n');
    if (r() < 0.05) {
      parts.push(enc.encode(pick(r, ['', ' ', '\t', ' \t \r'])), eol);
      kinds.blank = (kinds.blank ?? 0) + 1;
      continue;
    }
    const kind = r() < 0.3 ? 'none' : pick(r, MUTATION_KINDS);
    kinds[kind] = (kinds[kind] ?? 0) + 1;
    const out = MUTATIONS[kind](baseRecord(r, i), r);
    const bytes = typeof out === 'string' ? enc.encode(out) : out;
    parts.push(bytes, eol);
    if (!isBlankLine(bytes)) records++;
  }
  const total = parts.reduce((a, p) => a + p.length, 0);
  const bytes = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    bytes.set(p, at);
    at += p.length;
  }
  return { bytes, lines: n, records, kinds };
}

function isBlankLine(b: Uint8Array): boolean {
  return b.every((x) => x === 0x20 || x === 0x09 || x === 0x0d);
}
