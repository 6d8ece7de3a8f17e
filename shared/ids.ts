/** Identifiers and secrets. ULIDs sort by creation time, which the attempt log relies on. */
import { randomBytes } from 'node:crypto';
import { monotonicFactory } from 'ulid';

const ulid = monotonicFactory();

export const newMessageId = (now = Date.now()): string => `msg_${ulid(now)}`;
export const newSubscriptionId = (now = Date.now()): string => `sub_${ulid(now)}`;
export const newAttemptId = (now = Date.now()): string => `att_${ulid(now)}`;

/** `whsec_` + base64 of 32 random bytes (the SPEC allows 24–64). */
export const newSigningSecret = (): string => `whsec_${randomBytes(32).toString('base64')}`;
