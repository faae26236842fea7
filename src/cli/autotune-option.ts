// `--autotune on|off|auto` for the commands that run the engine (train, forward, generate): before
// any work is recorded, the gemm autotuner (src/engine/kernels/autotune.ts) times the variants of
// the model's shape classes this GPU has no choice for yet, and keeps the choices in
// ~/.cache/prism/gemm-tuning.json (src/cli/tuner-file.ts). auto (the default) skips CPU adapters
// such as SwiftShader, where the built-in rule is already the tuned one.
import {
  AUTOTUNE_MODES,
  autotune,
  describeAutotune,
  type AutotuneMode,
  type AutotuneReport,
} from '../engine/kernels/autotune.ts';
import type { GemmShape } from '../engine/kernels/tuner.ts';
import { UsageError, type ParsedArgs } from './command.ts';
import { fileTunerStore } from './tuner-file.ts';

export const AUTOTUNE_OPTION = { autotune: { type: 'string' } } as const;

export const AUTOTUNE_HELP = [
  "  --autotune MODE        time the matmul kernels for this model's shapes on this GPU first and use",
  '                         the fastest: auto (default: on GPUs, not on CPU adapters), on, off;',
  '                         choices are kept in ~/.cache/prism/gemm-tuning.json',
].join('\n');

/** The --autotune mode (auto when absent), or a usage error naming the allowed values. */
export function autotuneOption(args: ParsedArgs): AutotuneMode {
  const v = args.values.autotune;
  if (v === undefined) return 'auto';
  if (typeof v === 'string' && (AUTOTUNE_MODES as readonly string[]).includes(v)) return v as AutotuneMode;
  throw new UsageError(`--autotune must be one of ${AUTOTUNE_MODES.join(', ')}, got ${String(v)}`);
}

/** Tunes `shapes` on `device` per --autotune with the CLI's file store; logs what it did. */
export async function cliAutotune(
  device: GPUDevice,
  shapes: GemmShape[],
  mode: AutotuneMode,
  log: (line: string) => void,
): Promise<AutotuneReport> {
  const r = await autotune(device, shapes, mode, mode === 'off' ? undefined : fileTunerStore());
  // auto on a CPU adapter is the quiet, expected case (tests, CI).
  if (!(mode === 'auto' && r.skipped)) log(`prism: ${describeAutotune(r)}\n`);
  return r;
}
