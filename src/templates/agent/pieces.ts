// Small constructors for the pieces agent templates return (see types.ts).
import type { SpanRole } from '../builder.ts';
import type { AgentContext, Piece } from './types.ts';

/** Scaffolding: trained only under the `all` loss base. */
export const tpl = (text: string): Piece => ({ text, role: 'template' });

/** Text of message `msg` with a span role. */
export const of = (msg: number, text: string, role: SpanRole): Piece => ({ text, role, msg });

/** Tool-list text (never trained except under `all`). */
export const toolsText = (text: string): Piece => ({ text, role: 'tools' });

/** The content of message `i` of the conversation being rendered. */
export const contentOf = (ctx: AgentContext, i: number): string => ctx.conversation.messages[i].content;

/** The concatenated text of pieces. */
export const textOf = (pieces: readonly Piece[]): string => pieces.map((p) => p.text).join('');
