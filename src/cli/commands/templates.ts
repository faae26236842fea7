// `prism templates [--json]`: the built-in chat templates.
import {
  agentTemplateList,
  getTemplate,
  nativeAgentId,
  templateIds,
  toolFormatDescriptions,
} from '../../templates/index.ts';
import type { Command } from '../command.ts';

const help = `Usage: prism templates [--json]

List the built-in chat templates (id, family, Hugging Face models, native tool format) and the
agent (tool-call) templates any of them can use with --agent-template.

Options:
  --json   print one JSON object and nothing else on stdout:
           {templates: [{id, family, models, tool_format, agent_template, reference,
                         generation_prompt, stop, notes, vars: [{name, default, description}]}],
            agent_templates: [{id, kind, description, families?}]}
           (reference: the official chat template file each is checked against, or null;
           agent_template: the native one it uses by default; kind: native or ms-swift; families:
           the only families a native format bound to its own tokens works with; vars: the
           official template's variables render and tokenize take with --var / --today /
           --enable-thinking, with the official default)`;

export function templateList() {
  return templateIds.map((id) => {
    const s = getTemplate(id);
    return {
      id: s.id,
      family: s.family,
      models: s.models,
      tool_format: s.toolFormat,
      agent_template: nativeAgentId(s),
      reference: s.reference ?? null,
      generation_prompt: s.generationPrompt,
      stop: s.stop,
      notes: s.notes ?? null,
      vars: s.vars ?? [],
    };
  });
}

export const templates: Command = {
  name: 'templates',
  summary: 'List the built-in chat templates',
  help,
  options: { json: { type: 'boolean' } },
  async run(args) {
    const list = templateList();
    if (args.values.json) {
      process.stdout.write(JSON.stringify({ templates: list, agent_templates: agentTemplateList() }) + '\n');
      return 0;
    }
    const w = Math.max(...list.map((t) => t.id.length));
    const lines = list.flatMap((t) => [
      `${t.id.padEnd(w)}  ${t.family.padEnd(9)} ` +
        `tools: ${t.tool_format.padEnd(13)} ${t.models.join(', ') || '(any ChatML model)'}`,
      ...t.vars.map((v) => `${' '.repeat(w)}    ${v.name} (default ${v.default}): ${v.description}`),
    ]);
    lines.push('', 'Tool formats:', ...Object.entries(toolFormatDescriptions).map(([k, v]) => `  ${k}: ${v}`));
    const agents = agentTemplateList();
    const aw = Math.max(...agents.map((a) => a.id.length));
    lines.push('', "Agent templates (--agent-template; default: the family's native format):");
    lines.push(
      ...agents.map(
        (a) =>
          `  ${a.id.padEnd(aw)}  ${a.kind.padEnd(8)}  ` +
          `${a.description}${a.families ? ` (${a.families.join(', ')} only)` : ''}`,
      ),
    );
    process.stdout.write(lines.join('\n') + '\n');
    return 0;
  },
};
