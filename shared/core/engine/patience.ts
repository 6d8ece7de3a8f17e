/**
 * How long the main lane waits for an endpoint's answer before it hands the attempt to the slow lane.
 *
 * `slowLaneAfterMs` (5 s by default) is the most. An endpoint that has answered promptly in this
 * process gets less: a few times the slowest of its recent answers, and never under
 * PATIENCE_FLOOR_MS. So when an endpoint that answered in milliseconds starts to hang, its first
 * deliveries hold their batch (and the consumer's concurrency) for a fraction of a second instead of
 * 5 s, while an endpoint that is usually slow, or unknown here, keeps the whole `slowLaneAfterMs`.
 * Cutting an attempt short is not a spent attempt: the slow lane repeats it at once with the full
 * deadline (dispatch.ts).
 */

/** The least patience, whatever the endpoint's history: below it, a pause of the receiver's would cut an answer that was coming. */
export const PATIENCE_FLOOR_MS = 250;
/** Patience is this many times the slowest recent answer. */
export const PATIENCE_FACTOR = 8;
/** Each new answer lets the remembered slowest one fade by this factor, so one slow answer is forgotten after a few dozen prompt ones. */
const FADE = 0.9;
/** Endpoints remembered per process at most (the oldest remembered is forgotten first). */
const MAX_ENDPOINTS = 10_000;

export interface Patience {
  /** The main lane's cut-off for this endpoint's next attempt, at most `ceilingMs`. */
  cutOffMs(subscriptionId: string, ceilingMs: number): number;
  /** An answer (any status, on either lane) came after `durationMs`; an attempt with no answer teaches nothing. */
  answered(subscriptionId: string, durationMs: number): void;
}

export function createPatience(): Patience {
  const slowest = new Map<string, number>();
  return {
    cutOffMs(subscriptionId, ceilingMs) {
      const recent = slowest.get(subscriptionId);
      if (recent === undefined) return ceilingMs;
      return Math.min(ceilingMs, Math.max(PATIENCE_FLOOR_MS, Math.ceil(PATIENCE_FACTOR * recent)));
    },
    answered(subscriptionId, durationMs) {
      const recent = slowest.get(subscriptionId);
      if (recent === undefined && slowest.size >= MAX_ENDPOINTS) {
        const oldest = slowest.keys().next().value;
        if (oldest !== undefined) slowest.delete(oldest);
      }
      slowest.set(subscriptionId, recent === undefined ? durationMs : Math.max(durationMs, recent * FADE));
    },
  };
}
