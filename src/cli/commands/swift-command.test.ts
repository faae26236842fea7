// `prism swift-command` as a user runs it: a real process reading an adapter folder's prism.json
// or a config file, its two commands split by the real sh into the words ms-swift receives.
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { UsageError } from '../command.ts';
import { swiftCommandCli } from './swift-command.ts';
import { buildPrismJson, prismJsonText } from '../../adapters/prism-json.ts';
import { defaultTrainConfig, type TrainConfig } from '../../train/config.ts';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'prism-swiftcmd-'));
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

/** The command in this process (the same code the CLI runs; one real process below is enough). */
async function inProcess(
  values: Record<string, string>,
): Promise<{ code: number; stdout: string; error: Error | null }> {
  let stdout = '';
  const spy = vi
    .spyOn(process.stdout, 'write')
    .mockImplementation((chunk: string | Uint8Array) => ((stdout += String(chunk)), true));
  try {
    return { code: await swiftCommandCli.run({ values, positionals: [] }), stdout, error: null };
  } catch (err) {
    return { code: err instanceof UsageError ? 2 : 1, stdout, error: err as Error };
  } finally {
    spy.mockRestore();
  }
}

/** The words each command line passes to `swift`, as sh splits them. */
function words(script: string): string[][] {
  const res = spawnSync('/bin/sh', ['-c', `swift() { printf '%s\\0' "$@"; printf '\\n'; }\n${script}`], {
    encoding: 'utf8',
  });
  expect(res.status, res.stderr).toBe(0);
  return res.stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => l.split('\0').slice(0, -1));
}

function adapterFolder(name: string, config: TrainConfig): string {
  const d = join(dir, name);
  mkdirSync(d, { recursive: true });
  writeFileSync(
    join(d, 'prism.json'),
    prismJsonText(
      buildPrismJson({
        name,
        config,
        steps: 20,
        final_loss: 1.5,
        loss_curve: [
          { step: 1, loss: 2 },
          { step: 20, loss: 1.5 },
        ],
        dataset: { name: 'my data.jsonl', sha256: '00', records: 3, file: 'dataset/my data.jsonl' },
        created: 0,
      }),
    ),
  );
  return d;
}

describe('prism swift-command', () => {
  it('prints swift sft and swift export for an adapter folder', async () => {
    const d = adapterFolder(
      'qwen3-run',
      defaultTrainConfig({ model_id: 'Qwen/Qwen3-0.6B', template: 'qwen3', max_steps: 20 }),
    );
    const r = await prism('swift-command', '--adapter', d);
    expect(r.code, r.stderr).toBe(0);
    const [sft, exp] = words(r.stdout);
    expect(sft.slice(0, 11)).toEqual([
      'sft',
      '--model',
      'Qwen/Qwen3-0.6B',
      '--use_hf',
      'true',
      '--tuner_type',
      'lora',
      '--dataset',
      'dataset/my data.jsonl',
      '--template',
      'qwen3',
    ]);
    expect(sft).toContain('--preserve_thinking');
    expect(exp).toEqual([
      'export',
      '--model',
      'Qwen/Qwen3-0.6B',
      '--use_hf',
      'true',
      '--adapters',
      d,
      '--merge_lora',
      'true',
      '--output_dir',
      'output-merged',
    ]);
  });

  it('a local base model without a Hub id: says so, and takes --model-id', async () => {
    const d = adapterFolder('local-run', defaultTrainConfig({ model_id: '/models/my-qwen', template: 'qwen2_5' }));
    const r = await inProcess({ adapter: d });
    expect(r.code, r.error?.message).toBe(0);
    expect(r.stdout).toMatch(/^# The base model was a local folder and no Hugging Face Hub id was given/);
    expect(r.stdout).not.toContain('/models/my-qwen');
    expect(words(r.stdout)[0].slice(1, 3)).toEqual(['--model', 'BASE_MODEL']);
    const r2 = await inProcess({ adapter: d, 'model-id': 'Qwen/Qwen2.5-0.5B-Instruct' });
    expect(words(r2.stdout)[0].slice(1, 3)).toEqual(['--model', 'Qwen/Qwen2.5-0.5B-Instruct']);
    expect((await inProcess({ adapter: d, 'model-id': '/x/y' })).code).toBe(2);
  });

  it('reads a TrainConfig JSON, and refuses what it cannot use', async () => {
    const f = join(dir, 'config.json');
    writeFileSync(
      f,
      JSON.stringify(defaultTrainConfig({ model_id: 'mistralai/Mistral-7B-Instruct-v0.3', template: 'mistral' })),
    );
    const r = await inProcess({ config: f, dataset: 'train.jsonl' });
    expect(r.code, r.error?.message).toBe(0);
    const [sft, exp] = words(r.stdout);
    expect(sft.slice(sft.indexOf('--template'), sft.indexOf('--template') + 4)).toEqual([
      '--template',
      'llama',
      '--system',
      '',
    ]);
    expect(exp[exp.indexOf('--adapters') + 1]).toBe('output/vX-XXXXXXXX-XXXXXX/checkpoint-N');
    expect((await inProcess({})).code).toBe(2);
    expect((await inProcess({ adapter: dir })).error?.message).toMatch(/no prism\.json or trainer_state\.json/);
  });
});
