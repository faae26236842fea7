import { describe, expect, it } from 'vitest';
import { splitHidden } from './controls.ts';

describe('splitHidden', () => {
  it('cuts out each bidirectional control with its code point; the pieces join back to the text', () => {
    const text = 'ok\u202Eko\u202C <|im_end|>\u2066x\u2069\u200E\u200F\u061C\u202A\u202B\u202D\u2067\u2068';
    const pieces = splitHidden(text);
    expect(pieces.map((p) => p.text).join('')).toBe(text);
    expect(pieces.filter((p) => p.label).map((p) => p.label)).toEqual([
      'U+202E',
      'U+202C',
      'U+2066',
      'U+2069',
      'U+200E',
      'U+200F',
      'U+061C',
      'U+202A',
      'U+202B',
      'U+202D',
      'U+2067',
      'U+2068',
    ]);
    expect(pieces[0]).toEqual({ text: 'ok' });
    expect(pieces[1]).toMatchObject({
      text: '\u202E',
      label: 'U+202E',
      title: expect.stringContaining('RIGHT-TO-LEFT OVERRIDE'),
    });
    expect(pieces[3]).toMatchObject({ text: '\u202C', label: 'U+202C' });
  });

  it('marks lone surrogates, not surrogate pairs', () => {
    const text = 'a\uD83D b\uD83D\uDE00 c\uDE00';
    const pieces = splitHidden(text);
    expect(pieces.map((p) => p.text).join('')).toBe(text);
    expect(pieces.filter((p) => p.label).map((p) => p.label)).toEqual(['U+D83D', 'U+DE00']);
    expect(pieces.find((p) => p.text.includes('\uD83D\uDE00'))?.label).toBeUndefined();
  });

  it('leaves ordinary text, right-to-left text and other format characters whole', () => {
    for (const t of ['', 'hello', 'שלום עולם', 'مرحبا', 'zero\u200Bwidth\u200Djoiner', '😀']) {
      expect(splitHidden(t)).toEqual(t ? [{ text: t }] : []);
    }
  });
});
