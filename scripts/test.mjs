// `npm test`: every test, in order — typecheck, format, unit + GPU (vitest), e2e (Chromium) — and one
// closing line that adds them up: `Total: N passed, N failed, N skipped`.
// Each stage runs even when an earlier one failed, so one run shows everything that is red.
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, existsSync, rmSync } from 'node:fs';

const npx = (args) => ['npx', args];
const results = [];
mkdirSync('test-results', { recursive: true });

function run(name, cmd, args, parse) {
  return new Promise((resolve) => {
    console.log(`\n=== ${name}: ${cmd} ${args.join(' ')}`);
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'], env: process.env });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      process.stdout.write(d);
    });
    child.on('close', (code) => {
      const counts = parse ? parse(out) : { passed: code === 0 ? 1 : 0, failed: code === 0 ? 0 : 1, skipped: 0 };
      // A stage that failed without a failing test (crash, compile error) still counts as failed.
      if (code !== 0 && counts.failed === 0) counts.failed = 1;
      results.push({ name, code, ...counts });
      resolve();
    });
  });
}

const vitestJson = 'test-results/vitest.json';
rmSync(vitestJson, { force: true });
await run('typecheck', ...npx(['tsc', '--noEmit', '-p', 'tsconfig.json']));
// Formatting (Prettier, .prettierrc.json: 120 columns): `npm run format` fixes what this reports.
await run('format (prettier --check)', ...npx(['prettier', '--check', '.', '--log-level', 'warn']));
// Lines ≤ 120 characters in every tracked source file (scripts/check-lines.ts): Prettier splits no string or comment.
await run('format (line length)', 'node', ['--import', 'tsx', 'scripts/check-lines.ts']);
await run(
  'unit + gpu (vitest)',
  ...npx(['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${vitestJson}`]),
  () => {
    if (!existsSync(vitestJson)) return { passed: 0, failed: 1, skipped: 0 };
    const r = JSON.parse(readFileSync(vitestJson, 'utf8'));
    return { passed: r.numPassedTests, failed: r.numFailedTests, skipped: r.numPendingTests + r.numTodoTests };
  },
);
await run('build', ...npx(['vite', 'build', '--logLevel', 'warn']));
await run(
  'e2e (chromium)',
  'node',
  ['--import', 'tsx', '--test', '--test-concurrency=1', ...(await e2eFiles())],
  (out) => {
    const n = (k) => Number(out.match(new RegExp(`^# ${k} (\\d+)$`, 'm'))?.[1] ?? 0);
    return { passed: n('pass'), failed: n('fail') + n('cancelled'), skipped: n('skipped') + n('todo') };
  },
);

async function e2eFiles() {
  const { readdirSync } = await import('node:fs');
  return readdirSync('e2e')
    .filter((f) => f.endsWith('.e2e.ts'))
    .sort()
    .map((f) => `e2e/${f}`);
}

console.log('\n=== summary');
for (const r of results) {
  console.log(
    `${r.code === 0 ? 'ok  ' : 'FAIL'} ${r.name}: ${r.passed} passed, ${r.failed} failed, ${r.skipped} skipped`,
  );
}
const sum = (k) => results.reduce((a, r) => a + r[k], 0);
console.log(`Total: ${sum('passed')} passed, ${sum('failed')} failed, ${sum('skipped')} skipped`);
process.exit(results.every((r) => r.code === 0) ? 0 : 1);
