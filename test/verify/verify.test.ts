/**
 * hookpost/verify against deliveries signed by Hookpost's own signer: v1 and v1a, rotations, tampered
 * and stale deliveries; the same answers as the public standardwebhooks library for v1, and what that
 * library does with v1a (docs/verifying.md says it).
 */
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { verifyWebhook, WebhookVerificationError } from 'hookpost/verify';
import { deliveryVectors, type Vector } from './vectors.ts';

const vectors = deliveryVectors();
const byName = (name: string): Vector => {
  const vector = vectors.find((v) => v.name === name);
  if (!vector) throw new Error(`no vector ${name}`);
  return vector;
};

/** `accept`, or the code it was refused with. */
function outcome(run: () => unknown): string {
  try {
    run();
    return 'accept';
  } catch (error) {
    if (error instanceof WebhookVerificationError) return error.code;
    throw error;
  }
}

describe('verifyWebhook', () => {
  it.each(vectors.map((v) => [v.name, v] as const))('%s', (_name, vector) => {
    expect(outcome(() => verifyWebhook(vector.body, vector.headers, vector.key))).toBe(vector.expected);
  });

  it('answers the delivery’s id and timestamp', () => {
    const { headers, body, key } = byName('v1a from an ed25519 endpoint');
    expect(verifyWebhook(body, headers, key)).toEqual({ id: headers['webhook-id'], timestamp: Number(headers['webhook-timestamp']) });
  });

  it('takes the body as a string, a Buffer or a Uint8Array, and headers as an object in any case or as Fetch Headers', () => {
    const { headers, body, key } = byName('v1a during a rotation, with the new public key');
    const bytes = Buffer.from(body, 'utf8');
    const upperCase = Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toUpperCase(), value]));
    for (const [rawBody, given] of [
      [bytes, headers],
      [new Uint8Array(bytes), upperCase],
      [body, new Headers(headers)],
    ] as const) {
      expect(verifyWebhook(rawBody, given, key).id).toBe(headers['webhook-id']);
    }
    // The bytes are what is signed: the same text decoded differently is refused.
    expect(outcome(() => verifyWebhook(Buffer.from(body, 'latin1'), headers, key))).toBe('no_matching_signature');
  });

  it('accepts any one of several keys (a receiver switching keys) and refuses when none matches', () => {
    const ed25519 = byName('v1a from an ed25519 endpoint');
    const other = byName('v1a with another endpoint’s public key').key;
    const hmacSecret = byName('v1 from an hmac-sha256 endpoint').key;
    expect(outcome(() => verifyWebhook(ed25519.body, ed25519.headers, [other, hmacSecret, ed25519.key]))).toBe('accept');
    expect(outcome(() => verifyWebhook(ed25519.body, ed25519.headers, [other, hmacSecret]))).toBe('no_matching_signature');
  });

  it('checks the timestamp against options.now and options.toleranceSeconds', () => {
    const { headers, body, key } = byName('v1a signed 4 minutes ago');
    const signedAt = new Date(Number(headers['webhook-timestamp']) * 1000);
    const secondsAfterSigning = (seconds: number) => new Date(signedAt.getTime() + seconds * 1000);
    expect(outcome(() => verifyWebhook(body, headers, key, { now: secondsAfterSigning(300) }))).toBe('accept');
    expect(outcome(() => verifyWebhook(body, headers, key, { now: secondsAfterSigning(301) }))).toBe('timestamp_too_old');
    expect(outcome(() => verifyWebhook(body, headers, key, { now: secondsAfterSigning(-301) }))).toBe('timestamp_too_new');
    expect(outcome(() => verifyWebhook(body, headers, key, { toleranceSeconds: 200 }))).toBe('timestamp_too_old');
    expect(outcome(() => verifyWebhook(body, headers, key, { toleranceSeconds: 600, now: secondsAfterSigning(599) }))).toBe('accept');
  });

  it('refuses missing headers and a timestamp that is not unix seconds, naming the header', () => {
    const { headers, body, key } = byName('v1a from an ed25519 endpoint');
    for (const name of ['webhook-id', 'webhook-timestamp', 'webhook-signature']) {
      const { [name]: _omitted, ...rest } = headers;
      expect(() => verifyWebhook(body, rest, key)).toThrow(new WebhookVerificationError('missing_header', `the ${name} header is missing`));
    }
    for (const timestamp of ['1.7e9', '-1', 'now', ` ${headers['webhook-timestamp']}`]) {
      expect(outcome(() => verifyWebhook(body, { ...headers, 'webhook-timestamp': timestamp }, key))).toBe('invalid_timestamp');
    }
  });

  it('skips entries of other versions and malformed entries, and still finds the matching one', () => {
    const { headers, body, key } = byName('v1a from an ed25519 endpoint');
    const signature = `v2,abc  garbage v1a,!!! v1a,${Buffer.alloc(64).toString('base64')} ${headers['webhook-signature']}`;
    expect(outcome(() => verifyWebhook(body, { ...headers, 'webhook-signature': signature }, key))).toBe('accept');
  });

  it('throws a TypeError for a key of neither kind, or a body that is not the raw body', () => {
    const { headers, body, key } = byName('v1a from an ed25519 endpoint');
    for (const bad of ['', 'hp_adminkey', `whsk_${key.slice(5)}`, 'whpk_AAAA', `${key}x`, 'whsec_', 'whsec_!!!!']) {
      expect(() => verifyWebhook(body, headers, bad)).toThrow(/whsec_… secret \(v1, HMAC-SHA256\) or the whpk_… public key/);
    }
    // An unset environment variable, or no keys at all.
    for (const none of [undefined as unknown as string, []]) {
      expect(() => verifyWebhook(body, headers, none)).toThrow(/give the endpoint’s whsec_… secret or whpk_… public key/);
    }
    expect(() => verifyWebhook(JSON.parse(body), headers, key)).toThrow(/before any JSON parsing/);
  });
});

describe('the public standardwebhooks library (npm)', () => {
  it('gives the same answer as hookpost/verify for every v1 delivery checked with a whsec_ secret', () => {
    const v1 = vectors.filter((v) => v.key.startsWith('whsec_') && v.expected !== 'missing_header');
    expect(v1.length).toBeGreaterThanOrEqual(5);
    for (const vector of v1) {
      const standard = outcome(() => {
        try {
          new Webhook(vector.key).verify(vector.body, vector.headers);
        } catch (error) {
          throw new WebhookVerificationError('no_matching_signature', String(error));
        }
      });
      expect([vector.name, standard === 'accept']).toEqual([vector.name, vector.expected === 'accept']);
    }
  });

  it('cannot verify v1a: it refuses a whpk_ key, and skips v1a entries ("No matching signature found")', () => {
    const { headers, body, key } = byName('v1a from an ed25519 endpoint');
    expect(() => new Webhook(key)).toThrow('Base64Coder: incorrect characters for decoding');
    const hmacSecret = byName('v1 from an hmac-sha256 endpoint').key;
    expect(() => new Webhook(hmacSecret).verify(body, headers)).toThrow('No matching signature found');
  });
});
