// One CLI command: its name, its help, its options (node:util parseArgs form) and what it does.
// Each lives in its own file under commands/ and is listed in commands/index.ts.
import type { ParseArgsConfig } from 'node:util';

export type Options = NonNullable<ParseArgsConfig['options']>;

export interface ParsedArgs {
  values: Record<string, string | boolean | string[] | boolean[] | undefined>;
  positionals: string[];
}

export interface Command {
  name: string;
  /** One line for the command list. */
  summary: string;
  /** Full help text: usage line, arguments and options. */
  help: string;
  options: Options;
  /** Returns the process exit code. */
  run(args: ParsedArgs): Promise<number>;
}

/** An error the user caused (bad flag, missing file): printed without a stack trace. */
export class UsageError extends Error {}

export function requireString(args: ParsedArgs, name: string): string {
  const v = args.values[name];
  if (typeof v !== 'string' || v === '') throw new UsageError(`missing --${name}`);
  return v;
}

export function optionalNumber(args: ParsedArgs, name: string): number | undefined {
  const v = args.values[name];
  if (v === undefined) return undefined;
  const n = Number(v);
  if (typeof v !== 'string' || !Number.isFinite(n))
    throw new UsageError(`--${name} must be a number, got ${String(v)}`);
  return n;
}
