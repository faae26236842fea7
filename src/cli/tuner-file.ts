// The gemm autotuner's choices in the CLI: one JSON file, { adapter key: { shape class: variant } }
// (src/engine/kernels/tuner.ts), by default ~/.cache/prism/gemm-tuning.json ($XDG_CACHE_HOME
// honoured). Written whole through a temporary file and a rename, so a crash never leaves half a
// file; an unreadable file is reported and replaced, never silently merged.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import type { GemmVariant } from '../engine/kernels/matmul.ts';
import type { TunerStore } from '../engine/kernels/tuner.ts';

export function defaultTuningFile(): string {
  return join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'prism', 'gemm-tuning.json');
}

type Choices = Record<string, Record<string, GemmVariant>>;

export function fileTunerStore(path = defaultTuningFile(), warn: (msg: string) => void = console.warn): TunerStore {
  const readAll = (): Choices => {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch {
      return {}; // not written yet
    }
    try {
      const v = JSON.parse(text) as unknown;
      if (v && typeof v === 'object' && !Array.isArray(v)) return v as Choices;
      throw new Error('not a JSON object');
    } catch (e) {
      warn(`${path}: unreadable gemm tuning cache (${(e as Error).message}); it will be measured again and rewritten`);
      return {};
    }
  };
  return {
    get: async (adapter) => readAll()[adapter],
    set: async (adapter, choices) => {
      const all = readAll();
      all[adapter] = choices;
      mkdirSync(dirname(path), { recursive: true });
      const tmp = `${path}.${process.pid}.tmp`;
      writeFileSync(tmp, JSON.stringify(all, null, 1));
      renameSync(tmp, path);
    },
  };
}
