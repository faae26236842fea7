import { describe, expect, it } from 'vitest';
import { findJsonError } from './json-error.ts';
import { rng } from './test-helpers.ts';

// Columns counted by hand: 1-based, UTF-16 units (as JavaScript and most editors count).
const corpus: { text: string; column: number; says: RegExp }[] = [
  { text: '{"a":1,}', column: 8, says: /trailing comma/ },
  { text: '[1,2,]', column: 6, says: /trailing comma/ },
  { text: '{"a":1', column: 7, says: /cut off/ },
  { text: "{'a':1}", column: 2, says: /double quotes/ },
  { text: '{"a":NaN}', column: 6, says: /NaN/ },
  { text: '{"a":1}{"b":2}', column: 8, says: /one record per line/ },
  { text: '{"a":01}', column: 7, says: /leading zero/ },
  { text: '{"a":"x\ty"}', column: 8, says: /control character U\+0009/ },
  { text: '{"a" 1}', column: 6, says: /':'/ },
  { text: '{"a":tru}', column: 9, says: /'true'/ },
  { text: '{"a":"\\x"}', column: 7, says: /invalid escape/ },
  { text: '{"a":"\\u12G4"}', column: 7, says: /\\u escape/ },
  { text: '{"é":1,}', column: 8, says: /trailing comma/ },
  { text: '{"😀":1,}', column: 9, says: /trailing comma/ },
  { text: '// note', column: 1, says: /comment/ },
  { text: '\uFEFF{}', column: 1, says: /byte-order mark/ },
  { text: '{"a":[1,2}', column: 10, says: /',' or ']'/ },
  { text: '{"a":-}', column: 7, says: /digit/ },
  { text: '{"a":1.}', column: 8, says: /decimal point/ },
  { text: '{"a":1e}', column: 8, says: /exponent/ },
  { text: '{"a":"unterminated}', column: 6, says: /unterminated string/ },
  { text: '{"messages": [}', column: 15, says: /expected a value/ },
];

describe('findJsonError', () => {
  for (const c of corpus) {
    it(`${JSON.stringify(c.text)} → column ${c.column}`, () => {
      expect(() => JSON.parse(c.text)).toThrow();
      const e = findJsonError(c.text);
      expect(e).not.toBeNull();
      expect(e!.index + 1).toBe(c.column);
      expect(e!.message).toMatch(c.says);
    });
  }

  it('accepts exactly what JSON.parse accepts (random mutations of valid records)', () => {
    const seeds = [
      '{"messages": [{"role": "user", "content": "héllo \\"x\\" \\u00e9\\n"}, {"role": "assistant", ' +
        '"content": null, "tool_calls": []}]}',
      '[1, -2.5e+10, 0, 0.25, true, false, null, {"a": {"b": []}}, "\\/\\b\\f\\r\\t"]',
      ' {"k" : [ 1 , 2 ] , "n" : -0.0E-3 } ',
    ];
    const alphabet = ' {}[]:,"\\\'-+.0123456789eEtrufalsn\t\nu/xÿ😀';
    const r = rng(42);
    let failures = 0;
    for (let t = 0; t < 20000; t++) {
      let s = seeds[t % seeds.length];
      const edits = 1 + Math.floor(r() * 3);
      for (let k = 0; k < edits; k++) {
        const at = Math.floor(r() * (s.length + 1));
        const ch = alphabet[Math.floor(r() * alphabet.length)];
        const op = r();
        if (op < 0.33) s = s.slice(0, at) + s.slice(at + 1);
        else if (op < 0.66) s = s.slice(0, at) + ch + s.slice(at);
        else s = s.slice(0, at) + ch + s.slice(at + 1);
      }
      let parses = true;
      try {
        JSON.parse(s);
      } catch {
        parses = false;
      }
      const e = findJsonError(s);
      expect(e === null, s).toBe(parses);
      if (e) {
        failures++;
        expect(e.index).toBeGreaterThanOrEqual(0);
        expect(e.index).toBeLessThanOrEqual(s.length);
      }
    }
    expect(failures).toBeGreaterThan(5000); // the mutations did break most lines
  });
});
