// `prism` — the headless front of the studio. `npm run prism -- <command> [options]`.
import { parseArgs } from 'node:util';
import { commands } from './commands/index.ts';
import { type Command } from './command.ts';
import { reportError } from './errors.ts';

function overview(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    'Usage: prism <command> [options]',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    "Run `prism <command> --help` for a command's options.",
    'Errors are one line (cause — fix); add --debug (anywhere) for the stack trace.',
  ].join('\n');
}

async function runCommand(cmd: Command, argv: string[]): Promise<number> {
  const options = { ...cmd.options, help: { type: 'boolean', short: 'h' }, debug: { type: 'boolean' } } as const;
  const parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  if (parsed.values.help) {
    process.stdout.write(cmd.help.trimEnd() + '\n\nGlobal: --debug prints the stack trace of an error.\n');
    return 0;
  }
  const { debug: _global, ...values } = parsed.values;
  return cmd.run({ ...parsed, values } as Parameters<Command['run']>[0]);
}

export async function main(argv: string[]): Promise<number> {
  // --debug is global: before the command name, or among its options.
  const debug = argv.includes('--debug');
  const [name, ...rest] = argv[0] === '--debug' ? argv.slice(1) : argv;
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
    const { text, code } = reportError(name, err, debug);
    process.stderr.write(text);
    return code;
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
