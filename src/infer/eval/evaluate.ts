// Base vs tuned on a set of records: each record's prompt rendered with the template and its
// generation prompt, a greedy reply from the base model and one with the adapter (applied
// unmerged on the same loaded weights, one KV cache for both), each scored against the record's
// reference reply — exact match, token F1 and ROUGE-L for a text answer, the tool-call check for
// a call. Records are generated one after another through one KV decoder sized for the longest.
import type { PreTrainedTokenizer } from '@huggingface/transformers';
import type { ImportedAdapter } from '../../adapters/peft.ts';
import { eosList } from '../../model/config.ts';
import { getTemplate, render } from '../../templates/index.ts';
import { generate } from '../generate.ts';
import type { LoadedModel } from '../load.ts';
import { createKvRunner, kvNextLogits } from '../runner.ts';
import { lastAsk, type EvalItem } from './items.ts';
import { textScores, type TextScores } from './metrics.ts';
import { toolCallParserFor } from '../tool-calls.ts';
import { checkToolCalls, type ToolCheck } from './tool-call.ts';

export interface EvalSettings {
  template: string;
  /** The run's agent template (ms-swift name or native:<format>); absent: the family's own. */
  agent_template?: string;
  max_new_tokens: number;
}

export interface EvalReply {
  text: string;
  tokens: number;
  /** Scores against a text reference. */
  scores?: TextScores;
  /** The check against a tool-call reference (when a parser reads the format). */
  tool?: ToolCheck;
}

export interface EvalRow {
  line: number;
  /** The last thing asked (user message or tool result), for display. */
  ask: string;
  /** The prompt exactly as the model got it (with the generation prompt); '' when not rendered. */
  prompt: string;
  /** The reference reply as text (its calls as JSON when it makes calls), '' when none. */
  reference: string;
  base: EvalReply | null;
  tuned: EvalReply | null;
  /** Why the record was not evaluated (the template refused it, too long...). */
  error?: string;
}

export interface SideSummary {
  /** Records with a text reference, and the mean of each score over them. */
  text: number;
  exact_match: number;
  token_f1: number;
  rouge_l: number;
  /** Records with a tool-call reference that a parser checked, and how many passed each check. */
  tool: number;
  tool_parsed: number;
  tool_names: number;
  tool_arguments: number;
}

export interface EvalSummary {
  rows: number;
  errors: number;
  base: SideSummary;
  tuned: SideSummary | null;
  /** The ms-swift parser used for tool calls; null when none reads the format (calls not scored). */
  parser: string | null;
}

export interface EvalJob extends EvalSettings {
  device: GPUDevice;
  model: LoadedModel;
  tokenizer: PreTrainedTokenizer;
  /** The tuned side; null evaluates the base model alone. */
  adapter: ImportedAdapter | null;
  items: readonly EvalItem[];
  signal?: AbortSignal;
  onRow?(row: EvalRow, done: number, total: number): void;
}

function referenceText(item: EvalItem): string {
  const r = item.reference;
  if (!r) return '';
  if (!r.tool_calls?.length) return r.content;
  const calls = r.tool_calls.map((c) => JSON.stringify({ name: c.name, arguments: c.arguments })).join('\n');
  return r.content ? `${r.content}\n${calls}` : calls;
}

export function summarize(rows: readonly EvalRow[], side: 'base' | 'tuned'): SideSummary {
  const s: SideSummary = {
    text: 0,
    exact_match: 0,
    token_f1: 0,
    rouge_l: 0,
    tool: 0,
    tool_parsed: 0,
    tool_names: 0,
    tool_arguments: 0,
  };
  for (const row of rows) {
    const r = row[side];
    if (r?.scores) {
      s.text++;
      s.exact_match += r.scores.exact_match;
      s.token_f1 += r.scores.token_f1;
      s.rouge_l += r.scores.rouge_l;
    }
    if (r?.tool) {
      s.tool++;
      s.tool_parsed += Number(r.tool.parsed);
      s.tool_names += Number(r.tool.names);
      s.tool_arguments += Number(r.tool.arguments);
    }
  }
  if (s.text) {
    s.exact_match /= s.text;
    s.token_f1 /= s.text;
    s.rouge_l /= s.text;
  }
  return s;
}

export async function evaluate(job: EvalJob): Promise<{ rows: EvalRow[]; summary: EvalSummary; cancelled: boolean }> {
  const spec = getTemplate(job.template);
  const parser = toolCallParserFor(spec, job.agent_template);
  const limit = job.model.spec.max_position_embeddings;
  const rows: EvalRow[] = [];
  const total = job.items.length;
  const emit = (row: EvalRow) => {
    rows.push(row);
    job.onRow?.(row, rows.length, total);
  };

  // Render and tokenize every prompt first: the KV decoder is sized once, for the longest.
  const prompts: { item: EvalItem; ids: number[]; text: string }[] = [];
  for (const item of job.items) {
    const base = {
      line: item.line,
      ask: lastAsk(item),
      prompt: '',
      reference: referenceText(item),
      base: null,
      tuned: null,
    };
    let text: string;
    try {
      text = render(spec, item.prompt, {
        addGenerationPrompt: true,
        ...(job.agent_template ? { agentTemplate: job.agent_template } : {}),
      }).text;
    } catch (err) {
      emit({ ...base, error: `the template refused it: ${(err as Error).message}` });
      continue;
    }
    const ids = Array.from(job.tokenizer.encode(text, { add_special_tokens: false }) as ArrayLike<number>);
    if (!ids.length) emit({ ...base, prompt: text, error: 'the prompt is empty' });
    else if (ids.length + job.max_new_tokens > limit) {
      emit({
        ...base,
        prompt: text,
        error:
          `the prompt has ${ids.length} tokens: with ${job.max_new_tokens} new ones ` +
          `it passes the model’s ${limit}`,
      });
    } else prompts.push({ item, ids, text });
  }
  if (!prompts.length) return { rows, summary: summaryOf(rows, job, parser), cancelled: false };

  const maxT = Math.max(...prompts.map((p) => p.ids.length)) + job.max_new_tokens;
  const runner = createKvRunner(job.device, job.model, maxT, job.adapter);
  const stop = spec.stop;
  const eos = eosList(job.model.spec);
  const decode = (ids: number[]) => job.tokenizer.decode(ids, { skip_special_tokens: false });
  const reply = async (ids: number[], lora: boolean, item: EvalItem): Promise<EvalReply> => {
    let text = '';
    let tokens = 0;
    const next = kvNextLogits(runner.kv, { lora });
    for await (const piece of generate(next, ids, {
      max_new_tokens: job.max_new_tokens,
      temperature: 0,
      eos_token_ids: eos,
      stop,
      decode,
      signal: job.signal,
    })) {
      if (piece.id !== null) tokens++;
      text += piece.text;
    }
    const out: EvalReply = { text, tokens };
    const ref = item.reference;
    if (ref?.tool_calls?.length) {
      const tool = checkToolCalls(text, ref.tool_calls, spec, job.agent_template);
      if (tool) out.tool = tool;
    } else if (ref && ref.content.trim()) out.scores = textScores(text, ref.content);
    return out;
  };
  try {
    for (const { item, ids, text } of prompts) {
      if (job.signal?.aborted) break;
      const base = await reply(ids, false, item);
      const tuned = job.adapter && !job.signal?.aborted ? await reply(ids, true, item) : null;
      // A reply cut short by cancel is not a result.
      if (job.signal?.aborted) break;
      emit({ line: item.line, ask: lastAsk(item), prompt: text, reference: referenceText(item), base, tuned });
    }
  } finally {
    runner.destroy();
  }
  rows.sort((a, b) => a.line - b.line);
  return { rows, summary: summaryOf(rows, job, parser), cancelled: !!job.signal?.aborted };
}

function summaryOf(rows: readonly EvalRow[], job: EvalJob, parser: string | null): EvalSummary {
  return {
    rows: rows.length,
    errors: rows.filter((r) => r.error).length,
    base: summarize(rows, 'base'),
    tuned: job.adapter ? summarize(rows, 'tuned') : null,
    parser,
  };
}
