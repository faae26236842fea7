// What a streamed reply may show: never text it would have to take back.
import { describe, expect, it } from 'vitest';
import { visibleText } from './visible-text.ts';

describe('visibleText', () => {
  const STOP = ['<|im_end|>', '\n\nUser:'];
  it('cuts before the earliest stop string', () => {
    expect(visibleText('Hi there\n\nUser: next<|im_end|>', STOP, true)).toBe('Hi there');
    expect(visibleText('Hi<|im_end|>\n\nUser:', STOP, false)).toBe('Hi');
  });
  it('holds back a tail that may be the start of a stop string while more tokens may come', () => {
    expect(visibleText('Hi <|im', STOP, true)).toBe('Hi ');
    expect(visibleText('Hi\n\nUs', STOP, true)).toBe('Hi');
    expect(visibleText('Hi\n', STOP, true)).toBe('Hi');
    expect(visibleText('a < b', STOP, true)).toBe('a < b');
  });
  it('shows the held tail once the reply has ended without the stop string', () => {
    expect(visibleText('Hi <|im', STOP, false)).toBe('Hi <|im');
  });
  it('holds back an incomplete UTF-8 character (U+FFFD tail) but keeps one inside the text', () => {
    expect(visibleText('caf\uFFFD', [], true)).toBe('caf');
    expect(visibleText('a\uFFFDb\uFFFD\uFFFD', [], false)).toBe('a\uFFFDb');
  });
  it('ignores empty stop strings', () => {
    expect(visibleText('abc', [''], true)).toBe('abc');
  });
});
