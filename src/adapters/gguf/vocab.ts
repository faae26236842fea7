// The tokenizer KVs of a GGUF model, as convert_hf_to_gguf.py writes them for byte-level BPE
// tokenizers (TextModel._set_vocab_gpt2, get_vocab_base, gguf-py vocab.py SpecialVocab):
// - tokenizer.ggml.model "gpt2"; tokens: one per id up to config.json's vocab_size, ids the
//   tokenizer lacks as "[PAD{i}]" of type UNUSED; added tokens CONTROL when special (or when they
//   look special: <|…|>, <｜…｜>, <pad>, <mask>, <unused…>), USER_DEFINED otherwise; others NORMAL;
// - merges as "a b" strings (list-style pairs joined, spaces inside a part written as U+0120+);
// - special ids: bos/eos/unk/sep/pad/mask tokens named in tokenizer_config.json (looked up among
//   tokenizer.json's added_tokens), then config.json's *_token_id for those still unset; add_bos /
//   add_eos from tokenizer_config.json, and from a TemplateProcessing post-processor;
// - tokenizer.chat_template from tokenizer_config.json, else chat_template.jinja / .json.
// tokenizer.ggml.pre names llama.cpp's pre-tokenizer. convert finds it by hashing a test
// string's token ids; here it is read from tokenizer.json's pre_tokenizer, matched against the
// splits llama.cpp implements for each name (src/llama-vocab.cpp, llm_tokenizer_bpe).
import { GgufError, TokenType, type GgufValue } from './format.ts';

type Json = Record<string, any>;

export interface TokenizerSources {
  tokenizerJson: Json;
  tokenizerConfig: Json;
  config: Json;
  /** chat_template.jinja text, when the folder has one. */
  chatTemplateJinja?: string;
  /** chat_template.json parsed, when the folder has one. */
  chatTemplateJson?: Json;
}

const QWEN2 =
  "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| " +
  '?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+';
const LLAMA3 =
  "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| " +
  '?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+';
const DEEPSEEK_V3 = [
  '\\p{N}{1,3}',
  '[一-龥぀-ゟ゠-ヿ]+',
  '[!"#$%&\'()*+,\\-./:;<=>?@\\[\\\\\\]^_`{|}~][A-Za-z]+|[^\r\n\\p{L}\\p{P}\\p{S}]?[\\p{L}\\p{M}]+| ' +
    '?[\\p{P}\\p{S}]+[\r\n]*|\\s*[\r\n]+|\\s+(?!\\S)|\\s+',
];

function describe(pre: Json | null | undefined): string[] {
  if (!pre) return [];
  if (pre.type === 'Sequence') return (pre.pretokenizers as Json[]).flatMap(describe);
  if (pre.type === 'Split') return [`split:${pre.pattern?.Regex ?? pre.pattern?.String}`];
  if (pre.type === 'ByteLevel') return [pre.use_regex === false ? 'bytelevel' : 'bytelevel+gpt2'];
  if (pre.type === 'Digits') return [pre.individual_digits ? 'digits' : 'digits+'];
  return [`${pre.type}`];
}

/** llama.cpp's name for a byte-level BPE tokenizer's pre-tokenizer. */
export function preTokenizerName(tokenizerJson: Json): string {
  const parts = describe(tokenizerJson.pre_tokenizer).join(' | ');
  const known: [string, string][] = [
    [`split:${QWEN2} | bytelevel`, 'qwen2'],
    [`split:${LLAMA3} | bytelevel`, 'llama-bpe'],
    ['bytelevel+gpt2', 'gpt-2'],
    ['digits | bytelevel+gpt2', 'smollm'],
    [`${DEEPSEEK_V3.map((r) => `split:${r}`).join(' | ')} | bytelevel`, 'deepseek-v3'],
  ];
  const hit = known.find(([k]) => k === parts);
  if (!hit) {
    throw new GgufError(
      `tokenizer.json's pre-tokenizer (${parts || 'none'}) matches none llama.cpp implements that Prism knows ` +
        "(qwen2, llama-bpe, gpt-2, smollm, deepseek-v3); convert this model with llama.cpp's convert_hf_to_gguf.py",
    );
  }
  return hit[1];
}

function looksSpecial(t: string): boolean {
  return (
    ['<pad>', '<mask>', '<2mass>', '[@BOS@]'].includes(t) ||
    (t.startsWith('<|') && t.endsWith('|>')) ||
    (t.startsWith('<｜') && t.endsWith('｜>')) ||
    (t.startsWith('<unused') && t.endsWith('>'))
  );
}

function contentOf(v: unknown): string | null {
  if (typeof v === 'string') return v;
  if (v && typeof v === 'object' && typeof (v as Json).content === 'string') return (v as Json).content;
  return null;
}

/** Every tokenizer KV for a byte-level BPE tokenizer, in convert's order. */
export function vocabKv(src: TokenizerSources): [string, GgufValue][] {
  const tj = src.tokenizerJson;
  const model = tj.model as Json | undefined;
  if (!model || model.type !== 'BPE')
    throw new GgufError(
      `tokenizer.json: model type ${JSON.stringify(model?.type)}; Prism writes GGUF vocabularies ` +
        `of byte-level BPE tokenizers`,
    );
  if (model.byte_fallback)
    throw new GgufError(
      'tokenizer.json: a byte-fallback (SentencePiece-style) BPE vocabulary; Prism writes only ' +
        'byte-level BPE (gpt2) vocabularies',
    );
  const pre = preTokenizerName(tj);
  const vocab = model.vocab as Record<string, number>;
  const added = (tj.added_tokens ?? []) as { id: number; content: string; special: boolean }[];
  const byId = new Map<number, string>();
  for (const [tok, id] of Object.entries(vocab)) byId.set(id, tok);
  const addedById = new Map<number, { content: string; special: boolean }>();
  for (const a of added) {
    byId.set(a.id, a.content);
    addedById.set(a.id, a);
  }
  let maxId = -1;
  for (const id of byId.keys()) maxId = Math.max(maxId, id);
  const size = typeof src.config.vocab_size === 'number' ? src.config.vocab_size : maxId + 1;
  if (maxId >= size) throw new GgufError(`the tokenizer has id ${maxId}, but config.json's vocab_size is ${size}`);
  const tokens: string[] = [];
  const types: number[] = [];
  for (let i = 0; i < size; i++) {
    const t = byId.get(i);
    if (t === undefined) {
      tokens.push(`[PAD${i}]`);
      types.push(TokenType.UNUSED);
      continue;
    }
    const a = addedById.get(i);
    if (a) types.push(a.special || looksSpecial(t) ? TokenType.CONTROL : TokenType.USER_DEFINED);
    else types.push(TokenType.NORMAL);
    tokens.push(t);
  }
  const rawMerges = (model.merges ?? []) as (string | [string, string])[];
  const merges = rawMerges.map((m) => (typeof m === 'string' ? m : m.map((p) => p.replace(/ /g, 'Ġ')).join(' ')));

  // SpecialVocab: tokenizer_config.json names first, config.json ids for what is left.
  const cfg = src.tokenizerConfig;
  const special = new Map<string, number>();
  const types_ = ['bos', 'eos', 'unk', 'sep', 'pad', 'mask'];
  const addFlags = new Map<string, boolean>();
  const setSpecial = (typ: string, id: unknown) => {
    if (typeof id !== 'number' || !Number.isInteger(id) || id < 0 || id >= size || special.has(typ)) return;
    special.set(typ, id);
  };
  let bosName = contentOf(cfg.bos_token) ?? (cfg.cls_token ? contentOf(cfg.cls_token) : null);
  let eosName = contentOf(cfg.eos_token) ?? (cfg.sep_token ? contentOf(cfg.sep_token) : null);
  const posts = tj.post_processor ? ((tj.post_processor.processors as Json[] | undefined) ?? [tj.post_processor]) : [];
  for (const p of posts) {
    if (p.type !== 'TemplateProcessing') continue;
    const single = (p.single ?? []) as Json[];
    if (single.length > 1) {
      const first = single[0]?.SpecialToken?.id as string | undefined;
      if (first) {
        if (!bosName) bosName = first;
        addFlags.set('bos', first === bosName);
      }
      const last = single.at(-1)?.SpecialToken?.id as string | undefined;
      if (last) {
        if (!eosName) eosName = last;
        addFlags.set('eos', last === eosName);
      }
    }
  }
  const names: Record<string, string | null> = {
    bos: bosName,
    eos: eosName,
    unk: contentOf(cfg.unk_token),
    sep: contentOf(cfg.sep_token),
    pad: contentOf(cfg.pad_token),
    mask: contentOf(cfg.mask_token),
  };
  for (const typ of types_) {
    const flag = cfg[`add_${typ}_token`];
    if (typeof flag === 'boolean') addFlags.set(typ, flag);
    const name = names[typ];
    if (name !== null) setSpecial(typ, added.find((a) => a.content === name)?.id);
  }
  for (const typ of types_) setSpecial(typ, src.config[`${typ}_token_id`]);

  let chatTemplate: unknown = cfg.chat_template;
  if (chatTemplate === undefined) chatTemplate = src.chatTemplateJinja ?? src.chatTemplateJson?.chat_template;
  const kv: [string, GgufValue][] = [
    ['tokenizer.ggml.model', { type: 'str', value: 'gpt2' }],
    ['tokenizer.ggml.pre', { type: 'str', value: pre }],
    ['tokenizer.ggml.tokens', { type: 'str[]', value: tokens }],
    ['tokenizer.ggml.token_type', { type: 'i32[]', value: types }],
  ];
  if (merges.length) kv.push(['tokenizer.ggml.merges', { type: 'str[]', value: merges }]);
  const idKey: Record<string, string> = {
    bos: 'tokenizer.ggml.bos_token_id',
    eos: 'tokenizer.ggml.eos_token_id',
    unk: 'tokenizer.ggml.unknown_token_id',
    sep: 'tokenizer.ggml.seperator_token_id',
    pad: 'tokenizer.ggml.padding_token_id',
    mask: 'tokenizer.ggml.mask_token_id',
  };
  for (const [typ, id] of special) kv.push([idKey[typ], { type: 'u32', value: id }]);
  for (const [typ, v] of addFlags) {
    if (typ === 'bos' || typ === 'eos') kv.push([`tokenizer.ggml.add_${typ}_token`, { type: 'bool', value: v }]);
  }
  if (typeof chatTemplate === 'string') kv.push(['tokenizer.chat_template', { type: 'str', value: chatTemplate }]);
  else if (Array.isArray(chatTemplate)) {
    // GGUFWriter.add_chat_template: names reduced to [A-Za-z0-9_]; "default" is tokenizer.chat_template.
    const named: string[] = [];
    let fallback: string | null = null;
    for (const t of chatTemplate as { name?: string; template?: string }[]) {
      const name = (t.name ?? '').replace(/[^A-Za-z0-9]/g, '_');
      if (!name || typeof t.template !== 'string') continue;
      if (name === 'default') fallback = t.template;
      else {
        named.push(name);
        kv.push([`tokenizer.chat_template.${name}`, { type: 'str', value: t.template }]);
      }
    }
    if (named.length) kv.push(['tokenizer.chat_templates', { type: 'str[]', value: named }]);
    if (fallback !== null) kv.push(['tokenizer.chat_template', { type: 'str', value: fallback }]);
  }
  return kv;
}
