// `--agent-template ID` for the commands that render (render, tokenize, train): checked once,
// before any record is read, so a typo or a combination that cannot work is a usage error and not
// one refusal per record.
import { agentTemplateProblem, type TemplateSpec } from '../templates/index.ts';
import { UsageError, type ParsedArgs } from './command.ts';

export const AGENT_TEMPLATE_HELP =
  `  --agent-template ID      the tool-call format: native ` +
  `(default, the model family's own), a
                           native format by name (native:hermes, native:react, ...), or any of
                           ms-swift's agent templates (hermes, react_en, llama3, glm4, ...);
                           prism templates lists them`;

/** The agent template named by --agent-template, or undefined (the family's own). */
export function agentTemplateOption(args: ParsedArgs, spec: TemplateSpec): string | undefined {
  const v = args.values['agent-template'];
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || v === '') {
    throw new UsageError('--agent-template needs an id (prism templates lists them)');
  }
  const problem = agentTemplateProblem(v, spec);
  if (problem) throw new UsageError(`--agent-template: ${problem}`);
  return v;
}
