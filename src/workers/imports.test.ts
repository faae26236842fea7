// The layering rule of DESIGN.md, checked on the source: workers and core modules never import
// from src/ui/ (nor React), so a worker bundle never drags the page's code in.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = resolve(import.meta.dirname, '..');
const CHECKED = ['workers', 'data', 'templates', 'tokenize', 'model', 'engine', 'train', 'adapters', 'infer', 'bench'];

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return files(p);
    return /\.tsx?$/.test(name) ? [p] : [];
  });
}

function imports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [
    ...text.matchAll(
      new RegExp(
        [
          /(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]/,
          /import\(\s*['"]([^'"]+)['"]\s*\)/,
          /new URL\(\s*['"]([^'"]+)['"]/,
        ]
          .map((r) => r.source)
          .join('|'),
        'g',
      ),
    ),
  ].map((m) => m[1] ?? m[2] ?? m[3]);
}

describe('layering', () => {
  it('no worker or core module imports from src/ui or React', () => {
    const bad: string[] = [];
    for (const dir of CHECKED) {
      for (const f of files(join(SRC, dir))) {
        for (const spec of imports(f)) {
          const target = spec.startsWith('.') ? relative(SRC, resolve(dirname(f), spec)) : spec;
          if (target.startsWith('ui/') || spec === 'react' || spec.startsWith('react-dom'))
            bad.push(`${relative(SRC, f)} → ${spec}`);
        }
      }
    }
    expect(bad).toEqual([]);
  });
});
