// The tool calls in a model's reply, parsed back into name + arguments with ms-swift's own
// `get_toolcall` (src/templates/agent/swift, ports checked against ms-swift's code) of the format
// the prompt was rendered with: an ms-swift agent template parses its own format; a family's
// native format is parsed by the ms-swift template that writes the same call syntax (the Hermes
// <tool_call> JSON of Qwen, Llama 3's JSON object, ReAct's Action / Action Input, ...).
// tool-calls.test.ts renders calls with each template and parses them back.
import { createAgentTemplate } from '../templates/agent/registry.ts';
import {
  isSwiftAgentTemplateId,
  swiftAgentTemplates,
  type SwiftAgentTemplateId,
} from '../templates/agent/swift/registry.ts';
import { nativeAgentId } from '../templates/index.ts';
import { swiftParseJson } from '../templates/py/literal.ts';
import type { TemplateSpec } from '../templates/spec.ts';

/** Native formats (`native:<format>`) → the ms-swift agent template that reads the same call syntax. */
const NATIVE_PARSER: Readonly<Record<string, SwiftAgentTemplateId>> = {
  hermes: 'hermes',
  hermes3: 'hermes',
  granite4: 'hermes',
  glm4: 'glm4',
  react: 'react_en',
  llama3_json: 'llama3',
  qwen3_5: 'qwen3_5',
  qwen3_coder: 'qwen3_coder',
  minicpm5: 'minicpm5',
  glm4_5: 'glm4_5',
  glm4_7: 'glm4_7',
  deepseek_v3_1: 'deepseek_v3_1',
  seed_oss: 'seed_oss',
};

export interface ParsedToolCall {
  name: string;
  /** The arguments as JSON text (ms-swift's Function.arguments). */
  argumentsText: string;
  /**
   * The arguments parsed as ms-swift parses them (JSON, else a Python literal), or undefined when
   * neither reads them. XML-style formats (<parameter=…>) give every value as a string, as in ms-swift.
   */
  arguments: unknown;
}

export interface ToolCallParse {
  /** The ms-swift agent template whose get_toolcall read the reply; null when none reads this format. */
  parser: SwiftAgentTemplateId | null;
  calls: ParsedToolCall[];
  /**
   * The text the model wrote before its first call ("Let me check."), trimmed; '' when the reply
   * opens with the call. Only set when calls were found: it is the assistant message's content.
   */
  content?: string;
  /** Why nothing could be parsed (no parser for the format, or the parser refused the text). */
  error?: string;
}

/** The ms-swift parser for `agentTemplate` (default: the family's native format), or null. */
export function toolCallParserFor(spec: TemplateSpec, agentTemplate?: string): SwiftAgentTemplateId | null {
  const id = agentTemplate && agentTemplate !== 'native' ? agentTemplate : nativeAgentId(spec);
  if (isSwiftAgentTemplateId(id)) return id;
  const native = id.startsWith('native:') ? id.slice('native:'.length) : id;
  return NATIVE_PARSER[native] ?? null;
}

/** The tool calls in `reply` (a model's generated text after the generation prompt, cut at the stop words). */
export function parseToolCalls(reply: string, spec: TemplateSpec, agentTemplate?: string): ToolCallParse {
  // Resolving the template checks that the pair is valid, as rendering does.
  createAgentTemplate(agentTemplate && agentTemplate !== 'native' ? agentTemplate : undefined, spec);
  const parser = toolCallParserFor(spec, agentTemplate);
  if (!parser)
    return {
      parser: null,
      calls: [],
      error: `no tool-call parser is known for ${agentTemplate ?? nativeAgentId(spec)}`,
    };
  const make = swiftAgentTemplates[parser];
  if (!make) return { parser: null, calls: [], error: `ms-swift's ${parser} is not ported` };
  try {
    const calls = make()
      .getToolcall(reply)
      .map((f) => {
        // ms-swift's _parse_json: json.loads, else ast.literal_eval (ReAct writes Python dicts).
        return { name: f.name, argumentsText: f.arguments, arguments: swiftParseJson(f.arguments) };
      });
    if (calls.length) {
      let content = reply
        .slice(
          0,
          callsStart(reply, (r) => make().getToolcall(r)),
        )
        .trimEnd();
      const open = CALLS_OPEN[parser];
      if (open && content.endsWith(open)) content = content.slice(0, -open.length);
      return { parser, calls, content: content.trim() };
    }
    return { parser, calls };
  } catch (err) {
    return { parser, calls: [], error: (err as Error).message };
  }
}

/**
 * Openers of a block that wraps all calls, which get_toolcall does not need to read them (it keys
 * on each call's own marker): ms-swift's deepseek_v3_1 _format_tool_calls writes
 * <｜tool▁calls▁begin｜> before the first <｜tool▁call▁begin｜>.
 */
const CALLS_OPEN: Partial<Record<SwiftAgentTemplateId, string>> = { deepseek_v3_1: '<｜tool▁calls▁begin｜>' };

type GetToolcall = (reply: string) => readonly { name: string; arguments: string }[];

/** Text before the calls longer than this is not searched (one parse per character): content is then ''. */
const MAX_SCAN = 8192;

/**
 * Where the calls begin in `reply`: the largest offset from which the parser still reads the same
 * calls. ms-swift's get_toolcall reports no positions, and the markers differ per format
 * (<tool_call>, Action:, a bare JSON object…), so the parser itself is asked: cutting inside the
 * first call's own text changes or loses what it reads.
 */
function callsStart(reply: string, read: GetToolcall): number {
  const key = (r: string) => {
    try {
      return JSON.stringify(read(r).map((f) => [f.name, f.arguments]));
    } catch {
      return null;
    }
  };
  const whole = key(reply);
  const end = Math.min(reply.length, MAX_SCAN);
  let i = 0;
  while (i < end && key(reply.slice(i + 1)) === whole) i++;
  return i === end && end < reply.length ? 0 : i;
}
