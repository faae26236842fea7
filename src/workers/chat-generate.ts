// Greedy generation for the Chat page, base model or with a PEFT adapter applied unmerged.
// A plain re-run of the decoder per token (no KV cache): enough for the tiny demo model and short
// replies; the Chat page switches to src/infer (KV cache) once that lands.
import { importAdapter } from '../adapters/peft.ts';
import { createDecoder, peftKey } from '../engine/decoder/decoder.ts';
import { uploadWeights } from '../engine/decoder/weights.ts';
import { acquireDevice } from '../engine/device.ts';
import { destroyTensor } from '../engine/tensor/tensor.ts';
import { eosList } from '../model/config.ts';
import { openModel } from '../model/open.ts';
import { blobModelSource, filesByRelativePath, hubModelSource } from '../model/sources/model-source.ts';
import type { ModelSource } from '../model/types.ts';
import { tokenizerFromFiles } from '../tokenize/load.ts';
import type { LinearModule } from '../train/config.ts';
import { tinyModel } from '../ui/train/models.ts';
import type { ChatMessage, ChatRequest } from './chat-client.ts';

function sourceFor(m: ChatRequest['model']): ModelSource {
  if (m.kind === 'tiny') {
    const files = Object.fromEntries(Object.entries(tinyModel().files).map(([k, v]) => [k, new Blob([v as Uint8Array<ArrayBuffer>])]));
    return blobModelSource(files, 'tiny demo model');
  }
  if (m.kind === 'local') return blobModelSource(filesByRelativePath(m.files), 'picked folder');
  return hubModelSource({ repo: m.repo, token: m.token });
}

/** Runs one reply; returns the generated token ids. `device` defaults to one from navigator.gpu. */
export async function generate(req: ChatRequest, post: (m: ChatMessage) => void, stopped: () => boolean, device?: GPUDevice): Promise<number[]> {
  post({ type: 'progress', phase: 'loading the model', loaded: 0, total: 0 });
  const source = sourceFor(req.model);
  const { spec, checkpoint } = await openModel(source);
  const tokenizer = tokenizerFromFiles({
    tokenizerJSON: JSON.parse(await source.readText('tokenizer.json')),
    tokenizerConfig: (await source.exists('tokenizer_config.json')) ? JSON.parse(await source.readText('tokenizer_config.json')) : {},
  });
  const ids: number[] = Array.from(tokenizer.encode(req.prompt, { add_special_tokens: false }) as ArrayLike<number>);
  const promptLength = ids.length;
  const gpu = device ?? (await acquireDevice(navigator.gpu)).device;
  const weights = await uploadWeights(gpu, checkpoint.stream());
  const adapter = req.adapter
    ? importAdapter(new Map([['adapter_model.safetensors', req.adapter.safetensors], ['adapter_config.json', new TextEncoder().encode(req.adapter.config)]]), { num_hidden_layers: spec.num_hidden_layers })
    : null;
  const targets = adapter ? [...new Set(adapter.tensors.map((t) => t.module))] : [];
  const decoder = createDecoder(gpu, spec, weights, {
    batch: 1,
    seqLen: promptLength + req.max_new_tokens,
    lora: adapter ? { r: adapter.config.r, alpha: adapter.config.lora_alpha, rslora: adapter.config.use_rslora, targets: targets as LinearModule[], dropout: 0 } : null,
  });
  try {
    // Modules without a tensor in the file keep B = 0 (PEFT's init), so they change nothing.
    for (const t of adapter?.tensors ?? []) {
      decoder.writeLora(peftKey(t.layer, t.module, 'A'), t.A);
      decoder.writeLora(peftKey(t.layer, t.module, 'B'), t.B);
    }
    const eos = new Set(eosList(spec));
    const started = performance.now();
    let text = '';
    for (let n = 0; n < req.max_new_tokens && !stopped(); n++) {
      const logits = await decoder.logits({ input_ids: [ids] }, { last: true });
      let best = 0;
      for (let v = 1; v < spec.vocab_size; v++) if (logits[v] > logits[best]) best = v;
      if (eos.has(best)) break;
      ids.push(best);
      const next = tokenizer.decode(ids.slice(promptLength), { skip_special_tokens: false });
      const stop = req.stop.map((s) => next.indexOf(s)).filter((i) => i >= 0);
      // A character split across byte tokens decodes as U+FFFD until its last byte arrives: hold it back.
      const cut = (stop.length ? next.slice(0, Math.min(...stop)) : next).replace(/\uFFFD+$/, '');
      if (cut.length > text.length) post({ type: 'token', text: cut.slice(text.length) });
      text = cut;
      if (stop.length) break;
    }
    const seconds = (performance.now() - started) / 1000;
    const tokens = ids.length - promptLength;
    post({ type: 'done', tokens, tokens_per_second: seconds > 0 ? tokens / seconds : 0 });
    return ids.slice(promptLength);
  } finally {
    decoder.destroy();
    for (const w of weights.values()) destroyTensor(w);
  }
}
