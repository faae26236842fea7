// Ports ms-swift's YoutuAgentTemplate (swift/agent_template/youtu.py; id youtu): Youtu-LLM, a
// Hermes variant. Tools as ```json blocks between `<|begin_of_tool_description|>` markers, calls as
// `<tool_call>{json}</tool_call>` with nothing between them, results as `<tool_response>` lines in
// the model template's user turn (Youtu's own `<|User|>` turn when none is attached). Parsing and
// results that follow no call are Hermes'.
import { pyJsonDumps } from '../../pyjson.ts';
import { pyTruthy } from '../../py/truth.ts';
import { BaseAgentTemplate, contentOf } from './base.ts';
import { HermesAgentTemplate } from './hermes.ts';
import { resultsInPrompt } from './minimax_m2.ts';
import type { SwiftMessage, ToolResponses } from './types.ts';

export class YoutuAgentTemplate extends HermesAgentTemplate {
  override readonly id: string = 'youtu';

  protected override toolResponsesText(toolMessages: SwiftMessage[]): string {
    return toolMessages.map((m) => `<tool_response>${contentOf(m)}</tool_response>`).join('\n');
  }

  override formatToolResponses(assistantContent: string, toolMessages: SwiftMessage[]): ToolResponses {
    if (this.withAction(assistantContent)) return super.formatToolResponses(assistantContent, toolMessages);
    const prompt = this.templateMeta ? this.templateMeta.prompt : ['<|User|>{{QUERY}}<|Assistant|>'];
    const chatSep = this.templateMeta ? this.templateMeta.chatSep : ['<|end_of_text|>'];
    return { assistantContent, parts: resultsInPrompt(chatSep, prompt, this.toolResponsesText(toolMessages)) };
  }

  override formatTools(tools: unknown[], system: string | null): string {
    const descs = tools.map((t) => '```json\n' + pyJsonDumps(BaseAgentTemplate.wrapTool(t)) + '\n```');
    return (
      (pyTruthy(system) ? `${system}\n\n` : '') +
      '<|begin_of_tool_description|>Tool calling capabilities.\n' +
      'You may call one or more functions to assist with the user query. ' +
      'You have the following functions available:\n' +
      descs.join('\n') +
      '\nFor tool call returns, you MUST use the following format:\n' +
      '<tool_call>{"name": "function-name", "arguments": {"param1": "value1", "param2": "value2"}}</tool_call>\n' +
      '<|end_of_tool_description|>'
    );
  }

  override formatToolCalls(toolCallMessages: SwiftMessage[]): string {
    return toolCallMessages
      .map((m) => `<tool_call>${pyJsonDumps(BaseAgentTemplate.parseToolCall(m.content))}</tool_call>`)
      .join('');
  }
}
