// User errors in the CLI are one line, `prism <cmd>: <cause> — <fix>`, exit 1, with a stack trace
// only under --debug: first the one place that formats them (every typed error class, file-system
// errors, anything else), then real broken model folders and files through the real process.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { AdapterFormatError } from '../adapters/peft.ts';
import { ConfigError } from '../model/config.ts';
import { ModelError } from '../model/open.ts';
import { SafetensorsError } from '../model/safetensors/header.ts';
import { makeTinyModel } from '../model/tiny.ts';
import { TokenizerError } from '../tokenize/load.ts';
import { TrainRefusal } from '../train/errors.ts';
import { writeFiles } from '../train/testing.ts';
import { UsageError } from './command.ts';
import { reportError } from './errors.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'prism-errors-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function prism(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', '--import', './src/cli/register.mjs', 'src/cli/main.ts', ...args],
      { cwd: root, encoding: 'utf8' },
      (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** One line, `prism <cmd>: cause — fix`, and no stack frame. */
const ONE_LINE = /^prism [a-z-]+: [^\n]+ — [^\n]+\n$/;

describe('reportError', () => {
  it.each([
    [
      new ConfigError('/m: config.json: "hidden_size" must be a positive integer, got -1'),
      /^prism forward: \/m: config\.json: "hidden_size" must be .* — check --model/,
    ],
    [new ModelError('/m: no config.json'), /^prism forward: \/m: no config\.json — check --model/],
    [
      new SafetensorsError('/m/model.safetensors: header length 9999999 is past the end'),
      /— the file is damaged or not safetensors/,
    ],
    [new TokenizerError('/m/tokenizer.json: no such file'), /— check the tokenizer folder/],
    [new AdapterFormatError('/a: adapter_config.json: r must be a whole number ≥ 1, got 0'), /— check --adapter/],
  ])('%s: one line with the cause and the fix, exit 1', (err, message) => {
    const r = reportError('forward', err, false);
    expect(r.code).toBe(1);
    expect(r.text).toMatch(ONE_LINE);
    expect(r.text).toMatch(message);
  });

  it('a refusal that says what to change is printed as it is', () => {
    expect(reportError('train', new TrainRefusal('this run does not fit the GPU: lower max_length'), false)).toEqual({
      text: 'prism train: this run does not fit the GPU: lower max_length\n',
      code: 1,
    });
  });

  it('a file-system error names the path and what is wrong with it', () => {
    const err = Object.assign(new Error("ENOENT: no such file or directory, open '/data/x.jsonl'"), {
      code: 'ENOENT',
      syscall: 'open',
      path: '/data/x.jsonl',
    });
    expect(reportError('train', err, false)).toEqual({
      text: 'prism train: cannot open /data/x.jsonl: no such file or folder — check the path\n',
      code: 1,
    });
  });

  it('usage errors exit 2 and point to --help', () => {
    expect(reportError('train', new UsageError('missing --data'), false)).toEqual({
      text: 'prism train: missing --data\nRun `prism train --help` for usage.\n',
      code: 2,
    });
  });

  it('anything else is one line too, pointing to --debug; --debug adds the stack', () => {
    const err = new TypeError("Cannot read properties of undefined (reading 'x')");
    const plain = reportError('forward', err, false);
    expect(plain.code).toBe(1);
    expect(plain.text).toMatch(ONE_LINE);
    expect(plain.text).toMatch(/run again with --debug for the stack trace/);
    const debug = reportError('forward', err, true);
    expect(debug.text.split('\n')[1]).toBe(`TypeError: Cannot read properties of undefined (reading 'x')`);
    expect(debug.text).toMatch(/\n {4}at /);
  });
});

describe('prism with broken input', () => {
  const tm = makeTinyModel({
    arch: 'llama',
    hidden: 32,
    layers: 1,
    heads: 4,
    kvHeads: 2,
    intermediate: 48,
    seed: 1,
    dtype: 'float32',
    tokenizer: 'bytes',
  });
  const folder = (name: string, edit: (files: Record<string, Uint8Array>) => void) => {
    const files = { ...tm.files };
    edit(files);
    writeFiles(join(dir, name), files);
    return join(dir, name);
  };
  const data = join(dir, 'data.jsonl');
  writeFileSync(
    data,
    JSON.stringify({
      messages: [
        { role: 'user', content: 'Hi' },
        { role: 'assistant', content: 'Hello.' },
      ],
    }) + '\n',
  );

  it.each([
    [
      'a folder with no config.json',
      () => {
        mkdirSync(join(dir, 'empty'), { recursive: true });
        return ['forward', '--model', join(dir, 'empty'), '--ids', '1,2', '--out', join(dir, 'o.safetensors')];
      },
      /^prism forward: \S+empty: no config\.json — check --model/,
    ],
    [
      'a truncated model.safetensors',
      () => {
        const m = folder('truncated', (f) => (f['model.safetensors'] = f['model.safetensors'].subarray(0, 3000)));
        return ['forward', '--model', m, '--ids', '1,2', '--out', join(dir, 'o.safetensors')];
      },
      /^prism forward: \S+truncated\/model\.safetensors: .*file truncated\? — the file is damaged/,
    ],
    [
      'a config.json that claims a million layers',
      () => {
        const m = folder('million', (f) => {
          const c = JSON.parse(new TextDecoder().decode(f['config.json']));
          f['config.json'] = new TextEncoder().encode(JSON.stringify({ ...c, num_hidden_layers: 1_000_000 }));
        });
        return ['forward', '--model', m, '--ids', '1,2', '--out', join(dir, 'o.safetensors')];
      },
      new RegExp(
        /^prism forward: \S+million: config\.json does not match the weights: /.source +
          /config\.json says num_hidden_layers 1000000, the checkpoint has tensors for 1 layer /.source +
          /\(model\.layers\.0–0\) — check --model/.source,
      ),
    ],
    [
      'a model folder without tokenizer.json',
      () => {
        const m = folder('notok', (f) => delete f['tokenizer.json']);
        return ['train', '--model', m, '--data', data, '--template', 'chatml', '--out', join(dir, 'out')];
      },
      /^prism train: \S+notok\/tokenizer\.json: no such file — check the tokenizer folder/,
    ],
    [
      'a data file that is not there',
      () => {
        const m = folder('ok', () => {});
        return [
          'train',
          '--model',
          m,
          '--data',
          join(dir, 'nope.jsonl'),
          '--template',
          'chatml',
          '--out',
          join(dir, 'out'),
        ];
      },
      /^prism train: cannot open \S+nope\.jsonl: no such file or folder — check the path/,
    ],
  ])('%s: one line, exit 1', async (_, args, message) => {
    const r = await prism(...args());
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(ONE_LINE);
    expect(r.stderr).toMatch(message);
  });

  it('--debug (anywhere) adds the stack trace under the same line', async () => {
    const m = folder('badconfig', (f) => (f['config.json'] = new TextEncoder().encode('{"architectures": [')));
    const r = await prism('--debug', 'forward', '--model', m, '--ids', '1', '--out', join(dir, 'o.safetensors'));
    expect(r.code).toBe(1);
    const [first, ...rest] = r.stderr.split('\n');
    expect(first).toMatch(/^prism forward: \S+badconfig: config\.json is not valid JSON.* — check --model/);
    expect(rest.join('\n')).toMatch(/^ConfigError: .*\n {4}at /);
  });
});
