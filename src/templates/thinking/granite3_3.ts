// Granite 3.3's system prompt and replies (official
// ../shared/reference/chat_templates/ibm-granite-granite-3.3-2B-Instruct.jinja): without a system
// prompt the template writes its own, dated with strftime_now('%B %d, %Y') (the `today` option;
// default the current date) and ending with a sentence that depends on the tools and the `thinking`
// variable. Replies are written as their content; the template has no reasoning field
// (reasoning_content is not written: warning thinking_dropped).
import { strftime } from '../strftime.ts';
import type { ThinkingRule } from '../thinking.ts';

const TOOLS =
  " You are a helpful assistant with access to the following tools. When a tool is required to answer the user's " +
  'query, respond only with <|tool_call|> followed by a JSON list of tools used. If a tool does not exist in the ' +
  'provided list of tools, notify the user that you do not have the ability to fulfill the request.';
const THINKING =
  ' You are a helpful AI assistant.\nRespond to every user query in a comprehensive and detailed way. You can write ' +
  'down your thoughts and reasoning process before responding. In the thought process, engage in a comprehensive ' +
  'cycle of analysis, summarization, exploration, reassessment, reflection, backtracing, and iteration to develop ' +
  'well-considered thinking process. In the response section, based on various attempts, explorations, and ' +
  'reflections from the thoughts section, systematically present the final solution that you deem correct. The ' +
  'response should summarize the thought process. Write your thoughts between <think></think> and write your ' +
  'response between <response></response> for each user query.';

export const granite3_3: ThinkingRule = {
  lastQuery: (messages) => messages.length - 1,
  system(sys, opts) {
    if (sys !== undefined) return sys;
    const plain = ' You are a helpful AI assistant.';
    const tail = opts.conversation.tools?.length ? TOOLS : opts.vars.thinking ? THINKING : plain;
    const text =
      `Knowledge Cutoff Date: April 2024. Today's Date: ${strftime('%B %d, %Y', opts.today)}. You are ` +
      `Granite, developed by IBM.${tail}`;
    return [{ text, role: 'template' }];
  },
  reply(m, ctx) {
    if (m.reasoning_content)
      ctx.warn('thinking_dropped', 'the official template has no reasoning: reasoning_content is not written');
    return { pieces: [{ text: m.content, role: 'assistant', msg: ctx.index }], content: m.content };
  },
};
