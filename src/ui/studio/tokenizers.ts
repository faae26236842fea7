// Tokenizers for the Templates page, one per column (keyed by a built-in column's template id or
// an own-template column's key). Loaded from a Hub id (the
// browser fetches the two JSON files once; transformers.js keeps them in the Cache API) or from a
// local folder. The tokenize module (and transformers.js with it) is imported lazily: the text
// view must not pay for it, and must work with no tokenizer at all.
import type { Rendered } from '../../templates/index.ts';
import type { TokenizerFiles } from '../../tokenize/load.ts';
import type { RecordEncoder } from '../../tokenize/encode.ts';
import { useStudio } from './store.ts';

export interface LoadedTokenizer {
  source: string;
  files: TokenizerFiles;
  encoder: RecordEncoder;
}

const loaded = new Map<string, LoadedTokenizer>();

export function tokenizerFor(id: string): LoadedTokenizer | undefined {
  return loaded.get(id);
}

/** Every tokenizer loaded now, by key (an own-template column can take its chat_template). */
export function loadedTokenizers(): [string, LoadedTokenizer][] {
  return [...loaded];
}

async function install(id: string, source: string, make: () => Promise<TokenizerFiles>): Promise<void> {
  const { setTokenizer } = useStudio.getState();
  setTokenizer(id, { state: 'loading', source });
  try {
    const files = await make();
    const [{ tokenizerFromFiles }, { RecordEncoder }] = await Promise.all([
      import('../../tokenize/load.ts'),
      import('../../tokenize/encode.ts'),
    ]);
    const tokenizer = tokenizerFromFiles(files);
    const encoder = new RecordEncoder(tokenizer, { returnOffsets: true });
    loaded.set(id, { source, files, encoder });
    const model = files.tokenizerJSON.model as { vocab?: Record<string, number> | unknown[] } | undefined;
    const base = model?.vocab ? (Array.isArray(model.vocab) ? model.vocab.length : Object.keys(model.vocab).length) : 0;
    const added = Array.isArray(files.tokenizerJSON.added_tokens) ? files.tokenizerJSON.added_tokens.length : 0;
    setTokenizer(id, { state: 'ready', source, vocab: base + added });
  } catch (e) {
    loaded.delete(id);
    setTokenizer(id, { state: 'error', source, message: (e as Error).message ?? String(e) });
  }
}

export function loadFromHub(id: string, modelId: string): Promise<void> {
  return install(id, modelId, async () => {
    const { tokenizerFromHub } = await import('../../tokenize/load.ts');
    return (await tokenizerFromHub(modelId)).files;
  });
}

/**
 * A folder picked with <input webkitdirectory>: its tokenizer.json (or SentencePiece tokenizer.model,
 * converted as transformers does) and tokenizer_config.json.
 */
export function loadFromFolder(id: string, files: FileList | File[]): Promise<void> {
  const list = Array.from(files);
  const folder = list[0]?.webkitRelativePath.split('/')[0] || 'local folder';
  return install(id, `${folder} (local)`, async () => {
    const pick = (name: string) =>
      list
        .filter((f) => f.name === name)
        .sort((a, b) => a.webkitRelativePath.split('/').length - b.webkitRelativePath.split('/').length)[0];
    const tj = pick('tokenizer.json');
    const tm = pick('tokenizer.model');
    if (!tj && !tm) throw new Error('the folder has no tokenizer.json (nor a SentencePiece tokenizer.model)');
    const tc = pick('tokenizer_config.json');
    const tokenizerConfig = tc ? (JSON.parse(await tc.text()) as Record<string, unknown>) : {};
    if (tj) return { tokenizerJSON: JSON.parse(await tj.text()) as Record<string, unknown>, tokenizerConfig };
    const { tokenizerJSONFromSentencePiece } = await import('../../tokenize/sentencepiece/convert.ts');
    const bytes = new Uint8Array(await tm!.arrayBuffer());
    const tokenizerJSON = tokenizerJSONFromSentencePiece(bytes, tokenizerConfig, { label: tm!.webkitRelativePath });
    return { tokenizerJSON, tokenizerConfig };
  });
}

export function unloadTokenizer(id: string): void {
  loaded.delete(id);
  useStudio.getState().setTokenizer(id, { state: 'none' });
}

export interface TokenView {
  ids: Int32Array;
  labels: Int32Array;
  /** [start, end) per token, interleaved. */
  offsets: Int32Array;
  trained: number;
  /** Per-token loss weights (tokenize's loss_scale) when some trained token weighs other than 1. */
  weights?: Float64Array;
}

export function encodeForView(t: LoadedTokenizer, r: Rendered): TokenView {
  const e = t.encoder.encode(r, 0);
  let trained = 0;
  for (const l of e.labels) if (l !== -100) trained++;
  const view: TokenView = { ids: e.input_ids, labels: e.labels, offsets: e.offsets!, trained };
  if (e.loss_scale) view.weights = e.loss_scale;
  return view;
}
