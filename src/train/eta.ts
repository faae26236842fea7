// Time left in a run, from measured step times: the median duration of the most recent steps
// times the steps left. A median ignores the first step's pipeline compilation and the odd slow
// step (a checkpoint write, an eval) that make a mean-based ETA jump; only consecutive steps are
// measured, so a pause or a resume between two steps does not count as one long step.

export interface StepTime {
  step: number;
  /** Seconds since some fixed moment (the trainer's elapsed_seconds, or a clock). */
  at: number;
}

export const ETA_WINDOW = 10;

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Seconds per step over the last `window` consecutive steps, or null before two steps are seen. */
export function secondsPerStep(times: readonly StepTime[], window = ETA_WINDOW): number | null {
  const d: number[] = [];
  for (let i = times.length - 1; i > 0 && d.length < window; i--) {
    if (times[i].step === times[i - 1].step + 1 && times[i].at >= times[i - 1].at)
      d.push(times[i].at - times[i - 1].at);
  }
  return d.length ? median(d) : null;
}

export function etaSeconds(times: readonly StepTime[], totalSteps: number, window = ETA_WINDOW): number | null {
  const per = secondsPerStep(times, window);
  const last = times.at(-1);
  if (per === null || !last) return null;
  return Math.max(0, totalSteps - last.step) * per;
}
