// Test-only: ms-swift's own agent templates as ground truth. Runs swift_oracle.py (which imports
// ms-swift's code from ../shared/reference/ms-swift, never copied here) with Debian's python3, and
// walks a case through one of our SwiftAgentTemplate objects the same way, so the two outputs
// compare field by field. Imports node:child_process: test files only.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BaseAgentTemplate } from './base.ts';
import { swiftParseJson } from '../../py/literal.ts';
import { AgentTemplateError, type SwiftAgentTemplate, type SwiftMessage } from './types.ts';

const PYTHON = '/usr/bin/python3';
const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
/** ../shared/reference/ms-swift beside the checkout (absent outside the workplace). */
export const SWIFT_REFERENCE_DIR = join(REPO_ROOT, '..', 'shared', 'reference', 'ms-swift');
const ORACLE = fileURLToPath(new URL('./swift_oracle.py', import.meta.url));

export function swiftReferenceExists(): boolean {
  return existsSync(join(SWIFT_REFERENCE_DIR, 'swift', 'agent_template', 'mapping.py')) && existsSync(PYTHON);
}

export interface SwiftCase {
  agent_template: string;
  /** Tools as JSON strings or objects, wrapped ({type, function}) or bare. */
  tools?: unknown[];
  system?: string | null;
  messages: SwiftMessage[];
  template_meta?: { prompt: string[]; chat_sep: string[] };
  /** Model replies in the various formats, to parse with get_toolcall. */
  replies?: string[];
}

export type SwiftOutput =
  | {
      tools_text: string | null;
      user_content: string | null;
      /** The tools after formatTools (some formats rewrite them in place). */
      tools: unknown[];
      calls: string[];
      responses: [string, string[]][];
      parsed: { name: string; arguments: string }[][];
      /** For each run of results that follows no call: the standalone parts, or 'refused'. */
      standalone: (string[] | 'refused')[];
      /** get_toolcall of each of the case's `replies`. */
      reply_calls: { name: string; arguments: string }[][];
    }
  | { error: string };

/** The keys of ms-swift's `agent_template_map`, in its order. */
export function swiftAgentTemplateMapNames(): string[] {
  const script =
    'import json, sys; sys.path.insert(0, sys.argv[1]); ' +
    'from swift.agent_template import agent_template_map; print(json.dumps(list(agent_template_map)))';
  const r = spawnSync(PYTHON, ['-c', script, SWIFT_REFERENCE_DIR], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ms-swift's agent_template_map: ${r.stderr}`);
  return JSON.parse(r.stdout) as string[];
}

/** ms-swift's answers for a batch of cases (one Python process). */
export function runSwiftOracle(cases: SwiftCase[]): SwiftOutput[] {
  const r = spawnSync(PYTHON, [ORACLE, SWIFT_REFERENCE_DIR], {
    input: cases.map((c) => JSON.stringify(c)).join('\n') + '\n',
    encoding: 'utf8',
    maxBuffer: 1 << 28,
  });
  if (r.status !== 0) throw new Error(`swift_oracle.py exited with ${r.status}: ${r.stderr}`);
  const lines = r.stdout.split('\n').filter((l) => l.trim() !== '');
  if (lines.length !== cases.length)
    throw new Error(`swift_oracle.py answered ${lines.length} of ${cases.length} cases: ${r.stderr}`);
  return lines.map((l) => JSON.parse(l) as SwiftOutput);
}

/** The same walk as swift_oracle.py's run(), through our object. */
export function runOurs(t: SwiftAgentTemplate, c: SwiftCase): SwiftOutput {
  try {
    if (c.template_meta) t.templateMeta = { prompt: c.template_meta.prompt, chatSep: c.template_meta.chat_sep };
    const tools = (c.tools ?? []).map((x) => BaseAgentTemplate.wrapTool(swiftParseJson(x)));
    const msgs = c.messages.filter((m) => m.role !== 'system').map((m) => ({ ...m }));
    const first = msgs[0] ?? null;
    const toolsText = tools.length ? t.formatTools(tools, c.system ?? null, first) : null;
    const out = {
      tools_text: toolsText,
      user_content: first ? (first.content as string) : null,
      tools,
      calls: [] as string[],
      responses: [] as [string, string[]][],
      parsed: [] as { name: string; arguments: string }[][],
      standalone: [] as (string[] | 'refused')[],
    };
    let prev: SwiftMessage | null = null;
    let i = 0;
    while (i < msgs.length) {
      const role = msgs[i].role;
      if (role === 'tool_call') {
        let j = i;
        while (j < msgs.length && msgs[j].role === 'tool_call') j++;
        const text = t.addToolCallPrefix(t.formatToolCalls(msgs.slice(i, j)), i > 0 ? msgs[i - 1] : null);
        out.calls.push(text);
        out.parsed.push(t.getToolcall(text));
        prev = { role: 'assistant', content: text };
        i = j;
      } else if (role === 'tool_response' || role === 'tool') {
        let j = i;
        while (j < msgs.length && (msgs[j].role === 'tool_response' || msgs[j].role === 'tool')) j++;
        const r = t.formatToolResponses(prev ? (prev.content as string) : '', msgs.slice(i, j));
        out.responses.push([r.assistantContent, r.parts]);
        if (prev === null) {
          try {
            out.standalone.push(t.formatStandaloneToolResponses(msgs.slice(i, j)));
          } catch (e) {
            if (!(e instanceof AgentTemplateError)) throw e;
            out.standalone.push('refused');
          }
        }
        prev = null;
        i = j;
      } else {
        prev = role === 'assistant' ? msgs[i] : null;
        i++;
      }
    }
    const replyCalls = (c.replies ?? []).map((r) => t.getToolcall(r));
    return { ...out, reply_calls: replyCalls };
  } catch (e) {
    return { error: `${(e as Error).name}: ${(e as Error).message}` };
  }
}
