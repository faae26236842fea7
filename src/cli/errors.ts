// The one place the CLI turns an error into what the user reads: `prism <cmd>: <cause> — <fix>`
// on one line, exit 1 (2 for usage errors, with a pointer to --help). The stack trace only with
// --debug: the typed errors below are the user's input (a model folder, an adapter, a data file,
// a setting), not Prism's bug, and a stack only hides the one line that says what to do.
import { AdapterFormatError } from '../adapters/peft.ts';
import { ExportError } from '../adapters/sink.ts';
import { GgufError } from '../adapters/gguf/format.ts';
import { ConfigError } from '../model/config.ts';
import { ModelError } from '../model/open.ts';
import { SafetensorsError } from '../model/safetensors/header.ts';
import { HttpError } from '../model/sources/http.ts';
import { TokenizerError } from '../tokenize/load.ts';
import { TrainRefusal } from '../train/errors.ts';
import { SwiftCommandError } from '../train/swift.ts';
import { UsageError } from './command.ts';

const MODEL_FIX =
  'check --model: a Hugging Face model folder of a supported architecture (config.json, ' +
  '*.safetensors, tokenizer files)';

/** Error classes the user's input causes, with the fix to print when the message does not carry one. */
const KNOWN: [new (...a: never[]) => Error, string | null][] = [
  [ConfigError, MODEL_FIX],
  [ModelError, MODEL_FIX],
  [SafetensorsError, 'the file is damaged or not safetensors: download it again'],
  [HttpError, 'check the network, the repository id and (for gated models) the access token'],
  [
    TokenizerError,
    'check the tokenizer folder: tokenizer.json of a Hugging Face fast tokenizer (or a SentencePiece ' +
      'tokenizer.model), and tokenizer_config.json',
  ],
  [
    AdapterFormatError,
    'check --adapter: a PEFT LoRA adapter folder (adapter_config.json, adapter_model.safetensors) of this base model',
  ],
  [GgufError, 'check --model and --adapter'],
  [ExportError, 'check --out and the free disk space'],
  [SwiftCommandError, null],
  // Its message already says what to change.
  [TrainRefusal, null],
];

/** Node's file-system error codes a wrong path or permission gives, and what to say. */
const FS_CODES: Record<string, string> = {
  ENOENT: 'no such file or folder',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EISDIR: 'is a folder, not a file',
  ENOTDIR: 'a part of the path is not a folder',
  ENOSPC: 'no space left on the disk',
  EROFS: 'the file system is read-only',
};

export interface Reported {
  /** What goes to stderr (ends with a newline). */
  text: string;
  code: number;
}

/** The stderr text and exit code for an error out of `prism <cmd>`. */
export function reportError(cmd: string, err: unknown, debug: boolean): Reported {
  const e = err instanceof Error ? err : new Error(String(err));
  const stack = debug && e.stack ? `${e.stack}\n` : '';
  const parseArgs = (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
  if (e instanceof UsageError || parseArgs) {
    return { text: `prism ${cmd}: ${e.message}\nRun \`prism ${cmd} --help\` for usage.\n${stack}`, code: 2 };
  }
  const known = KNOWN.find(([cls]) => e instanceof cls);
  if (known) return { text: `${line(cmd, e.message, known[1])}\n${stack}`, code: 1 };
  const sys = e as NodeJS.ErrnoException;
  if (sys.code && FS_CODES[sys.code]) {
    const path = sys.path ?? '';
    const message = line(cmd, `cannot ${sys.syscall ?? 'open'} ${path}: ${FS_CODES[sys.code]}`, 'check the path');
    return { text: `${message}\n${stack}`, code: 1 };
  }
  // Anything else is Prism's own failure: still one line, and the way to the stack.
  const fix = debug
    ? 'an unexpected error (a bug in Prism?)'
    : 'an unexpected error (a bug in Prism?): run again with --debug for the stack trace';
  return { text: `${line(cmd, e.message || e.name, fix)}\n${stack}`, code: 1 };
}

function line(cmd: string, cause: string, fix: string | null): string {
  const oneLine = cause.replace(/\s*\n\s*/g, ' ').trim();
  return fix ? `prism ${cmd}: ${oneLine} — ${fix}` : `prism ${cmd}: ${oneLine}`;
}
