// A chat template as data (ms-swift style): the strings that wrap each turn, where the system
// prompt goes, the default system prompt, the generation prompt, stop words, the family's native
// tool format and thinking rules, and its quirks as flags. `render.ts` walks a conversation once
// with a spec and an agent template (agent/); it has no per-family code.

/** Built-in template ids (`prism templates`). */
export type TemplateId =
  | 'qwen2_5'
  | 'qwen3'
  | 'llama3'
  | 'llama3_2'
  | 'internlm2'
  | 'glm4'
  | 'mistral'
  | 'mistral_nemo'
  | 'gemma2'
  | 'gemma3'
  | 'phi3'
  | 'phi4_mini'
  | 'deepseek_r1'
  | 'smollm2'
  | 'chatml'
  | 'qwen3_5'
  | 'qwen3_coder'
  | 'minicpm5'
  | 'granite4'
  | 'granite3_3'
  | 'hermes3'
  | 'lfm2_5'
  | 'smollm3'
  | 'glm4_5'
  | 'glm4_7'
  | 'deepseek_v3_1'
  | 'seed_oss'
  | 'kimi_k2'
  | 'mistral_small'
  | 'gpt_oss'
  | 'gemma4';

/** A family's native tool format: the agent template `native:<id>` (agent/native/). */
export type ToolFormatId =
  | 'hermes'
  | 'llama3_json'
  | 'mistral'
  | 'glm4'
  | 'phi4_mini'
  | 'deepseek'
  | 'react'
  | 'qwen3_5'
  | 'qwen3_coder'
  | 'minicpm5'
  | 'granite4'
  | 'granite3_3'
  | 'hermes3'
  | 'lfm2_5'
  | 'glm4_5'
  | 'glm4_7'
  | 'deepseek_v3_1'
  | 'seed_oss'
  | 'kimi_k2'
  | 'mistral_small'
  | 'gpt_oss'
  | 'gemma4';

/** Variables of the official templates beyond enable_thinking, under their own names. */
export interface TemplateVars {
  /** gpt-oss: low | medium | high (default medium). */
  reasoning_effort?: string;
  /** gpt-oss: the model's identity line (default "You are ChatGPT, a large language model trained by OpenAI."). */
  model_identity?: string;
  /** gpt-oss: built-in tools described in the system message: browser, python (default none). */
  builtin_tools?: string[];
  /** Seed-OSS: the thinking budget in tokens; -1 (default) none, 0 no thinking. */
  thinking_budget?: number;
  /** LFM2.5: keep the reasoning of earlier replies (default false). */
  keep_past_thinking?: boolean;
  /** GLM-4.7: false keeps the reasoning of every reply (default: cleared before the last user turn). */
  clear_thinking?: boolean;
  /** Granite 3.3: the thinking system prompt when there is no system prompt (default false). */
  thinking?: boolean;
}

/** A variable a spec reads, with the official default (for `prism templates` and the Templates page). */
export interface TemplateVarDecl {
  name: keyof TemplateVars | 'enable_thinking' | 'today';
  /** The official template's default, as text. */
  default: string;
  description: string;
}

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
   * - `turn`: its own turn with `systemTurn` (skipped when absent, unless `defaultSystem` or
   *   `systemPreamble`).
   * - `first_user`: prepended to the first turn's content with a blank line (Gemma).
   * - `last_user`: inside the last user turn, before its content, when the conversation ends
   *   with a user turn; otherwise the official template drops it (Mistral; we warn).
   * - `raw`: written right after BOS with no wrapper (DeepSeek-R1).
   */
  systemPlacement: 'turn' | 'first_user' | 'last_user' | 'raw';
  systemTurn: TurnWrapper;
  /**
   * Text every system turn starts with, written even without a system prompt (Llama 3.1+'s
   * knowledge and `Today Date` lines); `{{DATE}}` is the date option or `defaultDate`.
   */
  systemPreamble?: string;
  /** Used when the record has no system prompt. */
  defaultSystem?: string;
  /** The separator after the system turn when it holds `defaultSystem` (Kimi-K2 writes a newline there only). */
  defaultSystemSep?: string;
  /** An empty system prompt counts as none, so the default system applies (Granite 4.0). */
  emptySystemIsDefault?: boolean;
  /** The official template's variables this spec reads (render options; `prism templates` lists them). */
  vars?: TemplateVarDecl[];
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
  /** The alternation check skips tool-call turns and tool results (Mistral). */
  alternationSkipsTools?: boolean;
  /** BOS is written only when something follows it (Llama 3.0 loops over messages to write it). */
  bosOnlyWithMessages?: boolean;
  /** A reply gets the assistant header only right after a user turn (DeepSeek-V3.1). */
  replyHeaderAfterUserOnly?: boolean;
  /** User and assistant turns with empty content are not written (GLM-4). */
  skipEmptyTurns?: boolean;
  /**
   * The family has no end-of-turn marker: a reply ends where the model writes the next role token
   * (GLM-4's `<|user|>`, `<|observation|>`), so that token is trained with the reply before it.
   */
  replyEndsAtNextRole?: boolean;
  /**
   * The stop marker trained after a final reply that the template leaves without one (ms-swift's
   * template suffix, e.g. GLM-4's `<|user|>`); written only for training (no generation prompt) and
   * shown as added.
   */
  finalStop?: string;
  /** Tool-call arguments given as a string are printed as they are, not JSON-encoded (Qwen3). */
  rawStringArguments?: boolean;
  /** Mistral v0.3 writes a space after [AVAILABLE_TOOLS], [TOOL_CALLS], [TOOL_RESULTS]. */
  spaceAfterToolTokens?: boolean;
  /** Strings the model's tokenizer treats as special tokens (for the doctor). */
  specialTokens: string[];
  /** Stop words / end-of-turn markers for generation. */
  stop: string[];
  /** The native tool format (agent template `native:<toolFormat>`), used unless another is chosen. */
  toolFormat: ToolFormatId;
  /** Reasoning handling: Qwen3's `<think>` rules, or DeepSeek-R1's (reasoning dropped). */
  thinking?:
    | 'qwen3'
    | 'r1'
    | 'qwen3_5'
    | 'ignored'
    | 'minicpm5'
    | 'granite3_3'
    | 'lfm2_5'
    | 'smollm3'
    | 'glm4_5'
    | 'glm4_7'
    | 'deepseek_v3_1'
    | 'seed_oss'
    | 'mistral_small'
    | 'gpt_oss'
    | 'gemma4';
  /** Llama 3.1+ `Today Date` line: the default when no `date` option is given. */
  defaultDate?: string;
}
