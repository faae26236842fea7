// The body of a tokenize worker, independent of the worker API: the browser entry
// (src/workers/tokenize.worker.ts) and the Node one (src/cli/tokenize-worker.ts) feed it messages.
import { tokenizerFromFiles, type TokenizerFiles } from './load.ts';
import { TokenizePipeline } from './pipeline.ts';
import { transferables, type FromWorker, type ToWorker } from './protocol.ts';

export type Post = (msg: FromWorker, transfer: ArrayBuffer[]) => void;

export function createWorkerHandler(post: Post): (msg: ToWorker) => void {
  let pipeline: TokenizePipeline | null = null;
  return (msg) => {
    try {
      if (msg.type === 'init') {
        pipeline = new TokenizePipeline(tokenizerFromFiles(JSON.parse(msg.files) as TokenizerFiles), msg.config);
        post({ type: 'ready' }, []);
      } else if (msg.type === 'batch') {
        if (!pipeline) throw new Error('batch before init');
        const results = msg.items.map((it) => pipeline!.process(it));
        post({ type: 'result', id: msg.id, results }, transferables(results));
      }
    } catch (err) {
      post({ type: 'error', id: msg.type === 'batch' ? msg.id : undefined, message: (err as Error).message }, []);
    }
  };
}
