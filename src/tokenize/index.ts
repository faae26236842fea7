// Tokenization: exact input_ids and labels for a rendered conversation, max_length handling,
// packing, dataset statistics, and the worker pool that runs it all off the main thread.
export {
  IGNORE_INDEX,
  type EncodedRecord,
  type Truncation,
  type LengthOptions,
  type LengthStatus,
  type PackedRow,
  type DatasetStats,
  type Histogram,
} from './types.ts';
export { tokenizerFromFiles, tokenizerFromHub, filesOf, type TokenizerFiles } from './load.ts';
export { RecordEncoder, tokenizerBos, type EncoderOptions } from './encode.ts';
export { TokenAligner, AlignmentError } from './offsets.ts';
export { applyLength, padRecord, type LengthResult, type PaddedRow } from './length.ts';
export { planPacking, buildRows, packRecords, type PackOptions } from './pack.ts';
export { StatsAccumulator, addResult, countTrained, defaultEdges } from './stats.ts';
export { datasetStats } from './summary.ts';
export { TokenizePipeline, type PipelineConfig, type PipelineItem, type PipelineResult } from './pipeline.ts';
export {
  tokenizeWithPool,
  defaultPoolSize,
  AbortError,
  type PoolOptions,
  type PortLike,
  type Spawn,
  type Progress,
} from './pool.ts';
export type { ToWorker, FromWorker } from './protocol.ts';
