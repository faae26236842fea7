// The studio's dataset and comparison state (zustand): the loaded file, every record's result,
// the selected record, the templates compared and the render options. Tokenizer objects are
// not plain data, so they live in tokenizers.ts; only their status is here.
import { create } from 'zustand';
import type { StudioRecord } from '../../workers/dataset-protocol.ts';
import { templateIds, type TemplateId } from '../../templates/index.ts';
import { emptySummary, addToSummary, type StudioSummary } from './summary.ts';
import type { OwnTemplateSource } from '../../templates/compare/own-template.ts';
import type { RenderChoices } from '../../templates/compare/render-column.ts';

export type { RenderChoices };

/** The loaded file's identity: its SHA-256 and whether it is kept across reloads. */
export interface StoredDataset {
  sha256: string;
  kept: boolean;
  keepError: string | null;
}

export interface Loading {
  name: string;
  bytesRead: number;
  total: number;
}

export type TokenizerStatus =
  | { state: 'none' }
  | { state: 'loading'; source: string }
  | { state: 'ready'; source: string; vocab: number }
  | { state: 'error'; source: string; message: string };

export const DEFAULT_TEMPLATES: TemplateId[] = ['qwen2_5', 'llama3_2', 'gemma3'];
/** Built-in and own-template columns together. */
export const MAX_COLUMNS = 4;
export const MIN_COLUMNS = 2;

/** A "model's own template" column; `source` is null until the user gives it a template. */
export interface OwnColumn {
  key: string;
  source: OwnTemplateSource | null;
}

interface StudioState {
  /** The file the results came from (null before any). */
  fileName: string | null;
  loading: Loading | null;
  loadError: string | null;
  /** Set once the file is hashed (after its records are read). */
  stored: StoredDataset | null;
  /** One result per record in file order (line 0 = file-level issue such as empty_file). */
  results: StudioRecord[];
  summary: StudioSummary;
  /** Index into `results` of the record being looked at. */
  selected: number;
  templates: TemplateId[];
  /** Own-template columns, drawn after the built-in ones (they count within MAX_COLUMNS). */
  ownColumns: OwnColumn[];
  choices: RenderChoices;
  /** Per tokenizer key: a built-in column's template id, or an own column's key. */
  tokenizers: Partial<Record<string, TokenizerStatus>>;
  /** Bumped when a tokenizer object changes, so views re-encode. */
  tokenizerEpoch: number;
  viewTokens: boolean;
  showNewlines: boolean;

  startLoading(name: string, total: number): void;
  progress(bytesRead: number): void;
  addResults(batch: StudioRecord[]): void;
  finishLoading(error?: string): void;
  setStored(stored: StoredDataset): void;
  select(index: number): void;
  setTemplate(column: number, id: TemplateId): void;
  addTemplate(id: TemplateId): void;
  removeTemplate(column: number): void;
  /** Adds an empty own-template column; returns its key (undefined when there are 4 columns). */
  addOwnColumn(): string | undefined;
  setOwnSource(key: string, source: OwnTemplateSource | null): void;
  removeOwnColumn(key: string): void;
  setChoices(c: Partial<RenderChoices>): void;
  setTokenizer(key: string, s: TokenizerStatus): void;
  setViewTokens(v: boolean): void;
  setShowNewlines(v: boolean): void;
}

const DEFAULT_CHOICES: RenderChoices = {
  lossPolicy: 'all_assistant',
  lastRoundBoundary: 'user_or_tool',
  date: '',
  enableThinking: null,
  trainEmptyThink: false,
  addGenerationPrompt: false,
  maxLength: 2048,
  agentTemplate: 'native',
};
const SAVED = 'prism.studio';

/** The templates and options chosen last time (the dataset itself is not kept). */
function saved(): { templates: TemplateId[]; ownColumns: OwnColumn[]; choices: RenderChoices } {
  const fallback = { templates: DEFAULT_TEMPLATES, ownColumns: [], choices: DEFAULT_CHOICES };
  try {
    const raw = globalThis.localStorage?.getItem(SAVED);
    if (!raw) return fallback;
    const v = JSON.parse(raw) as { templates?: unknown; ownColumns?: unknown; choices?: Partial<RenderChoices> };
    const ids = Array.isArray(v.templates)
      ? v.templates.filter((t): t is TemplateId => typeof t === 'string' && (templateIds as string[]).includes(t))
      : [];
    const own = Array.isArray(v.ownColumns) ? v.ownColumns.filter(isOwnColumn) : [];
    const fits = ids.length >= 1 && ids.length + own.length >= MIN_COLUMNS && ids.length + own.length <= MAX_COLUMNS;
    return {
      templates: fits ? ids : DEFAULT_TEMPLATES,
      ownColumns: fits ? own : [],
      choices: { ...DEFAULT_CHOICES, ...(v.choices ?? {}) },
    };
  } catch {
    return fallback;
  }
}

function isOwnColumn(x: unknown): x is OwnColumn {
  const c = x as OwnColumn | null;
  if (!c || typeof c.key !== 'string') return false;
  if (c.source === null) return true;
  const s = c.source as OwnTemplateSource | undefined;
  return (
    !!s &&
    typeof s.chatTemplate === 'string' &&
    typeof s.label === 'string' &&
    !!s.specialTokens &&
    typeof s.specialTokens === 'object' &&
    Array.isArray(s.addedSpecial)
  );
}

export const useStudio = create<StudioState>((set, get) => ({
  fileName: null,
  loading: null,
  loadError: null,
  stored: null,
  results: [],
  summary: emptySummary(),
  selected: 0,
  ...saved(),
  tokenizers: {},
  tokenizerEpoch: 0,
  viewTokens: false,
  showNewlines: true,

  startLoading: (name, total) =>
    set({
      fileName: name,
      loading: { name, bytesRead: 0, total },
      loadError: null,
      stored: null,
      results: [],
      summary: emptySummary(),
      selected: 0,
    }),
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
  setStored: (stored) => set({ stored }),
  select: (index) => set((s) => ({ selected: Math.max(0, Math.min(index, s.results.length - 1)) })),
  setTemplate: (column, id) => set((s) => ({ templates: s.templates.map((t, i) => (i === column ? id : t)) })),
  addTemplate: (id) =>
    set((s) => (s.templates.length + s.ownColumns.length < MAX_COLUMNS ? { templates: [...s.templates, id] } : {})),
  // At least one built-in column stays: the Train page takes its template from the first.
  removeTemplate: (column) =>
    set((s) =>
      s.templates.length > 1 && s.templates.length + s.ownColumns.length > MIN_COLUMNS
        ? { templates: s.templates.filter((_, i) => i !== column) }
        : {},
    ),
  addOwnColumn: () => {
    const s = get();
    if (s.templates.length + s.ownColumns.length >= MAX_COLUMNS) return undefined;
    let n = 1;
    while (s.ownColumns.some((c) => c.key === `own-${n}`)) n++;
    const key = `own-${n}`;
    set({ ownColumns: [...s.ownColumns, { key, source: null }] });
    return key;
  },
  setOwnSource: (key, source) =>
    set((s) => ({ ownColumns: s.ownColumns.map((c) => (c.key === key ? { key, source } : c)) })),
  removeOwnColumn: (key) =>
    set((s) =>
      s.templates.length + s.ownColumns.length > MIN_COLUMNS
        ? { ownColumns: s.ownColumns.filter((c) => c.key !== key) }
        : {},
    ),
  setChoices: (c) => set((s) => ({ choices: { ...s.choices, ...c } })),
  setTokenizer: (id, st) =>
    set((s) => ({ tokenizers: { ...s.tokenizers, [id]: st }, tokenizerEpoch: s.tokenizerEpoch + 1 })),
  setViewTokens: (viewTokens) => set({ viewTokens }),
  setShowNewlines: (showNewlines) => set({ showNewlines }),
}));

useStudio.subscribe((s, prev) => {
  if (s.templates === prev.templates && s.choices === prev.choices && s.ownColumns === prev.ownColumns) return;
  try {
    globalThis.localStorage?.setItem(
      SAVED,
      JSON.stringify({ templates: s.templates, ownColumns: s.ownColumns, choices: s.choices }),
    );
  } catch {
    // Storage full or disabled: the choices simply are not remembered.
  }
});
