export type { LossPoint, DatasetInfo, RunStatus, RunRecord, TrainingSummary } from './types.ts';
export {
  ADAPTER_WEIGHTS_FILE, ADAPTER_CONFIG_FILE, AdapterFormatError, peftKey, parentOf, buildAdapterConfig, adapterConfigJson,
  exportAdapter, importAdapter, adapterExpectations, findFile,
  type LoraTensor, type PeftLoraConfig, type AdapterConfigInit, type AdapterDtype, type ExportOptions, type ImportExpectations, type ImportedAdapter,
} from './peft.ts';
export {
  README_FILE, SWIFT_SCRIPT_FILE, readmeText, adapterBundleFiles, makeAdapterZip, readAdapterArchive, importAdapterArchive, runSummary,
  safeFileName, datasetPathInZip, sampleCurve, vllmMaxLoraRank, type AdapterZipInput,
} from './zip.ts';
export {
  openAdapterStore, AdapterStore, StorageQuotaError, StoreError, DEFAULT_DB_NAME, DEFAULT_UNDO_WINDOW_MS, DEFAULT_KEEP_CHECKPOINTS,
  type AdapterWeights, type CheckpointRecord, type DatasetFile, type DeleteHandle, type StoreOptions,
} from './store.ts';
export { sha256Hex } from './hash.ts';
