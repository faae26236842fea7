// Seed-OSS's reasoning rule and thinking budget (official ../shared/reference/chat_templates/ByteDance-Seed-OSS.jinja):
// every reply keeps its `reasoning_content` (trimmed; none when empty) as `\n<seed:think>R</seed:think>`,
// then `\n` + its trimmed content (a call turn adds `\n` after it). An empty reply gets no
// `<seed:eos>`, as the template writes it (warning empty_reply_unterminated). `thinking_budget`
// (default -1: none) adds a system turn about the budget (0: answer without thinking, and the
// generation prompt then closes an empty think block).
import type { Piece } from '../agent/types.ts';
import { pyStrip } from '../pyjson.ts';
import type { ThinkingOptions, ThinkingRule } from '../thinking.ts';

/** The template's budget_reflections_v05: the reflection interval of the first gear ≥ the budget. */
const GEARS: [number, number][] = [
  [0, 0],
  [512, 128],
  [1024, 256],
  [2048, 512],
  [4096, 512],
  [8192, 1024],
  [16384, 1024],
];

export function seedBudgetTurn(budget: number): string | undefined {
  if (budget === -1) return undefined;
  if (budget === 0) {
    return (
      'You are an intelligent assistant that can answer questions in one step without the need for reasoning ' +
      'and thinking, that is, your thinking budget is 0. Next, please skip the thinking process and directly start ' +
      "answering the user's questions."
    );
  }
  const interval = GEARS.find(([k]) => budget <= k)?.[1] ?? 1024;
  return (
    'You are an intelligent assistant with reflective ability. In the process of thinking and reasoning, you need ' +
    'to strictly follow the thinking budget, which is ' +
    `${budget}. That is, you need to complete your thinking within ${budget} tokens and start answering the user's ` +
    `questions. You will reflect on your thinking process every ${interval} tokens, stating how many tokens have ` +
    `been used and how many are left.`
  );
}

const budgetOf = (opts: ThinkingOptions) => opts.vars.thinking_budget ?? -1;

export const seed_oss: ThinkingRule = {
  lastQuery: (messages) => messages.length - 1,
  // The budget turn follows the system turn; written into its body, which the system turn's own end closes.
  system(sys, opts) {
    const budget = seedBudgetTurn(budgetOf(opts));
    if (budget === undefined) return sys;
    const turn: Piece = { text: budget + '\n', role: 'template' };
    return sys === undefined ? [turn] : [...sys, { text: '<seed:eos><seed:bos>system\n', role: 'template' }, turn];
  },
  reply(m, ctx) {
    const i = ctx.index;
    const pieces: Piece[] = [];
    const r = typeof m.reasoning_content === 'string' ? pyStrip(m.reasoning_content) : '';
    const c = pyStrip(m.content);
    // The newline right after `<seed:bos>assistant` is the header's (as in the generation prompt).
    if (r)
      pieces.push(
        { text: '\n', role: 'template' },
        { text: '<seed:think>' + r + '</seed:think>', role: 'assistant', msg: i },
      );
    if (c)
      pieces.push(...(r ? [] : [{ text: '\n', role: 'template' as const }]), {
        text: (r ? '\n' : '') + c + (ctx.hasCalls ? '\n' : ''),
        role: 'assistant',
        msg: i,
      });
    else if (!ctx.hasCalls)
      ctx.warn(
        'empty_reply_unterminated',
        'an empty reply is written without <seed:eos>, as the official template does: nothing of it is trained',
      );
    return { pieces, content: c, ...(c || ctx.hasCalls ? {} : { suffix: '' }) };
  },
  promptSuffix: (opts) =>
    budgetOf(opts) === 0
      ? '<seed:think>\n<seed:cot_budget_reflect>The current thinking budget is 0, so I will directly start answering ' +
        'the question.</seed:cot_budget_reflect>\n</seed:think>'
      : '',
};
