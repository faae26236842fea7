// `prism render --template ID FILE [--json]`: every record rendered with one template, with the
// spans that are trained. JSON Lines, one object per record, in file order.
import { open } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { readDataset } from '../../data/index.ts';
import {
  getTemplate,
  LossScaleError,
  parseLossScale,
  refusalFix,
  renderChecked,
  TemplateError,
  templateIds,
  type LossPolicy,
  type Rendered,
} from '../../templates/index.ts';
import { AGENT_TEMPLATE_HELP, agentTemplateOption } from '../agent-option.ts';
import { TEMPLATE_VAR_HELP, TEMPLATE_VAR_OPTIONS, templateVarOptions } from '../template-vars-option.ts';
import { optionalNumber, requireString, UsageError, type Command } from '../command.ts';

const LOSS: LossPolicy[] = ['all_assistant', 'last_round', 'all'];

const help =
  `Usage: prism render --template ID [--agent-template A] FILE [--date "15 Jan ` +
  `2026"] [--loss-scale S] [--json]

Render each record of a JSONL dataset with one built-in template (prism templates lists them)
and show which characters are trained.

Options:
  --template ID            built-in template id (${templateIds.join(', ')})
${AGENT_TEMPLATE_HELP}
  --date TEXT              "Today Date" for date-stamped templates (Llama 3.1+; default 26 Jul 2024)
${TEMPLATE_VAR_HELP}
  --loss POLICY            all_assistant (default): every assistant turn and its end-of-turn token;
                           last_round: only the turns after the last user or tool message; all:
                           everything.
                           A record's per-message "loss": true|false overrides it.
  --loss-scale SPEC        ms-swift's --loss_scale instead of --loss: [default|last_round|all+]NAME
                           [+NAME...] with NAME react, hermes, qwen, agentflan, alpha_umi,
                           ignore_empty_think, ignore_think_prefix (e.g. last_round+react); spans
                           then carry their weight. A message's "loss_scale" number overrides it.
  --last-round-boundary B  user_or_tool (default, as ms-swift) or user: where last_round starts
  --generation-prompt      end with the prompt that starts the assistant's reply (as
                           apply_chat_template's add_generation_prompt=True); records may then be
                           prompts only: ending with a user turn (or a tool result), no assistant
  --max-chars N            warn (record_too_long) over N characters (default 32768)
  --json                   JSON Lines only, one per record:
                             {line, text, spans: [{start, end, role, trainable, weight?, added?}],
                              warnings: [{code, message}]}
                           or {line, error} for a record that cannot be read or that the template
                           refuses. Offsets are UTF-16 code units into text; spans tile text.
                           role: system, tools, user, assistant, tool, or template (scaffolding).
                           weight: the loss weight of a trained span when it is not 1; added: an
                           end marker the official template does not write, added for training.

Without --json the text is printed with trained parts marked ⟦like this⟧ (green on a terminal),
⟦×2:weighted⟧ where the weight is not 1.
Exit status: 0 when the file was read (records with errors are reported in-line), 1 when it
cannot be read, 2 for a usage error.`;

function marked(r: Rendered, color: boolean): string {
  return r.spans
    .map((s) => {
      const t = r.text.slice(s.start, s.end);
      if (!s.trainable) return t;
      const w = s.weight !== undefined ? `×${s.weight}:` : '';
      return color ? `\x1b[32m${w}${t}\x1b[0m` : `⟦${w}${t}⟧`;
    })
    .join('')
    .replace(/⟧⟦/g, '');
}

export const render: Command = {
  name: 'render',
  summary: 'Render each record with a template, with trained spans',
  help,
  options: {
    template: { type: 'string' },
    'agent-template': { type: 'string' },
    date: { type: 'string' },
    loss: { type: 'string' },
    'loss-scale': { type: 'string' },
    'last-round-boundary': { type: 'string' },
    'generation-prompt': { type: 'boolean' },
    'max-chars': { type: 'string' },
    json: { type: 'boolean' },
    ...TEMPLATE_VAR_OPTIONS,
  },
  async run(args) {
    const id = requireString(args, 'template');
    if (!(templateIds as string[]).includes(id))
      throw new UsageError(`unknown template '${id}' (built in: ${templateIds.join(', ')})`);
    const spec = getTemplate(id);
    const file = args.positionals[0];
    if (!file) throw new UsageError('missing FILE');
    if (args.positionals.length > 1) throw new UsageError(`one FILE only, got ${args.positionals.length}`);
    const agentTemplate = agentTemplateOption(args, spec);
    const loss = (args.values.loss as string | undefined) ?? 'all_assistant';
    if (!LOSS.includes(loss as LossPolicy))
      throw new UsageError(`--loss must be one of ${LOSS.join(', ')}, got ${loss}`);
    const lossScale = args.values['loss-scale'] as string | undefined;
    if (lossScale !== undefined && args.values.loss !== undefined)
      throw new UsageError('give --loss or --loss-scale, not both (--loss-scale names the base strategy itself)');
    if (lossScale !== undefined) {
      try {
        parseLossScale(lossScale);
      } catch (e) {
        if (e instanceof LossScaleError) throw new UsageError(`--loss-scale: ${e.message}`);
        throw e;
      }
    }
    const boundary = (args.values['last-round-boundary'] as string | undefined) ?? 'user_or_tool';
    if (boundary !== 'user' && boundary !== 'user_or_tool')
      throw new UsageError(`--last-round-boundary must be user or user_or_tool, got ${boundary}`);
    const opts = {
      agentTemplate,
      lossScale,
      lossPolicy: loss as LossPolicy,
      lastRoundBoundary: boundary as 'user' | 'user_or_tool',
      date: args.values.date as string | undefined,
      addGenerationPrompt: !!args.values['generation-prompt'],
      maxChars: optionalNumber(args, 'max-chars'),
      ...templateVarOptions(args, spec),
    };
    const json = !!args.values.json;
    const color = !json && process.stdout.isTTY === true;

    let handle;
    try {
      handle = await open(file, 'r');
    } catch (err) {
      process.stderr.write(`prism render: cannot read ${file}: ${(err as Error).message}\n`);
      return 1;
    }
    try {
      const stream = Readable.toWeb(
        handle.createReadStream({ autoClose: false }),
      ) as unknown as ReadableStream<Uint8Array>;
      for await (const rec of readDataset(stream, { forGeneration: opts.addGenerationPrompt })) {
        let out: Record<string, unknown>;
        const errors = rec.issues.filter((i) => i.severity === 'error');
        if (!rec.conversation || errors.length > 0) {
          out = {
            line: rec.line,
            error:
              (errors.length ? errors : rec.issues).map((i) => `${i.code}: ${i.message}`).join('; ') ||
              'record could not be read',
          };
        } else {
          try {
            const r = renderChecked(spec, rec.conversation, opts);
            // The reader's warnings for the record come first, then the template's.
            // Reader messages already name their field (messages[2].content ...): printed as they are.
            const readerWarnings = rec.issues.map((i) => ({ code: i.code, message: i.message }));
            out = { line: rec.line, text: r.text, spans: r.spans, warnings: [...readerWarnings, ...r.warnings] };
          } catch (err) {
            // Whatever fails on one record stays that record's error: the rest of the file goes on.
            // A refusal an opt-in fix would render says so (Mistral Small's tool call ids).
            const fix = err instanceof TemplateError ? refusalFix(spec, rec.conversation, opts) : undefined;
            out =
              err instanceof TemplateError
                ? { line: rec.line, error: `${id} refuses this record: ${err.message}${fix ? `; ${fix}` : ''}` }
                : { line: rec.line, error: `rendering this record failed: ${(err as Error).message}` };
          }
        }
        if (!process.stdout.write(json ? JSON.stringify(out) + '\n' : human(out, color))) {
          await new Promise((resolve) => process.stdout.once('drain', resolve));
        }
      }
    } catch (err) {
      process.stderr.write(`prism render: cannot read ${file}: ${(err as Error).message}\n`);
      return 1;
    } finally {
      await handle.close();
    }
    return 0;
  },
};

function human(out: Record<string, unknown>, color: boolean): string {
  const head = `--- line ${out.line}`;
  if ('error' in out) return `${head}: error: ${out.error}\n`;
  const r = {
    text: out.text as string,
    spans: out.spans as Rendered['spans'],
    warnings: out.warnings as Rendered['warnings'],
  };
  const warns = r.warnings.map((w) => `  warning ${w.code}: ${w.message}\n`).join('');
  return `${head}\n${warns}${marked(r, color)}\n`;
}
