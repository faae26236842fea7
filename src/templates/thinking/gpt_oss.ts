// gpt-oss's system message, developer message and replies (official
// ../shared/reference/chat_templates/openai-gpt-oss-120b.jinja):
//  - a system message always: model_identity, the knowledge cutoff, `Current date:` +
//    strftime_now('%Y-%m-%d') (the `today` option; default the current date, as the template),
//    `Reasoning: ` + reasoning_effort (default medium), builtin_tools (browser, python), the channel
//    rule, and with tools the commentary rule;
//  - the record's system prompt becomes the developer message (`# Instructions`), with the tools;
//  - a reply is `<|channel|>final<|message|>` + content, ended by `<|end|>`; the last message of a
//    training text (no generation prompt) ends `<|return|>` and keeps its reasoning (from
//    `thinking`, our reasoning_content) as an analysis message before it; other replies lose theirs
//    (warning thinking_dropped).
// Refuses, with the template's messages, `<|channel|>` tags written in content or reasoning.
import type { Conversation } from '../../data/types.ts';
import type { Piece } from '../agent/types.ts';
import { TemplateError } from '../errors.ts';
import { strftime } from '../strftime.ts';
import type { ThinkingOptions, ThinkingRule } from '../thinking.ts';

const TAGS = ['<|channel|>analysis<|message|>', '<|channel|>final<|message|>'];
const tagged = (s: string | undefined) => s !== undefined && TAGS.some((t) => s.includes(t));
const REFUSAL = (field: string) =>
  `You have passed a message containing <|channel|> tags in the ${field} field. Instead of doing this, you should ` +
  `pass analysis messages (the string between '<|message|>' and '<|end|>') in the 'thinking' field, and final ` +
  `messages (the string between '<|message|>' and '<|end|>') in the 'content' field.`;

const BROWSER =
  '## browser\n\n// Tool for browsing.\n// The `cursor` appears in brackets before each browsing display: ' +
  '`[{cursor}]`.\n// Cite information from the tool using the following format:\n// ' +
  '`【{cursor}†L{line_start}(-L{line_end})?】`, for example: `【6†L9-L11】` or `【8†L3】`.\n// Do not quote more than 10 ' +
  'words directly from the tool output.\n// sources=web (default: web)\nnamespace browser {\n\n// Searches for ' +
  'information related to `query` and displays `topn` results.\ntype search = (_: {\nquery: string,\ntopn?: number, ' +
  '// default: 10\nsource?: string,\n}) => any;\n\n// Opens the link `id` from the page indicated by `cursor` ' +
  'starting at line number `loc`, showing `num_lines` lines.\n// Valid link ids are displayed with the formatting: ' +
  '`【{id}†.*】`.\n// If `cursor` is not provided, the most recent page is implied.\n// If `id` is a string, it is ' +
  'treated as a fully qualified URL associated with `source`.\n// If `loc` is not provided, the viewport will be ' +
  'positioned at the beginning of the document or centered on the most relevant passage, if available.\n// Use this ' +
  'function without `id` to scroll to a new location of an opened page.\ntype open = (_: {\nid?: number | string, // ' +
  'default: -1\ncursor?: number, // default: -1\nloc?: number, // default: -1\nnum_lines?: number, // default: ' +
  '-1\nview_source?: boolean, // default: false\nsource?: string,\n}) => any;\n\n// Finds exact matches of `pattern` ' +
  'in the current page, or the page given by `cursor`.\ntype find = (_: {\npattern: string,\ncursor?: number, // ' +
  'default: -1\n}) => any;\n\n} // namespace browser\n\n';
const PYTHON =
  '## python\n\nUse this tool to execute Python code in your chain of thought. The code will not be shown to the ' +
  'user. This tool should be used for internal reasoning, but not for code that is intended to be visible to the ' +
  'user (e.g. when creating plots, tables, or files).\n\nWhen you send a message containing Python code to python, ' +
  'it will be executed in a stateful Jupyter notebook environment. python will respond with the output of the ' +
  "execution or time out after 120.0 seconds. The drive at '/mnt/data' can be used to save and persist user files. " +
  'Internet access for this session is UNKNOWN. Depends on the cluster.\n\n';

/** The template's build_system_message(). */
export function gptOssSystem(opts: ThinkingOptions): string {
  const v = opts.vars;
  let s = (v.model_identity ?? 'You are ChatGPT, a large language model trained by OpenAI.') + '\n';
  s += 'Knowledge cutoff: 2024-06\nCurrent date: ' + strftime('%Y-%m-%d', opts.today) + '\n\n';
  s += 'Reasoning: ' + (v.reasoning_effort ?? 'medium') + '\n\n';
  if (v.builtin_tools?.length)
    s +=
      '# Tools\n\n' +
      (v.builtin_tools.includes('browser') ? BROWSER : '') +
      (v.builtin_tools.includes('python') ? PYTHON : '');
  s += '# Valid channels: analysis, commentary, final. Channel must be included for every message.';
  if (opts.conversation.tools?.length) s += "\nCalls to these tools must go to the commentary channel: 'functions'.";
  return s;
}

export const gpt_oss: ThinkingRule = {
  check(conv: Conversation) {
    for (const m of conv.messages) {
      if (m.role !== 'assistant') continue;
      if (tagged(m.content)) throw new TemplateError(REFUSAL('content'));
      if (tagged(m.reasoning_content)) throw new TemplateError(REFUSAL('thinking'));
    }
  },
  lastQuery: (messages) => messages.length - 1,
  system(sys, opts) {
    const pieces: Piece[] = [{ text: gptOssSystem(opts), role: 'template' }];
    // The record's system prompt (or the tools placed with it) is the developer message.
    const tools = !!opts.conversation.tools?.length;
    const dev =
      sys && sys.some((p) => p.text !== '')
        ? tools
          ? sys
          : [
              { text: '# Instructions\n\n', role: 'template' as const },
              ...sys,
              { text: '\n\n', role: 'template' as const },
            ]
        : undefined;
    if (dev) pieces.push({ text: '<|end|><|start|>developer<|message|>', role: 'template' }, ...dev);
    return pieces;
  },
  reply(m, ctx) {
    const i = ctx.index;
    const last = i === ctx.conversation.messages.length - 1 && !ctx.addGenerationPrompt;
    const pieces: Piece[] = [];
    if (last && m.reasoning_content !== undefined) {
      pieces.push({
        text: '<|channel|>analysis<|message|>' + m.reasoning_content + '<|end|><|start|>assistant',
        role: 'assistant',
        msg: i,
      });
    } else if (m.reasoning_content) {
      ctx.warn(
        'thinking_dropped',
        'the official template drops the reasoning of every reply but the last one of a training text',
      );
    }
    pieces.push({ text: '<|channel|>final<|message|>' + m.content, role: 'assistant', msg: i });
    return { pieces, content: m.content, suffix: last ? '<|return|>' : '<|end|>' };
  },
};
