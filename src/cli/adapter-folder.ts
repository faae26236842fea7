// Read a PEFT adapter folder from disk (adapter_config.json + adapter_model.safetensors, and a
// prism.json when Prism wrote it) for the export commands.
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ADAPTER_CONFIG_FILE, ADAPTER_WEIGHTS_FILE, importAdapter, type ImportedAdapter } from '../adapters/peft.ts';
import { UsageError } from './command.ts';

export async function readAdapterFolder(dir: string): Promise<ImportedAdapter & { files: Map<string, Uint8Array> }> {
  try {
    if (!(await stat(dir)).isDirectory())
      throw new UsageError(`--adapter ${dir} is not a folder (unzip an adapter zip first)`);
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError(`--adapter ${dir}: no such folder`);
  }
  const files = new Map<string, Uint8Array>();
  for (const name of [ADAPTER_CONFIG_FILE, ADAPTER_WEIGHTS_FILE, 'prism.json']) {
    try {
      files.set(name, new Uint8Array(await readFile(join(dir, name))));
    } catch {
      /* importAdapter names what is missing */
    }
  }
  return { ...importAdapter(files), files };
}

/** "2GB", "500MB", "64KiB", "1000" → bytes (decimal units as huggingface_hub's parse_size_to_int, binary with "i"). */
export function parseSize(text: string, flag: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kKmMgGtT]i?)?[bB]?\s*$/.exec(text);
  if (!m) throw new UsageError(`${flag} must be a size such as 2GB, 500MB or 1000000, got ${JSON.stringify(text)}`);
  const unit = (m[2] ?? '').toUpperCase();
  const pow = { '': 0, K: 1, M: 2, G: 3, T: 4 }[unit.replace('I', '')]!;
  const base = unit.endsWith('I') ? 1024 : 1000;
  const n = Math.floor(Number(m[1]) * base ** pow);
  if (!(n > 0)) throw new UsageError(`${flag} must be > 0`);
  return n;
}
