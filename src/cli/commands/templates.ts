// `prism templates [--json]`: the built-in chat templates.
import { getTemplate, templateIds, toolFormatDescriptions } from '../../templates/index.ts';
import type { Command } from '../command.ts';

const help = `Usage: prism templates [--json]

List the built-in chat templates: id, family, Hugging Face models, tool format.

Options:
  --json   print one JSON object and nothing else on stdout:
           {templates: [{id, family, models, tool_format, reference, generation_prompt, stop, notes}]}
           (reference: the official chat template file each is checked against, or null)`;

export function templateList() {
  return templateIds.map((id) => {
    const s = getTemplate(id);
    return {
      id: s.id,
      family: s.family,
      models: s.models,
      tool_format: s.toolFormat,
      reference: s.reference ?? null,
      generation_prompt: s.generationPrompt,
      stop: s.stop,
      notes: s.notes ?? null,
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
      process.stdout.write(JSON.stringify({ templates: list }) + '\n');
      return 0;
    }
    const w = Math.max(...list.map((t) => t.id.length));
    const lines = list.map((t) => `${t.id.padEnd(w)}  ${t.family.padEnd(9)} tools: ${t.tool_format.padEnd(11)} ${t.models.join(', ') || '(any ChatML model)'}`);
    lines.push('', 'Tool formats:', ...Object.entries(toolFormatDescriptions).map(([k, v]) => `  ${k}: ${v}`));
    process.stdout.write(lines.join('\n') + '\n');
    return 0;
  },
};
