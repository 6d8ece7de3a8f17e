/** Identifiers and secrets. ULIDs sort by creation time, which the attempt log relies on. */
import { randomBytes } from 'node:crypto';
import { encodeTime, monotonicFactory } from 'ulid';

/**
 * Random bytes drawn 4 KiB at a time. ulid's default PRNG calls crypto.getRandomValues once per
 * character (16 calls for each id in a new millisecond), which cost more than signing a delivery
 * (see docs/performance.md); one draw here serves 256 such ids.
 */
const POOL_BYTES = 4096;
let pool = randomBytes(POOL_BYTES);
let poolIndex = 0;
function pooledRandom(): number {
  if (poolIndex === POOL_BYTES) {
    pool = randomBytes(POOL_BYTES);
    poolIndex = 0;
  }
  return (pool[poolIndex++] as number) / 256;
}

const ulid = monotonicFactory(pooledRandom);

export const newMessageId = (now = Date.now()): string => `msg_${ulid(now)}`;
export const newSubscriptionId = (now = Date.now()): string => `sub_${ulid(now)}`;
export const newAttemptId = (now = Date.now()): string => `att_${ulid(now)}`;
export const newApiKeyId = (now = Date.now()): string => `key_${ulid(now)}`;
/** The smallest attempt id at `ms`: `sk >= attemptIdFloor(t)` selects attempts made since t. */
export const attemptIdFloor = (ms: number): string => `att_${encodeTime(Math.max(0, Math.floor(ms)), 10)}`;

/** `whsec_` + base64 of 32 random bytes (Standard Webhooks allows 24–64). */
export const newSigningSecret = (): string => `whsec_${randomBytes(32).toString('base64')}`;
