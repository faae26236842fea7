import type { Command } from '../command.ts';

/** A contract command whose module has not landed yet: says so and exits 2. */
export function notYet(name: string, summary: string, usage: string, issue: number): Command {
  return {
    name,
    summary: `${summary} (not yet built)`,
    help: `Usage: prism ${usage}\n\n${summary}.\nNot built yet: tracked in issue ${issue}.`,
    options: {},
    async run() {
      process.stderr.write(`prism ${name}: not built yet (issue ${issue}).\n`);
      return 2;
    },
  };
}
