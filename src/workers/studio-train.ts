// The studio's training run, as the training worker executes it: open the base model (tiny demo
// made here, Hub download, or a picked folder), tokenize the conversations with the template,
// upload weights, run the Trainer with checkpoints in the IndexedDB adapter store, and save the
// PEFT adapter there when done. Everything reports through `post` (train-client.ts protocol).
import { openAdapterStore, type AdapterStore } from '../adapters/store.ts';
import type { LossPoint } from '../adapters/types.ts';
import { acquireDevice } from '../engine/device.ts';
import { uploadWeights } from '../engine/decoder/weights.ts';
import { openModel } from '../model/open.ts';
import { blobModelSource, filesByRelativePath, hubModelSource } from '../model/sources/model-source.ts';
import { makeTinyModel } from '../model/tiny.ts';
import type { ModelSource } from '../model/types.ts';
import { tokenizerFromFiles } from '../tokenize/load.ts';
import { TokenizePipeline } from '../tokenize/pipeline.ts';
import { storeCheckpoints } from '../train/checkpoint.ts';
import type { TrainRecord } from '../train/data.ts';
import { Trainer, TrainRefusal } from '../train/trainer.ts';
import { TINY_OPTIONS } from '../ui/train/models.ts';
import type { ModelRequest, TrainRequest, TrainWorkerMessage } from './train-client.ts';

type Start = Extract<TrainRequest, { type: 'start' }>;

function modelSource(m: ModelRequest, post: (m: TrainWorkerMessage) => void): ModelSource {
  if (m.kind === 'tiny') {
    const files = makeTinyModel({ ...TINY_OPTIONS }).files;
    return blobModelSource(new Map(Object.entries(files).map(([k, v]) => [k, new Blob([v as Uint8Array<ArrayBuffer>])])), 'tiny demo model');
  }
  if (m.kind === 'local') return blobModelSource(filesByRelativePath(m.files), 'picked folder');
  return hubModelSource({ repo: m.repo, token: m.token, onProgress: (e) => post({ type: 'progress', phase: `downloading ${e.path}`, loaded: e.loaded, total: e.total }) });
}

export class StudioTrainRun {
  private trainer: Trainer | null = null;
  private cancelled = false;

  constructor(private readonly post: (m: TrainWorkerMessage) => void) {}

  pause() {
    this.trainer?.pause();
  }
  resume() {
    this.trainer?.resume();
  }
  cancel() {
    this.cancelled = true;
    this.trainer?.cancel();
  }

  async run(req: Start, store?: AdapterStore): Promise<void> {
    const post = this.post;
    const db = store ?? (await openAdapterStore());
    const { config } = req;
    try {
      post({ type: 'progress', phase: 'opening the model', loaded: 0, total: 0 });
      const source = modelSource(req.model, post);
      const { spec, checkpoint } = await openModel(source);
      const tokenizer = tokenizerFromFiles({
        tokenizerJSON: JSON.parse(await source.readText('tokenizer.json')),
        tokenizerConfig: (await source.exists('tokenizer_config.json')) ? JSON.parse(await source.readText('tokenizer_config.json')) : {},
      });
      const maxLength = config.max_length ?? spec.max_position_embeddings;
      const pipe = new TokenizePipeline(tokenizer, {
        template: config.template, render: { lossPolicy: config.loss_policy }, length: { max_length: maxLength, truncation: config.truncation_strategy },
      });
      const records: TrainRecord[] = [];
      const conversations = req.dataset.conversations;
      for (let i = 0; i < conversations.length; i++) {
        const r = pipe.process({ line: i + 1, conversation: conversations[i] });
        if (r.ok && r.record) records.push({ line: r.line, input_ids: r.record.input_ids, labels: r.record.labels });
        if (i % 50 === 0) post({ type: 'progress', phase: 'tokenizing', loaded: i, total: conversations.length });
      }
      if (!records.length) throw new TrainRefusal(`none of the ${conversations.length} conversations fit ${maxLength} tokens with template ${config.template}`);
      if (this.cancelled) return;

      post({ type: 'progress', phase: 'uploading weights to the GPU', loaded: 0, total: 0 });
      const { device } = await acquireDevice(navigator.gpu);
      const weights = await uploadWeights(device, checkpoint.stream());
      // The curve so far (a resumed run keeps the points up to its checkpoint), for the run record.
      let curve: LossPoint[] = (await db.get(req.runId))?.loss_curve ?? [];
      let lastSaved = 0;
      this.trainer = new Trainer({
        device, spec, weights, config, records, padId: pipe.encoder.padId,
        storage: storeCheckpoints(db, req.runId), resume: req.resume, recompute: true,
        onEvent: (e) => {
          if (e.type === 'start') {
            curve = curve.filter((p) => p.step <= (e.resumed_from ?? 0));
            post({ ...e, type: 'start' });
            post({ type: 'curve', points: curve });
            return;
          }
          post(e);
          if (e.type === 'step') curve.push({ step: e.step, loss: e.loss, learning_rate: e.learning_rate, grad_norm: e.grad_norm });
          if (e.type === 'eval') curve = curve.map((p) => (p.step === e.step ? { ...p, eval_loss: e.eval_loss } : p));
          // Keep the run record's curve current so a reopened tab and the Adapters page see it.
          if (e.type === 'checkpoint' || (e.type === 'step' && e.step - lastSaved >= 5)) {
            if (e.type === 'step') lastSaved = e.step;
            const step = curve.at(-1)?.step ?? 0;
            void db.updateRun(req.runId, { step, total_steps: this.trainer?.totalSteps ?? null, loss_curve: curve }).catch(() => undefined);
          }
        },
      });
      if (this.cancelled) this.trainer.cancel();
      const result = await this.trainer.run();
      const final_loss = curve.at(-1)?.loss ?? null;
      if (result.status === 'completed') {
        const files = await this.trainer.adapterFiles();
        await db.saveAdapter(
          req.runId,
          { safetensors: files.get('adapter_model.safetensors')!, config: new TextDecoder().decode(files.get('adapter_config.json')!) },
          { status: 'completed', step: result.step, total_steps: this.trainer.totalSteps, loss_curve: curve, final_loss },
        );
        post({ type: 'saved', runId: req.runId });
      } else {
        if (result.status === 'cancelled') await storeCheckpoints(db, req.runId).save(await this.trainer.checkpoint());
        await db.updateRun(req.runId, { status: result.status, step: result.step, loss_curve: curve, final_loss });
      }
    } catch (err) {
      await db.updateRun(req.runId, { status: 'failed' }).catch(() => undefined);
      post({ type: 'error', message: err instanceof Error ? err.message : String(err) });
    } finally {
      this.trainer?.destroy();
    }
  }
}
