// The conformance corpus: conversations every template is rendered on and compared, byte for byte,
// with the model's official chat template run by real Jinja2 (hf_render.py). Hand-written to hit
// the places templates differ: system handling, whitespace at content edges (templates that `trim`),
// text that looks like another family's control tokens, tool calls (single, parallel, nested and
// non-ASCII arguments), runs of tool results, reasoning in earlier and last turns, generation prompts.
// A small generator adds system / no-system / generation-prompt combinations of a few exchanges.
import { parseJsonPy, pyHintsOf } from '../../data/py-json.ts';
import type { Conversation, Message, Tool, ToolCall } from '../../data/types.ts';

export interface CorpusCase {
  id: string;
  description: string;
  conversation: Conversation;
  /** Render with add_generation_prompt (only meaningful when the conversation ends on user/tool). */
  addGenerationPrompt: boolean;
  /**
   * Selectors for tests: single_turn, multi_turn, long, system, no_system, generation_prompt, cjk,
   * emoji, whitespace, quotes, special_tokens, tools, tool_calls, parallel_calls, tool_results,
   * thinking, think_inline, nested_args, unicode_args, empty_content, ends_with_tool, generated.
   */
  tags: string[];
}

// ---------------------------------------------------------------------------------------------
// Tools (OpenAI form)

const getWeather: Tool = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Get the current weather for a city.',
    parameters: {
      type: 'object',
      properties: {
        city: { type: 'string', description: 'City name, e.g. "Paris"' },
        unit: { type: 'string', enum: ['celsius', 'fahrenheit'] },
      },
      required: ['city'],
    },
  },
};

const searchWeb: Tool = {
  type: 'function',
  function: {
    name: 'search_web',
    description: 'Search the web and return the top results.',
    parameters: {
      type: 'object',
      properties: {
        query: { type: 'string', description: 'The search query' },
        max_results: { type: 'integer', description: 'How many results to return' },
      },
      required: ['query'],
    },
  },
};

const calculator: Tool = {
  type: 'function',
  function: {
    name: 'calculator',
    description: 'Evaluate an arithmetic expression.',
    parameters: {
      type: 'object',
      properties: { expression: { type: 'string' } },
      required: ['expression'],
    },
  },
};

const createEvent: Tool = {
  type: 'function',
  function: {
    name: 'create_event',
    description: 'Create a calendar event with attendees and reminders.',
    parameters: {
      type: 'object',
      properties: {
        title: { type: 'string' },
        start: { type: 'string', description: 'ISO 8601 date-time' },
        attendees: {
          type: 'array',
          items: {
            type: 'object',
            properties: { name: { type: 'string' }, email: { type: 'string' } },
            required: ['email'],
          },
        },
        reminders: {
          type: 'object',
          properties: { minutes_before: { type: 'array', items: { type: 'integer' } }, method: { type: 'string' } },
        },
      },
      required: ['title', 'start'],
    },
  },
};

const runPython: Tool = {
  type: 'function',
  function: {
    name: 'run_python',
    description: 'Run a Python snippet in a sandbox and return stdout.',
    parameters: { type: 'object', properties: { code: { type: 'string' } }, required: ['code'] },
  },
};

const translate: Tool = {
  type: 'function',
  function: {
    name: 'translate',
    description: '翻译文本 / Translate text between languages.',
    parameters: {
      type: 'object',
      properties: {
        text: { type: 'string' },
        target_lang: { type: 'string', description: 'ISO 639-1 code, e.g. "ja"' },
      },
      required: ['text', 'target_lang'],
    },
  },
};

// ---------------------------------------------------------------------------------------------
// Small builders (keep the cases below readable)

const u = (content: string): Message => ({ role: 'user', content });
const a = (content: string, extra: Partial<Message> = {}): Message => ({ role: 'assistant', content, ...extra });
const call = (name: string, args: unknown, id?: string): ToolCall =>
  id === undefined ? { name, arguments: args } : { id, name, arguments: args };
const calls = (...c: ToolCall[]): Message => ({ role: 'assistant', content: '', tool_calls: c });
const tool = (content: string, name?: string, id?: string): Message => {
  const m: Message = { role: 'tool', content };
  if (id !== undefined) m.tool_call_id = id;
  if (name !== undefined) m.name = name;
  return m;
};

let line = 0;
function conv(messages: Message[], system?: string, tools?: Tool[]): Conversation {
  line += 1;
  const c: Conversation = { messages, source: { format: 'messages', line } };
  if (system !== undefined) c.system = system;
  if (tools !== undefined) c.tools = tools;
  return c;
}

function tc(
  id: string,
  description: string,
  tags: string[],
  conversation: Conversation,
  addGenerationPrompt = false,
): CorpusCase {
  const t = new Set(tags);
  t.add(conversation.system !== undefined ? 'system' : 'no_system');
  const n = conversation.messages.filter((m) => m.role === 'user').length;
  t.add(n <= 1 ? 'single_turn' : 'multi_turn');
  if (n >= 6) t.add('long');
  if (addGenerationPrompt) t.add('generation_prompt');
  if (conversation.tools) t.add('tools');
  if (conversation.messages.some((m) => m.tool_calls?.length)) t.add('tool_calls');
  if (conversation.messages.some((m) => (m.tool_calls?.length ?? 0) > 1)) t.add('parallel_calls');
  if (conversation.messages.some((m) => m.role === 'tool')) t.add('tool_results');
  if (conversation.messages.some((m) => m.reasoning_content !== undefined)) t.add('thinking');
  if (conversation.messages.some((m) => m.role === 'assistant' && m.content.includes('</think>')))
    t.add('think_inline');
  if (conversation.messages.at(-1)?.role === 'tool') t.add('ends_with_tool');
  return { id, description, conversation, addGenerationPrompt, tags: [...t].sort() };
}

const SYS = 'You are a helpful assistant.';

// ---------------------------------------------------------------------------------------------
// Plain chat

const plain: CorpusCase[] = [
  tc(
    'basic_single',
    'one user question, one answer, no system',
    [],
    conv([u('What is the capital of France?'), a('The capital of France is Paris.')]),
  ),
  tc(
    'basic_single_system',
    'one exchange with a system prompt',
    [],
    conv([u('What is the capital of France?'), a('The capital of France is Paris.')], SYS),
  ),
  tc(
    'gen_prompt_single',
    'a lone user turn awaiting the answer',
    [],
    conv([u('Write a haiku about autumn leaves.')]),
    true,
  ),
  tc(
    'gen_prompt_single_system',
    'system + lone user turn awaiting the answer',
    [],
    conv([u('Summarize the plot of Hamlet in two sentences.')], 'You are a concise literary critic.'),
    true,
  ),
  tc(
    'multi_turn_3',
    'three rounds of small talk',
    [],
    conv([
      u('Hi! Can you help me plan a trip?'),
      a('Of course! Where would you like to go, and for how long?'),
      u('Lisbon, for four days in May.'),
      a('Great choice. May is warm and not too crowded. Do you prefer museums, food, or day trips?'),
      u('Food, definitely.'),
      a('Then plan on Time Out Market, a pastel de nata crawl in Belém, and a seafood dinner in Cais do Sodré.'),
    ]),
  ),
  tc(
    'multi_turn_system_gen',
    'two rounds with system, ending on a user turn',
    [],
    conv(
      [u('Convert 5 miles to kilometres.'), a('5 miles is about 8.05 kilometres.'), u('And 10 km to miles?')],
      'You are a unit conversion assistant. Answer with one sentence.',
    ),
    true,
  ),
  tc(
    'multi_turn_no_gen_user_last',
    'ends on a user turn but without the generation prompt',
    [],
    conv([
      u('Tell me a joke.'),
      a('Why did the scarecrow win an award? He was outstanding in his field.'),
      u('Another one, please.'),
    ]),
    false,
  ),
  tc(
    'system_only_user',
    'system prompt and a single user turn, no generation prompt',
    [],
    conv([u('ping')], 'Reply with pong.'),
  ),
  tc(
    'empty_system',
    'an explicitly empty system prompt',
    ['empty_content'],
    conv([u('Hello?'), a('Hello! How can I help?')], ''),
  ),
  tc(
    'long_system',
    'a long multi-paragraph system prompt with markdown',
    [],
    conv(
      [
        u('Review this: `def f(x): return x*2`'),
        a('The function is fine, but give it a descriptive name such as `double`.'),
      ],
      '# Role\nYou are a senior Python reviewer.\n\n## Rules\n1. Be kind.\n2. Point out bugs first, style ' +
        'second.\n3. Use `inline code` for identifiers.\n\n## Output\nA short paragraph.',
    ),
  ),
  tc(
    'markdown_code_answer',
    'answer with a fenced code block and a table',
    [],
    conv([
      u('Show me a Python function that reverses a string, and a table of its complexity.'),
      a(
        '```python\ndef reverse(s: str) -> str:\n    return s[::-1]\n```\n\n| operation | cost |\n| --- | --- |\n| ' +
          'time | O(n) |\n| space | O(n) |',
      ),
    ]),
  ),
  tc('single_word', 'very short turns', [], conv([u('Hi'), a('Hello')])),
  tc('empty_assistant', 'an assistant turn with empty content', ['empty_content'], conv([u('Say nothing.'), a('')])),
  tc(
    'empty_user',
    'a user turn with empty content',
    ['empty_content'],
    conv([u(''), a('It looks like your message was empty. What would you like to ask?')]),
  ),
];

// ---------------------------------------------------------------------------------------------
// Scripts, emoji, whitespace, quoting, special-token look-alikes

const text: CorpusCase[] = [
  tc(
    'cjk_chinese',
    'Chinese question and answer',
    ['cjk'],
    conv([u('请用一句话介绍一下长城。'), a('长城是中国古代修建的军事防御工程，全长两万多公里。')]),
  ),
  tc(
    'cjk_japanese_system',
    'Japanese with a Japanese system prompt',
    ['cjk'],
    conv(
      [u('東京でおすすめのラーメン屋を教えてください。'), a('新宿の「風雲児」や池袋の「無敵家」が人気です。')],
      'あなたは親切な旅行ガイドです。',
    ),
  ),
  tc('cjk_korean_gen', 'Korean, awaiting an answer', ['cjk'], conv([u('김치찌개 만드는 법을 알려 주세요.')]), true),
  tc(
    'cjk_mixed_multi',
    'mixed Chinese/English over two rounds with full-width punctuation',
    ['cjk', 'multi_turn'],
    conv([
      u('“机器学习”和“深度学习”有什么区别？'),
      a('深度学习是机器学习的一个分支，使用多层神经网络（deep neural networks）。'),
      u('举个例子？'),
      a('例如：图像识别中的 CNN，就是深度学习的典型应用。'),
    ]),
  ),
  tc(
    'emoji_basic',
    'emoji in user and assistant text',
    ['emoji'],
    conv([u('Give me three fruit emoji 🍎?'), a('Sure: 🍌 🍇 🍓')]),
  ),
  tc(
    'emoji_zwj',
    'ZWJ sequences, skin tones and flags (astral code points, UTF-16 surrogate pairs)',
    ['emoji'],
    conv([
      u('What does 👩‍💻 mean? And 👍🏽 and 🇯🇵?'),
      a('👩‍💻 is "woman technologist", 👍🏽 is a thumbs-up with medium skin tone, and 🇯🇵 is the flag of Japan.'),
    ]),
  ),
  tc(
    'emoji_system',
    'emoji in the system prompt',
    ['emoji'],
    conv([u('How are you?'), a('Doing great 😄 thanks for asking!')], 'You are a cheerful bot 🤖. Use emoji.'),
  ),
  tc(
    'rtl_and_accents',
    'Arabic, Hebrew, accented Latin and combining marks',
    [],
    conv([
      u('Translate "peace" into Arabic and Hebrew. Also: café vs cafe\u0301?'),
      a('Arabic: سلام, Hebrew: שלום. "café" uses a precomposed é; "cafe\u0301" uses e + a combining accent.'),
    ]),
  ),
  tc(
    'ws_leading_trailing_spaces',
    'spaces at both edges of user and assistant content',
    ['whitespace'],
    conv([u('   padded question   '), a('  padded answer  ')]),
  ),
  tc(
    'ws_newlines_edges',
    'newlines at both edges of content',
    ['whitespace'],
    conv([u('\nfirst line\nsecond line\n'), a('\n\nAnswer after blank lines.\n\n')]),
  ),
  tc(
    'ws_system_edges',
    'system prompt with whitespace at its edges',
    ['whitespace'],
    conv([u('Hello'), a('Hi there.')], '  \n  You are terse.  \n'),
  ),
  tc(
    'ws_tabs_crlf',
    'tabs and CRLF line endings inside content',
    ['whitespace'],
    conv([u('col1\tcol2\r\nv1\tv2\r\n'), a('That is a TSV with CRLF endings:\r\n\tcol1 = v1\r\n\tcol2 = v2')]),
  ),
  tc(
    'ws_only_whitespace',
    'a turn that is only whitespace',
    ['whitespace'],
    conv([u(' \n\t '), a('Did you mean to send something?')]),
  ),
  tc(
    'ws_multi_turn_edges',
    'whitespace edges across several turns, ending on user',
    ['whitespace'],
    conv([u(' one'), a('two '), u('\nthree\n')], ' sys '),
    true,
  ),
  tc(
    'quotes_backslashes',
    'single/double quotes, backslashes and Windows paths',
    ['quotes'],
    conv([
      u('Why does "C:\\Users\\bob\\new folder" break my script? It\'s quoted.'),
      a('In a normal string "\\n" in "\\new" is a newline; use a raw string r"C:\\Users\\bob" or forward slashes.'),
    ]),
  ),
  tc(
    'quotes_json_in_text',
    'JSON and Jinja-looking braces inside plain text',
    ['quotes'],
    conv([
      u('Is this valid JSON: {"a": [1, 2, {"b": "c\\"d"}]}? And what is {{ name }} or {% if x %}?'),
      a('Yes, the JSON is valid. {{ name }} and {% if x %} are Jinja syntax, shown here as plain text.'),
    ]),
  ),
  tc(
    'quotes_html',
    "HTML special characters (escaped by Jinja's default tojson, not by HF's)",
    ['quotes'],
    conv([
      u('Escape <script>alert("x")</script> & \'quotes\''),
      a('Use &lt;script&gt; and &amp; in HTML; or a templating engine that escapes for you.'),
    ]),
  ),
  tc(
    'special_im_end',
    'ChatML control tokens inside user and assistant text',
    ['special_tokens'],
    conv([
      u('What does <|im_end|> mean in <|im_start|>user prompts?'),
      a('<|im_start|> opens a turn and <|im_end|> closes it in the ChatML format.'),
    ]),
  ),
  tc(
    'special_inst',
    'Mistral/Llama-2 control strings inside text',
    ['special_tokens'],
    conv([
      u('Explain [INST] and [/INST] and <s></s> tokens.'),
      a('[INST] ... [/INST] wraps a user instruction in Llama-2/Mistral prompts; <s> and </s> are BOS and EOS.'),
    ]),
  ),
  tc(
    'special_gemma_llama',
    'Gemma and Llama 3 control strings inside text',
    ['special_tokens'],
    conv([
      u('What are <start_of_turn> and <end_of_turn>? And <|eot_id|>?'),
      a(
        'Gemma marks turns with <start_of_turn>model and <end_of_turn>; Llama 3 ends a turn with <|eot_id|> after ' +
          '<|start_header_id|>assistant<|end_header_id|>.',
      ),
    ]),
  ),
  tc(
    'special_in_system_gen',
    'control-token look-alikes in the system prompt, ending on user',
    ['special_tokens'],
    conv([u('Repeat the rule.')], 'Never output <|endoftext|>, <tool_call> or <｜end▁of▁sentence｜> literally.'),
    true,
  ),
  tc(
    'special_think_tags_user',
    'think tags written by the user (not reasoning)',
    ['special_tokens'],
    conv([
      u('What do <think> and </think> do in reasoning models?'),
      a("They delimit the model's private reasoning before the final answer."),
    ]),
  ),
];

// ---------------------------------------------------------------------------------------------
// Long conversations

const longConv: CorpusCase[] = [
  tc(
    'long_7_rounds',
    'seven rounds of a tutoring session',
    [],
    conv(
      [
        u('I want to learn about prime numbers.'),
        a('A prime is a whole number greater than 1 whose only divisors are 1 and itself.'),
        u('Is 1 prime?'),
        a('No. By definition a prime has exactly two distinct divisors; 1 has only one.'),
        u('What about 2?'),
        a('2 is prime, and it is the only even prime.'),
        u('How do I check if 91 is prime?'),
        a('Try dividing by primes up to √91 ≈ 9.5: 2, 3, 5, 7. 91 = 7 × 13, so it is not prime.'),
        u('Are there infinitely many primes?'),
        a(
          'Yes. Euclid proved it: multiply any finite list of primes, add 1, and the result has a ' +
            'prime factor not in the list.',
        ),
        u('What is the largest known prime?'),
        a('The largest known primes are Mersenne primes of the form 2^p − 1, found by the GIMPS project.'),
        u('Thanks, that was helpful!'),
        a("You're welcome! Happy number hunting."),
      ],
      'You are a patient math tutor.',
    ),
  ),
  tc(
    'long_6_rounds_gen',
    'six rounds without system, ending on a seventh user turn',
    [],
    conv([
      u("Let's play 20 questions. I'm thinking of an animal."),
      a('Is it a mammal?'),
      u('Yes.'),
      a('Does it live in water?'),
      u('No.'),
      a('Is it bigger than a dog?'),
      u('Yes.'),
      a('Does it have stripes?'),
      u('Yes!'),
      a('Is it a zebra?'),
      u('No, think bigger cats.'),
      a('Is it a tiger?'),
      u('Correct! Your turn to think of one.'),
    ]),
    true,
  ),
  tc(
    'long_cjk_emoji_6',
    'six rounds mixing Chinese, emoji and whitespace edges',
    ['cjk', 'emoji', 'whitespace'],
    conv(
      [
        u('你好 👋'),
        a('你好！有什么可以帮你？😊'),
        u('推荐一本书 📚'),
        a('《三体》——刘慈欣的科幻小说。'),
        u(' 为什么？ '),
        a('因为它的想象力很宏大 🌌\n'),
        u('还有吗？'),
        a('《活着》，余华。'),
        u('谢谢 🙏'),
        a('不客气！'),
        u('再见'),
        a('再见 👋'),
      ],
      '你是一个读书助手。',
    ),
  ),
];

// ---------------------------------------------------------------------------------------------
// Tools

const W = [getWeather];

// Read from JSON text as the data path reads it: floats with an integral value (`1.0`) and
// integer-like keys, which Python keeps and JSON.parse alone loses (src/data/py-json.ts). The hints
// carry them through the suite's structured clones, as they do through workers.
const sampleTool = parseJsonPy(
  '{"type": "function", "function": {"name": "sample", "description": "Sample a number.", ' +
    '"parameters": {"type": "object", ' +
    '"properties": {"temperature": {"type": "number", "default": 1.0, "maximum": 2.0}, "2": {"type": "integer"}, ' +
    '"1": {"type": "string"}}}}}',
) as Tool;
function parsedCall(name: string, argsText: string, id: string): ToolCall {
  const c = call(name, parseJsonPy(argsText), id);
  const hints = pyHintsOf(c.arguments);
  if (hints) c.arguments_hints = hints;
  return c;
}
function withToolHints(c: Conversation): Conversation {
  c.tools_hints = (c.tools ?? []).map((t) => pyHintsOf(t) ?? null);
  return c;
}
const WS = [getWeather, searchWeb];
const ALL = [getWeather, searchWeb, calculator, createEvent, runPython, translate];

const tools: CorpusCase[] = [
  tc(
    'tool_float_args',
    'floats written 1.0 and integer-like keys in a tool schema and in call arguments (read from JSON text)',
    ['tool_calls', 'tool_results', 'nested_args'],
    withToolHints(
      conv(
        [
          u('Sample twice.'),
          calls(
            parsedCall('sample', '{"temperature": 1.0, "2": 3, "1": "x", "scale": [1e2, 0.5, -0.0]}', 'call00031'),
            parsedCall('sample', '{"10": 1.0, "9": 2, "temperature": 0.0}', 'call00032'),
          ),
          tool('{"value": 1.0}', 'sample', 'call00031'),
          tool('{"value": 2.0}', 'sample', 'call00032'),
          a('Done: 1.0 and 2.0.'),
        ],
        SYS,
        [sampleTool],
      ),
    ),
  ),
  tc(
    'tools_available_no_call',
    'tools offered, plain answer, no call',
    [],
    conv([u('Hi, who are you?'), a('I am an assistant that can look up the weather for you.')], undefined, W),
  ),
  tc(
    'tools_available_system_gen',
    'tools with system prompt, lone user turn',
    [],
    conv([u("What's the weather in Paris?")], SYS, W),
    true,
  ),
  tc(
    'tools_available_nosystem_gen',
    'tools without system prompt, lone user turn',
    [],
    conv([u('Search for the latest Rust release notes.')], undefined, WS),
    true,
  ),
  tc(
    'tool_single_call_only',
    'one call, the conversation stops at the call',
    [],
    conv(
      [
        u("What's the weather in Paris?"),
        calls(call('get_weather', { city: 'Paris', unit: 'celsius' }, 'call_a1B2c3D4e')),
      ],
      undefined,
      W,
    ),
  ),
  tc(
    'tool_single_roundtrip',
    'call, result, final answer',
    [],
    conv(
      [
        u("What's the weather in Paris?"),
        calls(call('get_weather', { city: 'Paris', unit: 'celsius' }, 'call00001')),
        tool('{"temperature": 18, "condition": "cloudy"}', 'get_weather', 'call00001'),
        a('It is 18 °C and cloudy in Paris right now.'),
      ],
      SYS,
      W,
    ),
  ),
  tc(
    'tool_single_roundtrip_nosys',
    'call, result, final answer, no system prompt',
    [],
    conv(
      [
        u('How much is 1234 * 5678?'),
        calls(call('calculator', { expression: '1234 * 5678' }, 'calc00001')),
        tool('7006652', 'calculator', 'calc00001'),
        a('1234 × 5678 = 7,006,652.'),
      ],
      undefined,
      [calculator],
    ),
  ),
  tc(
    'tool_result_gen',
    'ends on a tool result, awaiting the answer',
    [],
    conv(
      [
        u('Weather in Berlin?'),
        calls(call('get_weather', { city: 'Berlin' }, 'berlin001')),
        tool('{"temperature": 7, "condition": "rain"}', 'get_weather', 'berlin001'),
      ],
      SYS,
      W,
    ),
    true,
  ),
  tc(
    'tool_parallel_2',
    'two parallel calls, two results, answer',
    [],
    conv(
      [
        u('Compare the weather in Tokyo and Osaka.'),
        calls(call('get_weather', { city: 'Tokyo' }, 'tokyo0001'), call('get_weather', { city: 'Osaka' }, 'osaka0001')),
        tool('{"temperature": 22, "condition": "sunny"}', 'get_weather', 'tokyo0001'),
        tool('{"temperature": 24, "condition": "partly cloudy"}', 'get_weather', 'osaka0001'),
        a('Tokyo is 22 °C and sunny; Osaka is a little warmer at 24 °C with some clouds.'),
      ],
      SYS,
      W,
    ),
  ),
  tc(
    'tool_parallel_3_mixed',
    'three parallel calls to different tools, three results in a row',
    [],
    conv(
      [
        u('Weather in Rome, search for Colosseum tickets, and compute 3*19.'),
        calls(
          call('get_weather', { city: 'Rome' }, 'rome00001'),
          call('search_web', { query: 'Colosseum tickets', max_results: 3 }, 'srch00001'),
          call('calculator', { expression: '3*19' }, 'calc00002'),
        ),
        tool('{"temperature": 26, "condition": "clear"}', 'get_weather', 'rome00001'),
        tool(
          '[{"title": "Official Colosseum tickets", "url": "https://example.org/colosseo"}]',
          'search_web',
          'srch00001',
        ),
        tool('57', 'calculator', 'calc00002'),
        a('Rome: 26 °C and clear. Tickets: https://example.org/colosseo. And 3 × 19 = 57.'),
      ],
      undefined,
      ALL,
    ),
  ),
  tc(
    'tool_parallel_results_gen',
    'parallel calls, results, generation prompt after the last result',
    [],
    conv(
      [
        u('Is it warmer in Madrid or Lisbon?'),
        calls(
          call('get_weather', { city: 'Madrid' }, 'madrid001'),
          call('get_weather', { city: 'Lisbon' }, 'lisbon001'),
        ),
        tool('{"temperature": 30}', 'get_weather', 'madrid001'),
        tool('{"temperature": 25}', 'get_weather', 'lisbon001'),
      ],
      SYS,
      W,
    ),
    true,
  ),
  tc(
    'tool_two_sequential',
    'two calls in sequence (call, result, call, result, answer)',
    [],
    conv(
      [
        u('Find the population of Canada and divide it by 10.'),
        calls(call('search_web', { query: 'population of Canada' }, 'seq000001')),
        tool('Canada has about 40,100,000 people (2024).', 'search_web', 'seq000001'),
        calls(call('calculator', { expression: '40100000 / 10' }, 'seq000002')),
        tool('4010000', 'calculator', 'seq000002'),
        a('Canada has about 40.1 million people; divided by 10 that is 4,010,000.'),
      ],
      SYS,
      [searchWeb, calculator],
    ),
  ),
  tc(
    'tool_nested_args',
    'arguments with nested objects and arrays',
    ['nested_args'],
    conv(
      [
        u('Schedule "Design review" tomorrow at 10:00 with Ana and Bo, remind 10 and 30 minutes before.'),
        calls(
          call(
            'create_event',
            {
              title: 'Design review',
              start: '2025-03-14T10:00:00+01:00',
              attendees: [
                { name: 'Ana', email: 'ana@example.com' },
                { name: 'Bo', email: 'bo@example.com' },
              ],
              reminders: { minutes_before: [10, 30], method: 'popup' },
              private: false,
              room: null,
            },
            'evt000001',
          ),
        ),
        tool('{"ok": true, "event_id": "ev_42"}', 'create_event', 'evt000001'),
        a(
          'Done — "Design review" is booked for tomorrow at 10:00 with Ana and Bo, with ' +
            'reminders 10 and 30 minutes before.',
        ),
      ],
      SYS,
      [createEvent],
    ),
  ),
  tc(
    'tool_unicode_args',
    'arguments with CJK, emoji and accents (tojson must not \\u-escape them)',
    ['unicode_args', 'cjk', 'emoji'],
    conv(
      [
        u('把“早上好 ☀️”翻译成日语。'),
        calls(call('translate', { text: '早上好 ☀️', target_lang: 'ja' }, 'trans0001')),
        tool('おはようございます ☀️', 'translate', 'trans0001'),
        a('日语是：おはようございます ☀️'),
      ],
      undefined,
      [translate],
    ),
  ),
  tc(
    'tool_args_quotes_code',
    'arguments holding code with quotes, backslashes and newlines',
    ['quotes', 'nested_args'],
    conv(
      [
        u('Run this: print("a\\tb")'),
        calls(
          call('run_python', { code: 'import re\nprint("a\\tb")\nprint(re.sub(r"\\s+", " ", \'x  y\'))' }, 'py0000001'),
        ),
        tool('a\tb\nx y\n', 'run_python', 'py0000001'),
        a('It printed `a` and `b` separated by a tab, then `x y`.'),
      ],
      SYS,
      [runPython],
    ),
  ),
  tc(
    'tool_args_numbers_bools',
    'arguments with integers, floats, booleans, null and an empty object/array',
    ['nested_args'],
    conv(
      [
        u('Search for "llama" with 5 results.'),
        calls(
          call(
            'search_web',
            { query: 'llama', max_results: 5, safe: true, ratio: 0.25, filters: {}, tags: [], cursor: null },
            'num000001',
          ),
        ),
        tool('[]', 'search_web', 'num000001'),
        a('The search returned no results.'),
      ],
      undefined,
      [searchWeb],
    ),
  ),
  tc(
    'tool_call_without_ids',
    'calls and results without call ids (data that has none)',
    [],
    conv(
      [
        u('Weather in Oslo?'),
        calls(call('get_weather', { city: 'Oslo' })),
        tool('{"temperature": -3}', 'get_weather'),
        a('It is −3 °C in Oslo.'),
      ],
      SYS,
      W,
    ),
  ),
  tc(
    'tool_result_without_name',
    'tool results that carry an id but no name',
    [],
    conv(
      [
        u('Weather in Cairo?'),
        calls(call('get_weather', { city: 'Cairo' }, 'cairo0001')),
        tool('{"temperature": 35}', undefined, 'cairo0001'),
        a('35 °C in Cairo.'),
      ],
      SYS,
      W,
    ),
  ),
  tc(
    'tool_call_with_content',
    'assistant text and a tool call in the same turn',
    [],
    conv(
      [
        u('Check the weather in Seoul, please.'),
        a('Let me check that for you.', { tool_calls: [call('get_weather', { city: 'Seoul' }, 'seoul0001')] }),
        tool('{"temperature": 12, "condition": "windy"}', 'get_weather', 'seoul0001'),
        a('Seoul is 12 °C and windy.'),
      ],
      undefined,
      W,
    ),
  ),
  tc(
    'tool_multi_turn_followup',
    'tool round trip then a follow-up user turn with another call',
    ['multi_turn'],
    conv(
      [
        u('Weather in Sydney?'),
        calls(call('get_weather', { city: 'Sydney' }, 'syd000001')),
        tool('{"temperature": 20}', 'get_weather', 'syd000001'),
        a('20 °C in Sydney.'),
        u('And in Fahrenheit for Perth?'),
        calls(call('get_weather', { city: 'Perth', unit: 'fahrenheit' }, 'per000001')),
        tool('{"temperature": 77}', 'get_weather', 'per000001'),
        a('Perth is 77 °F.'),
      ],
      SYS,
      W,
    ),
  ),
  tc(
    'tool_result_special_tokens',
    'a tool result that contains control-token look-alikes and JSON with quotes',
    ['special_tokens', 'quotes'],
    conv(
      [
        u('Search for "<|im_end|>".'),
        calls(call('search_web', { query: '"<|im_end|>"' }, 'spc000001')),
        tool(
          '{"snippet": "ChatML ends turns with <|im_end|>; Llama 3 uses <|eot_id|> and [/INST] is Mistral."}',
          'search_web',
          'spc000001',
        ),
        a('It is the ChatML end-of-turn marker.'),
      ],
      SYS,
      [searchWeb],
    ),
  ),
  tc(
    'tool_result_whitespace',
    'tool result with whitespace and newlines at its edges',
    ['whitespace'],
    conv(
      [
        u('Run print(1)'),
        calls(call('run_python', { code: 'print(1)' }, 'ws0000001')),
        tool('\n1\n  ', 'run_python', 'ws0000001'),
        a('It printed 1.'),
      ],
      undefined,
      [runPython],
    ),
  ),
  tc(
    'tool_long_agent',
    'a long agent run: six user turns, calls, parallel calls and results',
    [],
    conv(
      [
        u("I'm planning a weekend in Kyoto."),
        a('Nice! What would you like to know first?'),
        u('The weather.'),
        calls(call('get_weather', { city: 'Kyoto' }, 'kyo000001')),
        tool('{"temperature": 19, "condition": "clear"}', 'get_weather', 'kyo000001'),
        a('Kyoto will be 19 °C and clear.'),
        u('Find two temples to visit.'),
        calls(call('search_web', { query: 'best temples Kyoto', max_results: 2 }, 'kyo000002')),
        tool('["Kiyomizu-dera", "Kinkaku-ji"]', 'search_web', 'kyo000002'),
        a('Kiyomizu-dera and Kinkaku-ji are the classics.'),
        u('How far apart are they, and what does a taxi cost per km?'),
        calls(
          call('search_web', { query: 'distance Kiyomizu-dera Kinkaku-ji' }, 'kyo000003'),
          call('search_web', { query: 'Kyoto taxi fare per km' }, 'kyo000004'),
        ),
        tool('About 9 km.', 'search_web', 'kyo000003'),
        tool('Roughly 400 yen per km after the first 1.2 km.', 'search_web', 'kyo000004'),
        a('They are about 9 km apart; a taxi runs roughly 400 yen per km.'),
        u('So about how much for the ride?'),
        calls(call('calculator', { expression: '9 * 400' }, 'kyo000005')),
        tool('3600', 'calculator', 'kyo000005'),
        a('Roughly 3,600 yen, plus the base fare.'),
        u('Translate "thank you" into Japanese for the driver.'),
        calls(call('translate', { text: 'thank you', target_lang: 'ja' }, 'kyo000006')),
        tool('ありがとうございます', 'translate', 'kyo000006'),
        a('Say "ありがとうございます" (arigatō gozaimasu).'),
        u('Perfect, thanks!'),
        a('Have a wonderful weekend in Kyoto!'),
      ],
      'You are a travel agent with tools.',
      ALL,
    ),
  ),
];

// ---------------------------------------------------------------------------------------------
// Thinking

const thinking: CorpusCase[] = [
  tc(
    'think_last_turn',
    'reasoning_content on the final assistant turn',
    [],
    conv([
      u('Is 17 prime?'),
      a('Yes, 17 is prime.', {
        reasoning_content: '17 is not divisible by 2, 3 (17/3 is not whole) — √17 < 5, so it is prime.',
      }),
    ]),
  ),
  tc(
    'think_earlier_turns',
    'reasoning_content on earlier and last assistant turns',
    ['multi_turn'],
    conv(
      [
        u('What is 12 * 12?'),
        a('144.', { reasoning_content: '12 * 12 = 144.' }),
        u('And its square root plus 5?'),
        a('17.', { reasoning_content: '√144 = 12, 12 + 5 = 17.' }),
      ],
      SYS,
    ),
  ),
  tc(
    'think_earlier_then_gen',
    'reasoning on an earlier turn, ending on a user turn',
    ['multi_turn'],
    conv([
      u('Name a prime between 20 and 30.'),
      a('23.', { reasoning_content: 'Candidates: 21=3·7, 22, 23 prime.' }),
      u('Another one?'),
    ]),
    true,
  ),
  tc(
    'think_inline_last',
    'assistant content with an inline <think> block (R1 style) on the last turn',
    [],
    conv([u('What is 2 + 2?'), a('<think>\nSimple arithmetic: 2 + 2 = 4.\n</think>\n\nThe answer is 4.')]),
  ),
  tc(
    'think_inline_earlier',
    'inline <think> blocks in earlier and last turns',
    ['multi_turn'],
    conv(
      [
        u('Capital of Australia?'),
        a('<think>\nNot Sydney — it is Canberra.\n</think>\n\nCanberra.'),
        u('And of New Zealand?'),
        a('<think>\nWellington, not Auckland.\n</think>\n\nWellington.'),
      ],
      SYS,
    ),
  ),
  tc(
    'think_inline_earlier_gen',
    'inline <think> in an earlier turn, ending on user',
    ['multi_turn'],
    conv([
      u('Pick a number from 1 to 3.'),
      a('<think>\nI will pick the middle one.\n</think>\n\n2.'),
      u('Why that one?'),
    ]),
    true,
  ),
  tc(
    'think_empty_reasoning',
    'an empty reasoning_content string',
    ['empty_content'],
    conv([u('Say hi.'), a('Hi!', { reasoning_content: '' })]),
  ),
  tc(
    'think_with_tools',
    'reasoning before a tool call and before the final answer',
    [],
    conv(
      [
        u('Weather in Paris, in Fahrenheit?'),
        a('', {
          reasoning_content: 'I need the weather tool with unit fahrenheit.',
          tool_calls: [call('get_weather', { city: 'Paris', unit: 'fahrenheit' }, 'thk000001')],
        }),
        tool('{"temperature": 64}', 'get_weather', 'thk000001'),
        a('It is 64 °F in Paris.', { reasoning_content: 'The tool says 64 °F.' }),
      ],
      SYS,
      W,
    ),
  ),
  tc(
    'think_cjk',
    'Chinese reasoning and answer',
    ['cjk'],
    conv([u('一打鸡蛋有几个？'), a('一打是 12 个。', { reasoning_content: '“一打”等于十二。' })]),
  ),
  tc(
    'think_whitespace_edges',
    'reasoning and answer with newlines at their edges',
    ['whitespace'],
    conv([
      u('Why is the sky blue?'),
      a('\nRayleigh scattering.\n', { reasoning_content: '\n  Shorter wavelengths scatter more.  \n' }),
    ]),
  ),
  tc(
    'think_inline_and_field',
    'both an inline <think> in content and reasoning_content on the same turn',
    [],
    conv([u('Two plus three?'), a('<think>\nInline: 5.\n</think>\n\n5', { reasoning_content: 'Field: 2 + 3 = 5.' })]),
  ),
];

// ---------------------------------------------------------------------------------------------
// Generated combinations: a few base exchanges × (system, no system) × (answered, awaiting answer)

const bases: { id: string; desc: string; tags: string[]; turns: [string, string][] }[] = [
  {
    id: 'recipe',
    desc: 'a cooking question',
    tags: [],
    turns: [
      ['How long do I boil an egg for a soft yolk?', 'About 6 minutes from boiling water, then cool it in ice water.'],
    ],
  },
  {
    id: 'code',
    desc: 'a two-round coding exchange',
    tags: ['quotes'],
    turns: [
      ['How do I read a file in Node?', 'Use `await fs.promises.readFile("a.txt", "utf8")`.'],
      ['And write one?', 'Use `await fs.promises.writeFile("b.txt", data)`.'],
    ],
  },
  {
    id: 'fr_de',
    desc: 'French and German with typographic quotes',
    tags: [],
    turns: [
      ['Comment dit-on « merci » en allemand ?', 'On dit „Danke“.'],
      ["Et « s'il vous plaît » ?", '„Bitte“.'],
    ],
  },
  { id: 'zh', desc: 'a Chinese exchange', tags: ['cjk'], turns: [['今天星期几？', '抱歉，我无法获取实时日期。']] },
  {
    id: 'emoji',
    desc: 'emoji-only reply',
    tags: ['emoji'],
    turns: [['React with an emoji to: I got the job!', '🎉🥳']],
  },
  {
    id: 'edges',
    desc: 'whitespace edges in every turn',
    tags: ['whitespace'],
    turns: [
      [' a ', ' b '],
      ['\tc\t', '\nd\n'],
    ],
  },
];

const generated: CorpusCase[] = [];
for (const b of bases) {
  for (const withSystem of [false, true]) {
    for (const awaiting of [false, true]) {
      const msgs: Message[] = [];
      b.turns.forEach(([q, r], i) => {
        msgs.push(u(q));
        if (!(awaiting && i === b.turns.length - 1)) msgs.push(a(r));
      });
      const id = `gen_${b.id}_${withSystem ? 'sys' : 'nosys'}_${awaiting ? 'gen' : 'done'}`;
      generated.push(
        tc(
          id,
          `${b.desc}, ${withSystem ? 'with' : 'without'} system, ${awaiting ? 'awaiting the answer' : 'answered'}`,
          [...b.tags, 'generated'],
          conv(msgs, withSystem ? 'You are a friendly assistant. Keep answers short.' : undefined),
          awaiting,
        ),
      );
    }
  }
}

export const corpus: CorpusCase[] = [...plain, ...text, ...longConv, ...tools, ...thinking, ...generated];

/** Cases carrying every one of `tags`. */
export function casesWith(...tags: string[]): CorpusCase[] {
  return corpus.filter((c) => tags.every((t) => c.tags.includes(t)));
}
