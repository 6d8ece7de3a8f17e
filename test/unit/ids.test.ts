/** Ids are monotonic ULIDs: the attempt log's order (and its cursors) rely on it. */
import { decodeTime, isValid } from 'ulid';
import { describe, expect, it } from 'vitest';
import { attemptIdFloor, newAttemptId, newMessageId } from '#shared/core/platform/ids.ts';

const ulidOf = (id: string) => id.slice(4);

describe('ids', () => {
  it('are valid ULIDs carrying their time', () => {
    const at = Date.UTC(2026, 11, 2, 1, 2, 3, 456);
    const id = newMessageId(at + 1_000_000);
    expect(id).toMatch(/^msg_[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(isValid(ulidOf(id))).toBe(true);
    expect(decodeTime(ulidOf(id))).toBe(at + 1_000_000);
  });

  it('sort strictly in the order made, within one millisecond, across many, and when the clock goes back', () => {
    const base = Date.now() + 10_000_000;
    const times = [
      ...Array.from({ length: 3000 }, () => base), // one busy millisecond, many increments (carries included)
      base + 1,
      base + 1,
      base - 5_000, // the clock went back: still after the previous id, under the previous time
      base + 7,
    ];
    const ids = times.map((t) => newAttemptId(t));
    const sorted = [...ids].sort();

    expect(ids).toEqual(sorted);
    expect(new Set(ids).size).toBe(ids.length);
    expect(decodeTime(ulidOf(ids[3002] as string))).toBe(base + 1);
    expect(decodeTime(ulidOf(ids.at(-1) as string))).toBe(base + 7);
    // Every id at or after a time sorts at or after that time's floor.
    expect(ids.every((id) => id >= attemptIdFloor(base))).toBe(true);
  });

  it('draw a fresh random part in each new millisecond', () => {
    const base = Date.now() + 20_000_000;
    const randomParts = Array.from({ length: 50 }, (_, i) => ulidOf(newAttemptId(base + i)).slice(10));
    expect(new Set(randomParts).size).toBe(50);
  });
});
