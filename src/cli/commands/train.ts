// `prism train --model DIR --data FILE --template ID --out DIR [hyperparameters]`: LoRA
// training on this machine's GPU (Dawn; SwiftShader without one), writing the PEFT adapter
// folder (adapter_model.safetensors + adapter_config.json) to OUT. Checkpoints go to
// OUT/checkpoints/checkpoint-N (every --save-steps and on Ctrl-C); --resume continues from
// the newest exactly as an uninterrupted run. Progress: a bar on a terminal (stderr), plain
// log lines otherwise.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { buildPrismJson, prismJsonText, PRISM_JSON_FILE } from '../../adapters/prism-json.ts';
import { hubIdFromConfig } from '../../train/provenance.ts';
import { open } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { readDataset } from '../../data/index.ts';
import { uploadWeights } from '../../engine/decoder/weights.ts';
import { decoderTensorNames, openModel } from '../../model/open.ts';
import { LOSS_SCALE_NAMES, templateIds } from '../../templates/index.ts';
import { AGENT_TEMPLATE_HELP } from '../agent-option.ts';
import { tokenizerFromFiles } from '../../tokenize/load.ts';
import { TokenizePipeline } from '../../tokenize/pipeline.ts';
import { effectiveLossScale, validateTrainConfig } from '../../train/config.ts';
import type { CheckpointStorage, TrainCheckpoint } from '../../train/checkpoint.ts';
import { ResumeRefusal, Trainer, TrainRefusal, type TrainEvent } from '../../train/trainer.ts';
import { ModelFingerprint } from '../../train/fingerprint.ts';
import type { TrainRecord } from '../../train/data.ts';
import { nodeDevice } from '../node-gpu.ts';
import { fsModelSource } from '../fs-source.ts';
import { readTokenizerFolder } from '../tokenize-pool.ts';
import { requireString, UsageError, type Command } from '../command.ts';
import { TRAIN_OPTIONS, trainConfigFromArgs } from '../train-options.ts';
import { AUTOTUNE_HELP, autotuneOption, cliAutotune } from '../autotune-option.ts';
import { modelGemmShapes, weightDtype } from '../../engine/kernels/autotune.ts';

// The shared --agent-template help, moved 2 columns left to this command's option column.
const AGENT_HELP = AGENT_TEMPLATE_HELP.replace(/^ {2}--agent-template ID {6}/, '  --agent-template ID    ');

const help = `Usage: prism train --model DIR --data FILE --template ID --out DIR [options]

Train a LoRA adapter of a Hugging Face model folder (config.json, model.safetensors, tokenizer
files) on a JSONL dataset rendered with a built-in template, and write the PEFT adapter folder
(adapter_model.safetensors, adapter_config.json, trainer_state.json) to OUT. Defaults are
ms-swift's \`swift sft --train_type lora\`.

Options:
  --model DIR            base model folder
  --model-id ID          the base model's Hub id, for adapter_config.json and the ms-swift command
                         (default: config.json's _name_or_path when it names one; else none is written)
  --data FILE            JSONL dataset
  --template ID          ${templateIds.join(', ')}
${AGENT_HELP.replace(/\n {27}/g, '\n                         ')}
                         (kept in the adapter: prism.json, README, the swift sft command)
  --out DIR              adapter folder to write
  --loss-scale SPEC      ms-swift's --loss_scale: [default|last_round|all+]NAME[+NAME...], NAME one of
                         ${LOSS_SCALE_NAMES.join(', ')} (default: default)
  --loss POLICY          the old name of the base: all_assistant, last_round or all
  --r N                  LoRA rank (8)
  --lora-alpha N         (32)
  --lora-dropout P       (0.05)
  --target-modules M     all-linear (default) or a comma list of the model's modules (q_proj,…; Phi-3:
                         qkv_proj,o_proj,gate_up_proj,down_proj; InternLM2: wqkv,wo,w1,w3,w2)
  --use-rslora           scale alpha/√r
  --lr X                 learning rate (1e-4)
  --lr-scheduler S       cosine (default), linear, constant
  --warmup-ratio X       (0)
  --weight-decay X       (0.1)
  --max-grad-norm X      (1; 0 = no clipping)
  --epochs N             (3)
  --max-steps N          overrides --epochs
  --batch-size N         rows per micro-batch (1)
  --grad-accum N         micro-batches per step (default: ceil(16 / batch size))
  --max-length N         tokens per row (default: the model's maximum)
  --truncation MODE      delete (default), left, right
  --packing              pack records into rows of --max-length
  --adam-beta1 X         (0.9)
  --adam-beta2 X         (0.95)
  --adam-epsilon X       (1e-8)
  --seed N               LoRA init and dropout (42)
  --data-seed N          data order and eval split (42)
  --eval-ratio X         records held out for eval loss (0)
  --eval-steps N         (default: --save-steps)
  --save-steps N         checkpoint every N steps (500)
  --logging-steps N      log line every N steps when not on a terminal (5)
  --recompute            recompute activations in backward (less memory)
  --resume               continue from the newest checkpoint in OUT/checkpoints; refused unless it was
                         made by this same run (data, model, template and every setting that changes
                         the math: each difference is named)
  --resume-unverified    with --resume, also accept a checkpoint that has no run fingerprint (made by
                         an older Prism); you vouch that it is this run's
  --quiet                no progress output
${AUTOTUNE_HELP}

A new run (no --resume) into an OUT whose checkpoints folder holds checkpoints is refused: it
would mix two runs' checkpoints. Use another --out, or delete OUT/checkpoints.

Exit status: 0 trained, 1 refused or failed, 2 usage error, 130 interrupted (checkpoint saved).`;

/** Steps of the checkpoint-N folders in `dir`, newest first ([] when there is no such folder). */
async function checkpointSteps(dir: string): Promise<number[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  return names
    .map((n) => /^checkpoint-(\d+)$/.exec(n))
    .filter((m) => m)
    .map((m) => Number(m![1]))
    .sort((a, b) => b - a);
}

/** Checkpoints as folders OUT/checkpoints/checkpoint-N with the same three parts the browser stores. */
export function fileCheckpoints(dir: string): CheckpointStorage {
  return {
    async save(cp: TrainCheckpoint) {
      const d = join(dir, `checkpoint-${cp.step}`);
      await mkdir(d, { recursive: true });
      await writeFile(join(d, 'lora.safetensors'), cp.lora);
      await writeFile(join(d, 'optimizer.safetensors'), cp.optimizer);
      await writeFile(
        join(d, 'state.json'),
        JSON.stringify({
          step: cp.step,
          data_position: cp.data_position,
          rng_state: cp.rng_state,
          trainer_state: cp.trainer_state,
          fingerprint: cp.fingerprint,
        }),
      );
    },
    async latest() {
      for (const step of await checkpointSteps(dir)) {
        const d = join(dir, `checkpoint-${step}`);
        try {
          const state = JSON.parse(await readFile(join(d, 'state.json'), 'utf8'));
          return {
            ...state,
            lora: new Uint8Array(await readFile(join(d, 'lora.safetensors'))),
            optimizer: new Uint8Array(await readFile(join(d, 'optimizer.safetensors'))),
          } as TrainCheckpoint;
        } catch {
          continue; // a checkpoint cut short by a crash: use the one before
        }
      }
      return undefined;
    },
  };
}

/** config.json's _name_or_path when it names a Hub model. */
async function hubIdOfFolder(dir: string): Promise<string | null> {
  try {
    return hubIdFromConfig(await readFile(join(dir, 'config.json'), 'utf8'));
  } catch {
    return null;
  }
}

/** Lowercase hex SHA-256 of a file, read in pieces. */
async function fileSha256(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return h.digest('hex');
}

function duration(s: number): string {
  if (!Number.isFinite(s)) return '?';
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = Math.floor(s % 60);
  return h ? `${h}h${String(m).padStart(2, '0')}m` : m ? `${m}m${String(sec).padStart(2, '0')}s` : `${sec}s`;
}

function progress(tty: boolean, loggingSteps: number, quiet: boolean): (e: TrainEvent) => void {
  const out = (s: string) => !quiet && process.stderr.write(s);
  let barShown = false;
  const endBar = () => {
    if (barShown) out('\n');
    barShown = false;
  };
  return (e) => {
    switch (e.type) {
      case 'start':
        out(
          `prism train: ${e.total_steps} steps (${e.steps_per_epoch}/epoch, ` +
            `${e.gradient_accumulation_steps} micro-batches each), ` +
            `${e.train_rows} train rows, ${e.eval_rows} eval rows, rows up to ` +
            `${e.seq_len} tokens, planned GPU memory ` +
            `${(e.planned_bytes / 2 ** 20).toFixed(1)} MiB` +
            `${e.resumed_from !== null ? `, resuming from step ${e.resumed_from}` : ''}\n`,
        );
        break;
      case 'step': {
        const line =
          `step ${e.step}/${e.total_steps} loss ${e.loss.toFixed(4)} lr ` +
          `${e.learning_rate.toExponential(2)} grad_norm ` +
          `${e.grad_norm.toFixed(3)} ` +
          `${e.tokens_per_second.toFixed(0)} tok/s ETA ${duration(e.eta_seconds)}`;
        if (tty) {
          const width = 24;
          const done = Math.round((width * e.step) / e.total_steps);
          out(`\r[${'#'.repeat(done)}${'.'.repeat(width - done)}] ${line}\x1b[K`);
          barShown = true;
        } else if (e.step % loggingSteps === 0 || e.step === e.total_steps) {
          out(`${line}\n`);
        }
        break;
      }
      case 'eval':
        endBar();
        out(`eval step ${e.step}: eval_loss ${e.eval_loss.toFixed(4)}\n`);
        break;
      case 'skipped':
        endBar();
        out(`step ${e.step} skipped: ${e.reason} (${e.consecutive} in a row)\n`);
        break;
      case 'done':
        endBar();
        // A failed run's message is printed by the command, --quiet or not.
        if (e.message && e.status !== 'failed') out(`${e.message}\n`);
        break;
      default:
        break;
    }
  };
}

export const train: Command = {
  name: 'train',
  summary: 'Train a LoRA adapter',
  help,
  options: TRAIN_OPTIONS,
  async run(args) {
    const modelDir = requireString(args, 'model');
    const dataFile = requireString(args, 'data');
    requireString(args, 'template');
    const outDir = requireString(args, 'out');
    // The Hub id the folder corresponds to: --model-id, else config.json's _name_or_path when it names one;
    // the folder itself otherwise (exports then say that no Hub id is known, never write the path).
    const config = trainConfigFromArgs(args, (await hubIdOfFolder(modelDir)) ?? modelDir);
    const template = config.template;
    const issues = validateTrainConfig(config);
    if (issues.length) throw new UsageError(issues.map((i) => `${i.field}: ${i.message}`).join('\n'));
    const quiet = !!args.values.quiet;
    const log = (s: string) => !quiet && process.stderr.write(s);
    const autotuneMode = autotuneOption(args);
    const resume = !!args.values.resume;
    if (args.values['resume-unverified'] && !resume) throw new UsageError('--resume-unverified goes with --resume');
    const checkpointDir = join(outDir, 'checkpoints');
    // Checkpoints of two runs in one folder would let a later --resume continue the wrong one.
    const existing = await checkpointSteps(checkpointDir);
    if (!resume && existing.length) {
      process.stderr.write(
        `prism train: ${checkpointDir} already holds checkpoints of a run (newest: checkpoint-${existing[0]}) — ` +
          'continue that run with --resume, or start this one with another --out (or delete that checkpoints folder)\n',
      );
      return 1;
    }

    // Model and tokenizer.
    const source = fsModelSource(modelDir);
    let trainer: Trainer | null = null;
    try {
      const { spec, checkpoint } = await openModel(source);
      const tokenizer = tokenizerFromFiles(await readTokenizerFolder(modelDir));
      const maxLength = config.max_length ?? spec.max_position_embeddings;

      // Data: render + encode every record (in this thread: the GPU work dominates).
      const pipe = new TokenizePipeline(tokenizer, {
        template,
        loss_scale: effectiveLossScale(config),
        length: { max_length: maxLength, truncation: config.truncation_strategy },
        render: { agentTemplate: config.agent_template },
      });
      const records: TrainRecord[] = [];
      let failed = 0;
      let dropped = 0;
      const handle = await open(dataFile, 'r');
      try {
        const stream = Readable.toWeb(
          handle.createReadStream({ autoClose: false }),
        ) as unknown as ReadableStream<Uint8Array>;
        for await (const rec of readDataset(stream)) {
          if (rec.line === 0) continue;
          if (!rec.conversation || rec.issues.some((i) => i.severity === 'error')) {
            failed++;
            continue;
          }
          const r = pipe.process({ line: rec.line, conversation: rec.conversation });
          if (!r.ok) failed++;
          else if (!r.record) dropped++;
          else {
            const { input_ids, labels, loss_scale } = r.record;
            records.push(
              loss_scale ? { line: r.line, input_ids, labels, loss_scale } : { line: r.line, input_ids, labels },
            );
          }
        }
      } finally {
        await handle.close();
      }
      const unreadable = failed ? `, ${failed} unreadable or refused` : '';
      const tooLong = dropped ? `, ${dropped} longer than ${maxLength} tokens dropped` : '';
      log(`prism train: ${records.length} records from ${dataFile}${unreadable}${tooLong}\n`);
      if (records.length === 0) {
        process.stderr.write('prism train: no usable records\n');
        return 1;
      }

      const device = await nodeDevice();
      // Micro-batches hold up to batch size × the longest record's tokens (packed: --max-length);
      // reduce, not Math.max(...): a spread of 100k+ lengths overflows the stack.
      const rowTokens = config.packing ? maxLength : records.reduce((m, r) => Math.max(m, r.input_ids.length), 0);
      await cliAutotune(
        device,
        modelGemmShapes(spec, {
          tokens: [config.per_device_train_batch_size * rowTokens],
          dtype: weightDtype(spec.torch_dtype),
          training: true,
          loraRank: config.lora.r,
        }),
        autotuneMode,
        log,
      );
      const modelPrint = new ModelFingerprint(spec);
      const weights = await uploadWeights(
        device,
        modelPrint.tee(checkpoint.stream()),
        undefined,
        decoderTensorNames(spec),
      );
      const storage = fileCheckpoints(checkpointDir);
      trainer = new Trainer({
        device,
        spec,
        weights,
        config,
        records,
        padId: pipe.encoder.padId,
        storage,
        resume,
        resumeUnverified: !!args.values['resume-unverified'],
        identity: { model: modelPrint.hex(), data_file: await fileSha256(dataFile) },
        recompute: !!args.values.recompute,
        onEvent: progress(!!process.stderr.isTTY, config.logging_steps, quiet),
      });
      const t = trainer;
      const onSigint = () => t.cancel();
      process.once('SIGINT', onSigint);
      const result = await trainer.run().finally(() => process.off('SIGINT', onSigint));
      await mkdir(outDir, { recursive: true });
      if (result.status === 'cancelled') {
        await storage.save(await trainer.checkpoint());
        log(`prism train: interrupted at step ${result.step}; checkpoint saved, continue with --resume\n`);
        return 130;
      }
      if (result.status === 'failed') {
        process.stderr.write(`prism train: ${result.message ?? 'training failed'} — no adapter written\n`);
        return 1;
      }
      for (const [name, bytes] of await trainer.adapterFiles()) await writeFile(join(outDir, name), bytes);
      await writeFile(
        join(outDir, 'trainer_state.json'),
        JSON.stringify({ global_step: result.step, log_history: result.state.loss_curve, config }, null, 2) + '\n',
      );
      const curve = result.state.loss_curve;
      await writeFile(
        join(outDir, PRISM_JSON_FILE),
        prismJsonText(
          buildPrismJson({
            name: basename(resolve(outDir)),
            config,
            steps: result.step,
            final_loss: curve.length ? curve[curve.length - 1].loss : null,
            loss_curve: curve,
            dataset: { name: basename(dataFile), sha256: await fileSha256(dataFile), records: records.length },
            created: Date.now(),
          }),
        ),
      );
      log(`prism train: wrote ${outDir}\n`);
      return 0;
    } catch (err) {
      if (err instanceof ResumeRefusal) {
        const fix = err.unverified
          ? "pass --resume-unverified too if you are sure it is this run's, or start over with another " +
            '--out (or delete OUT/checkpoints)'
          : 'resume with the same data, model and settings, or start this run with another ' +
            '--out (or delete OUT/checkpoints)';
        process.stderr.write(`prism train: ${err.message} — ${fix}\n`);
        return 1;
      }
      if (err instanceof TrainRefusal) {
        process.stderr.write(`prism train: ${err.message}\n`);
        return 1;
      }
      throw err;
    } finally {
      trainer?.destroy();
      await source.close();
    }
  },
};
