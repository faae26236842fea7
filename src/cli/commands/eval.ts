// `prism eval`: base vs tuned on a file's records, as the Evaluate page does (src/infer/eval): each
// record's last assistant reply is the reference, everything before it the prompt; a greedy reply
// from the base model and one with the adapter, scored by exact match, token F1 and ROUGE-L, or by
// the tool-call check when the reference calls tools.
import { openAsBlob } from 'node:fs';
import { readConversations } from '../../data/dataset-ref.ts';
import { evaluate, type EvalReply, type EvalRow, type SideSummary } from '../../infer/eval/evaluate.ts';
import { evalItem } from '../../infer/eval/items.ts';
import { loadAdapter, loadModel, modelTokenizer } from '../../infer/load.ts';
import { toolCallParserFor } from '../../infer/tool-calls.ts';
import { openModel } from '../../model/open.ts';
import { getTemplate } from '../../templates/index.ts';
import { AGENT_TEMPLATE_HELP, agentTemplateOption } from '../agent-option.ts';
import { optionalNumber, requireString, UsageError, type Command } from '../command.ts';
import { fsModelSource } from '../fs-source.ts';
import { nodeDevice } from '../node-gpu.ts';
import { AUTOTUNE_HELP, AUTOTUNE_OPTION, autotuneOption, cliAutotune } from '../autotune-option.ts';
import { modelGemmShapes, weightDtype } from '../../engine/kernels/autotune.ts';

export const evalCommand: Command = {
  name: 'eval',
  summary: 'Evaluate base vs tuned on a file',
  help: `Usage: prism eval --model DIR [--adapter DIR] --template ID FILE [options]

Each record of FILE is asked up to its last assistant reply (the prompt, rendered with the
template and its generation prompt); the base model and, with --adapter, the tuned model each
reply greedily, and the replies are scored against the record's reply: exact match, token F1 and
ROUGE-L for text, and for a reply that calls tools whether the calls parse and their names and
arguments match (ms-swift's parser for the format). Bad lines are named and skipped.

Options:
  --adapter DIR          a PEFT LoRA adapter folder, applied unmerged (the tuned side)
${AGENT_TEMPLATE_HELP}
  --max-new-tokens N     per reply, default 128
  --limit N              the first N records only
${AUTOTUNE_HELP}
  --json                 JSON Lines: one object per record ({line, ask, prompt, reference, base,
                         tuned} or {line, error}), then {summary}
`,
  options: {
    model: { type: 'string' },
    adapter: { type: 'string' },
    template: { type: 'string' },
    'agent-template': { type: 'string' },
    'max-new-tokens': { type: 'string' },
    limit: { type: 'string' },
    json: { type: 'boolean' },
    ...AUTOTUNE_OPTION,
  },
  async run(args) {
    const autotuneMode = autotuneOption(args);
    const modelDir = requireString(args, 'model');
    const templateId = requireString(args, 'template');
    const file = args.positionals[0];
    if (!file) throw new UsageError('missing FILE (a JSONL dataset)');
    if (args.positionals.length > 1) throw new UsageError(`one FILE only, got ${args.positionals.length}`);
    const maxNew = optionalNumber(args, 'max-new-tokens') ?? 128;
    if (!Number.isInteger(maxNew) || maxNew < 1)
      throw new UsageError(`--max-new-tokens must be a positive integer, got ${maxNew}`);
    const limit = optionalNumber(args, 'limit');
    if (limit !== undefined && (!Number.isInteger(limit) || limit < 1))
      throw new UsageError(`--limit must be a positive integer, got ${limit}`);
    const json = args.values.json === true;
    let spec;
    try {
      spec = getTemplate(templateId);
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
    const agent_template = agentTemplateOption(args, spec);
    const out = (o: unknown) => process.stdout.write(JSON.stringify(o) + '\n');

    const { items, invalid } = await readConversations({ sha256: '', name: file, file: await openAsBlob(file) });
    const asked = items
      .slice(0, limit ?? Infinity)
      .map((i) => evalItem({ ...i.conversation, source: { ...i.conversation.source, line: i.line } }));
    for (const bad of invalid) {
      if (json) out({ line: bad.line, error: `invalid record: ${bad.why}` });
      else process.stderr.write(`${file}:${bad.line}: skipped, ${bad.why}\n`);
    }
    if (!asked.length) throw new UsageError(`${file} has no record to evaluate`);

    const adapterDir = args.values.adapter as string | undefined;
    const source = fsModelSource(modelDir);
    const adapterSource = adapterDir ? fsModelSource(adapterDir) : null;
    try {
      // The adapter is checked against the model's config and tensors before anything is allocated.
      const opened = await openModel(source);
      const adapter = adapterSource ? await loadAdapter(adapterSource, opened.spec) : null;
      const device = await nodeDevice();
      const model = await loadModel(source, device, { opened });
      const tokenizer = modelTokenizer(model, modelDir);
      // Prompts are rendered inside evaluate(): tune the prefill classes of short and medium prompts
      // and the decode step's one row.
      const shapes = modelGemmShapes(model.spec, {
        tokens: [64, 512, 1],
        dtype: weightDtype(model.spec.torch_dtype),
        loraRank: adapter?.config.r,
        head: true,
      });
      await cliAutotune(device, shapes, autotuneMode, (s) => process.stderr.write(s));
      const tty = !json && process.stderr.isTTY;
      const result = await evaluate({
        device,
        model,
        tokenizer,
        adapter,
        items: asked,
        template: templateId,
        max_new_tokens: maxNew,
        ...(agent_template ? { agent_template } : {}),
        onRow: (row, done, total) => {
          if (json) out(row);
          else process.stdout.write(rowLine(row) + '\n');
          if (tty) process.stderr.write(`\r${done}/${total} records`);
        },
      });
      if (tty) process.stderr.write('\n');
      if (json) out({ summary: result.summary, skipped: invalid.length });
      else {
        const parser = toolCallParserFor(spec, agent_template);
        process.stdout.write(summaryText(result.summary.base, result.summary.tuned, parser, invalid.length));
      }
      model.destroy();
      return result.summary.errors === result.summary.rows ? 1 : 0;
    } finally {
      await source.close();
      await adapterSource?.close();
    }
  },
};

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

function replyScore(r: EvalReply | null): string {
  if (!r) return '-';
  if (r.tool) {
    const t = r.tool;
    return t.arguments ? 'calls match' : t.names ? 'arguments differ' : t.parsed ? 'names differ' : 'no call parsed';
  }
  if (r.scores) return `EM ${r.scores.exact_match} F1 ${r.scores.token_f1.toFixed(2)}`;
  return `${r.tokens} tokens`;
}

function rowLine(row: EvalRow): string {
  if (row.error) return `line ${row.line}: ${row.error}`;
  return `line ${row.line}: base ${replyScore(row.base)} | tuned ${replyScore(row.tuned)}`;
}

function sideText(name: string, s: SideSummary): string {
  const text = s.text
    ? `${s.text} text replies: exact match ${pct(s.exact_match)}, ` +
      `token F1 ${pct(s.token_f1)}, ROUGE-L ${pct(s.rouge_l)}`
    : 'no text reply';
  const tool = s.tool
    ? `; ${s.tool} tool calls: parsed ${s.tool_parsed}, names ${s.tool_names}, arguments ${s.tool_arguments}`
    : '';
  return `${name}: ${text}${tool}\n`;
}

function summaryText(base: SideSummary, tuned: SideSummary | null, parser: string | null, skipped: number): string {
  return (
    sideText('base ', base) +
    (tuned ? sideText('tuned', tuned) : '') +
    (parser ? '' : 'tool calls not scored: no parser reads this format\n') +
    (skipped ? `${skipped} invalid records skipped\n` : '')
  );
}
