// The official templates' variables for the commands that render (render, tokenize): --today,
// --enable-thinking, --var NAME=VALUE and --fix-tool-call-ids, checked against the chosen template
// before any record is read.
import {
  checkToday,
  parseTemplateVars,
  TemplateVarError,
  type RenderOptions,
  type TemplateSpec,
} from '../templates/index.ts';
import { UsageError, type Options, type ParsedArgs } from './command.ts';

export const TEMPLATE_VAR_OPTIONS: Options = {
  today: { type: 'string' },
  'enable-thinking': { type: 'string' },
  var: { type: 'string', multiple: true },
  'fix-tool-call-ids': { type: 'boolean' },
};

export const TEMPLATE_VAR_HELP =
  `  --today YYYY-MM-DD       the date templates print with ` +
  `strftime_now (gpt-oss, Granite 3.3,
                           Mistral Small 3.2; default: today, as the official templates)
  --enable-thinking B      true|false: the template's enable_thinking (default: the template's own)
  --var NAME=VALUE         another variable of the official template, repeatable:
                           reasoning_effort, model_identity, builtin_tools (gpt-oss),
                           thinking_budget (Seed-OSS), keep_past_thinking (LFM2.5),
                           clear_thinking (GLM-4.7), thinking (Granite 3.3);
                           prism templates --json lists each template's with their defaults
  --fix-tool-call-ids      rewrite tool call ids the template refuses (Mistral Small 3.2 needs 9
                           characters) instead of refusing the record`;

/** The render options the flags ask for (only those given). */
export function templateVarOptions(args: ParsedArgs, spec: TemplateSpec): Partial<RenderOptions> {
  const usage = <T>(flag: string, f: () => T): T => {
    try {
      return f();
    } catch (e) {
      if (e instanceof TemplateVarError) throw new UsageError(`${flag}: ${e.message}`);
      throw e;
    }
  };
  const out: Partial<RenderOptions> = {};
  const today = args.values.today;
  if (today !== undefined) out.today = usage('--today', () => checkToday(String(today)));
  const thinking = args.values['enable-thinking'];
  if (thinking !== undefined) {
    if (thinking !== 'true' && thinking !== 'false')
      throw new UsageError(`--enable-thinking: true or false, got ${JSON.stringify(thinking)}`);
    out.enableThinking = thinking === 'true';
  }
  const vars = args.values.var;
  if (vars !== undefined)
    out.vars = usage('--var', () => parseTemplateVars((Array.isArray(vars) ? vars : [vars]).map(String), spec));
  if (args.values['fix-tool-call-ids']) out.fixToolCallIds = true;
  return out;
}
