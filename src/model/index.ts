// The model module's public surface.
export * from './types.ts';
export { parseConfig, ConfigError, SUPPORTED_ARCHITECTURES, eosList } from './config.ts';
export { expectedTensors, layerTensors, paramCount, checkTensors, numel } from './tensors.ts';
export {
  KNOWN_MODELS,
  KNOWN_CONFIGS,
  NOT_YET_TRAINABLE,
  checkpointBytes,
  type KnownModel,
  type NotYetTrainable,
} from './known-models.ts';
export { openModel, ModelError, type OpenedModel } from './open.ts';
export * from './safetensors/index.ts';
export { bytesSource, blobSource } from './sources/byte-source.ts';
export { openHttpSource, HttpError, type HttpSourceOptions } from './sources/http.ts';
export {
  blobModelSource,
  filesByRelativePath,
  hubModelSource,
  hubFileUrl,
  type HubOptions,
} from './sources/model-source.ts';
export {
  memoryBlobCache,
  CacheQuotaError,
  isQuotaError,
  formatBytes,
  type BlobCache,
  type CacheEntry,
  type MemoryBlobCacheOptions,
} from './sources/blob-cache.ts';
export { idbBlobCache, MODEL_CACHE_DB } from './sources/idb-cache.ts';
export {
  cachedModelSource,
  cachedHubModelSource,
  listCachedModels,
  deleteCachedModel,
  DEFAULT_PIECE_BYTES,
  type CachedModelSource,
  type CachedSourceOptions,
  type CachedHubOptions,
  type CachedModelInfo,
  type RemoteFileInfo,
} from './sources/cached-source.ts';
export {
  makeTinyModel,
  tinyWeights,
  TOKENIZER_FILE_NAMES,
  type TinyModelOptions,
  type TinyModel,
  type ModelFiles,
  type TokenizerFiles,
} from './tiny.ts';
export { makeByteTokenizer, FAMILY_SPECIALS, type TemplateFamily, type ByteTokenizer } from './byte-tokenizer.ts';
