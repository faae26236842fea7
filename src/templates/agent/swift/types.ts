// ms-swift's agent (tool-call) templates, one object per format, behind the interface of
// ms-swift's `swift/agent_template/base.py` (BaseAgentTemplate). Each object is a port of the
// class of the same name in ms-swift 4.x (vendored for tests in
// ../shared/reference/ms-swift/swift/agent_template/), checked piece by piece against ms-swift's
// own code (swift.test.ts runs it through swift_oracle.py).
//
// The method names map one to one onto ms-swift's private methods, so a reader can put the two
// side by side:
//   formatTools              ↔ _format_tools(tools, system, user_message)
//   formatToolCalls          ↔ _format_tool_calls(tool_call_messages)
//   addToolCallPrefix        ↔ _add_tool_call_prefix(tool_content, pre_message)
//   formatToolResponses      ↔ _format_tool_responses(assistant_content, tool_messages)
//   formatStandaloneToolResponses ↔ _format_standalone_tool_responses(tool_messages)
//   getToolcall              ↔ get_toolcall(response)
// Messages are ms-swift's shape: `tool_call` messages hold one call each (content: a JSON string
// `{"name", "arguments"}` or the parsed object), `tool_response` / `tool` messages one result.

/** A message as ms-swift's agent templates receive it. */
export interface SwiftMessage {
  role: 'system' | 'user' | 'assistant' | 'tool_call' | 'tool_response' | 'tool';
  /** A string, except a `tool_call` whose content may be the parsed `{name, arguments}` object. */
  content: unknown;
  /** What some formats read from a result: gemma4 `name`, kimi_k25 `tool_call_id`, kimi_k3 `tool` / `name`. */
  name?: unknown;
  tool_call_id?: unknown;
  tool?: unknown;
}

/**
 * The pieces of ms-swift's TemplateMeta that agent templates read when a model template is
 * attached (`agent_template.template_meta`): `prompt` is the user turn with `{{QUERY}}` where the
 * query goes (e.g. ChatML `['<|im_start|>user\n{{QUERY}}<|im_end|>\n<|im_start|>assistant\n']`),
 * `chatSep` what separates one round from the next (ChatML `['<|im_end|>\n']`). Only string parts:
 * ms-swift also allows token-id lists, which no built-in template uses here.
 */
export interface SwiftTemplateMeta {
  prompt: string[];
  chatSep: string[];
}

/** A parsed call, as ms-swift's `Function` (arguments always a string, stripped). */
export interface SwiftFunction {
  name: string;
  arguments: string;
}

export interface ToolResponses {
  /** The assistant content before the results, possibly changed (ReAct appends `Observation:`). */
  assistantContent: string;
  /** The text that carries the results (ms-swift's `Prompt`; string parts only). */
  parts: string[];
}

/** ms-swift refused the input (an `assert` or `raise` in its code); `message` says why. */
export class AgentTemplateError extends Error {
  override name = 'AgentTemplateError';
}

export interface SwiftAgentTemplate {
  /** ms-swift's name in `agent_template_map` (what `--agent_template` takes). */
  readonly id: string;
  /** Set when a model template is attached (ms-swift sets `template_meta` on the object). */
  templateMeta?: SwiftTemplateMeta;
  /**
   * The tools block. `tools` are already `wrap_tool`-ed (`{type: 'function', function}`) parsed
   * JSON; as in ms-swift, some formats (toolbench) rewrite the array in place and some (llama3)
   * rewrite `userMessage.content` in place: callers read both back.
   */
  formatTools(tools: unknown[], system: string | null, userMessage: SwiftMessage | null): string;
  /** One run of consecutive `tool_call` messages → the assistant text that makes those calls. */
  formatToolCalls(toolCallMessages: SwiftMessage[]): string;
  /** A separator some formats put before a run of calls, given the message before it. */
  addToolCallPrefix(toolContent: string, preMessage: SwiftMessage | null): string;
  /**
   * One run of tool results, given the assistant content before them. A reply with text and calls
   * reaches ms-swift's method as the list [text, calls] (_swift_prepare_inputs merges the two
   * assistant messages), and so it does here: `includes` on the array tests elements, as Python's
   * `in` on a list does, so the ReAct check is false as in ms-swift; formats that join the list
   * (kimi_k3) do so explicitly, and string methods on it fail as Python's do.
   */
  formatToolResponses(assistantContent: string, toolMessages: SwiftMessage[]): ToolResponses;
  /** Results that follow no assistant call (ms-swift refuses them for most formats). */
  formatStandaloneToolResponses(toolMessages: SwiftMessage[]): string[];
  /** Parses the calls out of a model's reply (for chat and evaluation). */
  getToolcall(response: string): SwiftFunction[];
}
