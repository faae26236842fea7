// `prism tokenize --tokenizer DIR --template ID FILE --out OUT.jsonl`: every record rendered with
// one template and encoded by the model's tokenizer on a pool of worker threads. JSON Lines
// `{line, input_ids, labels, loss_scale?}` in file order; the dataset statistics on stderr (or, with --json,
// as one JSON object on stdout).
import { createWriteStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { once } from 'node:events';
import { readDataset } from '../../data/index.ts';
import {
  getTemplate,
  LOSS_SCALE_NAMES,
  LossScaleError,
  parseLossScale,
  templateIds,
  type LossPolicy,
} from '../../templates/index.ts';
import { AGENT_TEMPLATE_HELP, agentTemplateOption } from '../agent-option.ts';
import { effectiveLossScale } from '../../train/config.ts';
import type { PipelineItem } from '../../tokenize/pipeline.ts';
import { tokenizeWithPool } from '../../tokenize/pool.ts';
import { addResult, StatsAccumulator } from '../../tokenize/stats.ts';
import type { DatasetStats, Truncation } from '../../tokenize/types.ts';
import { optionalNumber, requireString, UsageError, type Command } from '../command.ts';
import { TEMPLATE_VAR_HELP, TEMPLATE_VAR_OPTIONS, templateVarOptions } from '../template-vars-option.ts';
import { nodePoolSize, readTokenizerFolder, spawnNodeWorker } from '../tokenize-pool.ts';

const LOSS: LossPolicy[] = ['all_assistant', 'last_round', 'all'];
const TRUNCATION: Truncation[] = ['delete', 'left', 'right'];

const help = `Usage: prism tokenize --tokenizer DIR --template ID FILE --out OUT.jsonl [options]

Render each record of a JSONL dataset with a built-in template and encode it with a Hugging Face
tokenizer (a folder with tokenizer.json and tokenizer_config.json; a folder with only a
SentencePiece tokenizer.model, as InternLM2's, gets the fast tokenizer transformers builds from it).

Writes JSON Lines to OUT, one per record kept, in file order:
  {"line": N, "input_ids": [...], "labels": [...], "loss_scale": [...]}
input_ids are the tokenizer's encoding of the whole rendered text in one call (plus the
tokenizer's BOS only when it adds one and the template did not write it). labels are
input_ids where the token is trained and -100 elsewhere, unshifted (Hugging Face convention).
loss_scale (ms-swift's name) is written only for a record with a trained token whose weight is
not 1: one weight per token, aligned with input_ids, 0 where labels are -100. A token weighs the
most of its characters' weights (a token across a weight boundary takes the larger).
Records that cannot be read, that the template refuses, or that truncation deletes are not
written; the summary counts them (and lists the failures).

Options:
  --tokenizer DIR          tokenizer folder (e.g. a Hugging Face model folder)
  --template ID            built-in template id (${templateIds.join(', ')})
${AGENT_TEMPLATE_HELP}
  --out FILE               where to write the JSON Lines
  --max-length N           longest row in tokens (default: no limit)
  --truncation MODE        delete (default: drop the record), left (keep the last N tokens),
                           right (keep the first N tokens)
  --loss-scale SPEC        ms-swift's --loss_scale: [default|last_round|all+]NAME[+NAME...], NAME one of
                           ${LOSS_SCALE_NAMES.join(', ')} (default: default)
  --loss POLICY            the old name of the base: all_assistant, last_round or all
  --date TEXT              "Today Date" for date-stamped templates (Llama 3.1+)
${TEMPLATE_VAR_HELP}
  --workers N              worker threads (default: CPUs − 1, at least 1)
  --json                   print the summary as one JSON object on stdout
  --quiet                  no summary on stderr

Exit status: 0 when the file was read, 1 when it (or the tokenizer) cannot be read, 2 for a
usage error.`;

export const tokenize: Command = {
  name: 'tokenize',
  summary: 'Encode a dataset to input_ids and labels',
  help,
  options: {
    tokenizer: { type: 'string' },
    template: { type: 'string' },
    out: { type: 'string' },
    'max-length': { type: 'string' },
    truncation: { type: 'string' },
    loss: { type: 'string' },
    'loss-scale': { type: 'string' },
    'agent-template': { type: 'string' },
    date: { type: 'string' },
    workers: { type: 'string' },
    json: { type: 'boolean' },
    quiet: { type: 'boolean' },
    ...TEMPLATE_VAR_OPTIONS,
  },
  async run(args) {
    const dir = requireString(args, 'tokenizer');
    const template = requireString(args, 'template');
    const outPath = requireString(args, 'out');
    if (!(templateIds as string[]).includes(template))
      throw new UsageError(`unknown template '${template}' (built in: ${templateIds.join(', ')})`);
    const agentTemplate = agentTemplateOption(args, getTemplate(template));
    const file = args.positionals[0];
    if (!file) throw new UsageError('missing FILE');
    if (args.positionals.length > 1) throw new UsageError(`one FILE only, got ${args.positionals.length}`);
    const maxLength = optionalNumber(args, 'max-length');
    if (maxLength !== undefined && !(Number.isInteger(maxLength) && maxLength > 0))
      throw new UsageError(`--max-length must be a positive integer, got ${maxLength}`);
    const truncation = ((args.values.truncation as string | undefined) ?? 'delete') as Truncation;
    if (!TRUNCATION.includes(truncation))
      throw new UsageError(`--truncation must be one of ${TRUNCATION.join(', ')}, got ${truncation}`);
    const loss = args.values.loss as LossPolicy | undefined;
    if (loss !== undefined && !LOSS.includes(loss))
      throw new UsageError(`--loss must be one of ${LOSS.join(', ')}, got ${loss}`);
    let lossScale: string;
    try {
      lossScale = effectiveLossScale({
        loss_scale: (args.values['loss-scale'] as string | undefined) ?? 'default',
        loss_policy: loss,
      });
      parseLossScale(lossScale);
    } catch (err) {
      if (err instanceof LossScaleError) throw new UsageError(`--loss-scale: ${err.message}`);
      throw err;
    }
    const templateVars = templateVarOptions(args, getTemplate(template));
    const workers = optionalNumber(args, 'workers') ?? nodePoolSize();
    if (!(Number.isInteger(workers) && workers >= 1))
      throw new UsageError(`--workers must be a positive integer, got ${workers}`);

    let files;
    try {
      files = await readTokenizerFolder(dir);
    } catch (err) {
      process.stderr.write(`prism tokenize: cannot read the tokenizer: ${(err as Error).message}\n`);
      return 1;
    }
    let handle;
    try {
      handle = await open(file, 'r');
    } catch (err) {
      process.stderr.write(`prism tokenize: cannot read ${file}: ${(err as Error).message}\n`);
      return 1;
    }

    const stats = new StatsAccumulator();
    const failures: { line: number; error: string }[] = [];
    const out = createWriteStream(outPath);
    let written = 0;
    const started = performance.now();
    try {
      const stream = Readable.toWeb(
        handle.createReadStream({ autoClose: false }),
      ) as unknown as ReadableStream<Uint8Array>;
      // Unreadable records are counted here; they never reach the workers.
      async function* items(): AsyncGenerator<PipelineItem> {
        for await (const rec of readDataset(stream)) {
          if (rec.line === 0) continue;
          const errors = rec.issues.filter((i) => i.severity === 'error');
          if (!rec.conversation || errors.length) {
            stats.addFailure();
            failures.push({
              line: rec.line,
              error:
                (errors.length ? errors : rec.issues).map((i) => `${i.code}: ${i.message}`).join('; ') ||
                'record could not be read',
            });
            continue;
          }
          yield { line: rec.line, conversation: rec.conversation };
        }
      }
      const config = {
        template,
        loss_scale: lossScale,
        render: { date: args.values.date as string | undefined, agentTemplate, ...templateVars },
        length: { max_length: maxLength, truncation },
      };
      for await (const r of tokenizeWithPool(items(), { spawn: spawnNodeWorker, files, config, size: workers })) {
        addResult(stats, r);
        if (!r.ok) {
          failures.push({ line: r.line, error: r.error });
          continue;
        }
        if (!r.record) continue;
        const scale = r.record.loss_scale ? `,"loss_scale":[${r.record.loss_scale.join(',')}]` : '';
        const line =
          `{"line":${r.line},"input_ids":[${r.record.input_ids.join(',')}],` +
          `"labels":[${r.record.labels.join(',')}]${scale}}\n`;
        written++;
        if (!out.write(line)) await once(out, 'drain');
      }
      out.end();
      await once(out, 'finish');
    } catch (err) {
      out.destroy();
      process.stderr.write(`prism tokenize: ${(err as Error).message}\n`);
      return 1;
    } finally {
      await handle.close();
    }
    const seconds = (performance.now() - started) / 1000;
    const summary = {
      file,
      template,
      tokenizer: dir,
      out: outPath,
      written,
      max_length: maxLength ?? null,
      truncation,
      workers,
      seconds,
      stats: stats.result(),
      failures,
    };
    if (args.values.json) process.stdout.write(JSON.stringify(summary) + '\n');
    if (!args.values.quiet) process.stderr.write(describe(summary.stats, written, seconds, failures));
    return 0;
  },
};

function describe(
  s: DatasetStats,
  written: number,
  seconds: number,
  failures: { line: number; error: string }[],
): string {
  const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
  const lines = [
    `records ${s.records + s.failed}: ${written} written, ${s.dropped} dropped over max_length, ${s.truncated} ` +
      `truncated, ${s.failed} failed`,
    `tokens ${s.totalTokens} (trained ${s.trainedTokens}, ${pct(s.trainedShare)}); per record min ${s.minTokens}, ` +
      `mean ${s.meanTokens.toFixed(1)}, max ${s.maxTokens}`,
    `${(s.records / Math.max(seconds, 1e-9)).toFixed(0)} ` +
      `records/s, ${(s.totalTokens / Math.max(seconds, 1e-9)).toFixed(0)} tokens/s`,
  ];
  if (s.noTrainedTokens) lines.push(`${s.noTrainedTokens} records have no trained token`);
  if (s.straddles)
    lines.push(`${s.straddles} tokens straddle a weight boundary (trained or not; each takes the larger weight)`);
  const { edges, counts } = s.histogram;
  const last = counts.reduce((k, c, i) => (c ? i : k), 0);
  lines.push('tokens per record:');
  for (let i = 0; i <= last; i++) {
    const range = i + 1 < edges.length ? `${edges[i]}–${edges[i + 1] - 1}` : `${edges[i]}+`;
    lines.push(`  ${range.padStart(11)}  ${String(counts[i]).padStart(7)}`);
  }
  for (const f of failures.slice(0, 10)) lines.push(`line ${f.line}: ${f.error}`);
  if (failures.length > 10) lines.push(`… and ${failures.length - 10} more failures`);
  return lines.join('\n') + '\n';
}
