// Ports ms-swift's MistralAgentTemplate (swift/agent_template/mistral.py; id mistral): tools as
// `[AVAILABLE_TOOLS]` JSON after the system prompt, a run of calls as one `[TOOL_CALLS][...]</s>`
// block (one JSON object per line), results as `[TOOL_RESULTS]{"content": ...}[/TOOL_RESULTS]` in the
// model template's user turn. Results need a model template attached (ms-swift refuses without).
import { pyJsonDumps, pyStrip } from '../../pyjson.ts';
import { swiftParseJson } from '../../py/literal.ts';
import { pyFindall } from '../../py/regex.ts';
import { pyTruthy } from '../../py/truth.ts';
import { isPyDict, pyIn } from '../../py/values.ts';
import { BaseAgentTemplate, swiftFunction } from './base.ts';
import { resultsInPrompt } from './minimax_m2.ts';
import { AgentTemplateError, type SwiftFunction, type SwiftMessage, type ToolResponses } from './types.ts';

const CALLS_RE = /\[TOOL_CALLS\]\[(.*?)\]<\/s>/su;

export class MistralAgentTemplate extends BaseAgentTemplate {
  readonly id: string = 'mistral';

  override getToolcall(response: string): SwiftFunction[] {
    const blocks = pyFindall(CALLS_RE, response);
    // No [TOOL_CALLS] block: no calls (ms-swift does not fall back to ReAct here).
    if (blocks.length === 0) return [];
    const functions: SwiftFunction[] = [];
    for (const line of pyStrip(blocks[0][0]).split('\n')) {
      let parsed = swiftParseJson(line);
      if (isPyDict(parsed)) parsed = [parsed];
      if (!Array.isArray(parsed)) continue;
      for (const call of parsed) {
        if (isPyDict(call) && pyIn('name', call) && pyIn('arguments', call)) {
          functions.push(swiftFunction(call.name, call.arguments));
        }
      }
    }
    return functions.length ? functions : super.getToolcall(response);
  }

  override formatToolResponses(assistantContent: string, toolMessages: SwiftMessage[]): ToolResponses {
    if (this.templateMeta === undefined) {
      throw new AgentTemplateError('ValueError: MistralAgentTemplate requires template_meta to be registered');
    }
    const total = toolMessages
      .map((m) => `[TOOL_RESULTS]${pyJsonDumps({ content: m.content })}[/TOOL_RESULTS]`)
      .join('\n');
    return { assistantContent, parts: resultsInPrompt(this.templateMeta.chatSep, this.templateMeta.prompt, total) };
  }

  formatTools(tools: unknown[], system: string | null): string {
    const descs = tools.map((t) => pyJsonDumps(BaseAgentTemplate.wrapTool(t)));
    return `${pyTruthy(system) ? system : ''}[AVAILABLE_TOOLS]${descs.join(' ')}[/AVAILABLE_TOOLS]`;
  }

  override formatToolCalls(toolCallMessages: SwiftMessage[]): string {
    const calls = toolCallMessages.map((m) => pyJsonDumps(BaseAgentTemplate.parseToolCall(m.content)));
    return `[TOOL_CALLS][\n${calls.join('\n')}\n]</s>`;
  }
}
