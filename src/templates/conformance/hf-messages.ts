// Our Conversation as the `messages` list Hugging Face's apply_chat_template receives (OpenAI chat
// format). Shared by the Jinja2 reference harness and the "model's own template" mode, so both see
// exactly the same input. Optional fields are only present when the data has them: templates test
// `is defined` / `in message`, and an explicit null would change what they render.
import { applyConversationHints } from '../../data/py-json.ts';
import { pyJsonDumps } from '../pyjson.ts';
import type { Conversation, Tool } from '../../data/types.ts';

export interface HFToolCall {
  type: 'function';
  id?: string;
  function: { name: string; arguments: unknown };
}

export interface HFMessage {
  role: 'system' | 'user' | 'assistant' | 'tool';
  content: string | null;
  reasoning_content?: string;
  /** The reasoning under gpt-oss's key (HFMessagesOptions.reasoningKey). */
  thinking?: string;
  tool_calls?: HFToolCall[];
  tool_call_id?: string;
  name?: string;
  /** Only with HFMessagesOptions.toolsOnSystemMessage. */
  tools?: Tool[] | string;
}

export interface HFMessagesOptions {
  /**
   * Send `content: null` (as OpenAI clients do) instead of '' for assistant turns that only call
   * tools. Default false: our data stores '' and the mapping stays faithful to it.
   */
  nullContentForToolCalls?: boolean;
  /**
   * Templates that read tools from a message instead of the `tools` kwarg put them on the system
   * message (one with content '' is added when the record has none):
   * - 'objects': the OpenAI tool list as is (GLM-4-9b-chat: `item['tools']`, tool['function'] | tojson);
   * - 'json_functions': a JSON string of the function objects, as Python's json.dumps writes it
   *   (Phi-4-mini's model card: `"tools": "[{\"name\": ...}]"`, printed between <|tool|> tags).
   */
  toolsOnSystemMessage?: 'objects' | 'json_functions';
  /**
   * The key the template reads an assistant's reasoning from: `reasoning_content` (default; Qwen,
   * GLM, DeepSeek, ...) or `thinking` (gpt-oss's template, as its chat template docs write it).
   */
  reasoningKey?: 'reasoning_content' | 'thinking';
}

export function toHFMessages(conv: Conversation, opts: HFMessagesOptions = {}): HFMessage[] {
  applyConversationHints(conv); // the objects handed on print as Python reads them (py-json.ts)
  const out: HFMessage[] = [];
  const tools = toHFTools(conv);
  if (opts.toolsOnSystemMessage && tools) {
    const sys: HFMessage = { role: 'system', content: conv.system ?? '' };
    sys.tools = opts.toolsOnSystemMessage === 'objects' ? tools : pyJsonDumps(tools.map((t) => t.function));
    out.push(sys);
  } else if (conv.system !== undefined) out.push({ role: 'system', content: conv.system });
  for (const m of conv.messages) {
    const hf: HFMessage = { role: m.role, content: m.content };
    if (m.role === 'assistant') {
      if (m.reasoning_content !== undefined) hf[opts.reasoningKey ?? 'reasoning_content'] = m.reasoning_content;
      if (m.tool_calls && m.tool_calls.length > 0) {
        // Arguments stay a parsed JSON value (an object): templates `| tojson` them or iterate them.
        hf.tool_calls = m.tool_calls.map((c) => {
          // OpenAI's key order (id, type, function), in case a template dumps the whole call.
          const call: HFToolCall =
            c.id !== undefined
              ? { id: c.id, type: 'function', function: { name: c.name, arguments: c.arguments } }
              : { type: 'function', function: { name: c.name, arguments: c.arguments } };
          return call;
        });
        if (opts.nullContentForToolCalls && m.content === '') hf.content = null;
      }
    } else if (m.role === 'tool') {
      if (m.tool_call_id !== undefined) hf.tool_call_id = m.tool_call_id;
      if (m.name !== undefined) hf.name = m.name;
    }
    out.push(hf);
  }
  return out;
}

/** The `tools` argument: the OpenAI tool list, or null (Python None) when the record has none. */
export function toHFTools(conv: Conversation): Tool[] | null {
  return conv.tools && conv.tools.length > 0 ? conv.tools : null;
}
