// Ports ms-swift's QwenEnAgentTemplate, QwenZhAgentTemplate, QwenEnParallelAgentTemplate and
// QwenZhParallelAgentTemplate (swift/agent_template/qwen.py; ids qwen_en, qwen_zh,
// qwen_en_parallel, qwen_zh_parallel): Qwen-Agent's ✿FUNCTION✿ prompt. Calls, results and parsing
// are the ReAct defaults with Qwen's keywords; only the tools block differs between the four.
import { BaseAgentTemplate, type AgentKeyword, type ToolDesc } from './base.ts';

export const QWEN_KEYWORD: AgentKeyword = { action: '✿FUNCTION✿:', actionInput: '✿ARGS✿:', observation: '✿RESULT✿:' };

/** The tools' names (joined by commas) and the `### name` descriptions, in the language's wording. */
function namesAndDescs(tools: unknown[], lang: 'en' | 'zh'): { names: string; descs: string[] } {
  const parsed: ToolDesc[] = [];
  const descs: string[] = [];
  for (const tool of tools) {
    const d = BaseAgentTemplate.parseTool(tool, lang);
    parsed.push(d);
    const params = lang === 'en' ? 'Parameters: ' : '输入参数：';
    descs.push(
      `### ${d.nameForHuman}\n\n${d.nameForModel}: ${d.descriptionForModel} ${params}${d.parameters} ${d.argsFormat}`,
    );
  }
  return { names: BaseAgentTemplate.joinToolNames(parsed, ','), descs };
}

/** The shared frame: the system prompt (`system or ''`), a heading, the descriptions, the usage text. */
function frame(system: string | null, heading: string, descs: string[], usage: string): string {
  return `${system || ''}\n\n${heading}\n\n` + descs.join('\n\n') + `\n\n${usage}`;
}

export class QwenEnAgentTemplate extends BaseAgentTemplate {
  readonly id: string = 'qwen_en';
  override keyword = QWEN_KEYWORD;

  formatTools(tools: unknown[], system: string | null): string {
    const { names, descs } = namesAndDescs(tools, 'en');
    return frame(
      system,
      '# Tools\n\n## You have access to the following tools:',
      descs,
      '## When you need to call a tool, please insert the following command in your reply, which can be called zero ' +
        'or multiple times according to your needs:\n\n' +
        `✿FUNCTION✿: The tool to use, should be one of [${names}]\n` +
        '✿ARGS✿: The input of the tool\n' +
        '✿RESULT✿: Tool results\n' +
        '✿RETURN✿: Reply based on tool results. Images need to be rendered as ![](url)',
    );
  }
}

export class QwenZhAgentTemplate extends BaseAgentTemplate {
  readonly id: string = 'qwen_zh';
  override keyword = QWEN_KEYWORD;

  formatTools(tools: unknown[], system: string | null): string {
    const { names, descs } = namesAndDescs(tools, 'zh');
    return frame(
      system,
      '# 工具\n\n## 你拥有如下工具：',
      descs,
      '## 你可以在回复中插入零次、一次或多次以下命令以调用工具：\n\n' +
        `✿FUNCTION✿: 工具名称，必须是[${names}]之一。\n` +
        '✿ARGS✿: 工具输入\n' +
        '✿RESULT✿: 工具结果\n' +
        '✿RETURN✿: 根据工具结果进行回复，需将图片用![](url)渲染出来',
    );
  }
}

export class QwenEnParallelAgentTemplate extends QwenEnAgentTemplate {
  override readonly id: string = 'qwen_en_parallel';

  override formatTools(tools: unknown[], system: string | null): string {
    const { names, descs } = namesAndDescs(tools, 'en');
    return frame(
      system,
      '# Tools\n\n## You have access to the following tools:',
      descs,
      '## Insert the following command in your reply when you need to call N tools in parallel:\n\n' +
        `✿FUNCTION✿: The name of tool 1, should be one of [${names}]\n` +
        '✿ARGS✿: The input of tool 1\n' +
        '✿FUNCTION✿: The name of tool 2\n' +
        '✿ARGS✿: The input of tool 2\n' +
        '...\n' +
        '✿FUNCTION✿: The name of tool N\n' +
        '✿ARGS✿: The input of tool N\n' +
        '✿RESULT✿: The result of tool 1\n' +
        '✿RESULT✿: The result of tool 2\n' +
        '...\n' +
        // "he result" (sic): ms-swift's prompt text, kept byte for byte.
        '✿RESULT✿: he result of tool N\n' +
        '✿RETURN✿: Reply based on tool results. Images need to be rendered as ![](url)',
    );
  }
}

export class QwenZhParallelAgentTemplate extends QwenZhAgentTemplate {
  override readonly id: string = 'qwen_zh_parallel';

  override formatTools(tools: unknown[], system: string | null): string {
    const { names, descs } = namesAndDescs(tools, 'zh');
    return frame(
      system,
      '# 工具\n\n## 你拥有如下工具：',
      descs,
      '## 你可以在回复中插入以下命令以并行调用N个工具：\n\n' +
        `✿FUNCTION✿: 工具1的名称，必须是[${names}]之一\n` +
        '✿ARGS✿: 工具1的输入\n' +
        '✿FUNCTION✿: 工具2的名称\n' +
        '✿ARGS✿: 工具2的输入\n' +
        '...\n' +
        '✿FUNCTION✿: 工具N的名称\n' +
        '✿ARGS✿: 工具N的输入\n' +
        '✿RESULT✿: 工具1的结果\n' +
        '✿RESULT✿: 工具2的结果\n' +
        '...\n' +
        '✿RESULT✿: 工具N的结果\n' +
        '✿RETURN✿: 根据工具结果进行回复，需将图片用![](url)渲染出来',
    );
  }
}
