// The adapter zip, opened by Python's zipfile (an independent reader), and zips made by Python
// imported back.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { zipSync } from 'fflate';
import { beforeAll, describe, expect, it } from 'vitest';
import { defaultTrainConfig } from '../train/config.ts';
import type { TargetModule } from '../model/layout.ts';
import { AdapterFormatError, peftKey, type LoraTensor } from './peft.ts';
import { sha256Hex } from './hash.ts';
import type { TrainingSummary } from './types.ts';
import {
  adapterBundleFiles,
  importAdapterArchive,
  makeAdapterZip,
  readAdapterArchive,
  readmeText,
  sampleCurve,
} from './zip.ts';

const PYTHON = '/usr/bin/python3';
const PY = `
import hashlib, json, sys, zipfile
job = json.load(sys.stdin)
out = {}
with zipfile.ZipFile(job["ours"]) as z:
    assert z.testzip() is None
    out["names"] = sorted(z.namelist())
    out["sha256"] = {n: hashlib.sha256(z.read(n)).hexdigest() for n in z.namelist()}
    out["readme"] = z.read("README.md").decode("utf-8")
    out["config"] = json.loads(z.read("adapter_config.json"))
# A zip of a PEFT folder as a user would make it: one top folder, directory entries, deflated.
with zipfile.ZipFile(job["theirs"], "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("my-lora/", b"")
    for name, path in job["files"].items():
        z.write(path, "my-lora/" + name)
json.dump(out, sys.stdout)
`;

let seed = 3;
const rand = () => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32 - 0.5;
const modules: TargetModule[] = ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'];
// A toy base (8 wide): its id is not a model Prism knows, so import does not check it against a real base's shapes.
const dims: Record<string, [number, number]> = {
  q_proj: [8, 8],
  k_proj: [8, 4],
  v_proj: [8, 4],
  o_proj: [8, 8],
  gate_proj: [8, 16],
  up_proj: [8, 16],
  down_proj: [16, 8],
};
const r = 2;
const tensors: LoraTensor[] = [0, 1].flatMap((layer) =>
  modules.map((module) => ({
    layer,
    module,
    in_features: dims[module][0],
    out_features: dims[module][1],
    A: Float32Array.from({ length: r * dims[module][0] }, rand),
    B: Float32Array.from({ length: dims[module][1] * r }, rand),
  })),
);
const datasetBytes = new TextEncoder().encode(
  '{"messages":[{"role":"user","content":"Hi"},{"role":"assistant","content":"Hello — héllo!"}]}\n',
);
// The user's own file (alpaca, CRLF): the zip must carry it byte for byte, under its own name.
const originalBytes = new TextEncoder().encode('{"instruction":"Hi","output":"Hello — héllo!"}\r\n');
const curve = Array.from({ length: 57 }, (_, i) => ({
  step: i + 1,
  loss: 2.5 * Math.exp(-i / 12) + 0.01 * (i % 3),
  ...(i % 10 === 9 ? { eval_loss: 2.6 * Math.exp(-i / 12) } : {}),
}));

let summary: TrainingSummary;
let zipBytes: Uint8Array;
let py: { names: string[]; sha256: Record<string, string>; readme: string; config: Record<string, unknown> };
const dir = mkdtempSync(join(tmpdir(), 'prism-zip-'));

beforeAll(async () => {
  if (!existsSync(PYTHON)) throw new Error(`${PYTHON} not found: apt-get install python3`);
  summary = {
    name: 'Support bot v1',
    config: defaultTrainConfig({
      model_id: 'my-org/tiny-llama',
      template: 'smollm2',
      lora: { r, lora_alpha: 8 },
      max_steps: 57,
      max_length: 512,
    }),
    dataset: {
      name: 'prism-normalized.jsonl',
      sha256: await sha256Hex(datasetBytes),
      records: 1,
      original: { name: 'C:\\Users\\me\\support chats.jsonl', sha256: await sha256Hex(originalBytes) },
    },
    steps: 57,
    final_loss: curve[56].loss,
    loss_curve: curve,
    created: Date.UTC(2026, 10, 28, 5, 0, 0),
  };
  zipBytes = makeAdapterZip({ tensors, summary, datasetBytes, originalBytes });
  const ours = join(dir, 'ours.zip');
  writeFileSync(ours, zipBytes);
  const files: Record<string, string> = {};
  for (const [name, bytes] of adapterBundleFiles({ tensors, summary, datasetBytes, originalBytes })) {
    if (name.includes('/')) continue;
    files[name] = join(dir, name);
    writeFileSync(files[name], bytes);
  }
  const res = spawnSync(PYTHON, ['-c', PY], {
    input: JSON.stringify({ ours, theirs: join(dir, 'theirs.zip'), files }),
    encoding: 'utf8',
  });
  if (res.status !== 0) throw new Error(`${PYTHON} failed:\n${res.stderr}`);
  py = JSON.parse(res.stdout);
});

describe('adapter zip', () => {
  it('holds the PEFT files, README, swift script and the dataset, readable by Python zipfile', async () => {
    expect(py.names).toEqual([
      'README.md',
      'adapter_config.json',
      'adapter_model.safetensors',
      'dataset/prism-normalized.jsonl',
      'dataset/support chats.jsonl',
      'prism.json',
      'swift_sft.sh',
    ]);
    expect(py.sha256['dataset/support chats.jsonl']).toBe(summary.dataset.original!.sha256);
    expect(py.sha256['dataset/prism-normalized.jsonl']).toBe(summary.dataset.sha256);
    expect(py.config).toMatchObject({
      peft_type: 'LORA',
      r: 2,
      lora_alpha: 8,
      base_model_name_or_path: 'my-org/tiny-llama',
    });
  });

  it('README tells the summary, the hyperparameters, the loss curve and how to load it', () => {
    const md = py.readme;
    expect(md).toContain('| base model | `my-org/tiny-llama` |');
    expect(md).toContain('| template | `smollm2` |');
    expect(md).toContain('| loss scale | `default` |');
    expect(md).toContain("| agent template | `native` (the family's own tool format) |");
    expect(md).toContain(`| dataset SHA-256 | \`${summary.dataset.sha256}\` |`);
    expect(md).toContain('| steps | 57 |');
    expect(md).toContain(`| final loss | ${curve[56].loss.toFixed(4)} |`);
    expect(md).toContain('| r | 2 |');
    expect(md).toContain('| scaling | 4 (lora_alpha/r) |');
    expect(md).toContain('| step | loss | eval loss |');
    const rows = md.split('\n').filter((l) => /^\| \d+ \| [\d.]+ \|/.test(l));
    expect(rows.length).toBe(20);
    expect(rows[0].startsWith('| 1 |')).toBe(true);
    expect(rows[19].startsWith('| 57 |')).toBe(true);
    expect(md).toContain('PeftModel.from_pretrained(base, ".")');
    expect(md).toContain('vllm serve my-org/tiny-llama --enable-lora');
    expect(md).toContain('convert_lora_to_gguf.py --base');
  });

  it('swift_sft.sh trains on the dataset inside the zip', async () => {
    const files = await readAdapterArchive(zipBytes);
    const sh = new TextDecoder().decode(files.get('swift_sft.sh'));
    expect(sh).toContain(`--dataset 'dataset/support chats.jsonl' \\`);
    expect(sh).toContain('--max_steps 57 \\');
    expect(sh).toContain('--output_dir output');
  });

  it('round-trips: import gives back the same weights and config', async () => {
    const imp = await importAdapterArchive(zipBytes);
    expect(imp.config.r).toBe(2);
    expect(imp.tensors.length).toBe(tensors.length);
    for (const [i, t] of tensors.entries()) {
      expect(imp.tensors[i].layer).toBe(t.layer);
      expect(imp.tensors[i].module).toBe(t.module);
      expect(Array.from(imp.tensors[i].A)).toEqual(Array.from(t.A));
      expect(Array.from(imp.tensors[i].B)).toEqual(Array.from(t.B));
    }
    expect(imp.files.get('dataset/support chats.jsonl')).toEqual(originalBytes);
    expect(imp.files.get('dataset/prism-normalized.jsonl')).toEqual(datasetBytes);
  });

  it('is reproducible byte for byte', () => {
    expect(makeAdapterZip({ tensors, summary, datasetBytes, originalBytes })).toEqual(zipBytes);
  });

  it('imports a zip made by Python with a top folder', async () => {
    const imp = await importAdapterArchive(new Uint8Array(readFileSync(join(dir, 'theirs.zip'))));
    expect(imp.tensors.length).toBe(tensors.length);
    expect(Array.from(imp.tensors[3].B)).toEqual(Array.from(tensors[3].B));
    expect(imp.files.has('my-lora/README.md')).toBe(true);
  });

  it('imports a folder', async () => {
    const folder = new Map(
      [...adapterBundleFiles({ tensors, summary, datasetBytes, originalBytes })].map(([k, v]) => [
        `adapters/run-1/${k}`,
        v,
      ]),
    );
    expect((await importAdapterArchive(folder)).tensors.length).toBe(tensors.length);
  });

  it('refuses non-zips, damaged zips, unsafe paths, and zips without an adapter', async () => {
    await expect(readAdapterArchive(new TextEncoder().encode('hello'))).rejects.toThrow(/not a zip file/);
    await expect(readAdapterArchive(zipBytes.subarray(0, zipBytes.length - 30))).rejects.toThrow(AdapterFormatError);
    await expect(readAdapterArchive(zipSync({ '../evil.txt': new Uint8Array([1]) }))).rejects.toThrow(/unsafe path/);
    await expect(importAdapterArchive(zipSync({ 'notes.txt': new Uint8Array([1]) }))).rejects.toThrow(
      /no adapter_config\.json/,
    );
    const two = zipSync({
      'a/adapter_config.json': new Uint8Array([123, 125]),
      'b/adapter_config.json': new Uint8Array([123, 125]),
    });
    await expect(importAdapterArchive(two)).rejects.toThrow(/more than once/);
  });

  it('samples long curves keeping both ends; mentions rsLoRA for llama.cpp', () => {
    expect(sampleCurve(curve, 5).map((p) => p.step)).toEqual([1, 15, 29, 43, 57]);
    const rs = readmeText({
      ...summary,
      config: { ...summary.config, lora: { ...summary.config.lora, use_rslora: true } },
    });
    expect(rs).toContain('rsLoRA');
    expect(peftKey(0, 'q_proj', 'A')).toBe('base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight');
  });
});

describe('a base model from a local folder with no Hub id', () => {
  it('never writes the folder where a Hub id belongs, and says so', async () => {
    const local = { ...summary, config: { ...summary.config, model_id: '/home/me/models/tiny-llama' } };
    const files = adapterBundleFiles({ tensors, summary: local, datasetBytes });
    const text = (n: string) => new TextDecoder().decode(files.get(n));
    expect(JSON.parse(text('adapter_config.json')).base_model_name_or_path).toBeNull();
    expect(text('README.md')).toContain('no Hugging Face Hub id was given');
    expect(text('swift_sft.sh')).toContain('--model BASE_MODEL \\');
    const prism = JSON.parse(text('prism.json'));
    expect(prism.base_model).toMatchObject({ hub_id: null, source: '/home/me/models/tiny-llama' });
    for (const n of ['adapter_config.json', 'README.md', 'swift_sft.sh'])
      expect(text(n), n).not.toContain('/home/me/models');
    // No original kept: the script trains on Prism's copy, named as such.
    expect(text('swift_sft.sh')).toContain('--dataset dataset/prism-normalized.jsonl \\');
    expect((await importAdapterArchive(files)).config.base_model_name_or_path).toBeNull();
  });
});
