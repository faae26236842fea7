// The trainer's refusals: typed, so each front (CLI, studio) prints the message and its own fix
// instead of a stack trace.
import type { MemoryPlan } from '../engine/plan/plan.ts';

/** The run will not fit or its settings are invalid: `message` says what to change. */
export class TrainRefusal extends Error {
  override name = 'TrainRefusal';
  constructor(
    message: string,
    readonly plan?: MemoryPlan,
  ) {
    super(message);
  }
}

/** One field of a run's fingerprint that differs between a checkpoint and the run asked for. */
export interface FingerprintDifference {
  field: string;
  /** In the checkpoint (undefined: the field is not there). */
  old: unknown;
  /** In the run being started. */
  new: unknown;
}

/**
 * A checkpoint that cannot be resumed by this run: made by another run (`differences` names
 * each field, old → new), or by an older Prism that stored no fingerprint (`differences` empty,
 * `unverified` true). The message says what differs; each front adds how to proceed.
 */
export class ResumeRefusal extends TrainRefusal {
  override name = 'ResumeRefusal';
  constructor(
    message: string,
    readonly step: number,
    readonly differences: readonly FingerprintDifference[],
    readonly unverified = false,
  ) {
    super(message);
  }
}
