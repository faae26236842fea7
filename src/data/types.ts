// The one canonical conversation every input format is normalized into. Everything after the
// reader (templates, tokenization, training) sees only this shape. Plain data, so it crosses
// worker boundaries and serializes as JSON.
import type { PyHints } from './py-json.ts';

/** The input format a record was written in. */
export type SourceFormat = 'messages' | 'swift' | 'alpaca' | 'sharegpt' | 'query_response';

/** A JSON Schema object as tools declare their parameters. */
export type JSONSchema = { [key: string]: unknown };

export interface ToolFunction {
  name: string;
  description?: string;
  parameters?: JSONSchema;
}

/** A tool the assistant may call, in OpenAI's form: `{type: 'function', function: {...}}`. */
export interface Tool {
  type: 'function';
  function: ToolFunction;
}

export interface ToolCall {
  /** The call id (OpenAI `id`), when the data has one. */
  id?: string;
  name: string;
  /**
   * The arguments as a parsed JSON value (normally an object). Data that gives them as a JSON
   * string is parsed by the reader: templates print JSON, never a language's repr.
   */
  arguments: unknown;
  /**
   * What JSON.parse lost of the arguments that Python keeps (a float's `.0`, a dict's key order),
   * for templates to print them as Python does; only when there is any (src/data/py-json.ts).
   */
  arguments_hints?: PyHints;
}

export type Role = 'user' | 'assistant' | 'tool';

export interface Message {
  role: Role;
  /** Exactly what the user wrote: never trimmed. An assistant turn with only tool calls has ''. */
  content: string;
  /** The assistant's reasoning (thinking) for this turn, when given separately. */
  reasoning_content?: string;
  /** Assistant only: the calls made in this turn; more than one means parallel calls. */
  tool_calls?: ToolCall[];
  /** Tool only: the id of the call this result answers. */
  tool_call_id?: string;
  /** Tool only: the name of the tool that produced this result. */
  name?: string;
  /** Per-message override of the loss policy (ms-swift's `loss: true|false`). */
  loss?: boolean;
  /**
   * ms-swift's per-message `loss_scale`: when the message is trained, its whole content weighs
   * this much in the loss (instead of what the `--loss-scale` spec gives it). Finite, ≥ 0.
   */
  loss_scale?: number;
}

export interface Conversation {
  /** The system prompt, if the record has one (never merged into messages). */
  system?: string;
  /** user / assistant / tool turns in order. */
  messages: Message[];
  /** Tools available to the assistant. */
  tools?: Tool[];
  /** Per tool, what JSON.parse lost that Python keeps (as `arguments_hints`); null for none. */
  tools_hints?: (PyHints | null)[];
  /** Where the record came from: its format and 1-based line number in the file. */
  source: { format: SourceFormat; line: number };
}

export type Severity = 'error' | 'warning';

/** One problem with one record (or the file), precise enough to find and fix. */
export interface Issue {
  /** 1-based line number in the file; 0 for the file as a whole (e.g. empty file). */
  line: number;
  severity: Severity;
  /** A stable, machine-readable code, e.g. `invalid_json`, `unknown_role`. */
  code: string;
  /** A human message that names the field and what is wrong. */
  message: string;
  /** JSON path of the offending field, e.g. `messages[2].content`. */
  path?: string;
  /** 1-based column, for invalid JSON. */
  column?: number;
}
