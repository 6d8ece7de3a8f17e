import { describe, expect, it } from 'vitest';
import { DEFAULTS, parseRetrySchedule } from '#shared/core/platform/settings.ts';
import { JITTER, nextRetryDelaySeconds, parseRetryAfter } from '#shared/core/engine/retry-policy.ts';

describe('retry schedule', () => {
  it('defaults to 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h', () => {
    expect(DEFAULTS.retryScheduleSeconds).toEqual([5, 300, 1800, 7200, 18000, 36000, 36000]);
  });

  it('keeps every jittered wait within ±20 % of the scheduled one', () => {
    const schedule = DEFAULTS.retryScheduleSeconds;
    schedule.forEach((scheduled, i) => {
      const seen = Array.from({ length: 500 }, () => nextRetryDelaySeconds({ schedule, failedAttempt: i + 1 }) as number);
      expect(Math.min(...seen)).toBeGreaterThanOrEqual(scheduled * (1 - JITTER) - 0.001);
      expect(Math.max(...seen)).toBeLessThanOrEqual(scheduled * (1 + JITTER) + 0.001);
      // Jitter actually spreads the waits.
      expect(new Set(seen).size).toBeGreaterThan(100);
    });
  });

  it('reaches the extremes of the jitter band', () => {
    expect(nextRetryDelaySeconds({ schedule: [100], failedAttempt: 1, random: () => 0 })).toBe(80);
    expect(nextRetryDelaySeconds({ schedule: [100], failedAttempt: 1, random: () => 1 })).toBe(120);
  });

  it('is exhausted after the last scheduled retry', () => {
    expect(nextRetryDelaySeconds({ schedule: [1, 2], failedAttempt: 2, random: () => 0.5 })).toBe(2);
    expect(nextRetryDelaySeconds({ schedule: [1, 2], failedAttempt: 3 })).toBeUndefined();
  });

  it('honours Retry-After only within [scheduled, 2 × scheduled]', () => {
    const at = (retryAfterSeconds: number) =>
      nextRetryDelaySeconds({ schedule: [300], failedAttempt: 1, retryAfterSeconds, random: () => 0.5 });
    expect(at(450)).toBe(450);
    expect(at(1)).toBe(300);
    expect(at(86_400)).toBe(600);
  });

  it('waits at least the minimum after throttling', () => {
    expect(nextRetryDelaySeconds({ schedule: [5], failedAttempt: 1, minimumSeconds: 60, random: () => 0.5 })).toBe(60);
  });

  it('parses Retry-After as seconds or an HTTP date', () => {
    const now = Date.parse('2026-11-23T10:00:00Z');
    expect(parseRetryAfter('120', now)).toBe(120);
    expect(parseRetryAfter('Mon, 23 Nov 2026 10:02:00 GMT', now)).toBe(120);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });

  it('reads HOOKPOST_RETRY_SCHEDULE_SECONDS and rejects nonsense', () => {
    expect(parseRetrySchedule('1, 2,3')).toEqual([1, 2, 3]);
    expect(() => parseRetrySchedule('1,,2')).toThrow(/HOOKPOST_RETRY_SCHEDULE_SECONDS/);
    expect(() => parseRetrySchedule('-1')).toThrow();
    expect(() => parseRetrySchedule('abc')).toThrow();
  });
});
