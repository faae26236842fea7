// Ports ms-swift's ReactGRPOAgentTemplate (swift/agent_template/extra.py; id react_grpo): the
// ReAct prompt with a `<think> </think>` reasoning instruction for GRPO training; calls, results and
// parsing are BaseAgentTemplate's ReAct defaults (and, unlike react_en, results that follow no
// call are refused, as ms-swift's class does not override that).
import { BaseAgentTemplate, type ToolDesc } from './base.ts';

export class ReactGRPOAgentTemplate extends BaseAgentTemplate {
  readonly id: string = 'react_grpo';

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
      'A conversation for tool calling between User and Assistant. The user asks a question which may be solved ' +
      'by calling tools, and the Assistant solves it. The assistant first thinks about the reasoning process in ' +
      'the mind and then provides the user with the answer. The reasoning process should be enclosed within ' +
      '<think> </think>tags and answer should follow the ReACT format(Action:xxx\nAction Input:xxx), i.e., ' +
      '<think> reasoning process here </think> Action: action here\nAction Input: parameters here\n\n' +
      'Answer the following questions as best as you can. You have access to the following tools:\n\n' +
      descs.join('\n\n') +
      '\n\nUse the following format:\n\n' +
      '<think>you should always think about what to do</think>\n' +
      `Action: the action to take, should be one of [${BaseAgentTemplate.joinToolNames(parsed, ',')}]\n` +
      'Action Input: the input to the action\n' +
      'Observation: the result of the action, given by the actual calling\n' +
      '... (this Thought/Action/Action Input/Observation can be repeated zero or more times)\n' +
      'Final Answer: the final answer to the original input question\n\n' +
      'Begin!\n'
    );
  }
}
