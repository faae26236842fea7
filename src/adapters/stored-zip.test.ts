// The streamed stored zip read back by independent readers: Python's zipfile (testzip checks every
// CRC; ZIP64 extra fields honoured), Info-ZIP's `unzip -t` when installed, and fflate.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import { afterAll, describe, expect, it } from 'vitest';
import { crc32, storedZipSink } from './stored-zip.ts';
import { PY } from './testing.ts';

const dir = mkdtempSync(join(tmpdir(), 'prism-zip-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const CHECK = `
import hashlib, json, sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
bad = z.testzip()
out = {"bad": bad, "files": {
    i.filename: {"size": i.file_size, "method": i.compress_type, "sha": hashlib.sha256(z.read(i.filename)).hexdigest()}
    for i in z.infolist()
}}
print(json.dumps(out))
`;

async function* parts(bytes: Uint8Array, n: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.length; i += n) yield bytes.subarray(i, i + n);
}

async function makeZip(files: [string, Uint8Array][], forceZip64: boolean): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  const zip = storedZipSink((c) => void chunks.push(c.slice()), {
    forceZip64,
    date: new Date(2026, 0, 15, 12, 30, 10),
  });
  for (const [name, bytes] of files) await zip.writeFile(name, bytes.length, parts(bytes, 1000));
  const total = await zip.finish();
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) (out.set(c, at), (at += c.length));
  return out;
}

function sha256(b: Uint8Array) {
  return createHash('sha256').update(b).digest('hex');
}

describe('crc32', () => {
  it('matches the standard check value', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
    const b = new TextEncoder().encode('hello, world');
    expect(crc32(b.subarray(5), crc32(b.subarray(0, 5)))).toBe(crc32(b));
  });
});

describe('storedZipSink', () => {
  const big = new Uint8Array(5000).map((_, i) => (i * 31) % 251);
  const files: [string, Uint8Array][] = [
    ['config.json', new TextEncoder().encode('{"a": 1}\n')],
    ['empty.txt', new Uint8Array(0)],
    ['model-00001-of-00002.safetensors', big],
    ['sub/ünïcode 名前.bin', big.subarray(0, 1234)],
  ];
  for (const forceZip64 of [false, true]) {
    it(`is read by Python's zipfile${forceZip64 ? ' (ZIP64 records)' : ''}, unzip and fflate`, async () => {
      const zip = await makeZip(files, forceZip64);
      const path = join(dir, `t${forceZip64 ? 64 : 32}.zip`);
      writeFileSync(path, zip);
      const res = spawnSync(PY, ['-c', CHECK, path], { encoding: 'utf8' });
      expect(res.status, res.stderr).toBe(0);
      const rep = JSON.parse(res.stdout);
      expect(rep.bad).toBeNull();
      expect(Object.keys(rep.files)).toEqual(files.map(([n]) => n));
      for (const [n, b] of files) expect(rep.files[n]).toEqual({ size: b.length, method: 0, sha: sha256(b) });
      if (existsSync('/usr/bin/unzip')) {
        const t = spawnSync('/usr/bin/unzip', ['-t', path], { encoding: 'utf8' });
        expect(t.status, t.stdout + t.stderr).toBe(0);
        expect(t.stdout).toMatch(/No errors detected/);
      }
      const un = unzipSync(zip);
      for (const [n, b] of files) expect(sha256(un[n])).toBe(sha256(b));
    });
  }

  it('refuses a producer that writes other than the size it announced, and duplicate names', async () => {
    const zip = storedZipSink(() => {});
    await expect(zip.writeFile('a', 3, parts(new Uint8Array(4), 4))).rejects.toThrow(/more than the 3 bytes/);
    await expect(zip.writeFile('b', 5, parts(new Uint8Array(4), 4))).rejects.toThrow(/wrote 4 of the 5 bytes/);
    await zip.writeFile('c', 1, parts(new Uint8Array(1), 1));
    await expect(zip.writeFile('c', 1, parts(new Uint8Array(1), 1))).rejects.toThrow(/already in the zip/);
  });
});
