/**
 * conformance/vectors.json against three verifiers and one signer: Hookpost's signer reproduces every
 * vector's headers (and the Standard Webhooks published one); hookpost/verify gives every vector its
 * expected answer; the public `standardwebhooks` and `svix` libraries give every `v1` vector its
 * expected answer (neither checks `v1a`).
 */
import { readFileSync } from 'node:fs';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { Webhook as SvixWebhook } from 'svix';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { verifyWebhook } from 'hookpost/verify';
import { signPayload } from '#shared/core/engine/sign.ts';
import { buildVectorsFile, STANDARD_WEBHOOKS_VECTOR, VECTORS_PATH, type VectorsFile } from '../../conformance/generate.ts';

const file = JSON.parse(readFileSync(VECTORS_PATH, 'utf8')) as VectorsFile;
const v1 = file.vectors.filter((v) => v.version === 'v1');

/** `accept` or `refuse`: what a verifier that throws on a bad delivery did. */
function answer(run: () => unknown): 'accept' | 'refuse' {
  try {
    run();
    return 'accept';
  } catch {
    return 'refuse';
  }
}

afterEach(() => vi.useRealTimers());

describe('conformance/vectors.json', () => {
  it('is versioned, covers v1 and v1a, accept and refuse, and holds the published Standard Webhooks vector', () => {
    expect(file.version).toBe(1);
    for (const version of ['v1', 'v1a']) {
      const expected = new Set(file.vectors.filter((v) => v.version === version).map((v) => v.expected));
      expect([...expected].sort()).toEqual(['accept', 'refuse']);
    }
    const published = file.vectors.find((v) => v.headers['webhook-signature'] === STANDARD_WEBHOOKS_VECTOR.signature);
    expect(published?.key).toBe(STANDARD_WEBHOOKS_VECTOR.secret);
  });

  it('is exactly what Hookpost’s signer produces for every vector (regenerate with `npx tsx conformance/generate.ts`)', () => {
    expect(buildVectorsFile()).toEqual(file);
  });

  it('Hookpost’s signer reproduces the Standard Webhooks published HMAC vector', () => {
    const { secret, id, timestamp, body, signature } = STANDARD_WEBHOOKS_VECTOR;
    expect(signPayload(secret, id, timestamp, body)).toBe(signature);
  });

  it.each(file.vectors.map((v) => [v.name, v] as const))('hookpost/verify: %s', (_name, vector) => {
    expect(answer(() => verifyWebhook(vector.body, vector.headers, vector.key, { now: new Date(vector.now * 1000) }))).toBe(vector.expected);
  });

  it.each(v1.map((v) => [v.name, v] as const))('standardwebhooks and svix: %s', (_name, vector) => {
    vi.useFakeTimers({ toFake: ['Date'], now: vector.now * 1000 });
    expect(answer(() => new StandardWebhook(vector.key).verify(vector.body, vector.headers))).toBe(vector.expected);
    expect(answer(() => new SvixWebhook(vector.key).verify(vector.body, vector.headers))).toBe(vector.expected);
  });
});
