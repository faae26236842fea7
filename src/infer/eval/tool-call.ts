// Did a generated reply make the tool calls the reference makes? The reply is parsed with the
// agent template's own parser (src/infer/tool-calls.ts: ms-swift's get_toolcall of the format the
// prompt was rendered in); formats no parser reads are shown, not scored.
import type { ToolCall } from '../../data/types.ts';
import { swiftParseJson } from '../../templates/py/literal.ts';
import type { TemplateSpec } from '../../templates/spec.ts';
import { parseToolCalls, type ParsedToolCall } from '../tool-calls.ts';

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a))
    return a.length === (b as unknown[]).length && a.every((x, i) => deepEqual(x, (b as unknown[])[i]));
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return (
    ka.length === kb.length &&
    ka.every(
      (k) => Object.hasOwn(b, k) && deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]),
    )
  );
}

/**
 * An argument value as given matches the reference's. XML-style formats (qwen3_coder, glm4_5,
 * seed_oss...) write every value as text and ms-swift's parsers return it as a string, so a string
 * also matches a non-string reference value when it reads as that value ("2" for 2, "True" for true).
 */
function sameValue(got: unknown, want: unknown): boolean {
  if (deepEqual(got, want)) return true;
  if (typeof got !== 'string' || typeof want === 'string') return false;
  // Python's literal spelling too (True, None): the official templates print values with str().
  const read = swiftParseJson(got.trim());
  return read !== undefined && deepEqual(read, want);
}

/** Parsed arguments (undefined: unreadable) against the reference's: the same keys, each value matching. */
export function sameArguments(got: unknown, reference: unknown): boolean {
  if (got === undefined) return false;
  const want = reference ?? {};
  if (
    typeof got !== 'object' ||
    got === null ||
    Array.isArray(got) ||
    typeof want !== 'object' ||
    Array.isArray(want)
  ) {
    return deepEqual(got, want);
  }
  const g = got as Record<string, unknown>;
  const w = want as Record<string, unknown>;
  const keys = Object.keys(w);
  return Object.keys(g).length === keys.length && keys.every((k) => Object.hasOwn(g, k) && sameValue(g[k], w[k]));
}

export interface ToolCheck {
  /** The reply holds at least one call the parser reads. */
  parsed: boolean;
  /** The calls name the reference's tools, in its order. */
  names: boolean;
  /** …and each with the reference's arguments. */
  arguments: boolean;
  /** The calls as parsed. */
  calls: ParsedToolCall[];
}

/** The check of `reply` against the reference calls, or null when no parser reads the format. */
export function checkToolCalls(
  reply: string,
  expected: readonly ToolCall[],
  spec: TemplateSpec,
  agentTemplate?: string,
): ToolCheck | null {
  const got = parseToolCalls(reply, spec, agentTemplate);
  if (!got.parser) return null;
  const calls = got.calls;
  const parsed = calls.length > 0;
  const names = parsed && calls.length === expected.length && calls.every((c, i) => c.name === expected[i].name);
  const args = names && calls.every((c, i) => sameArguments(c.arguments, expected[i].arguments));
  return { parsed, names, arguments: args, calls };
}
