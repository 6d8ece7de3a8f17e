/**
 * Deliveries signed by Hookpost's own signer (core/engine/delivery.ts's headers and body), each with the
 * key a receiver is given for its endpoint (core/management/subscriptions.ts's credential) and whether a
 * correct receiver accepts it. hookpost/verify and the Python and Go examples in docs/verifying.md
 * all run against these.
 */
import { deliveryBody, deliveryHeaders } from '#shared/core/engine/delivery.ts';
import type { Message, SigningSecret, Subscription } from '#shared/core/platform/domain.ts';
import { newSigningSecret } from '#shared/core/platform/ids.ts';
import { newEd25519SigningKey } from '#shared/core/engine/sign.ts';
import { credentialOf } from '#shared/core/management/subscriptions.ts';

export interface Vector {
  name: string;
  headers: Record<string, string>;
  body: string;
  /** What the receiver verifies with: a `whsec_` secret or a `whpk_` public key. */
  key: string;
  /** `accept`, or the WebhookVerificationError code hookpost/verify refuses it with. */
  expected: 'accept' | 'missing_header' | 'timestamp_too_old' | 'timestamp_too_new' | 'no_matching_signature';
}

const message: Message = {
  id: 'msg_01JVERIFYVERIFYVERIFYVERIFY',
  type: 'payment.received',
  tenant: 'default',
  timestamp: '2026-12-08T10:00:00.000Z',
  // Non-ASCII text and a number past 2^53: the signature is over the bytes as sent.
  dataJson: '{"payer":"Zoë Ångström","note":"支払い ✓","amount":9007199254740993}',
};

const subscription = (secrets: SigningSecret[]): Subscription => ({
  id: 'sub_verify',
  tenant: 'default',
  url: 'https://receiver.example/hook',
  eventTypes: ['*'],
  description: '',
  headers: {},
  enabled: true,
  secrets,
  createdAt: message.timestamp,
  updatedAt: message.timestamp,
});

const receiverKey = (secret: string): string => {
  const credential = credentialOf(secret);
  return 'publicKey' in credential ? credential.publicKey : credential.secret;
};

/** A delivery as Hookpost sends it at `atMs`, signed with every one of `secrets`. */
function delivery(secrets: string[], atMs: number): { headers: Record<string, string>; body: string } {
  const inFuture = new Date(atMs + 86_400_000).toISOString();
  // As during a rotation: every key but the last one is the old one, still signing until it expires.
  const signing = secrets.map((secret, i) => (i < secrets.length - 1 ? { secret, expiresAt: inFuture } : { secret }));
  const body = deliveryBody(message);
  return { headers: deliveryHeaders(message, subscription(signing), body, atMs, 'Hookpost/test'), body };
}

/** The same base64 signature with one byte changed. */
const flipByte = (signature: string): string => {
  const [version, base64] = signature.split(',') as [string, string];
  const bytes = Buffer.from(base64, 'base64');
  bytes[7] = (bytes[7] as number) ^ 0x01;
  return `${version},${bytes.toString('base64')}`;
};

export function deliveryVectors(nowMs = Date.now()): Vector[] {
  const hmacSecret = newSigningSecret();
  const [oldKey, newKey, otherKey] = [newEd25519SigningKey(), newEd25519SigningKey(), newEd25519SigningKey()];
  const ed25519 = delivery([newKey], nowMs);
  const hmac = delivery([hmacSecret], nowMs);
  const rotating = delivery([oldKey, newKey], nowMs);
  const both = delivery([hmacSecret, newKey], nowMs);
  const minutes = (n: number) => nowMs + n * 60_000;
  const changed = (base: typeof ed25519, headers: Record<string, string>, body = base.body) => ({ headers: { ...base.headers, ...headers }, body });
  const { 'webhook-signature': _omitted, ...unsigned } = ed25519.headers;

  const vectors: [string, { headers: Record<string, string>; body: string }, string, Vector['expected']][] = [
    ['v1a from an ed25519 endpoint', ed25519, receiverKey(newKey), 'accept'],
    ['v1 from an hmac-sha256 endpoint', hmac, receiverKey(hmacSecret), 'accept'],
    ['v1a during a rotation, with the old public key', rotating, receiverKey(oldKey), 'accept'],
    ['v1a during a rotation, with the new public key', rotating, receiverKey(newKey), 'accept'],
    ['v1 and v1a in one header, with the public key', both, receiverKey(newKey), 'accept'],
    ['v1 and v1a in one header, with the secret', both, receiverKey(hmacSecret), 'accept'],
    ['v1a signed 4 minutes ago', delivery([newKey], minutes(-4)), receiverKey(newKey), 'accept'],
    ['v1a with the body changed', changed(ed25519, {}, ed25519.body.replace('9007199254740993', '9007199254740994')), receiverKey(newKey), 'no_matching_signature'],
    ['v1a with webhook-id changed', changed(ed25519, { 'webhook-id': 'msg_01JOTHEROTHEROTHEROTHEROTH' }), receiverKey(newKey), 'no_matching_signature'],
    ['v1a with webhook-timestamp changed', changed(ed25519, { 'webhook-timestamp': String(Number(ed25519.headers['webhook-timestamp']) - 1) }), receiverKey(newKey), 'no_matching_signature'],
    ['v1a with the signature changed', changed(ed25519, { 'webhook-signature': flipByte(ed25519.headers['webhook-signature'] as string) }), receiverKey(newKey), 'no_matching_signature'],
    ['v1a with the signature cut short', changed(ed25519, { 'webhook-signature': (ed25519.headers['webhook-signature'] as string).slice(0, 40) }), receiverKey(newKey), 'no_matching_signature'],
    ['v1a signed 6 minutes ago', delivery([newKey], minutes(-6)), receiverKey(newKey), 'timestamp_too_old'],
    ['v1a signed 6 minutes ahead', delivery([newKey], minutes(6)), receiverKey(newKey), 'timestamp_too_new'],
    ['v1a with another endpoint’s public key', ed25519, receiverKey(otherKey), 'no_matching_signature'],
    ['v1a relabelled v1, with the public key', changed(ed25519, { 'webhook-signature': (ed25519.headers['webhook-signature'] as string).replace('v1a,', 'v1,') }), receiverKey(newKey), 'no_matching_signature'],
    ['v1a only, with an hmac secret', ed25519, receiverKey(hmacSecret), 'no_matching_signature'],
    ['v1 only, with a public key', hmac, receiverKey(newKey), 'no_matching_signature'],
    ['v1 with the body changed', changed(hmac, {}, hmac.body.replace('Zoë', 'Zoe')), receiverKey(hmacSecret), 'no_matching_signature'],
    ['v1 with the signature changed', changed(hmac, { 'webhook-signature': flipByte(hmac.headers['webhook-signature'] as string) }), receiverKey(hmacSecret), 'no_matching_signature'],
    ['v1 signed 6 minutes ago', delivery([hmacSecret], minutes(-6)), receiverKey(hmacSecret), 'timestamp_too_old'],
    ['no webhook-signature header', { headers: unsigned, body: ed25519.body }, receiverKey(newKey), 'missing_header'],
  ];
  return vectors.map(([name, { headers, body }, key, expected]) => ({ name, headers, body, key, expected }));
}
