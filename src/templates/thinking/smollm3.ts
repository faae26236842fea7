// SmolLM3's system block and reasoning mode (official ../shared/reference/chat_templates/
// HuggingFaceTB-SmolLM3-3B.jinja, Unsloth's edit of the Hugging Face template "to make it work for
// most inference engines"): the system turn is always written, as a metadata block —
// `## Metadata\n\nKnowledge Cutoff Date: June 2025\nReasoning Mode: /think|/no_think\n\n## Custom Instructions\n\n`
// + the system prompt without its `/think` / `/no_think` flags, right-stripped, + a blank line (or a
// default text per mode). The mode: `/no_think`, else `/think`, in the system prompt; else
// enable_thinking (default true). In /no_think mode every reply starts with an empty think block
// (`<think>\n\n</think>\n`, trained only with trainEmptyThink) and so does the generation prompt;
// replies are left-stripped of newlines. There is no reasoning field (warning thinking_dropped).
import type { Piece } from '../agent/types.ts';
import { pyLstrip, pyRstrip } from '../pyjson.ts';
import type { ThinkingOptions, ThinkingRule } from '../thinking.ts';

const THINK_DEFAULT =
  'You are a helpful AI assistant named SmolLM, trained by Hugging Face. Your role as an assistant involves ' +
  'thoroughly exploring questions through a systematic thinking process before providing the final precise and ' +
  'accurate solutions. This requires engaging in a comprehensive cycle of analysis, summarizing, exploration, ' +
  'reassessment, reflection, backtracking, and iteration to develop well-considered thinking process. Please ' +
  'structure your response into two main sections: Thought and Solution using the specified format: <think> Thought ' +
  'section </think> Solution section. In the Thought section, detail your reasoning process in steps. Each step ' +
  'should include detailed considerations such as analysing questions, summarizing relevant findings, brainstorming ' +
  'new ideas, verifying the accuracy of the current steps, refining any errors, and revisiting previous steps. In ' +
  'the Solution section, based on various attempts, explorations, and reflections from the Thought section, ' +
  'systematically present the final solution that you deem correct. The Solution section should be logical, ' +
  'accurate, and concise and detail necessary steps needed to reach the conclusion.\n\n';
const NO_THINK_DEFAULT = 'You are a helpful AI assistant named SmolLM, trained by Hugging Face.\n\n';
const EMPTY_THINK = '<think>\n\n</think>\n';

function thinks(opts: ThinkingOptions): boolean {
  const sys = opts.conversation.system;
  if (sys !== undefined && sys.includes('/no_think')) return false;
  if (sys !== undefined && sys.includes('/think')) return true;
  return opts.enableThinking ?? true;
}

export const smollm3: ThinkingRule = {
  lastQuery: (messages) => messages.length - 1,
  system(sys, opts) {
    const mode = thinks(opts) ? '/think' : '/no_think';
    const head =
      `## Metadata\n\nKnowledge Cutoff Date: June 2025\nReasoning ` + `Mode: ${mode}\n\n## Custom Instructions\n\n`;
    // The flags come out of the record's system prompt (which ReAct's tool list may follow).
    const pieces = (sys ?? []).map((p) => ({
      ...p,
      text: p.text.replaceAll('/no_think', '').replaceAll('/think', ''),
    }));
    const right = pieces.length ? pyRstrip(pieces.map((p) => p.text).join('')) : '';
    if (right === '')
      return [
        {
          text: head + (mode === '/think' ? THINK_DEFAULT : NO_THINK_DEFAULT),
          role: 'template',
        },
      ];
    // Right-strip across pieces (the last ones may be all whitespace).
    let cut = pieces.map((p) => p.text).join('').length - right.length;
    for (let k = pieces.length - 1; k >= 0 && cut > 0; k--) {
      const take = Math.min(cut, pieces[k].text.length);
      pieces[k] = { ...pieces[k], text: pieces[k].text.slice(0, pieces[k].text.length - take) };
      cut -= take;
    }
    return [
      { text: head, role: 'template' },
      ...pieces.filter((p) => p.text !== ''),
      { text: '\n\n', role: 'template' },
    ];
  },
  reply(m, ctx) {
    if (m.reasoning_content)
      ctx.warn('thinking_dropped', 'the official template has no reasoning field: reasoning_content is not written');
    const content = pyLstrip(m.content, '\n');
    const pieces: Piece[] = [{ text: content, role: 'assistant', msg: ctx.index }];
    if (!thinks(ctx))
      pieces.unshift(
        ctx.trainEmptyThink
          ? {
              text: EMPTY_THINK,
              role: 'assistant',
              msg: ctx.index,
            }
          : { text: EMPTY_THINK, role: 'template' },
      );
    return { pieces, content };
  },
  promptSuffix: (opts) => (thinks(opts) ? '' : EMPTY_THINK),
};
