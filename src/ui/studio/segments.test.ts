import { describe, expect, it } from 'vitest';
import { getTemplate, templateIds } from '../../templates/index.ts';
import { specialPattern, splitSpecial, tokenPattern } from './segments.ts';

describe('splitSpecial', () => {
  it('finds every special token of a Llama prompt, longest first, and loses no character', () => {
    const spec = getTemplate('llama3_2');
    const text = '<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nHi <|eot_id|>x<|eot_id|>';
    const pieces = splitSpecial(text, specialPattern(spec));
    expect(pieces.map((p) => p.text).join('')).toBe(text);
    expect(pieces.filter((p) => p.special).map((p) => p.text)).toEqual([
      '<|begin_of_text|>',
      '<|start_header_id|>',
      '<|end_header_id|>',
      '<|eot_id|>',
      '<|eot_id|>',
    ]);
  });

  it('treats Mistral [INST] and DeepSeek full-width markers as chips', () => {
    const m = splitSpecial('<s>[INST] a[/INST] b</s>', specialPattern(getTemplate('mistral')));
    expect(m.filter((p) => p.special).map((p) => p.text)).toEqual(['<s>', '[INST]', '[/INST]', '</s>']);
    const ds = getTemplate('deepseek_r1');
    const d = splitSpecial(`${ds.bos}x`, specialPattern(ds));
    expect(d[0]).toEqual({ text: ds.bos, special: true });
  });

  it('leaves text without tokens whole, and empty text empty', () => {
    for (const id of templateIds) {
      const re = specialPattern(getTemplate(id));
      expect(splitSpecial('plain words', re)).toEqual([{ text: 'plain words', special: false }]);
      expect(splitSpecial('', re)).toEqual([]);
    }
  });
});

describe('tokenPattern', () => {
  it('matches the longest token first and gives null for none', () => {
    const re = tokenPattern(['<s>', '<s>[INST]', '', '<s>']);
    expect(
      splitSpecial('<s>[INST] a<s>', re)
        .filter((p) => p.special)
        .map((p) => p.text),
    ).toEqual(['<s>[INST]', '<s>']);
    expect(tokenPattern([''])).toBeNull();
  });
});
