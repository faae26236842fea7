// A chat template as data (ms-swift style): the strings that wrap each turn, where the system
// prompt goes, the default system prompt, the generation prompt, stop words, and which tool
// format and thinking rules apply. `render.ts` walks a conversation once with a spec.

/** Built-in template ids (`prism templates`). */
export type TemplateId =
  | 'qwen2_5' | 'qwen3' | 'llama3' | 'llama3_2' | 'internlm2' | 'glm4' | 'mistral' | 'mistral_nemo'
  | 'gemma2' | 'gemma3' | 'phi3' | 'phi4_mini' | 'deepseek_r1' | 'smollm2' | 'chatml';

/** How tools are listed, and how calls and results are written (see tool-formats.ts). */
export type ToolFormatId = 'hermes' | 'llama3_json' | 'mistral' | 'glm4' | 'phi4_mini' | 'deepseek' | 'react';

/** One turn's wrapping: `prefix` (role header) + content + `suffix` (end-of-turn marker) + `sep`. */
export interface TurnWrapper {
  prefix: string;
  /** The end-of-turn marker. Trained with an assistant turn. */
  suffix: string;
  /** Text after the end-of-turn marker (e.g. ChatML's newline). Never trained (as ms-swift). */
  sep: string;
}

export interface TemplateSpec {
  id: TemplateId;
  family: string;
  /** Hugging Face Hub ids this template is for. */
  models: string[];
  /** The official template this spec is checked against, under ../shared/reference/chat_templates. */
  reference?: string;
  /** What this template does where the official one refuses or deviates (documentation). */
  notes?: string;
  /** Text the template starts with (the BOS token, or GLM's `[gMASK]<sop>`). */
  bos: string;
  /** End-of-sequence token (Phi ends a non-generation render with it). */
  eos: string;
  /**
   * Where the system prompt goes:
   * - `turn`: its own turn with `systemTurn` (skipped when absent, unless `defaultSystem`).
   * - `llama3`: Llama 3.1+'s header block with the knowledge/today date lines.
   * - `first_user`: prepended to the first turn's content with a blank line (Gemma).
   * - `last_user`: inside the last user turn, before its content, when the conversation ends
   *   with a user turn; otherwise the official template drops it (Mistral; we warn).
   * - `raw`: written right after BOS with no wrapper (DeepSeek-R1).
   */
  systemPlacement: 'turn' | 'llama3' | 'first_user' | 'last_user' | 'raw';
  systemTurn: TurnWrapper;
  /** Used when the record has no system prompt. */
  defaultSystem?: string;
  /** An empty system prompt writes no turn (Phi-3, GLM-4). */
  skipEmptySystem?: boolean;
  /** The official template refuses a system role; we merge it into the first user turn and warn. */
  systemUnsupported?: boolean;
  user: TurnWrapper;
  assistant: TurnWrapper;
  /** Tool results when the format puts them in their own turn (wrapper per result). */
  tool?: TurnWrapper;
  /** Content goes through Python's str.strip() (Jinja `|trim`), as Llama and Gemma templates do. */
  trimContent?: boolean;
  /** Assistant content trimmed only (Mistral v0.3 writes `" " + content|trim`). */
  trimAssistant?: boolean;
  generationPrompt: string;
  /** Appended after the last turn when no generation prompt is asked for (Phi's eos). */
  endWithoutGenerationPrompt?: string;
  /** Appended after the last turn always, even for training (Llama 3.0's template does). */
  alwaysAppend?: string;
  /** Roles must alternate user/assistant; the error text of the official template. */
  alternation?: string;
  /** Strings the model's tokenizer treats as special tokens (for the doctor). */
  specialTokens: string[];
  /** Stop words / end-of-turn markers for generation. */
  stop: string[];
  toolFormat: ToolFormatId;
  /** Reasoning handling: Qwen3's `<think>` rules, or DeepSeek-R1's (reasoning dropped). */
  thinking?: 'qwen3' | 'r1';
  /** Llama 3.1+ `Today Date` line: the default when no `date` option is given. */
  defaultDate?: string;
}
