// Which messages are trained: the loss base strategy (ms-swift's `default`, `last_round`, `all`),
// the last-round boundary, and per-message `loss` overrides from the data (ms-swift's
// `loss: true|false`). Computed on the data's messages, so the same record trains the same turns
// under every model and agent template.
import type { Message } from '../data/types.ts';
import type { LossBase } from './loss-scale/types.ts';
import type { LossPolicy } from './types.ts';

/** The older loss-policy names as ms-swift's base strategies. */
export const POLICY_BASE: Readonly<Record<LossPolicy, LossBase>> = Object.freeze({
  all_assistant: 'default',
  last_round: 'last_round',
  all: 'all',
});

export interface LossOptions {
  /** The base strategy; default `default` (from `lossPolicy` when only that is given). */
  base?: LossBase;
  lossPolicy?: LossPolicy;
  /**
   * `last_round` starts after the last user-or-tool message (default, ms-swift's
   * get_last_user_round) or after the last user message.
   */
  lastRoundBoundary?: 'user' | 'user_or_tool';
}

/** One flag per message: are its content and its end-of-turn marker trained? */
export function trainedMessages(messages: Message[], opts: LossOptions = {}): boolean[] {
  const base = opts.base ?? POLICY_BASE[opts.lossPolicy ?? 'all_assistant'];
  const boundaryRoles = opts.lastRoundBoundary === 'user' ? ['user'] : ['user', 'tool'];
  let boundary = -1;
  messages.forEach((m, i) => {
    if (boundaryRoles.includes(m.role)) boundary = i;
  });
  return messages.map((m, i) => {
    if (typeof m.loss === 'boolean') return m.loss;
    if (base === 'all') return true;
    if (m.role !== 'assistant') return false;
    return base === 'default' || i > boundary;
  });
}
