// Streams for tests: the same bytes cut into chunks in chosen or random places.
import { mulberry32 as rng } from '../model/random.ts';

/** A stream that hands out `bytes` cut at the given chunk sizes (the rest as one last chunk). */
export function chunked(bytes: Uint8Array, sizes: number[]): ReadableStream<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let at = 0;
  for (const n of sizes) {
    if (at >= bytes.length) break;
    chunks.push(bytes.slice(at, at + n));
    at += n;
  }
  if (at < bytes.length) chunks.push(bytes.slice(at));
  let i = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (i < chunks.length) controller.enqueue(chunks[i++]);
      else controller.close();
    },
  });
}

/** The seeded PRNG (mulberry32), re-exported for callers of this module. */
export { rng };

/** The ways a test cuts a file: whole, 1-byte chunks, 2- and 3-byte chunks, and random cuts. */
export function splits(length: number, randomCuts = 20): { name: string; sizes: number[] }[] {
  const out = [
    { name: 'one chunk', sizes: [length] },
    { name: '1-byte chunks', sizes: Array(length).fill(1) },
    { name: '2-byte chunks', sizes: Array(Math.ceil(length / 2)).fill(2) },
    { name: '3-byte chunks', sizes: Array(Math.ceil(length / 3)).fill(3) },
  ];
  for (let seed = 1; seed <= randomCuts; seed++) {
    const r = rng(seed);
    const sizes: number[] = [];
    for (let total = 0; total < length;) {
      const n = 1 + Math.floor(r() * 9);
      sizes.push(n);
      total += n;
    }
    out.push({ name: `random cuts, seed ${seed}`, sizes });
  }
  return out;
}

export const utf8 = (s: string): Uint8Array<ArrayBuffer> => new TextEncoder().encode(s);

export function bytesOf(...parts: (string | number[])[]): Uint8Array {
  const arrays = parts.map((p) => (typeof p === 'string' ? utf8(p) : Uint8Array.from(p)));
  const out = new Uint8Array(arrays.reduce((n, a) => n + a.length, 0));
  let at = 0;
  for (const a of arrays) {
    out.set(a, at);
    at += a.length;
  }
  return out;
}
