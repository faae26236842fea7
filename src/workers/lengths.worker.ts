// Measures every record of a dataset for one model and template: full token length and where its
// trained tokens are (src/tokenize/length-report.ts), so the Train page can show, before a run,
// what any max_length drops or cuts. Runs off the main thread; the model's tokenizer files come
// through the same ModelRequest the training worker gets (the Hub's through the IndexedDB cache).
import { openModelRequest, readTokenizerFiles } from '../model/sources/request.ts';
import { tokenizerFromFiles } from '../tokenize/load.ts';
import { TokenizePipeline } from '../tokenize/pipeline.ts';
import { trainedSpans, type LengthFacts } from '../tokenize/length-report.ts';
import { readConversations } from '../data/dataset-ref.ts';
import type { FromLengthsWorker, MeasureLengths } from './lengths-protocol.ts';

const scope = self as unknown as DedicatedWorkerGlobalScope;
const post = (m: FromLengthsWorker, transfer: Transferable[] = []) => scope.postMessage(m, transfer);

scope.onmessage = async (ev: MessageEvent<MeasureLengths>) => {
  const m = ev.data;
  try {
    post({ type: 'progress', phase: 'reading the dataset', done: 0, total: 0 });
    const { items, invalid } = await readConversations(m.dataset);
    post({ type: 'progress', phase: 'reading the tokenizer', done: 0, total: items.length });
    const { source, close } = await openModelRequest(m.model);
    let files;
    try {
      files = await readTokenizerFiles(source);
    } finally {
      close();
    }
    const pipeline = new TokenizePipeline(tokenizerFromFiles(files), {
      template: m.template,
      loss_scale: m.loss_scale,
      render: m.render,
    });
    const facts: LengthFacts = { lengths: [], refused: [], invalid };
    let last = performance.now();
    for (const [i, item] of items.entries()) {
      const r = pipeline.process(item);
      if (!r.ok) facts.refused.push({ line: r.line, error: r.error });
      else
        facts.lengths.push({
          line: r.line,
          tokens: r.tokens,
          trained: r.trained,
          spans: trainedSpans(r.record!.labels),
        });
      if (performance.now() - last > 200) {
        post({ type: 'progress', phase: 'tokenizing', done: i + 1, total: items.length });
        last = performance.now();
      }
    }
    post(
      { type: 'done', facts },
      facts.lengths.map((l) => l.spans.buffer as ArrayBuffer),
    );
  } catch (err) {
    post({ type: 'error', message: (err as Error).message || String(err) });
  }
};
