// Test-only: ms-swift's own loss scales as ground truth. Runs loss_scale_oracle.py (which imports
// ms-swift's code from ../shared/reference/ms-swift, never copied here) with Debian's python3.
// Imports node:child_process: test files only.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { SWIFT_REFERENCE_DIR } from '../agent/swift/oracle.ts';

export { swiftReferenceExists, SWIFT_REFERENCE_DIR } from '../agent/swift/oracle.ts';

const PYTHON = '/usr/bin/python3';
const ORACLE = fileURLToPath(new URL('./loss_scale_oracle.py', import.meta.url));

export type OracleCase =
  | { spec: string; response: string; query: string | null }
  | { spec: string; contexts: [string, 'response' | 'suffix' | 'other'][]; messages: object[] };

export type OracleOut = { parts: [string, number][]; binary?: boolean } | { error: string };

/** Runs a Python script on JSON Lines; one answer per line. */
export function runLines(argv: string[], lines: object[]): unknown[] {
  const r = spawnSync(PYTHON, argv, {
    input: lines.map((c) => JSON.stringify(c)).join('\n') + '\n',
    encoding: 'utf8',
    maxBuffer: 1 << 28,
  });
  if (r.status !== 0) throw new Error(`${argv[0]} exited with ${r.status}: ${r.stderr}`);
  const out = r.stdout.split('\n').filter((l) => l.trim() !== '');
  if (out.length !== lines.length) throw new Error(`${argv[0]} answered ${out.length} of ${lines.length}: ${r.stderr}`);
  return out.map((l) => JSON.parse(l));
}

/** ms-swift's answers for a batch of cases (one Python process). */
export function runLossScaleOracle(cases: OracleCase[]): OracleOut[] {
  return runLines([ORACLE, SWIFT_REFERENCE_DIR], cases) as OracleOut[];
}
