// The incremental SHA-256 against node:crypto's (OpenSSL), on lengths around the 55/56/64-byte
// padding edges and fed in odd-sized pieces, and sha256Hex (Web Crypto) against it.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Sha256, sha256Hex } from './hash.ts';

const data = Uint8Array.from({ length: 5000 }, (_, i) => (i * 2654435761) >>> 24);
const openssl = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

describe('Sha256', () => {
  it('equals OpenSSL on every length around the padding edges', () => {
    for (const n of [0, 1, 3, 55, 56, 57, 63, 64, 65, 119, 120, 127, 128, 129, 1000, 5000]) {
      expect(new Sha256().update(data.subarray(0, n)).hex(), `length ${n}`).toBe(openssl(data.subarray(0, n)));
    }
  });

  it('gives the same digest whatever the pieces', () => {
    const want = openssl(data);
    for (const piece of [1, 7, 63, 64, 65, 999]) {
      const h = new Sha256();
      for (let i = 0; i < data.length; i += piece) h.update(data.subarray(i, i + piece));
      expect(h.hex(), `pieces of ${piece}`).toBe(want);
    }
  });

  it('hashes text as UTF-8', async () => {
    const text = 'Grüße, 世界 🌍';
    expect(new Sha256().updateText(text).hex()).toBe(createHash('sha256').update(text, 'utf8').digest('hex'));
    expect(await sha256Hex(new TextEncoder().encode(text))).toBe(new Sha256().updateText(text).hex());
  });
});
