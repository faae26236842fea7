// The 2025-26 families (issue 14) as data, each checked byte for byte against its official
// template (families.conformance.test.ts); FAMILIES.md says what each official template does.
// Registered with the older ones in specs.ts.
import type { TemplateSpec, TurnWrapper } from './spec.ts';

const chatml = (role: string): TurnWrapper => ({ prefix: `<|im_start|>${role}\n`, suffix: '<|im_end|>', sep: '\n' });
const CHATML_TOKENS = ['<|im_start|>', '<|im_end|>', '<|endoftext|>'];
const QWEN_TOOL_TOKENS = ['<tool_call>', '</tool_call>', '<tool_response>', '</tool_response>', '<think>', '</think>'];

export const familySpecs: TemplateSpec[] = [
  {
    id: 'qwen3_5', family: 'qwen', reference: 'Qwen3.5-4B.jinja',
    models: ['Qwen/Qwen3.5-0.8B', 'Qwen/Qwen3.5-2B', 'Qwen/Qwen3.5-4B', 'Qwen/Qwen3.5-9B', 'Qwen/Qwen3.5-27B', 'Qwen/Qwen3.5-35B-A3B'],
    notes:
      'Every content is trimmed, as the official template does. Every reply after the last user query gets a think block ' +
      '(empty when there is no reasoning; trained only with trainEmptyThink); reasoning before it is dropped (warning ' +
      'thinking_dropped). With tools the system turn starts with the tool list, the system prompt after it. Refuses, as ' +
      'the official template, a conversation without a user query.',
    bos: '', eos: '<|im_end|>', systemPlacement: 'turn', systemTurn: chatml('system'), trimContent: true,
    user: chatml('user'), assistant: chatml('assistant'), generationPrompt: '<|im_start|>assistant\n',
    specialTokens: [...CHATML_TOKENS, ...QWEN_TOOL_TOKENS, '<|vision_start|>', '<|vision_end|>', '<|image_pad|>', '<|video_pad|>'],
    stop: ['<|im_end|>', '<|endoftext|>'], toolFormat: 'qwen3_5', thinking: 'qwen3_5',
  },
  {
    id: 'qwen3_coder', family: 'qwen', reference: 'Qwen3-Coder.jinja',
    models: ['Qwen/Qwen3-Coder-30B-A3B-Instruct', 'Qwen/Qwen3-Coder-480B-A35B-Instruct', 'Qwen/Qwen3-Coder-Next'],
    notes:
      'Content is written as it is (only the text next to tool calls is trimmed), as the official template does. It has ' +
      'no reasoning: reasoning_content is not written (warning thinking_dropped).',
    bos: '', eos: '<|im_end|>', systemPlacement: 'turn', systemTurn: chatml('system'),
    user: chatml('user'), assistant: chatml('assistant'), generationPrompt: '<|im_start|>assistant\n',
    specialTokens: [...CHATML_TOKENS, ...QWEN_TOOL_TOKENS, '<|fim_prefix|>', '<|fim_middle|>', '<|fim_suffix|>'],
    stop: ['<|im_end|>', '<|endoftext|>'], toolFormat: 'qwen3_coder', thinking: 'ignored',
  },
];
