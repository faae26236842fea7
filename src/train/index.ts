// LoRA training: config (ms-swift names/defaults), the trainer loop, schedules, data order,
// AdamW over the LoRA tensors, checkpoints, and the training worker's protocol and core.
export * from './config.ts';
export * from './swift.ts';
export { TrainRefusal, ResumeRefusal, type FingerprintDifference } from './errors.ts';
export {
  ModelFingerprint,
  runFingerprint,
  configFingerprint,
  recordsDigest,
  fingerprintDifferences,
  describeDifferences,
  verifyResume,
  NOT_IN_FINGERPRINT,
  FINGERPRINT_VERSION,
  type RunFingerprint,
  type FingerprintValue,
} from './fingerprint.ts';
export {
  Trainer,
  stepCounts,
  type TrainerInit,
  type TrainEvent,
  type TrainResult,
  type TrainStatus,
} from './trainer.ts';
export { lrLambda, learningRate, warmupSteps } from './schedule.ts';
export {
  splitRecords,
  buildTrainRows,
  collate,
  trainedTokens,
  MicroBatchStream,
  type TrainRecord,
  type TrainRow,
} from './data.ts';
export { LoraAdamW, type AdamWSettings, type OptimizerState, type StepResult } from './optimizer.ts';
export {
  MemoryCheckpoints,
  storeCheckpoints,
  encodeLora,
  encodeOptimizer,
  decodeTensors,
  type CheckpointStorage,
  type TrainCheckpoint,
  type TrainerState,
  type CheckpointStoreLike,
} from './checkpoint.ts';
export type { StartTraining, ToTrainWorker, FromTrainWorker } from './protocol.ts';
export { createTrainWorkerHandler, type TrainWorkerDeps } from './worker-core.ts';
export { mix32, permutation, dropoutSeed } from './rng.ts';
