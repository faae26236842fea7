// Ports ms-swift's ToolBenchAgentTemplate (swift/agent_template/toolbench.py; id toolbench): the
// ToolBench system prompt with the tools as one JSON list. Calls, results and parsing are the
// ReAct defaults (Thought / Action / Action Input).
import { pyJsonDumps } from '../../pyjson.ts';
import { BaseAgentTemplate } from './base.ts';

export class ToolBenchAgentTemplate extends BaseAgentTemplate {
  readonly id: string = 'toolbench';

  /** Unwraps each tool in place in `tools`, as ms-swift does (callers read the array back). */
  formatTools(tools: unknown[]): string {
    for (let i = 0; i < tools.length; i++) tools[i] = BaseAgentTemplate.unwrapTool(tools[i]);
    return (
      'You can use many tools(functions) to do the following task.\n' +
      'First I will give you the task description, and your task start.\n' +
      'At each step, you need to give your thought to analyze the status now and what to do next, ' +
      'with a function call to actually execute your step. Your output should follow this format:\n' +
      'Thought:\nAction:\nAction Input:\n\n' +
      'After the call, you will get the call result, and you are now in a new state.\n' +
      'Then you will analyze your status now, then decide what to do next...\n' +
      'After many (Thought-call) pairs, you finally perform the task, then you can give your final answer.\n' +
      'Remember:\n' +
      "1.the state change is irreversible, you can't go back to one of the former state, if you want to restart the " +
      'task, say "I give up and restart".\n' +
      '2.All the thought is short, at most in 5 sentence.\n' +
      '3.You can do more then one try, so if your plan is to continuously try some conditions, ' +
      'you can do one of the conditions per try.\n' +
      "Let's Begin!\n" +
      'Task description: You should use functions to help handle the real time user queries. Remember:\n' +
      '1.ALWAYS call "Finish" function at the end of the task. And the final answer should contain enough ' +
      "information to show to the user,If you can't handle the task, or you find that function calls always " +
      'fail(the function is not valid now), use function Finish->give_up_and_restart.\n' +
      "2.Do not use origin tool names, use only subfunctions' names.\n" +
      `Specifically, you have access to the following APIs: ${pyJsonDumps(tools)}`
    );
  }
}
