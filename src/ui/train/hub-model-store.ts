// The Hub model the user checked by id (not one of the curated list): its config.json, kept in
// localStorage so the choice survives a reload like the rest of the form (the spec is parsed
// again on load; a config this build no longer accepts is dropped, not guessed at).
import { create } from 'zustand';
import { parseConfig } from '../../model/config.ts';
import type { ModelSpec } from '../../model/types.ts';
import type { HubFailure } from './hub-check.ts';

const KEY = 'prism.train.hubModel';

export interface CheckedHubModel {
  id: string;
  config: Record<string, unknown>;
  spec: ModelSpec;
}

function load(): CheckedHubModel | null {
  try {
    const v = JSON.parse(globalThis.localStorage?.getItem(KEY) ?? 'null') as { id?: unknown; config?: unknown } | null;
    if (!v || typeof v.id !== 'string' || typeof v.config !== 'object' || v.config === null) return null;
    const config = v.config as Record<string, unknown>;
    return { id: v.id, config, spec: parseConfig(config) };
  } catch {
    return null;
  }
}

interface HubModelState {
  checked: CheckedHubModel | null;
  setChecked(m: { id: string; config: Record<string, unknown>; spec: ModelSpec }): void;
  /** The last run's Hub download failure (the run's message says the same words). */
  runFailure: { repo: string; failure: HubFailure } | null;
  setRunFailure(f: { repo: string; failure: HubFailure } | null): void;
}

export const useHubModel = create<HubModelState>((set) => ({
  checked: load(),
  setChecked: (m) => {
    globalThis.localStorage?.setItem(KEY, JSON.stringify({ id: m.id, config: m.config }));
    set({ checked: m });
  },
  runFailure: null,
  setRunFailure: (runFailure) => set({ runFailure }),
}));
