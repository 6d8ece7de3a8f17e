/**
 * When to try again. `schedule[i]` is the wait (seconds) before attempt i + 2; once every entry is
 * used the delivery is dead-lettered. Waits get ±20 % jitter so retries of one outage spread out.
 */

export const JITTER = 0.2;

/** A 429 or a timeout waits at least this long: the receiver is overloaded, hammering it helps no one. */
export const THROTTLED_MINIMUM_SECONDS = 60;

/** The floor for throttled retries under a schedule: a short (test or local) schedule keeps its own scale. */
export const throttledFloorSeconds = (schedule: readonly number[], floor = THROTTLED_MINIMUM_SECONDS): number =>
  Math.min(floor, Math.max(...schedule, 0));

export interface RetryDecisionInput {
  schedule: readonly number[];
  /** The attempt that just failed (1-based). */
  failedAttempt: number;
  /** Seconds asked for by a Retry-After header, if any. */
  retryAfterSeconds?: number;
  /** Floor for throttled (429) or timed-out attempts. */
  minimumSeconds?: number;
  random?: () => number;
}

/** Seconds to wait before the next attempt, or undefined when the schedule is exhausted. */
export function nextRetryDelaySeconds(input: RetryDecisionInput): number | undefined {
  const scheduled = input.schedule[input.failedAttempt - 1];
  if (scheduled === undefined) return undefined;
  const random = input.random ?? Math.random;
  let delay = scheduled * (1 + (random() * 2 - 1) * JITTER);
  // A receiver's Retry-After is honoured, but only within [scheduled, 2 × scheduled] so a hostile
  // value can neither hammer us nor park a delivery forever.
  if (input.retryAfterSeconds !== undefined) {
    delay = Math.min(Math.max(input.retryAfterSeconds, scheduled), 2 * scheduled);
  }
  if (input.minimumSeconds !== undefined) delay = Math.max(delay, input.minimumSeconds);
  return Math.round(delay * 1000) / 1000;
}

/** Parses Retry-After as delta-seconds or an HTTP date; undefined when absent or unusable. */
export function parseRetryAfter(value: string | undefined, nowMs: number): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, (date - nowMs) / 1000);
}
