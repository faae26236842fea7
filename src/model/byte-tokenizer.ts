// A small byte-level BPE tokenizer, generated: the 256 byte tokens, a few hundred merges
// learned from a sample text, and the special tokens of a chat-template family. Written as
// Hugging Face tokenizer.json + tokenizer_config.json (GPT-2/Qwen layout: ByteLevel
// pre-tokenizer and decoder), so tiny models have a real, loadable tokenizer with a vocabulary
// small enough to train in seconds on SwiftShader.

export type TemplateFamily = 'chatml' | 'llama3';

export interface ByteTokenizerOptions {
  family: TemplateFamily;
  /** How many merges to learn at most (default 300); fewer when the text runs out of pairs. */
  merges?: number;
  /** Text to learn merges from (default: a built-in English/chat/code sample). */
  sample?: string;
  modelMaxLength?: number;
}

export interface FamilySpecials {
  /** All special tokens, in id order after the learned vocabulary. */
  tokens: string[];
  bos: string | null;
  eos: string;
  pad: string;
  chatTemplate: string;
}

export const FAMILY_SPECIALS: Record<TemplateFamily, FamilySpecials> = {
  chatml: {
    tokens: ['<|endoftext|>', '<|im_start|>', '<|im_end|>'],
    bos: null,
    eos: '<|im_end|>',
    pad: '<|endoftext|>',
    chatTemplate:
      "{%- for message in messages %}{{- '<|im_start|>' + message['role'] + '\\n' + message['content'] + " +
      "'<|im_end|>' + '\\n' }}{%- endfor %}" +
      "{%- if add_generation_prompt %}{{- '<|im_start|>assistant\\n' }}{%- endif %}",
  },
  llama3: {
    tokens: ['<|begin_of_text|>', '<|end_of_text|>', '<|start_header_id|>', '<|end_header_id|>', '<|eot_id|>'],
    bos: '<|begin_of_text|>',
    eos: '<|eot_id|>',
    pad: '<|end_of_text|>',
    chatTemplate:
      "{{- bos_token }}{%- for message in messages %}{{- '<|start_header_id|>' + message['role'] + " +
      "'<|end_header_id|>\\n\\n' + message['content'] | trim + '<|eot_id|>' }}{%- endfor %}" +
      "{%- if add_generation_prompt %}{{- '<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}{%- endif %}",
  },
};

/** GPT-2's byte → printable character table (`bytes_to_unicode`). */
export function bytesToUnicode(): string[] {
  const bs: number[] = [];
  for (let b = 0x21; b <= 0x7e; b++) bs.push(b);
  for (let b = 0xa1; b <= 0xac; b++) bs.push(b);
  for (let b = 0xae; b <= 0xff; b++) bs.push(b);
  const cs = [...bs];
  let n = 0;
  for (let b = 0; b < 256; b++) {
    if (!bs.includes(b)) {
      bs.push(b);
      cs.push(256 + n++);
    }
  }
  const table: string[] = new Array(256);
  bs.forEach((b, i) => (table[b] = String.fromCodePoint(cs[i])));
  return table;
}

/** GPT-2's pre-tokenizer split, which ByteLevel(use_regex=true) applies. */
const GPT2_SPLIT = /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu;

export const DEFAULT_SAMPLE =
  `The quick brown fox jumps over the lazy dog. A user asks a question ` +
  `and the assistant answers it.
You are a helpful assistant. Please answer the question in one sentence.
What is the capital of France? The capital of France is Paris.
How many days are there in a week? There are seven days in a week.
Write a short poem about the sea. The sea is wide and the sea is deep, and in the night the waves will sleep.
Translate "good morning" into Spanish. "Good morning" in Spanish is "buenos días".
The weather today is sunny with a light breeze, and the temperature is about twenty degrees.
Call the function get_weather with the city name. {"name": "get_weather", "arguments": {"city": "Paris"}}
def add(a, b):
    return a + b

for i in range(10):
    print(i)
const total = items.reduce((sum, item) => sum + item.price, 0);
Thank you for your help! You're welcome. Let me know if there is anything else I can do.
The model reads the conversation, predicts the next token, and learns from the training data.
In the beginning there was nothing, and then there was something: a small model that could talk.
Numbers like 1, 2, 3, 10, 42, 100 and 2026 appear in text; so do dates such as 15 January 2026.
I think that this is a good idea, but we should test it first and then write the documentation.
She said that they would come back tomorrow morning, after the meeting with the other team.
Can you help me plan a trip? Of course! Where would you like to go, and for how many days?
Summarize the following article in three bullet points. Here is the summary of the article:
The system message tells the assistant how to behave; the user message asks for something.
Tools are functions that the assistant can call. The tool returns a result, and the assistant
uses the result to write the final answer for the user. If the question is unclear, ask again.
Training a language model means showing it many examples and changing its weights a little
after each one, so that the loss goes down and the answers get better over time.
There were three people in the room: the teacher, the student and the writer of this story.
They were talking about the history of the city, the river, the bridge and the old market.
import json
with open("data.jsonl") as f:
    for line in f:
        record = json.loads(line)
        print(record["messages"][0]["content"])
function greet(name) { return \`Hello, \${name}!\`; }
if (x > 0 && y < 10) { console.log("inside"); } else { console.log("outside"); }
The answer is yes. The answer is no. The answer is maybe. I don't know the answer yet.
We're going to the park later; you'll like it there. It's a beautiful day, isn't it?
`;

function pretokenize(text: string): string[] {
  return text.match(GPT2_SPLIT) ?? [];
}

/** Learn up to `count` merges over the byte-level symbols of `sample` (most frequent pair first). */
export function learnMerges(sample: string, count: number): [string, string][] {
  const table = bytesToUnicode();
  const enc = new TextEncoder();
  const freq = new Map<string, number>();
  for (const w of pretokenize(sample)) freq.set(w, (freq.get(w) ?? 0) + 1);
  const words = [...freq].map(([w, n]) => ({ symbols: [...enc.encode(w)].map((b) => table[b]), n }));
  const merges: [string, string][] = [];
  while (merges.length < count) {
    const pairs = new Map<string, number>();
    for (const { symbols, n } of words) {
      for (let i = 0; i + 1 < symbols.length; i++) {
        const key = symbols[i] + '\u0000' + symbols[i + 1];
        pairs.set(key, (pairs.get(key) ?? 0) + n);
      }
    }
    let best: string | null = null;
    let bestN = 1;
    for (const [k, n] of pairs) {
      if (n > bestN || (n === bestN && best !== null && k < best)) {
        best = k;
        bestN = n;
      }
    }
    if (best === null) break;
    const [a, b] = best.split('\u0000') as [string, string];
    merges.push([a, b]);
    for (const w of words) {
      const out: string[] = [];
      for (let i = 0; i < w.symbols.length; i++) {
        if (i + 1 < w.symbols.length && w.symbols[i] === a && w.symbols[i + 1] === b) {
          out.push(a + b);
          i++;
        } else out.push(w.symbols[i]);
      }
      w.symbols = out;
    }
  }
  return merges;
}

export interface ByteTokenizer {
  /** tokenizer.json, parsed. */
  tokenizerJson: Record<string, unknown>;
  /** tokenizer_config.json, parsed. */
  tokenizerConfig: Record<string, unknown>;
  vocabSize: number;
  /** Special token → id. */
  specialIds: Record<string, number>;
  bosId: number | null;
  eosId: number;
  padId: number;
}

export function makeByteTokenizer(options: ByteTokenizerOptions): ByteTokenizer {
  const fam = FAMILY_SPECIALS[options.family];
  if (!fam) throw new Error(`unknown template family ${String(options.family)} (chatml, llama3)`);
  const table = bytesToUnicode();
  const vocab: Record<string, number> = {};
  for (let b = 0; b < 256; b++) vocab[table[b]] = b;
  const merges = learnMerges(options.sample ?? DEFAULT_SAMPLE, options.merges ?? 300);
  const kept: [string, string][] = [];
  let next = 256;
  for (const [a, b] of merges) {
    // Two merges can spell the same string; the token keeps its first id, both merges stay.
    if (vocab[a + b] === undefined) vocab[a + b] = next++;
    kept.push([a, b]);
  }
  const specialIds: Record<string, number> = {};
  const added = fam.tokens.map((content) => {
    specialIds[content] = next;
    return { id: next++, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true };
  });
  const byteLevel = { type: 'ByteLevel', add_prefix_space: false, trim_offsets: false, use_regex: true };
  const tokenizerJson = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: added,
    normalizer: null,
    pre_tokenizer: byteLevel,
    post_processor: { ...byteLevel, use_regex: false },
    decoder: { ...byteLevel, use_regex: false },
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: null,
      end_of_word_suffix: null,
      fuse_unk: false,
      byte_fallback: false,
      ignore_merges: false,
      vocab,
      merges: kept,
    },
  };
  const addedDecoder: Record<string, unknown> = {};
  for (const a of added) {
    const { id, ...rest } = a;
    addedDecoder[String(id)] = rest;
  }
  const tokenizerConfig = {
    add_bos_token: false,
    add_prefix_space: false,
    added_tokens_decoder: addedDecoder,
    bos_token: fam.bos,
    chat_template: fam.chatTemplate,
    clean_up_tokenization_spaces: false,
    eos_token: fam.eos,
    errors: 'replace',
    model_max_length: options.modelMaxLength ?? 2048,
    pad_token: fam.pad,
    tokenizer_class: 'PreTrainedTokenizerFast',
    unk_token: null,
  };
  return {
    tokenizerJson,
    tokenizerConfig,
    vocabSize: next,
    specialIds,
    bosId: fam.bos ? specialIds[fam.bos] : null,
    eosId: specialIds[fam.eos],
    padId: specialIds[fam.pad],
  };
}
