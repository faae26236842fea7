// `prism export-gguf --model DIR [--adapter DIR] --out FILE.gguf --type f16|q8_0`: a GGUF file
// llama.cpp loads (the adapter merged when given); with --lora-only, the adapter alone as the
// GGUF LoRA llama.cpp applies with --lora over a base GGUF (src/adapters/gguf/export.ts).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { requireString, UsageError, type Command } from '../command.ts';
import { fsModelSource } from '../fs-source.ts';
import { writeStreamed } from '../fs-sink.ts';
import { readAdapterFolder } from '../adapter-folder.ts';
import { progressLine } from './merge.ts';
import type { FileSink } from '../../adapters/sink.ts';
import { writeGguf, writeLoraGguf, type GgufFileType } from '../../adapters/gguf/export.ts';

const TYPES: GgufFileType[] = ['f16', 'q8_0', 'f32'];

export const exportGguf: Command = {
  name: 'export-gguf',
  summary: 'Write a GGUF file for llama.cpp (model, merged model, or LoRA adapter)',
  help: `Usage: prism export-gguf --model DIR [--adapter DIR] --out FILE.gguf --type f16|q8_0|f32
       prism export-gguf --model DIR --adapter DIR --lora-only --out FILE.gguf

Writes GGUF v3 as llama.cpp's convert_hf_to_gguf.py does: llama.cpp's tensor names and
hyperparameters (llama, mistral, qwen2, qwen3, smollm3), the tokenizer (byte-level BPE) and the chat
template. Norms and biases stay f32; other weights are f16, or q8_0 (32-value blocks as ggml's
quantize_row_q8_0_ref) where a row fills whole blocks. With --adapter the adapter is merged
first (W + scale·B·A in float32).

--lora-only writes just the adapter, as convert_lora_to_gguf.py does (general.type=adapter,
adapter.lora.alpha, blk.N.*.lora_a/.lora_b in f32), for \`llama-cli -m base.gguf --lora FILE\`.

Options:
  --model DIR     base model folder (config.json, safetensors, tokenizer.json)
  --adapter DIR   PEFT LoRA adapter folder
  --out FILE      the .gguf file to write
  --type T        f16 (default), q8_0 or f32
  --lora-only     write the LoRA adapter GGUF instead of the model
  --name NAME     general.name (default: from config.json or the folder)
  --quiet         no progress output
`,
  options: {
    model: { type: 'string' },
    adapter: { type: 'string' },
    out: { type: 'string' },
    type: { type: 'string' },
    'lora-only': { type: 'boolean' },
    name: { type: 'string' },
    quiet: { type: 'boolean' },
  },
  async run(args) {
    const modelDir = requireString(args, 'model');
    const out = requireString(args, 'out');
    const type = ((args.values.type as string | undefined) ?? 'f16') as GgufFileType;
    if (!TYPES.includes(type)) throw new UsageError(`--type must be one of ${TYPES.join(', ')}, got ${type}`);
    const adapterDir = args.values.adapter as string | undefined;
    const loraOnly = !!args.values['lora-only'];
    if (loraOnly && !adapterDir) throw new UsageError('--lora-only needs --adapter');
    if (loraOnly && args.values.type !== undefined && type !== 'f32')
      throw new UsageError('--lora-only writes f32 tensors; leave out --type');
    const name = args.values.name as string | undefined;
    const quiet = !!args.values.quiet;
    const onProgress = progressLine(quiet);
    const sink: FileSink = { writeFile: (_path, size, chunks) => writeStreamed(out, size, chunks, out) };
    const adapter = adapterDir ? await readAdapterFolder(adapterDir) : null;
    if (loraOnly) {
      let configText: string;
      try {
        configText = await readFile(join(modelDir, 'config.json'), 'utf8');
      } catch {
        throw new UsageError(`--model ${modelDir}: no config.json`);
      }
      const size = await writeLoraGguf(configText, adapter!, sink, out, { name, onProgress });
      if (!quiet) process.stderr.write(`prism export-gguf: wrote ${out} (LoRA adapter, ${size} bytes)\n`);
      return 0;
    }
    const source = fsModelSource(modelDir);
    try {
      const size = await writeGguf(source, adapter, sink, out, { type, name, onProgress });
      if (!quiet)
        process.stderr.write(
          `prism export-gguf: wrote ${out} (${type}${adapter ? ', adapter merged' : ''}, ${size} bytes)\n`,
        );
      return 0;
    } finally {
      await source.close();
    }
  },
};
