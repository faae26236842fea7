// `prism` — the headless front of the studio. `npm run prism -- <command> [options]`.
import { parseArgs } from 'node:util';
import { commands } from './commands/index.ts';
import { UsageError, type Command } from './command.ts';

function overview(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    'Usage: prism <command> [options]',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Run `prism <command> --help` for a command\'s options.',
  ].join('\n');
}

async function runCommand(cmd: Command, argv: string[]): Promise<number> {
  const options = { ...cmd.options, help: { type: 'boolean', short: 'h' } } as const;
  const parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  if (parsed.values.help) {
    process.stdout.write(cmd.help.trimEnd() + '\n');
    return 0;
  }
  return cmd.run(parsed as Parameters<Command['run']>[0]);
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(overview() + '\n');
    return name ? 0 : 1;
  }
  const cmd = commands.find((c) => c.name === name);
  if (!cmd) {
    process.stderr.write(`prism: unknown command '${name}'\n\n${overview()}\n`);
    return 2;
  }
  try {
    return await runCommand(cmd, rest);
  } catch (err) {
    const known = err instanceof UsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
    if (known) {
      process.stderr.write(`prism ${name}: ${(err as Error).message}\nRun \`prism ${name} --help\` for usage.\n`);
      return 2;
    }
    process.stderr.write(`prism ${name}: ${(err as Error).stack ?? String(err)}\n`);
    return 1;
  }
}

// `prism render … | head` closes the pipe early: that is the reader's choice, not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

const code = await main(process.argv.slice(2));
// Let stdout drain before exiting: piped JSON Lines output must not be cut off.
process.stdout.write('', () => process.exit(code));
