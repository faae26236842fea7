// The agent (tool-call) template interface the render walk uses: one object per tool format, the
// way ms-swift's swift/agent_template/base.py does it. Two kinds implement it:
//   - native: a model family's own format, byte-identical to its official chat template
//     (native/*.ts: hermes, llama3_json, mistral, glm4, phi4_mini, deepseek, react);
//   - ms-swift: any agent template of ms-swift's registry (swift/*.ts), through swift-adapter.ts.
// An object answers three questions — where the tool list goes and its text, how a run of calls
// is written in the assistant turn, how a run of results is written — as pieces of text that say
// which message they belong to, so the walk knows what is trained. It writes no family tokens of
// its own except where the format is bound to one family (`families`).
import type { Conversation, Message, Tool, ToolCall } from '../../data/types.ts';
import type { SpanRole } from '../builder.ts';
import type { TemplateSpec, TemplateVars, TurnWrapper } from '../spec.ts';

/** A piece of rendered text. */
export interface Piece {
  text: string;
  role: SpanRole;
  /**
   * The message (index into the conversation's messages) whose training decides this piece: its
   * content, or its end-of-turn marker (`end`). Absent: scaffolding, trained only under `all`.
   */
  msg?: number;
  /** The end-of-turn marker of message `msg` (weighted as ms-swift weighs the template suffix). */
  end?: boolean;
  /** An end marker the official template does not write, added so the model learns to stop. */
  added?: boolean;
  /**
   * Response pieces (role `assistant`) of one message form one response for the loss scale; a
   * message whose text and calls ms-swift keeps as two contexts gives the calls `part: 1`.
   */
  part?: number;
}

export interface AgentContext {
  readonly spec: TemplateSpec;
  /** The conversation after `prepare`. */
  readonly conversation: Conversation;
  /** Adds a render warning (one per code). */
  warn(code: string, message: string): void;
  /** The official template's variables given to the render (render options `vars`). */
  readonly vars?: TemplateVars;
  /** The render asked to rewrite tool call ids the family refuses (Mistral Small's 9 characters). */
  readonly fixToolCallIds?: boolean;
}

/** Where the tool list goes. Every field is optional; the walk writes what is set. */
export interface ToolsPlacement {
  /**
   * The system prompt with the tools in it: replaces the record's system prompt and goes where the
   * family puts a system prompt (its system turn, the first user turn, the last user turn...).
   * `null`: no system prompt at all, not even the family's default (ms-swift's empty tools text).
   */
  system?: Piece[] | null;
  /** The system text is written as given, not trimmed by the family (ms-swift writes its tools block verbatim). */
  systemVerbatim?: boolean;
  /** At the start of the system turn, before the family's preamble (Llama 3.1's `Environment: ipython`). */
  systemHead?: Piece[];
  /** A block of its own, right after BOS and before the system turn (GLM-4's `<|system|>` tool block). */
  block?: Piece[];
  /** A block of its own right after the system turn (Granite 3.3's `available_tools` turn). */
  afterSystem?: Piece[];
  /**
   * Before the first message's content, inside its turn. `asUserTurn`: the first message, whatever
   * its role, is written as a user turn carrying the tools (Llama 3.1+'s tools_in_user_message pops
   * messages[0]); `refusal`: the error when there is no first message.
   */
  firstMessage?: { pieces: Piece[]; asUserTurn?: boolean; refusal?: string };
  /** Before every user turn whose content equals the last user turn's (Mistral's [AVAILABLE_TOOLS]). */
  beforeLastUser?: Piece[];
}

/** A message with tool calls, as the walk hands it to `calls`. */
export interface CallInput {
  index: number;
  message: Message;
  calls: ToolCall[];
  /** The reply text as the family writes it (reasoning block, content), not trimmed. */
  text: Piece[];
  /** The content after any think block (what templates test to put a separator before a call). */
  content: string;
}

/** One assistant turn; unset fields are the family's (spec.assistant, or what results left). */
export interface AssistantTurn {
  prefix?: string;
  body: Piece[];
  suffix?: string;
  sep?: string;
  /**
   * The calls are written into the reply's content (ReAct): the family trims the whole body as
   * content, and role checks see a plain reply.
   */
  callsInContent?: boolean;
  /** The body ends with a stop word: as ms-swift, no end marker after it when it is the final reply. */
  endsTurn?: boolean;
}

/** A run of consecutive tool messages. */
export interface ResultsInput {
  /** Indexes of the tool messages, in order. */
  indexes: number[];
  /** The message before the run: an assistant reply (calling or not), a user turn, or nothing. */
  after: { index: number; role: Message['role'] } | null;
}

/** One piece of a results block. */
export type ResultPart =
  /**
   * A user turn (the family's user wrapper, trimmed and merged like any user turn). `msg`: whose
   * training decides its end marker.
   */
  | { kind: 'user'; content: Piece[]; msg: number }
  /** A turn of its own (default wrapper: the family's tool turn), end marker trained with `msg`. */
  | { kind: 'turn'; wrapper?: TurnWrapper; content: Piece[]; msg: number }
  /** Text written as is. */
  | { kind: 'text'; pieces: Piece[] };

/** How the walk goes on after a results block. */
export interface ResultsNext {
  /** The next assistant turn's header instead of the family's ('' when the block ends with it, or the turn goes on). */
  assistantPrefix?: string;
  /** The same for a next turn that calls tools (DeepSeek closes its outputs, then opens a turn). */
  callPrefix?: string;
  /** Written when the text ends right after the block (DeepSeek's `<｜tool▁outputs▁end｜>`). */
  end?: string;
  /** false: no generation prompt after the block (it already ends with the header, or the format has none). */
  generationPrompt?: boolean;
  /** A user message may not follow: the refusal. */
  userRefusal?: string;
}

export interface ResultsBlock {
  parts: ResultPart[];
  /** The block holds the calling turn's end (or the turn goes on): the walk does not close that turn. */
  continuesCall?: boolean;
  /** Text appended to the reply before the block (ReAct's `Observation:`), part of that response. */
  replySuffix?: string;
  /** Characters removed from the end of the reply before the block (ms-swift's gemma4). */
  replyTrimEnd?: number;
  /** Instead of a block of its own: text appended to the user turn before the run (ms-swift's standalone results). */
  intoUser?: Piece[];
  next?: ResultsNext;
  /** The role that carries the results, for the preview. */
  carriedBy: 'tool' | 'user' | 'assistant';
}

export type AgentKind = 'native' | 'ms-swift';

export interface AgentTemplate {
  readonly id: string;
  readonly kind: AgentKind;
  /** Rewrites the conversation before the walk (Mistral: 9-character call ids). */
  prepare?(conv: Conversation, ctx: AgentContext): Conversation;
  /** Where the tool list goes and its text; called only when the record has tools. */
  tools(tools: Tool[], ctx: AgentContext): ToolsPlacement;
  /** The assistant turn(s) of a message that calls tools. */
  calls(input: CallInput, ctx: AgentContext): AssistantTurn[];
  /** A run of tool results. */
  results(input: ResultsInput, ctx: AgentContext): ResultsBlock;
}

/** What `prism templates` and the pickers list. */
export interface AgentTemplateInfo {
  id: string;
  kind: AgentKind;
  description: string;
  /** Natives bound to one family's tokens: the family names; absent = any model template. */
  families?: readonly string[];
}
