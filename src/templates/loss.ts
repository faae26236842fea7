// Which messages are trained: the loss policy, the last-round boundary, and per-message
// `loss` overrides from the data (ms-swift's `loss: true|false`).
import type { Message } from '../data/types.ts';
import type { LossPolicy } from './types.ts';

export interface LossOptions {
  lossPolicy?: LossPolicy;
  /** `last_round`: the round starts after the last `user` message, or the last user-or-tool one. */
  lastRoundBoundary?: 'user' | 'user_or_tool';
}

/** One flag per message: are its content and its end-of-turn marker trained? */
export function trainedMessages(messages: Message[], opts: LossOptions = {}): boolean[] {
  const policy = opts.lossPolicy ?? 'all_assistant';
  const boundaryRoles = opts.lastRoundBoundary === 'user_or_tool' ? ['user', 'tool'] : ['user'];
  let boundary = -1;
  messages.forEach((m, i) => {
    if (boundaryRoles.includes(m.role)) boundary = i;
  });
  return messages.map((m, i) => {
    if (typeof m.loss === 'boolean') return m.loss;
    if (policy === 'all') return true;
    if (m.role !== 'assistant') return false;
    return policy === 'all_assistant' || i > boundary;
  });
}
