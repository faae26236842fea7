// `prism merge --model DIR --adapter DIR --out DIR [--dtype bf16|f16|f32]`: fold a LoRA adapter
// into the base weights and write a complete Hugging Face model folder (src/adapters/merge.ts).
import { readdir } from 'node:fs/promises';
import { requireString, UsageError, type Command } from '../command.ts';
import { fsModelSource } from '../fs-source.ts';
import { folderSink } from '../fs-sink.ts';
import { readAdapterFolder, parseSize } from '../adapter-folder.ts';
import { DEFAULT_MAX_SHARD_BYTES, writeMergedModel, type FloatDtype } from '../../adapters/merge.ts';

const DTYPES: Record<string, FloatDtype> = {
  bf16: 'BF16',
  f16: 'F16',
  f32: 'F32',
  bfloat16: 'BF16',
  float16: 'F16',
  float32: 'F32',
};

/** Refuse to write into a folder that already holds files: a merge never mixes with an older model. */
export async function requireEmptyFolder(dir: string, flag = '--out'): Promise<void> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return; // does not exist yet: created on write
  }
  if (names.length)
    throw new UsageError(
      `${flag} ${dir} is not empty (${names.slice(0, 3).join(', ')}${names.length > 3 ? ', …' : ''}); ` +
        `choose a new or empty folder`,
    );
}

export function progressLine(quiet: boolean): (p: { file: string; written: number; total: number }) => void {
  let last = -1;
  const tty = !!process.stderr.isTTY;
  return (p) => {
    if (quiet) return;
    const pct = Math.floor((100 * p.written) / Math.max(1, p.total));
    if (pct === last) return;
    last = pct;
    if (tty) process.stderr.write(`\r${String(pct).padStart(3)}% ${p.file}\x1b[K${p.written === p.total ? '\n' : ''}`);
    else if (pct % 10 === 0) process.stderr.write(`${pct}% ${p.file}\n`);
  };
}

export const merge: Command = {
  name: 'merge',
  summary: 'Fold a LoRA adapter into the base model (a Hugging Face folder)',
  help: `Usage: prism merge --model DIR --adapter DIR --out DIR [--dtype bf16|f16|f32] [--max-shard-size 2GB]

Writes W' = W + scale·B·A for every adapted layer (scale = lora_alpha/r, or lora_alpha/√r with
use_rslora), computed in float32 and rounded once to --dtype, as a Hugging Face model folder:
model.safetensors (or model-0000N-of-0000M.safetensors shards + model.safetensors.index.json),
config.json (torch_dtype updated), generation_config.json, the tokenizer files and chat template.

Options:
  --model DIR            base model folder (config.json + safetensors)
  --adapter DIR          PEFT LoRA adapter folder (adapter_config.json + adapter_model.safetensors)
  --out DIR              a new or empty folder
  --dtype D              bf16, f16 or f32 (default: the base model's torch_dtype)
  --max-shard-size S     largest shard (default 2GB; decimal units, or KiB/MiB/GiB)
  --quiet                no progress output
`,
  options: {
    model: { type: 'string' },
    adapter: { type: 'string' },
    out: { type: 'string' },
    dtype: { type: 'string' },
    'max-shard-size': { type: 'string' },
    quiet: { type: 'boolean' },
  },
  async run(args) {
    const modelDir = requireString(args, 'model');
    const adapterDir = requireString(args, 'adapter');
    const out = requireString(args, 'out');
    const dtypeText = args.values.dtype as string | undefined;
    const dtype = dtypeText === undefined ? undefined : DTYPES[dtypeText];
    if (dtypeText !== undefined && !dtype) throw new UsageError(`--dtype must be bf16, f16 or f32, got ${dtypeText}`);
    const maxShardBytes =
      args.values['max-shard-size'] === undefined
        ? DEFAULT_MAX_SHARD_BYTES
        : parseSize(args.values['max-shard-size'] as string, '--max-shard-size');
    await requireEmptyFolder(out);
    const adapter = await readAdapterFolder(adapterDir);
    const source = fsModelSource(modelDir);
    try {
      const files = await writeMergedModel(source, adapter, folderSink(out), {
        dtype,
        maxShardBytes,
        onProgress: progressLine(!!args.values.quiet),
      });
      if (!args.values.quiet) process.stderr.write(`prism merge: wrote ${files.length} files to ${out}\n`);
      return 0;
    } finally {
      await source.close();
    }
  },
};
