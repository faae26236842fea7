// ms-swift's `react_en` and `react_zh` (swift/agent_template/react.py): the ReAct prompt in
// English or Chinese; calls, results and parsing are BaseAgentTemplate's ReAct defaults.
import { BaseAgentTemplate, type ToolDesc } from './base.ts';
import type { SwiftMessage } from './types.ts';

export class ReactEnAgentTemplate extends BaseAgentTemplate {
  readonly id: string = 'react_en';

  override formatStandaloneToolResponses(toolMessages: SwiftMessage[]): string[] {
    return this.reactStandaloneToolResponses(toolMessages);
  }

  formatTools(tools: unknown[]): string {
    const parsed: ToolDesc[] = [];
    const descs: string[] = [];
    for (const tool of tools) {
      const d = BaseAgentTemplate.parseTool(tool, 'en');
      parsed.push(d);
      descs.push(
        `${d.nameForModel}: Call this tool to interact with the ${d.nameForHuman} API. ` +
          `What is the ${d.nameForHuman} API useful for? ${d.descriptionForModel} ` +
          `Parameters: ${d.parameters} ${d.argsFormat}`,
      );
    }
    return (
      'Answer the following questions as best you can. You have access to the following tools:\n\n' +
      descs.join('\n\n') +
      '\n\nUse the following format:\n\n' +
      'Question: the input question you must answer\n' +
      'Thought: you should always think about what to do\n' +
      `Action: the action to take, should be one of [${BaseAgentTemplate.joinToolNames(parsed, ',')}]\n` +
      'Action Input: the input to the action\n' +
      'Observation: the result of the action\n' +
      '... (this Thought/Action/Action Input/Observation can be repeated zero or more times)\n' +
      'Thought: I now know the final answer\n' +
      'Final Answer: the final answer to the original input question\n\n' +
      'Begin!\n'
    );
  }
}

export class ReactZhAgentTemplate extends BaseAgentTemplate {
  readonly id: string = 'react_zh';

  override formatStandaloneToolResponses(toolMessages: SwiftMessage[]): string[] {
    return this.reactStandaloneToolResponses(toolMessages);
  }

  formatTools(tools: unknown[]): string {
    const parsed: ToolDesc[] = [];
    const descs: string[] = [];
    for (const tool of tools) {
      const d = BaseAgentTemplate.parseTool(tool, 'zh');
      parsed.push(d);
      descs.push(
        `${d.nameForModel}: 调用此工具与 ${d.nameForHuman} API 进行交互。` +
          `${d.nameForHuman} 有什么用？${d.descriptionForModel} ` +
          `输入参数：${d.parameters} ${d.argsFormat}`,
      );
    }
    return (
      '尽可能地回答以下问题。你可以使用以下工具:\n\n' +
      descs.join('\n\n') +
      '\n\n请按照以下格式进行:\n\n' +
      'Question: 需要你回答的输入问题\n' +
      'Thought: 你应该总是思考该做什么\n' +
      `Action: 需要使用的工具，应该是[${BaseAgentTemplate.joinToolNames(parsed, ',')}]中的一个\n` +
      'Action Input: 传入工具的内容\n' +
      'Observation: 行动的结果\n' +
      '... (这个Thought/Action/Action Input/Observation可以重复N次)\n' +
      'Thought: 我现在知道最后的答案\n' +
      'Final Answer: 对原始输入问题的最终答案\n\n' +
      '现在开始！\n'
    );
  }
}
