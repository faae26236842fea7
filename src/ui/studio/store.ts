// The studio's dataset and comparison state (zustand): the loaded file, every record's result,
// the selected record, the templates compared and the render options. Tokenizer objects are
// not plain data, so they live in tokenizers.ts; only their status is here.
import { create } from 'zustand';
import type { StudioRecord } from './dataset-protocol.ts';
import { templateIds, type LossPolicy, type TemplateId } from '../../templates/index.ts';
import { emptySummary, addToSummary, type StudioSummary } from './summary.ts';

export interface Loading {
  name: string;
  bytesRead: number;
  total: number;
}

export interface RenderChoices {
  lossPolicy: LossPolicy;
  /** Where `last_round` starts (render's lastRoundBoundary). */
  lastRoundBoundary: 'user' | 'user_or_tool';
  /** Llama 3.1+ `Today Date`; '' means the template's default. */
  date: string;
  enableThinking: boolean;
  trainEmptyThink: boolean;
  addGenerationPrompt: boolean;
  maxLength: number;
}

export type TokenizerStatus =
  | { state: 'none' }
  | { state: 'loading'; source: string }
  | { state: 'ready'; source: string; vocab: number }
  | { state: 'error'; source: string; message: string };

export const DEFAULT_TEMPLATES: TemplateId[] = ['qwen2_5', 'llama3_2', 'gemma3'];

interface StudioState {
  /** The file the results came from (null before any). */
  fileName: string | null;
  loading: Loading | null;
  loadError: string | null;
  /** One result per record in file order (line 0 = file-level issue such as empty_file). */
  results: StudioRecord[];
  summary: StudioSummary;
  /** Index into `results` of the record being looked at. */
  selected: number;
  templates: TemplateId[];
  choices: RenderChoices;
  /** Per column template id. */
  tokenizers: Partial<Record<TemplateId, TokenizerStatus>>;
  /** Bumped when a tokenizer object changes, so views re-encode. */
  tokenizerEpoch: number;
  viewTokens: boolean;
  showNewlines: boolean;

  startLoading(name: string, total: number): void;
  progress(bytesRead: number): void;
  addResults(batch: StudioRecord[]): void;
  finishLoading(error?: string): void;
  select(index: number): void;
  setTemplate(column: number, id: TemplateId): void;
  addTemplate(id: TemplateId): void;
  removeTemplate(column: number): void;
  setChoices(c: Partial<RenderChoices>): void;
  setTokenizer(id: TemplateId, s: TokenizerStatus): void;
  setViewTokens(v: boolean): void;
  setShowNewlines(v: boolean): void;
}

const DEFAULT_CHOICES: RenderChoices = {
  lossPolicy: 'all_assistant', lastRoundBoundary: 'user', date: '', enableThinking: true, trainEmptyThink: false, addGenerationPrompt: false, maxLength: 2048,
};
const SAVED = 'prism.studio';

/** The templates and options chosen last time (the dataset itself is not kept). */
function saved(): { templates: TemplateId[]; choices: RenderChoices } {
  const fallback = { templates: DEFAULT_TEMPLATES, choices: DEFAULT_CHOICES };
  try {
    const raw = globalThis.localStorage?.getItem(SAVED);
    if (!raw) return fallback;
    const v = JSON.parse(raw) as { templates?: unknown; choices?: Partial<RenderChoices> };
    const ids = Array.isArray(v.templates) ? v.templates.filter((t): t is TemplateId => typeof t === 'string' && (templateIds as string[]).includes(t)) : [];
    return {
      templates: ids.length >= 2 && ids.length <= 4 ? ids : DEFAULT_TEMPLATES,
      choices: { ...DEFAULT_CHOICES, ...(v.choices ?? {}) },
    };
  } catch {
    return fallback;
  }
}

export const useStudio = create<StudioState>((set) => ({
  fileName: null,
  loading: null,
  loadError: null,
  results: [],
  summary: emptySummary(),
  selected: 0,
  ...saved(),
  tokenizers: {},
  tokenizerEpoch: 0,
  viewTokens: false,
  showNewlines: true,

  startLoading: (name, total) =>
    set({ fileName: name, loading: { name, bytesRead: 0, total }, loadError: null, results: [], summary: emptySummary(), selected: 0 }),
  progress: (bytesRead) => set((s) => (s.loading ? { loading: { ...s.loading, bytesRead } } : {})),
  addResults: (batch) =>
    set((s) => {
      const summary = { ...s.summary, formats: { ...s.summary.formats }, issues: s.summary.issues.slice() };
      for (const r of batch) addToSummary(summary, r);
      return { results: s.results.concat(batch), summary };
    }),
  finishLoading: (error) =>
    set((s) => {
      const first = s.results.findIndex((r) => r.conversation);
      return { loading: null, loadError: error ?? null, selected: first >= 0 ? first : 0 };
    }),
  select: (index) => set((s) => ({ selected: Math.max(0, Math.min(index, s.results.length - 1)) })),
  setTemplate: (column, id) => set((s) => ({ templates: s.templates.map((t, i) => (i === column ? id : t)) })),
  addTemplate: (id) => set((s) => (s.templates.length < 4 ? { templates: [...s.templates, id] } : {})),
  removeTemplate: (column) => set((s) => (s.templates.length > 2 ? { templates: s.templates.filter((_, i) => i !== column) } : {})),
  setChoices: (c) => set((s) => ({ choices: { ...s.choices, ...c } })),
  setTokenizer: (id, st) => set((s) => ({ tokenizers: { ...s.tokenizers, [id]: st }, tokenizerEpoch: s.tokenizerEpoch + 1 })),
  setViewTokens: (viewTokens) => set({ viewTokens }),
  setShowNewlines: (showNewlines) => set({ showNewlines }),
}));

useStudio.subscribe((s, prev) => {
  if (s.templates === prev.templates && s.choices === prev.choices) return;
  try {
    globalThis.localStorage?.setItem(SAVED, JSON.stringify({ templates: s.templates, choices: s.choices }));
  } catch {
    // Storage full or disabled: the choices simply are not remembered.
  }
});
