// Dataset-wide text statistics per template, no tokenizer needed: how many records each template
// refuses, the doctor's findings by code, and characters (all and trained). Runs in a worker
// (src/workers/render-stats.worker.ts) so a large file never blocks the page.
import type { Conversation } from '../../data/index.ts';
import { doctor, getTemplate, renderChecked, TemplateError, type RenderOptions, type TemplateId } from '../../templates/index.ts';

export interface RenderStats {
  records: number;
  refused: number;
  /** Doctor findings by code (a refusal counts as `template_refused`). */
  warnings: Record<string, number>;
  chars: number;
  trainedChars: number;
  maxChars: number;
}

export function emptyRenderStats(): RenderStats {
  return { records: 0, refused: 0, warnings: {}, chars: 0, trainedChars: 0, maxChars: 0 };
}

/** Mutates `s` with one record rendered by `id`. */
export function addRecord(s: RenderStats, id: TemplateId, conv: Conversation, opts: RenderOptions): void {
  const spec = getTemplate(id);
  s.records++;
  const count = (code: string) => (s.warnings[code] = (s.warnings[code] ?? 0) + 1);
  try {
    const r = renderChecked(spec, conv, opts);
    for (const w of r.warnings) count(w.code);
    s.chars += r.text.length;
    s.maxChars = Math.max(s.maxChars, r.text.length);
    for (const sp of r.spans) if (sp.trainable) s.trainedChars += sp.end - sp.start;
  } catch (e) {
    if (!(e instanceof TemplateError)) throw e;
    s.refused++;
    for (const w of doctor(spec, conv, opts)) count(w.code);
  }
}

export type RenderStatsToWorker = { templates: TemplateId[]; options: RenderOptions; conversations: Conversation[] };
export type RenderStatsFromWorker =
  | { type: 'progress'; done: number }
  | { type: 'done'; stats: Record<string, RenderStats> }
  | { type: 'error'; message: string };
