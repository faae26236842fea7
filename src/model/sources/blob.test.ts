// The browser path: a picked folder (Files with webkitRelativePath) as a ModelSource.
import { describe, expect, it } from 'vitest';
import { openModel } from '../open.ts';
import { makeTinyModel } from '../tiny.ts';
import { blobSource } from './byte-source.ts';
import { blobModelSource, filesByRelativePath } from './model-source.ts';

describe('Blob sources', () => {
  it('reads exact ranges of a Blob and refuses reads outside it', async () => {
    const bytes = Uint8Array.from({ length: 100 }, (_, i) => (i * 7) & 255);
    const src = blobSource(new Blob([bytes]), 'b.bin');
    expect([...(await src.read(10, 5))]).toEqual([...bytes.subarray(10, 15)]);
    await expect(src.read(98, 5)).rejects.toThrow(/b.bin: read of 5 bytes at 98 is outside the 100-byte file/);
  });

  it('opens a picked model folder and streams its tensors', async () => {
    const tiny = makeTinyModel({
      arch: 'qwen3',
      hidden: 16,
      layers: 1,
      heads: 2,
      kvHeads: 1,
      intermediate: 24,
      seed: 5,
      dtype: 'bfloat16',
      tokenizer: 'bytes',
    });
    const files = Object.entries(tiny.files).map(([name, data]) => {
      const f = new File([data as Uint8Array<ArrayBuffer>], name);
      Object.defineProperty(f, 'webkitRelativePath', { value: `my-model/${name}` });
      return f;
    });
    const byPath = filesByRelativePath(files);
    expect([...byPath.keys()].sort()).toEqual(Object.keys(tiny.files).sort());
    const model = await openModel(blobModelSource(byPath, 'my-model'));
    expect(model.spec).toEqual(tiny.spec);
    let n = 0;
    for await (const t of model.checkpoint.stream({ chunkBytes: 1024 })) {
      expect(t.dtype).toBe('BF16');
      n++;
    }
    expect(n).toBe(model.checkpoint.tensors.size);
  });

  it('says what does not match when weights do not match config.json', async () => {
    const tiny = makeTinyModel({
      arch: 'llama',
      hidden: 16,
      layers: 1,
      heads: 2,
      kvHeads: 1,
      intermediate: 24,
      seed: 5,
      dtype: 'float32',
      tokenizer: 'bytes',
    });
    const config = JSON.parse(new TextDecoder().decode(tiny.files['config.json']));
    const files = {
      ...tiny.files,
      'config.json': new TextEncoder().encode(JSON.stringify({ ...config, num_hidden_layers: 2 })),
    };
    const blobs = Object.fromEntries(
      Object.entries(files).map(([k, v]) => [k, new Blob([v as Uint8Array<ArrayBuffer>])]),
    );
    await expect(openModel(blobModelSource(blobs))).rejects.toThrow(
      /config\.json says num_hidden_layers 2, the checkpoint has tensors for 1 layer \(model\.layers\.0–0\)/,
    );
  });
});
