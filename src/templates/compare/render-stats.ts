// Dataset-wide text statistics per column, no tokenizer needed: how many records each template
// renders or refuses (and why, most often), the doctor's findings by code, characters (all and
// trained) and, for a model's own template, how many records got approximate spans. Runs in a
// worker (src/workers/render-stats.worker.ts) so a large file never blocks the page; with a
// tokenizer for an own-template column the same worker also counts its tokens.
import type { Conversation } from '../../data/index.ts';
import { doctor, getTemplate, renderChecked, TemplateError, type RenderOptions, type TemplateId } from '../index.ts';
import type { TokenizerFiles } from '../../tokenize/load.ts';
import type { DatasetStats, LengthOptions } from '../../tokenize/types.ts';
import { renderOwnColumn, type OwnTemplateSource } from './own-template.ts';
import type { ColumnRender } from './render-column.ts';
import type { RenderChoices } from './render-column.ts';

export interface RenderStats {
  records: number;
  refused: number;
  /** Refusal messages and how often each came (at most MAX_REASONS kept apart; see OTHER_REASON). */
  reasons: Record<string, number>;
  /** Doctor findings by code (a refusal counts as `template_refused`; approximate spans do not). */
  warnings: Record<string, number>;
  /** Rendered records whose spans were located by matching (own templates that rewrite turns). */
  approximate: number;
  chars: number;
  trainedChars: number;
  maxChars: number;
}

/** Distinct refusal messages kept per column: a template that quotes the record would make one per record. */
export const MAX_REASONS = 32;
export const OTHER_REASON = '(other reasons)';
const REASON_CHARS = 300;

export function emptyRenderStats(): RenderStats {
  return { records: 0, refused: 0, reasons: {}, warnings: {}, approximate: 0, chars: 0, trainedChars: 0, maxChars: 0 };
}

function countReason(s: RenderStats, message: string): void {
  let key = message.length > REASON_CHARS ? `${message.slice(0, REASON_CHARS)}…` : message;
  if (!(key in s.reasons) && Object.keys(s.reasons).length >= MAX_REASONS) key = OTHER_REASON;
  s.reasons[key] = (s.reasons[key] ?? 0) + 1;
}

/** Mutates `s` with one column result (rendered or refused). */
export function addRender(s: RenderStats, r: ColumnRender): void {
  s.records++;
  const count = (code: string) => (s.warnings[code] = (s.warnings[code] ?? 0) + 1);
  if (!r.ok) {
    s.refused++;
    countReason(s, r.error);
    // A built-in refusal comes with the doctor's findings, template_refused among them; an own
    // template's refusal (raise_exception) has none, so it is counted here.
    if (r.warnings.length === 0) count('template_refused');
    for (const w of r.warnings) count(w.code);
    return;
  }
  const { text, spans, warnings } = r.rendered;
  for (const w of warnings) {
    if (w.code === 'approximate_spans') s.approximate++;
    else count(w.code);
  }
  s.chars += text.length;
  s.maxChars = Math.max(s.maxChars, text.length);
  for (const sp of spans) if (sp.trainable) s.trainedChars += sp.end - sp.start;
}

/** Mutates `s` with one record rendered by the built-in template `id`. */
export function addRecord(s: RenderStats, id: TemplateId, conv: Conversation, opts: RenderOptions): void {
  const spec = getTemplate(id);
  let r: ColumnRender;
  try {
    r = { ok: true, rendered: renderChecked(spec, conv, opts) };
  } catch (e) {
    // Anything but a refusal is a bug, not a statistic.
    if (!(e instanceof TemplateError)) throw e;
    r = { ok: false, error: e.message, warnings: doctor(spec, conv, opts) };
  }
  addRender(s, r);
}

/** Mutates `s` with one record rendered by a model's own template; returns the render (to tokenize). */
export function addOwnRecord(
  s: RenderStats,
  src: OwnTemplateSource,
  conv: Conversation,
  choices: RenderChoices,
): ColumnRender {
  const r = renderOwnColumn(src, conv, choices);
  addRender(s, r);
  return r;
}

/** The refusal message seen most often (ties: the first seen), with its count; the overflow
 *  bucket only when no message was kept apart. */
export function topReason(s: RenderStats): [string, number] | undefined {
  let best: [string, number] | undefined;
  for (const [m, c] of Object.entries(s.reasons)) if (m !== OTHER_REASON && (!best || c > best[1])) best = [m, c];
  const other = s.reasons[OTHER_REASON];
  return best ?? (other ? [OTHER_REASON, other] : undefined);
}

/** Built-in templates: text numbers for each, in one pass. */
export interface BuiltinStatsJob {
  kind: 'builtin';
  templates: TemplateId[];
  options: RenderOptions;
  conversations: Conversation[];
}

/** One own-template column: text numbers, and token numbers when `tokenizer` is given. */
export interface OwnStatsJob {
  kind: 'own';
  source: OwnTemplateSource;
  choices: RenderChoices;
  conversations: Conversation[];
  /** The file line of each conversation (for the encoder's messages). */
  lines: number[];
  tokenizer?: { files: TokenizerFiles; length: LengthOptions };
}

export type RenderStatsToWorker = BuiltinStatsJob | OwnStatsJob;
export type RenderStatsFromWorker =
  | { type: 'progress'; done: number }
  /** `stats` by template id (builtin) or under `own` (own job); `tokens` for an own job with a tokenizer. */
  | { type: 'done'; stats: Record<string, RenderStats>; tokens?: DatasetStats }
  | { type: 'error'; message: string };
