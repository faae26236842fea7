import { describe, expect, it } from 'vitest';
import { decodeUtf8, firstInvalidUtf8 } from './utf8.ts';
import { rng } from './test-helpers.ts';

const fatal = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const valid = (b: Uint8Array) => {
  try {
    fatal.decode(b);
    return true;
  } catch {
    return false;
  }
};

describe('utf8', () => {
  it('names the first bad byte (hand-made cases)', () => {
    const cases: [number[], number][] = [
      [[0x61, 0x62], -1],
      [[0x63, 0x61, 0x66, 0xe9, 0x21], 3], // Latin-1 é
      [[0xc0, 0x80], 0], // overlong NUL
      [[0x61, 0xed, 0xa0, 0x80], 1], // a UTF-16 surrogate encoded in UTF-8
      [[0xe4, 0xbd, 0xa0, 0xe5, 0xa5], 3], // 你 then a cut 好
      [[0xf4, 0x90, 0x80, 0x80], 0], // above U+10FFFF
      [[0xf0, 0x9f, 0x98, 0x80, 0x80], 4], // 😀 then a stray continuation byte
      [[0xef, 0xbb, 0xbf, 0x7b], -1], // BOM is valid UTF-8
    ];
    for (const [bytes, at] of cases) expect(firstInvalidUtf8(Uint8Array.from(bytes)), bytes.join(' ')).toBe(at);
  });

  it('keeps a BOM inside the text rather than dropping it', () => {
    expect(decodeUtf8(Uint8Array.from([0xef, 0xbb, 0xbf, 0x7b]))).toBe('\uFEFF{');
  });

  it('agrees with TextDecoder on random bytes', () => {
    const pool = [
      0x00, 0x41, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc1, 0xc2, 0xdf, 0xe0, 0xe1, 0xed, 0xee, 0xef, 0xf0,
      0xf1, 0xf4, 0xf5, 0xff,
    ];
    const r = rng(7);
    for (let t = 0; t < 20000; t++) {
      const b = Uint8Array.from({ length: 1 + Math.floor(r() * 6) }, () => pool[Math.floor(r() * pool.length)]);
      const at = firstInvalidUtf8(b);
      expect(at === -1, Array.from(b).join(' ')).toBe(valid(b));
      expect(decodeUtf8(b) === null).toBe(at !== -1);
      if (at >= 0) {
        expect(valid(b.subarray(0, at))).toBe(true); // everything before it is fine
        expect(valid(b.subarray(at))).toBe(false); // and the sequence starting there is not
      }
    }
  });
});
