// The worker's per-template tallies must agree with `prism render --json` over a whole sample:
// the same records refused, the same warning codes, the same characters trained.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readDataset } from '../../data/index.ts';
import { addRecord, emptyRenderStats } from './render-stats.ts';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const FILE = join(ROOT, 'public', 'samples', 'agent-openai.jsonl');

function cli(template: string) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--import', './src/cli/register.mjs', 'src/cli/main.ts', 'render', '--template', template, FILE, '--json'], { cwd: ROOT, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return r.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { text?: string; spans?: { start: number; end: number; trainable: boolean }[]; warnings?: { code: string }[]; error?: string });
}

describe('render stats', () => {
  for (const id of ['qwen3', 'llama3_2', 'mistral'] as const) {
    it(`agree record by record with prism render for ${id}`, async () => {
      const rows = cli(id);
      const total = emptyRenderStats();
      let n = 0;
      for await (const r of readDataset(new Blob([readFileSync(FILE)]))) {
        if (!r.conversation) continue;
        const row = rows[n++];
        const one = emptyRenderStats();
        addRecord(one, id, r.conversation, {});
        addRecord(total, id, r.conversation, {});
        if (row.error !== undefined) {
          expect(one.refused).toBe(1);
          expect(one.warnings.template_refused).toBe(1);
          continue;
        }
        const codes: Record<string, number> = {};
        for (const w of row.warnings!) codes[w.code] = (codes[w.code] ?? 0) + 1;
        expect(one.warnings).toEqual(codes);
        expect(one.chars).toBe(row.text!.length);
        expect(one.trainedChars).toBe(row.spans!.filter((x) => x.trainable).reduce((b, x) => b + x.end - x.start, 0));
      }
      expect(n).toBe(rows.length);
      expect(total.records).toBe(rows.length);
      expect(total.refused).toBe(rows.filter((r) => r.error !== undefined).length);
    });
  }
});
