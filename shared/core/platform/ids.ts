/** Identifiers and secrets. ULIDs sort by creation time, which the attempt log relies on. */
import { randomBytes } from 'node:crypto';
import { encodeTime } from 'ulid';

/** Random bytes drawn 4 KiB at a time: one draw serves 256 new milliseconds' ids. */
const POOL_BYTES = 4096;
let pool = randomBytes(POOL_BYTES);
let poolIndex = 0;
function randomByte(): number {
  if (poolIndex === POOL_BYTES) {
    pool = randomBytes(POOL_BYTES);
    poolIndex = 0;
  }
  return pool[poolIndex++] as number;
}

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const RANDOM_DIGITS = 16;
let lastMs = -1;
let timeText = '';
const digits = new Uint8Array(RANDOM_DIGITS);
let randomText = '';

/**
 * A monotonic ULID (the spec's monotonic mode, as ulid's monotonicFactory): in a new millisecond a
 * fresh random part; within one (or with a clock that went back), the previous id's random part plus
 * one, under the previous time. Written out rather than taken from the library, whose generator
 * encodes all 26 characters on every call: this keeps the time's text and the random part's and
 * rewrites only the characters an increment changes (one, nearly always), since every delivery
 * attempt takes an id (`npm run bench`).
 */
function ulid(ms: number): string {
  if (ms > lastMs) {
    lastMs = ms;
    timeText = encodeTime(ms, 10);
    for (let i = 0; i < RANDOM_DIGITS; i++) digits[i] = randomByte() >> 3;
    randomText = Array.from(digits, (d) => CROCKFORD[d]).join('');
    return timeText + randomText;
  }
  let i = RANDOM_DIGITS - 1;
  while (i >= 0 && digits[i] === 31) digits[i--] = 0;
  if (i < 0) throw new Error('ULID random part overflowed within one millisecond');
  digits[i] = (digits[i] as number) + 1;
  let tail = '';
  for (let j = i; j < RANDOM_DIGITS; j++) tail += CROCKFORD[digits[j] as number];
  randomText = randomText.slice(0, i) + tail;
  return timeText + randomText;
}

export const newMessageId = (now = Date.now()): string => `msg_${ulid(now)}`;
export const newSubscriptionId = (now = Date.now()): string => `sub_${ulid(now)}`;
export const newAttemptId = (now = Date.now()): string => `att_${ulid(now)}`;
export const newApiKeyId = (now = Date.now()): string => `key_${ulid(now)}`;
/** The smallest attempt id at `ms`: `sk >= attemptIdFloor(t)` selects attempts made since t. */
export const attemptIdFloor = (ms: number): string => `att_${encodeTime(Math.max(0, Math.floor(ms)), 10)}`;

/** `whsec_` + base64 of 32 random bytes (Standard Webhooks allows 24–64). */
export const newSigningSecret = (): string => `whsec_${randomBytes(32).toString('base64')}`;
