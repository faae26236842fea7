// Test-only: the official templates of the 2025-26 families (issue 14) and how the conformance
// suite renders them (families.conformance.test.ts; the jinja mode's test renders them too).
// Special tokens are the model's tokenizer_config.json values where its template prints them.
import type { RenderOptions } from '../render.ts';
import type { ReferenceTemplate } from './official.ts';

export interface FamilyVariant {
  /** Shown in the counts (`qwen3_5@no-think`). */
  name: string;
  /** Extra kwargs for the official template. */
  extra: Record<string, unknown>;
  /** Our render options that mean the same. */
  options: Partial<RenderOptions>;
  /** Only the corpus cases that ask for a generation prompt (the variable only changes that). */
  generationOnly?: boolean;
}

export interface FamilyReference extends ReferenceTemplate {
  /** The date strftime_now returns in the official rendering, and our `date` option (YYYY-MM-DD). */
  now?: string;
  /** Render the official template in Jinja2's mutable sandbox (see hf_render.py). */
  sandbox?: 'mutable';
  variants?: FamilyVariant[];
}

export const familyReferences: Record<string, FamilyReference> = {
  qwen3_5: {
    templateId: 'qwen3_5',
    model: 'Qwen/Qwen3.5-4B',
    file: 'Qwen3.5-4B.jinja',
    specialTokens: { bos_token: null, eos_token: '<|im_end|>', pad_token: '<|endoftext|>' },
    notes: 'tokens as Qwen3 (the template prints none of them). enable_thinking undefined = thinking (generation prompt <think>\\n)',
    variants: [{ name: 'no-think', extra: { enable_thinking: false }, options: { enableThinking: false }, generationOnly: true }],
  },
  qwen3_coder: {
    templateId: 'qwen3_coder',
    model: 'Qwen/Qwen3-Coder-30B-A3B-Instruct',
    file: 'Qwen3-Coder.jinja',
    specialTokens: { bos_token: null, eos_token: '<|im_end|>', pad_token: '<|endoftext|>' },
    notes: 'tokens as Qwen3 (the template prints none). Edited by llama.cpp after import (SOURCES.md)',
  },
};
