// The 2025-26 families (issue 14) as data, each checked byte for byte against its official
// template (families.conformance.test.ts); FAMILIES.md says what each official template does.
// Registered with the older ones in specs.ts.
import type { TemplateSpec, TurnWrapper } from './spec.ts';

const chatml = (role: string): TurnWrapper => ({ prefix: `<|im_start|>${role}\n`, suffix: '<|im_end|>', sep: '\n' });
const CHATML_TOKENS = ['<|im_start|>', '<|im_end|>', '<|endoftext|>'];
const granite = (role: string): TurnWrapper => ({
  prefix: `<|start_of_role|>${role}<|end_of_role|>`,
  suffix: '<|end_of_text|>',
  sep: '\n',
});
const GRANITE_TOKENS = ['<|start_of_role|>', '<|end_of_role|>', '<|end_of_text|>', '<|tool_call|>'];
const NONE: TurnWrapper = { prefix: '', suffix: '', sep: '' };
const glm = (role: string, nl: string): TurnWrapper => ({ prefix: `<|${role}|>${nl}`, suffix: '', sep: '' });
const GLM_TOKENS = [
  '[gMASK]',
  '<sop>',
  '<|system|>',
  '<|user|>',
  '<|assistant|>',
  '<|observation|>',
  '<|endoftext|>',
  '<think>',
  '</think>',
  '<tool_call>',
  '</tool_call>',
  '<arg_key>',
  '</arg_key>',
  '<arg_value>',
  '</arg_value>',
  '<tool_response>',
  '</tool_response>',
];
const QWEN_TOOL_TOKENS = ['<tool_call>', '</tool_call>', '<tool_response>', '</tool_response>', '<think>', '</think>'];

export const familySpecs: TemplateSpec[] = [
  {
    id: 'qwen3_5',
    family: 'qwen',
    reference: 'Qwen3.5-4B.jinja',
    models: [
      'Qwen/Qwen3.5-0.8B',
      'Qwen/Qwen3.5-2B',
      'Qwen/Qwen3.5-4B',
      'Qwen/Qwen3.5-9B',
      'Qwen/Qwen3.5-27B',
      'Qwen/Qwen3.5-35B-A3B',
    ],
    notes:
      'Every content is trimmed, as the official template does. Every reply after the last user query gets a think ' +
      'block (empty when there is no reasoning; trained only with trainEmptyThink); reasoning before it is dropped ' +
      '(warning thinking_dropped). With tools the system turn starts with the tool list, the system prompt after it. ' +
      'Refuses, as the official template, a conversation without a user query.',
    bos: '',
    eos: '<|im_end|>',
    systemPlacement: 'turn',
    systemTurn: chatml('system'),
    trimContent: true,
    user: chatml('user'),
    assistant: chatml('assistant'),
    generationPrompt: '<|im_start|>assistant\n',
    specialTokens: [
      ...CHATML_TOKENS,
      ...QWEN_TOOL_TOKENS,
      '<|vision_start|>',
      '<|vision_end|>',
      '<|image_pad|>',
      '<|video_pad|>',
    ],
    stop: ['<|im_end|>', '<|endoftext|>'],
    toolFormat: 'qwen3_5',
    thinking: 'qwen3_5',
    vars: [
      {
        name: 'enable_thinking',
        default: 'true',
        description: 'false: the generation prompt writes an empty think block',
      },
    ],
  },
  {
    id: 'qwen3_coder',
    family: 'qwen',
    reference: 'Qwen3-Coder.jinja',
    models: ['Qwen/Qwen3-Coder-30B-A3B-Instruct', 'Qwen/Qwen3-Coder-480B-A35B-Instruct', 'Qwen/Qwen3-Coder-Next'],
    notes:
      'Content is written as it is (only the text next to tool calls is trimmed), as the official template does. It ' +
      'has no reasoning: reasoning_content is not written (warning thinking_dropped).',
    bos: '',
    eos: '<|im_end|>',
    systemPlacement: 'turn',
    systemTurn: chatml('system'),
    user: chatml('user'),
    assistant: chatml('assistant'),
    generationPrompt: '<|im_start|>assistant\n',
    specialTokens: [...CHATML_TOKENS, ...QWEN_TOOL_TOKENS, '<|fim_prefix|>', '<|fim_middle|>', '<|fim_suffix|>'],
    stop: ['<|im_end|>', '<|endoftext|>'],
    toolFormat: 'qwen3_coder',
    thinking: 'ignored',
  },
  {
    id: 'minicpm5',
    family: 'minicpm',
    reference: 'openbmb-MiniCPM5-1B.jinja',
    models: ['openbmb/MiniCPM5-1B', 'openbmb/MiniCPM5-1B-SFT'],
    notes:
      "BOS <s> (the MiniCPM tokenizers' bos_token; recalled, not re-read for MiniCPM5). Replies after the last user " +
      'query keep their reasoning as <think> blocks, earlier ones lose it (warning thinking_dropped), as the ' +
      'official template does. enableThinking only changes the generation prompt, and only when given (the template ' +
      'writes none by default).',
    bos: '<s>',
    eos: '<|im_end|>',
    systemPlacement: 'turn',
    systemTurn: chatml('system'),
    user: chatml('user'),
    assistant: chatml('assistant'),
    generationPrompt: '<|im_start|>assistant\n',
    specialTokens: ['<s>', '</s>', ...CHATML_TOKENS, '<think>', '</think>', '<tool_response>', '</tool_response>'],
    stop: ['<|im_end|>'],
    toolFormat: 'minicpm5',
    thinking: 'minicpm5',
    vars: [
      {
        name: 'enable_thinking',
        default: 'unset',
        description: 'true opens a think block after the generation prompt, false writes an empty one',
      },
    ],
  },
  {
    id: 'granite4',
    family: 'granite',
    reference: 'ibm-granite-granite-4.0.jinja',
    models: [
      'ibm-granite/granite-4.0-micro',
      'ibm-granite/granite-4.0-h-micro',
      'ibm-granite/granite-4.0-h-1b',
      'ibm-granite/granite-4.0-h-tiny',
      'ibm-granite/granite-4.0-h-small',
    ],
    notes:
      "Always a system turn: the system prompt, else Granite's default (also for an empty one). Tools are appended " +
      'to the system prompt. The template has no reasoning: reasoning_content is not written (warning ' +
      'thinking_dropped). The reference is llama.cpp\'s copy ("correct tool_call role mapping", PR #20804), which ' +
      "may differ from Hugging Face's.",
    bos: '',
    eos: '<|end_of_text|>',
    systemPlacement: 'turn',
    systemTurn: granite('system'),
    emptySystemIsDefault: true,
    defaultSystem: 'You are a helpful assistant. Please ensure responses are professional, accurate, and safe.',
    user: granite('user'),
    assistant: granite('assistant'),
    generationPrompt: '<|start_of_role|>assistant<|end_of_role|>',
    specialTokens: [...GRANITE_TOKENS, '<tool_call>', '</tool_call>', '<tool_response>', '</tool_response>'],
    stop: ['<|end_of_text|>'],
    toolFormat: 'granite4',
    thinking: 'ignored',
  },
  {
    id: 'granite3_3',
    family: 'granite',
    reference: 'ibm-granite-granite-3.3-2B-Instruct.jinja',
    models: ['ibm-granite/granite-3.3-2b-instruct', 'ibm-granite/granite-3.3-8b-instruct'],
    notes:
      "Without a system prompt Granite's own, dated with the `today` option (default: the current date, as the " +
      'official strftime_now). The official template writes no tool calls: they are written as <|tool_call|> + a ' +
      'JSON list after the text (warning tool_calls_native), the form its system prompt asks for. Results are tool ' +
      'turns. reasoning_content is not written (warning thinking_dropped).',
    bos: '',
    eos: '<|end_of_text|>',
    systemPlacement: 'turn',
    systemTurn: granite('system'),
    user: granite('user'),
    assistant: granite('assistant'),
    tool: granite('tool'),
    generationPrompt: '<|start_of_role|>assistant<|end_of_role|>',
    specialTokens: GRANITE_TOKENS,
    stop: ['<|end_of_text|>'],
    toolFormat: 'granite3_3',
    thinking: 'granite3_3',
    vars: [
      {
        name: 'today',
        default: 'the current date',
        description: 'the date in the default system prompt\'s "Today\'s Date"',
      },
      {
        name: 'thinking',
        default: 'false',
        description: 'the default system prompt asks for <think> and <response> sections',
      },
    ],
  },
  {
    id: 'hermes3',
    family: 'hermes',
    reference: 'NousResearch-Hermes-3-Llama-3.1-8B-tool_use.jinja',
    models: [
      'NousResearch/Hermes-3-Llama-3.2-3B',
      'NousResearch/Hermes-3-Llama-3.1-8B',
      'NousResearch/Hermes-3-Llama-3.1-70B',
    ],
    notes:
      'Records with tools use the tool_use template (transformers picks it when tools are given): a function-calling ' +
      'system turn, the system prompt as a second system turn, the text next to tool calls dropped as the template ' +
      'does (warning content_dropped). Records without tools use the default template: BOS + ChatML with "You are a ' +
      'helpful assistant." when there is no system prompt.',
    bos: '<|begin_of_text|>',
    eos: '<|im_end|>',
    systemPlacement: 'turn',
    systemTurn: chatml('system'),
    defaultSystem: 'You are a helpful assistant.',
    user: chatml('user'),
    assistant: chatml('assistant'),
    generationPrompt: '<|im_start|>assistant\n',
    specialTokens: [
      '<|begin_of_text|>',
      '<|end_of_text|>',
      ...CHATML_TOKENS.slice(0, 2),
      '<tool_call>',
      '</tool_call>',
      '<tool_response>',
      '</tool_response>',
    ],
    stop: ['<|im_end|>'],
    toolFormat: 'hermes3',
    thinking: 'ignored',
  },
  {
    id: 'lfm2_5',
    family: 'lfm',
    reference: 'LFM2.5-Instruct.jinja',
    models: ['LiquidAI/LFM2.5-1.2B-Instruct'],
    notes:
      'An empty system prompt writes no turn. Earlier replies are cut to what follows their last </think> unless ' +
      'keep_past_thinking. The official template writes no tool calls: they are written as ' +
      "<|tool_call_start|>[name(key='value')]<|tool_call_end|> after the text (warning tool_calls_native), as " +
      'LFM2.5 models emit them.',
    bos: '<|startoftext|>',
    eos: '<|im_end|>',
    systemPlacement: 'turn',
    systemTurn: chatml('system'),
    skipEmptySystem: true,
    user: chatml('user'),
    assistant: chatml('assistant'),
    tool: chatml('tool'),
    generationPrompt: '<|im_start|>assistant\n',
    specialTokens: [
      '<|startoftext|>',
      ...CHATML_TOKENS.slice(0, 2),
      '<|tool_call_start|>',
      '<|tool_call_end|>',
      '<think>',
      '</think>',
    ],
    stop: ['<|im_end|>'],
    toolFormat: 'lfm2_5',
    thinking: 'lfm2_5',
    vars: [
      {
        name: 'keep_past_thinking',
        default: 'false',
        description: "keep the reasoning in earlier replies' content",
      },
    ],
  },
  {
    id: 'smollm3',
    family: 'smollm',
    reference: 'HuggingFaceTB-SmolLM3-3B.jinja',
    models: ['HuggingFaceTB/SmolLM3-3B'],
    notes:
      "The system turn is SmolLM3's metadata block with the system prompt as custom instructions; /think and " +
      '/no_think in it set the reasoning mode, else enableThinking (default on). In /no_think mode replies start ' +
      "with an empty think block (trained only with trainEmptyThink). The reference (Unsloth's edit of the Hugging " +
      'Face template) has no tool support: tools are written as ReAct text (warning tools_as_react).',
    bos: '',
    eos: '<|im_end|>',
    systemPlacement: 'turn',
    systemTurn: chatml('system'),
    user: chatml('user'),
    assistant: chatml('assistant'),
    tool: chatml('user'),
    generationPrompt: '<|im_start|>assistant\n',
    specialTokens: [...CHATML_TOKENS.slice(0, 2), '<|begin_of_text|>', '<|end_of_text|>', '<think>', '</think>'],
    stop: ['<|im_end|>'],
    toolFormat: 'react',
    thinking: 'smollm3',
    vars: [
      {
        name: 'enable_thinking',
        default: 'true',
        description: 'the reasoning mode when the system prompt has no /think or /no_think',
      },
    ],
  },
  {
    id: 'glm4_5',
    family: 'glm',
    reference: 'GLM-4.6.jinja',
    models: ['zai-org/GLM-4.5', 'zai-org/GLM-4.5-Air', 'zai-org/GLM-4.6'],
    notes:
      'No end-of-turn marker, as GLM-4: the role token after a reply is trained with it, and after the final reply ' +
      "<|user|> (ms-swift's template suffix) is added for training. Every reply starts with a think block: the " +
      'reasoning after the last user turn, else an empty one (trained only with trainEmptyThink); earlier reasoning ' +
      'is dropped (warning thinking_dropped). enableThinking=false appends /nothink to user turns, as the official ' +
      'template does.',
    bos: '[gMASK]<sop>',
    eos: '<|endoftext|>',
    systemPlacement: 'turn',
    systemTurn: glm('system', '\n'),
    user: glm('user', '\n'),
    assistant: glm('assistant', ''),
    replyEndsAtNextRole: true,
    finalStop: '<|user|>',
    generationPrompt: '<|assistant|>',
    specialTokens: GLM_TOKENS,
    stop: ['<|user|>', '<|observation|>', '<|endoftext|>'],
    toolFormat: 'glm4_5',
    thinking: 'glm4_5',
    vars: [
      {
        name: 'enable_thinking',
        default: 'unset (thinking)',
        description: 'false: /nothink on user turns and an empty think block in the generation prompt',
      },
    ],
  },
  {
    id: 'glm4_7',
    family: 'glm',
    reference: 'GLM-4.7-Flash.jinja',
    models: ['zai-org/GLM-4.7', 'zai-org/GLM-4.7-Flash'],
    notes:
      'As glm4_5 without the newlines: an empty think block is a bare </think>. clear_thinking=false keeps the ' +
      'reasoning of every reply. The generation prompt opens <think> (</think> when enableThinking is false).',
    bos: '[gMASK]<sop>',
    eos: '<|endoftext|>',
    systemPlacement: 'turn',
    systemTurn: glm('system', ''),
    user: glm('user', ''),
    assistant: glm('assistant', ''),
    replyEndsAtNextRole: true,
    finalStop: '<|user|>',
    generationPrompt: '<|assistant|>',
    specialTokens: GLM_TOKENS,
    stop: ['<|user|>', '<|observation|>', '<|endoftext|>'],
    toolFormat: 'glm4_7',
    thinking: 'glm4_7',
    vars: [
      { name: 'enable_thinking', default: 'true', description: 'false: the generation prompt closes the think block' },
      {
        name: 'clear_thinking',
        default: 'true',
        description: 'false: keep the reasoning of replies before the last user turn',
      },
    ],
  },
  {
    id: 'deepseek_v3_1',
    family: 'deepseek',
    reference: 'deepseek-ai-DeepSeek-V3.1.jinja',
    models: ['deepseek-ai/DeepSeek-V3.1', 'deepseek-ai/DeepSeek-V3.1-Terminus'],
    notes:
      'The system prompt goes right after BOS. The official template never writes reasoning (it is written for ' +
      'inference); the reasoning of the reply after the last user turn is kept as <think>…</think> so it is trained ' +
      '(warning reasoning_kept), earlier reasoning is dropped (warning thinking_dropped). enableThinking (the ' +
      "template's `thinking`, default false) chooses <think> or <think></think> after the generation prompt, which " +
      'is only written after a user turn. The template has no tool list (warning tools_not_listed). Reference edited ' +
      'by llama.cpp: arguments through tojson.',
    bos: '<｜begin▁of▁sentence｜>',
    eos: '<｜end▁of▁sentence｜>',
    systemPlacement: 'raw',
    systemTurn: NONE,
    user: { prefix: '<｜User｜>', suffix: '', sep: '' },
    assistant: { prefix: '<｜Assistant｜>', suffix: '<｜end▁of▁sentence｜>', sep: '' },
    generationPrompt: '<｜Assistant｜>',
    replyHeaderAfterUserOnly: true,
    specialTokens: [
      '<｜begin▁of▁sentence｜>',
      '<｜end▁of▁sentence｜>',
      '<｜User｜>',
      '<｜Assistant｜>',
      '<think>',
      '</think>',
      '<｜tool▁calls▁begin｜>',
      '<｜tool▁calls▁end｜>',
      '<｜tool▁call▁begin｜>',
      '<｜tool▁call▁end｜>',
      '<｜tool▁sep｜>',
      '<｜tool▁output▁begin｜>',
      '<｜tool▁output▁end｜>',
    ],
    stop: ['<｜end▁of▁sentence｜>'],
    toolFormat: 'deepseek_v3_1',
    thinking: 'deepseek_v3_1',
    vars: [
      {
        name: 'enable_thinking',
        default: 'false',
        description: "the template's `thinking`: <think> (true) or <think></think> after the generation prompt",
      },
    ],
  },
  {
    id: 'seed_oss',
    family: 'seed',
    reference: 'ByteDance-Seed-OSS.jinja',
    models: ['ByteDance-Seed/Seed-OSS-36B-Instruct'],
    notes:
      'Every turn is <seed:bos>ROLE\n…<seed:eos> (the template sets its own tokens). Every reply keeps its reasoning ' +
      '(<seed:think>…</seed:think>); replies are trimmed; an empty reply is written without <seed:eos> as the ' +
      'official template does (warning empty_reply_unterminated). thinking_budget (default -1) adds the budget ' +
      'system turn; 0 also closes an empty think block in the generation prompt.',
    bos: '',
    eos: '<seed:eos>',
    systemPlacement: 'turn',
    systemTurn: { prefix: '<seed:bos>system\n', suffix: '<seed:eos>', sep: '' },
    user: { prefix: '<seed:bos>user\n', suffix: '<seed:eos>', sep: '' },
    assistant: { prefix: '<seed:bos>assistant', suffix: '<seed:eos>', sep: '' },
    tool: { prefix: '<seed:bos>tool\n', suffix: '<seed:eos>', sep: '' },
    generationPrompt: '<seed:bos>assistant\n',
    specialTokens: [
      '<seed:bos>',
      '<seed:eos>',
      '<seed:pad>',
      '<seed:think>',
      '</seed:think>',
      '<seed:tool_call>',
      '</seed:tool_call>',
      '<seed:cot_budget_reflect>',
      '</seed:cot_budget_reflect>',
    ],
    stop: ['<seed:eos>'],
    toolFormat: 'seed_oss',
    thinking: 'seed_oss',
    vars: [
      {
        name: 'thinking_budget',
        default: '-1',
        description: 'the thinking budget in tokens (-1: none, 0: answer without thinking)',
      },
    ],
  },
  {
    id: 'kimi_k2',
    family: 'kimi',
    reference: 'Kimi-K2-Instruct.jinja',
    models: ['moonshotai/Kimi-K2-Instruct', 'moonshotai/Kimi-K2-Instruct-0905'],
    notes:
      "Without a system prompt Kimi's default system turn (followed by a newline, as the template writes it). The " +
      "reference (edited by llama.cpp) numbers tool calls with list.append, which transformers' sandbox refuses: " +
      'every conversation with a tool call fails there; we write what the template writes where lists may change ' +
      '(warning template_mutates_lists). The template has no reasoning: reasoning_content is not written (warning ' +
      'thinking_dropped).',
    bos: '',
    eos: '<|im_end|>',
    systemPlacement: 'turn',
    systemTurn: { prefix: '<|im_system|>system<|im_middle|>', suffix: '<|im_end|>', sep: '' },
    defaultSystem: 'You are Kimi, an AI assistant created by Moonshot AI.',
    defaultSystemSep: '\n',
    user: { prefix: '<|im_user|>user<|im_middle|>', suffix: '<|im_end|>', sep: '' },
    assistant: { prefix: '<|im_assistant|>assistant<|im_middle|>', suffix: '<|im_end|>', sep: '' },
    generationPrompt: '<|im_assistant|>assistant<|im_middle|>',
    specialTokens: [
      '<|im_system|>',
      '<|im_user|>',
      '<|im_assistant|>',
      '<|im_middle|>',
      '<|im_end|>',
      '<|tool_calls_section_begin|>',
      '<|tool_calls_section_end|>',
      '<|tool_call_begin|>',
      '<|tool_call_argument_begin|>',
      '<|tool_call_end|>',
    ],
    stop: ['<|im_end|>'],
    toolFormat: 'kimi_k2',
    thinking: 'ignored',
  },
  {
    id: 'mistral_small',
    family: 'mistral',
    reference: 'Mistral-Small-3.2-24B-Instruct-2506.jinja',
    models: ['mistralai/Mistral-Small-3.2-24B-Instruct-2506'],
    notes:
      "Always a system turn: the system prompt, else Mistral's default dated with the `today` option (default: the " +
      'current date, as the official strftime_now). No generation prompt, as the official template. Roles must ' +
      'alternate (tool turns aside) and tool call ids must be 9 characters: refused with the official reasons; ' +
      'fixToolCallIds (--fix-tool-call-ids) rewrites the ids instead (warning tool_call_ids_rewritten). Text next to ' +
      'tool calls is dropped as the template does (warning content_dropped). Devstral and Magistral have other ' +
      'default system prompts: not covered.',
    bos: '<s>',
    eos: '</s>',
    systemPlacement: 'turn',
    systemTurn: { prefix: '[SYSTEM_PROMPT]', suffix: '[/SYSTEM_PROMPT]', sep: '' },
    user: { prefix: '[INST]', suffix: '[/INST]', sep: '' },
    assistant: { prefix: '', suffix: '</s>', sep: '' },
    generationPrompt: '',
    alternation:
      'After the optional system message, conversation roles must alternate ' + 'user/assistant/user/assistant/...',
    alternationSkipsTools: true,
    specialTokens: [
      '<s>',
      '</s>',
      '[INST]',
      '[/INST]',
      '[SYSTEM_PROMPT]',
      '[/SYSTEM_PROMPT]',
      '[AVAILABLE_TOOLS]',
      '[/AVAILABLE_TOOLS]',
      '[TOOL_CALLS]',
      '[CALL_ID]',
      '[ARGS]',
      '[TOOL_RESULTS]',
      '[TOOL_CONTENT]',
      '[/TOOL_RESULTS]',
      '[IMG]',
    ],
    stop: ['</s>'],
    toolFormat: 'mistral_small',
    thinking: 'mistral_small',
    vars: [{ name: 'today', default: 'the current date', description: 'the date in the default system prompt' }],
  },
  {
    id: 'gpt_oss',
    family: 'gpt-oss',
    reference: 'openai-gpt-oss-120b.jinja',
    models: ['openai/gpt-oss-20b', 'openai/gpt-oss-120b'],
    notes:
      'Harmony: a system message always (dated with the `today` option, default the current date as the official ' +
      'strftime_now; reasoning_effort, model_identity, builtin_tools), the system prompt as the developer message. ' +
      'Replies go to the final channel; the last reply of a training text ends <|return|> and keeps its reasoning as ' +
      'an analysis message, others lose theirs (warning thinking_dropped), as the official template. It writes one ' +
      'tool call per message and drops the rest: each call is written as its own message (warning tool_calls_split), ' +
      'each result named after its own call (the template names all after the last). Refuses <|channel|> tags in ' +
      'content, as it does.',
    bos: '',
    eos: '<|return|>',
    systemPlacement: 'turn',
    systemTurn: { prefix: '<|start|>system<|message|>', suffix: '<|end|>', sep: '' },
    user: { prefix: '<|start|>user<|message|>', suffix: '<|end|>', sep: '' },
    assistant: { prefix: '<|start|>assistant', suffix: '<|end|>', sep: '' },
    generationPrompt: '<|start|>assistant',
    specialTokens: [
      '<|start|>',
      '<|end|>',
      '<|message|>',
      '<|channel|>',
      '<|call|>',
      '<|return|>',
      '<|constrain|>',
      '<|startoftext|>',
      '<|endoftext|>',
    ],
    stop: ['<|return|>', '<|call|>'],
    toolFormat: 'gpt_oss',
    thinking: 'gpt_oss',
    vars: [
      { name: 'today', default: 'the current date', description: 'Current date in the system message' },
      { name: 'reasoning_effort', default: 'medium', description: 'low, medium or high' },
      {
        name: 'model_identity',
        default: 'You are ChatGPT, a large language model trained by OpenAI.',
        description: 'the first line of the system message',
      },
      { name: 'builtin_tools', default: 'none', description: 'browser and/or python, described in the system message' },
    ],
  },
  {
    id: 'gemma4',
    family: 'gemma',
    reference: 'google-gemma-4-31B-it.jinja',
    models: ['google/gemma-4-E2B-it', 'google/gemma-4-E4B-it', 'google/gemma-4-26B-A4B-it', 'google/gemma-4-31B-it'],
    notes:
      'The system turn exists with a system prompt, tools or enableThinking (then it starts <|think|>). Tool results ' +
      'go inside the calling model turn, then its text; without text the turn stays open and the next reply ' +
      'continues it, as the official template does. Reasoning is written only in call turns after the last user ' +
      'message (warning thinking_dropped elsewhere). The generation prompt closes an empty thought channel unless ' +
      'enableThinking; none after tool results.',
    bos: '<bos>',
    eos: '<turn|>',
    systemPlacement: 'turn',
    systemTurn: { prefix: '<|turn>system\n', suffix: '<turn|>', sep: '\n' },
    trimContent: true,
    user: { prefix: '<|turn>user\n', suffix: '<turn|>', sep: '\n' },
    assistant: { prefix: '<|turn>model\n', suffix: '<turn|>', sep: '\n' },
    generationPrompt: '<|turn>model\n',
    specialTokens: [
      '<bos>',
      '<eos>',
      '<|turn>',
      '<turn|>',
      '<|think|>',
      '<|channel>',
      '<channel|>',
      '<|tool>',
      '<tool|>',
      '<|tool_call>',
      '<tool_call|>',
      '<|tool_response>',
      '<tool_response|>',
      '<|"|>',
      '<|image|>',
      '<|audio|>',
      '<|video|>',
    ],
    stop: ['<turn|>', '<eos>', '<|tool_response>'],
    toolFormat: 'gemma4',
    thinking: 'gemma4',
    vars: [
      {
        name: 'enable_thinking',
        default: 'false',
        description: 'true: <|think|> in the system turn and an open thought channel in the generation prompt',
      },
    ],
  },
];
