// Hostile adapter zips: bombs (an entry inflating far past any adapter, a directory that lies about
// sizes, overlapping entries), duplicate and traversal names, absurd entry counts. Duplicate,
// traversal and zip64 archives are written by Python's zipfile (an independent writer); the rest
// are fflate zips with header fields patched the way an attacker would.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { zipSync, type Zippable } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../model/config.ts';
import { KNOWN_CONFIGS } from '../model/known-models.ts';
import { exportAdapter, type LoraTensor } from './peft.ts';
import { MAX_OVERSHOOT, MAX_ZIP_ENTRIES, ZipLimitError } from './unzip.ts';
import { importAdapterArchive, MAX_ADAPTER_WEIGHTS_BYTES, MAX_EXTRA_BYTES, readAdapterArchive } from './zip.ts';

const PYTHON = '/usr/bin/python3';
const MiB = 1024 ** 2;
const enc = new TextEncoder();

// A tiny base: 2 layers, hidden 8. At r ≤ 512 an adapter of it is at most a few MiB.
const tinyBase = {
  id: 'tiny/llama',
  spec: parseConfig({
    architectures: ['LlamaForCausalLM'],
    model_type: 'llama',
    hidden_size: 8,
    intermediate_size: 16,
    num_hidden_layers: 2,
    num_attention_heads: 2,
    num_key_value_heads: 1,
    vocab_size: 32,
    rms_norm_eps: 1e-5,
    max_position_embeddings: 64,
  }),
};
// in+out summed over q,k,v,o,gate,up,down: (8+8)+(8+4)+(8+4)+(8+8)+(8+16)·2+(16+8) = 128 per layer.
const tinyAdapterFloats = 2 * 512 * 128;

const tensor: LoraTensor = {
  layer: 0,
  module: 'q_proj',
  in_features: 8,
  out_features: 8,
  A: new Float32Array(16).fill(0.5),
  B: new Float32Array(16).fill(-1),
};
const peft = exportAdapter([tensor], {
  base_model_name_or_path: 'tiny/llama',
  r: 2,
  lora_alpha: 4,
  lora_dropout: 0,
  use_rslora: false,
});
const configBytes = peft.get('adapter_config.json')!;
const weightsBytes = peft.get('adapter_model.safetensors')!;
const zeros50 = new Uint8Array(50 * MiB);
let bombZip: Uint8Array; // 50 MiB of zeros as the weights, deflated at level 9 to ~50 KiB

/** Set the declared (uncompressed) size of every header of `name`, local and central, as a liar would. */
function lieAboutSize(zip: Uint8Array, name: string, size: number): Uint8Array {
  const out = zip.slice();
  const dv = new DataView(out.buffer);
  const needle = enc.encode(name);
  let patched = 0;
  for (let i = 0; i + needle.length <= out.length; i++) {
    if (!needle.every((b, k) => out[i + k] === b)) continue;
    if (i >= 30 && dv.getUint32(i - 30, true) === 0x04034b50 && dv.getUint16(i - 4, true) === needle.length) {
      dv.setUint32(i - 30 + 22, size, true);
      patched++;
    } else if (i >= 46 && dv.getUint32(i - 46, true) === 0x02014b50 && dv.getUint16(i - 18, true) === needle.length) {
      dv.setUint32(i - 46 + 24, size, true);
      patched++;
    }
  }
  if (patched !== 2) throw new Error(`patched ${patched} headers of ${name}, expected 2`);
  return out;
}

function zipOf(files: Record<string, Uint8Array>, level: 0 | 1 | 9 = 9): Uint8Array {
  const tree: Zippable = {};
  for (const [k, v] of Object.entries(files)) tree[k] = [v, { level }];
  return zipSync(tree);
}

const dir = mkdtempSync(join(tmpdir(), 'prism-unzip-'));
const py: Record<string, Uint8Array> = {};

beforeAll(() => {
  // Python's zipfile writes what fflate will not: duplicate names, traversal names, zip64 records
  // (forced small by lowering its limits, so the archive stays tiny).
  const script = `
import sys, warnings, zipfile
warnings.simplefilter("ignore")
d, config, weights = sys.argv[1], open(sys.argv[2], "rb").read(), open(sys.argv[3], "rb").read()
with zipfile.ZipFile(d + "/dup.zip", "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("adapter_config.json", config)
    z.writestr("adapter_model.safetensors", weights)
    z.writestr("adapter_model.safetensors", weights)
with zipfile.ZipFile(d + "/dup-slash.zip", "w") as z:
    z.writestr("adapter_config.json", config)
    z.writestr("a/adapter_model.safetensors", weights)
    z.writestr(zipfile.ZipInfo("a\\\\adapter_model.safetensors"), weights)
for tag, name in [
    ("dotdot", "../../.bashrc"), ("abs", "/etc/cron.d/x"), ("drive", "C:/Windows/x.dll"), ("inner", "a/../../x")
]:
    with zipfile.ZipFile(d + "/" + tag + ".zip", "w") as z:
        z.writestr("adapter_config.json", config)
        z.writestr(zipfile.ZipInfo(name), b"x")
zipfile.ZIP64_LIMIT = 16
zipfile.ZIP_FILECOUNT_LIMIT = 1
with zipfile.ZipFile(d + "/zip64.zip", "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("my-lora/adapter_config.json", config)
    z.writestr("my-lora/adapter_model.safetensors", weights)
`;
  const cfgPath = join(dir, 'config.json');
  const wPath = join(dir, 'w.safetensors');
  writeFileSync(cfgPath, configBytes);
  writeFileSync(wPath, weightsBytes);
  const res = spawnSync(PYTHON, ['-c', script, dir, cfgPath, wPath], { encoding: 'utf8' });
  if (res.status !== 0) throw new Error(`${PYTHON} failed:\n${res.stderr}`);
  bombZip = zipOf({ 'adapter_config.json': configBytes, 'adapter_model.safetensors': zeros50 });
  for (const tag of ['dup', 'dup-slash', 'dotdot', 'abs', 'drive', 'inner', 'zip64'])
    py[tag] = new Uint8Array(readFileSync(join(dir, `${tag}.zip`)));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function refusal(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected the import to be refused');
}

describe('adapter zip bombs', () => {
  it('refuses an entry declared past the cap for its base, before inflating it', async () => {
    expect(bombZip.length).toBeLessThan(MiB);
    const err = await refusal(readAdapterArchive(bombZip, { base: tinyBase }));
    expect(err).toBeInstanceOf(ZipLimitError);
    const cap = (err as ZipLimitError).cap;
    // The cap is what an r = 512 float32 adapter of every linear module can be, plus a margin.
    expect(cap).toBeGreaterThanOrEqual(tinyAdapterFloats * 4);
    expect(cap).toBeLessThan(tinyAdapterFloats * 4 * 1.5);
    expect(err.message).toMatch(
      /^"adapter_model\.safetensors" would inflate to 50\.0 MiB, over the most an adapter of tiny\/llama can be/,
    );
    expect((err as ZipLimitError).inflated).toBe(0);
  });

  it('takes the cap from a known base named in adapter_config.json', async () => {
    const cfg = enc.encode(
      JSON.stringify({
        ...JSON.parse(new TextDecoder().decode(configBytes)),
        base_model_name_or_path: 'HuggingFaceTB/SmolLM2-135M-Instruct',
      }),
    );
    const declared4G = lieAboutSize(
      zipOf({ 'adapter_config.json': cfg, 'adapter_model.safetensors': new Uint8Array(10) }),
      'adapter_model.safetensors',
      0xfffffff0,
    );
    const err = await refusal(readAdapterArchive(declared4G));
    expect(err.message).toContain('an adapter of HuggingFaceTB/SmolLM2-135M-Instruct');
    // SmolLM2-135M: 30 layers; q,o 576→576, k,v 576→192, gate,up 576→1536, down 1536→576.
    const c = KNOWN_CONFIGS['HuggingFaceTB/SmolLM2-135M-Instruct'].config;
    expect([c.hidden_size, c.intermediate_size, c.num_hidden_layers]).toEqual([576, 1536, 30]);
    const floats = 30 * 512 * (2 * (576 + 576) + 2 * (576 + 192) + 3 * (576 + 1536));
    expect((err as ZipLimitError).cap).toBeGreaterThanOrEqual(floats * 4);
    expect((err as ZipLimitError).cap).toBeLessThan(floats * 4 * 1.5);
  });

  it('with no known base, refuses weights declared past the documented absolute cap', async () => {
    const z = lieAboutSize(bombZip, 'adapter_model.safetensors', 0xfffffff0);
    const err = await refusal(importAdapterArchive(z));
    expect(err).toBeInstanceOf(ZipLimitError);
    expect((err as ZipLimitError).cap).toBe(MAX_ADAPTER_WEIGHTS_BYTES);
    expect(err.message).toMatch(
      new RegExp(
        /"adapter_model\.safetensors" would inflate to 4\.0 GiB, over the cap for adapter weights /.source +
          /of an unknown base model \(1\.0 GiB\)/.source,
      ),
    );
  });

  it('stops inflating at the declared size when the directory lies, holding at most one chunk more', async () => {
    const liar = lieAboutSize(bombZip, 'adapter_model.safetensors', 1000);
    const err = await refusal(readAdapterArchive(liar, { base: tinyBase }));
    expect(err).toBeInstanceOf(ZipLimitError);
    expect(err.message).toMatch(
      /^"adapter_model\.safetensors" inflates past the 1000 B its zip directory declares \(stopped at [\d.]+ [KM]iB;/,
    );
    const { inflated } = err as ZipLimitError;
    expect(inflated).toBeGreaterThan(1000);
    expect(inflated).toBeLessThanOrEqual(1000 + MAX_OVERSHOOT);
    expect(MAX_OVERSHOOT).toBeLessThanOrEqual(1.01 * MiB);
    expect(inflated).toBeLessThan(zeros50.length);
  });

  it('refuses files that together pass the total cap, each under its own', async () => {
    let z = zipOf(Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`notes/${i}.txt`, new Uint8Array(10)])));
    for (let i = 0; i < 9; i++) z = lieAboutSize(z, `notes/${i}.txt`, 63 * MiB);
    const err = await refusal(readAdapterArchive(z, { base: tinyBase }));
    expect(err).toBeInstanceOf(ZipLimitError);
    expect(err.message).toMatch(
      /^the zip's files would inflate to more than [\d.]+ MiB together \(at "notes\/8\.txt"\)/,
    );
    expect((err as ZipLimitError).cap).toBeLessThan(MAX_EXTRA_BYTES + 8 * MiB);
  });

  it('refuses overlapping entries (the densest bombs reuse one deflate stream many times)', async () => {
    const z = zipOf({ 'adapter_config.json': configBytes, 'b.txt': enc.encode('hello') }, 0);
    const dv = new DataView(z.buffer, z.byteOffset);
    // Point the second central entry at the first local header.
    const cd = dv.getUint32(z.length - 22 + 16, true);
    const second = cd + 46 + dv.getUint16(cd + 28, true) + dv.getUint16(cd + 30, true) + dv.getUint16(cd + 32, true);
    dv.setUint32(second + 42, 0, true);
    const err = await refusal(readAdapterArchive(z));
    expect(err.message).toMatch(/overlaps .*: overlapping entries are refused/);
  });

  it(`refuses more than ${MAX_ZIP_ENTRIES} entries before reading the directory`, async () => {
    const many = zipOf(
      Object.fromEntries(Array.from({ length: MAX_ZIP_ENTRIES + 1 }, (_, i) => [`f${i}`, new Uint8Array(0)])),
      0,
    );
    const err = await refusal(readAdapterArchive(many));
    expect(err.message).toBe(
      `the zip has ${MAX_ZIP_ENTRIES + 1} entries, over the ${MAX_ZIP_ENTRIES} an adapter zip may hold`,
    );
  });

  it('refuses duplicate names, also when they differ only in the path separator', async () => {
    expect((await refusal(readAdapterArchive(py.dup))).message).toBe(
      'the zip holds "adapter_model.safetensors" twice ("adapter_model.safetensors" and ' +
        '"adapter_model.safetensors"): which one is meant is ambiguous',
    );
    expect((await refusal(readAdapterArchive(py['dup-slash']))).message).toMatch(
      /holds "a\/adapter_model\.safetensors" twice .*"a\\\\adapter_model\.safetensors"/,
    );
  });

  it('refuses traversal, absolute and drive paths', async () => {
    for (const [tag, name] of [
      ['dotdot', '../../.bashrc'],
      ['abs', '/etc/cron.d/x'],
      ['drive', 'C:/Windows/x.dll'],
      ['inner', 'a/../../x'],
    ]) {
      expect((await refusal(readAdapterArchive(py[tag]))).message).toBe(
        `unsafe path in the archive: ${JSON.stringify(name)} (absolute, empty or with "..")`,
      );
    }
  });

  it('refuses a corrupted entry by its CRC', async () => {
    const z = zipOf({ 'adapter_config.json': configBytes, 'adapter_model.safetensors': weightsBytes }, 0);
    const at = Buffer.from(z).indexOf(Buffer.from(weightsBytes)); // stored: the bytes appear as they are
    expect(at).toBeGreaterThan(0);
    z[at + weightsBytes.length - 3] ^= 0xff; // a weight value, not the safetensors header
    expect((await refusal(readAdapterArchive(z))).message).toBe(
      'the zip file is damaged or incomplete: "adapter_model.safetensors" fails its CRC-32 check',
    );
  });

  it('still imports real adapters identically: zip64 records from Python, and a Blob', async () => {
    const a = await importAdapterArchive(py.zip64);
    expect(Array.from(a.tensors[0].A)).toEqual(Array.from(tensor.A));
    expect(a.files.get('my-lora/adapter_model.safetensors')).toEqual(weightsBytes);
    const b = await importAdapterArchive(
      new Blob([
        zipOf({
          'adapter_config.json': configBytes,
          'adapter_model.safetensors': weightsBytes,
        }) as Uint8Array<ArrayBuffer>,
      ]),
      undefined,
      { base: tinyBase },
    );
    expect(Array.from(b.tensors[0].B)).toEqual(Array.from(tensor.B));
  });

  it('gives the event loop turns while inflating (the page stays responsive)', async () => {
    const big = zipOf(
      {
        'adapter_config.json': configBytes,
        'adapter_model.safetensors': weightsBytes,
        'dataset/train.jsonl': new Uint8Array(16 * MiB).fill(10),
      },
      1,
    );
    let ticks = 0;
    const timer = setInterval(() => ticks++, 0);
    const progress: number[] = [];
    try {
      await readAdapterArchive(big, { onProgress: (done) => progress.push(done) });
    } finally {
      clearInterval(timer);
    }
    expect(ticks).toBeGreaterThan(0);
    expect(progress.length).toBeGreaterThanOrEqual(3);
  });
});
