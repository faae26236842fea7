// Running the `prism` CLI from an e2e test: the ground truth the studio's pages must agree with.
import { spawnSync } from 'node:child_process';
import { ROOT } from './harness.ts';

export function prism(args: string[]): string {
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--import', './src/cli/register.mjs', 'src/cli/main.ts', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  if (r.status !== 0) throw new Error(`prism ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return r.stdout;
}

export function jsonLines<T>(text: string): T[] {
  return text
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as T);
}
