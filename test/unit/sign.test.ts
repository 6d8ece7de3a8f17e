import { createPublicKey, verify } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { deliveryHeaders, deliveryBody } from '#shared/core/engine/delivery.ts';
import type { Message, Subscription } from '#shared/core/platform/domain.ts';
import { newSigningSecret } from '#shared/core/platform/ids.ts';
import { newEd25519SigningKey, publicKeyOf, signatureHeader, signPayload } from '#shared/core/engine/sign.ts';

const message: Message = {
  id: 'msg_01JTESTTESTTESTTESTTESTTEST',
  type: 'user.created',
  tenant: 'default',
  timestamp: '2026-11-23T10:00:00.000Z',
  dataJson: JSON.stringify({ id: 'u_1', name: 'Zoë', nested: { list: [1, 2, 3] } }),
};

const subscription = (secrets: Subscription['secrets'], headers: Record<string, string> = {}): Subscription => ({
  id: 'sub_1',
  tenant: 'default',
  url: 'https://example.test/hook',
  eventTypes: ['*'],
  description: '',
  headers,
  enabled: true,
  secrets,
  createdAt: message.timestamp,
  updatedAt: message.timestamp,
});

describe('Standard Webhooks signing', () => {
  it('produces signatures the public standardwebhooks library verifies', () => {
    // Arrange
    const secret = newSigningSecret();
    const now = Date.now();
    const body = deliveryBody(message);
    // Act
    const headers = deliveryHeaders(message, subscription([{ secret }]), body, now, 'Hookpost/test');
    // Assert
    expect(new Webhook(secret).verify(body, headers)).toEqual(JSON.parse(body));
    expect(headers['webhook-id']).toBe(message.id);
    expect(headers['webhook-timestamp']).toBe(String(Math.floor(now / 1000)));
  });

  it('rejects a body changed after signing', () => {
    const secret = newSigningSecret();
    const body = deliveryBody(message);
    const headers = deliveryHeaders(message, subscription([{ secret }]), body, Date.now(), 'Hookpost/test');
    expect(() => new Webhook(secret).verify(body.replace('Zoë', 'Zoe'), headers)).toThrow();
  });

  it('signs with every active secret, space separated, so both verify during a rotation', () => {
    const oldSecret = newSigningSecret();
    const newSecret = newSigningSecret();
    const now = Date.now();
    const sub = subscription([{ secret: newSecret }, { secret: oldSecret, expiresAt: new Date(now + 60_000).toISOString() }]);
    const body = deliveryBody(message);
    const headers = deliveryHeaders(message, sub, body, now, 'Hookpost/test');
    expect(headers['webhook-signature']?.split(' ')).toHaveLength(2);
    expect(new Webhook(newSecret).verify(body, headers)).toBeTruthy();
    expect(new Webhook(oldSecret).verify(body, headers)).toBeTruthy();
  });

  it('drops an expired secret', () => {
    const oldSecret = newSigningSecret();
    const newSecret = newSigningSecret();
    const now = Date.now();
    const sub = subscription([{ secret: newSecret }, { secret: oldSecret, expiresAt: new Date(now - 1).toISOString() }]);
    const body = deliveryBody(message);
    const headers = deliveryHeaders(message, sub, body, now, 'Hookpost/test');
    expect(headers['webhook-signature']?.split(' ')).toHaveLength(1);
    expect(() => new Webhook(oldSecret).verify(body, headers)).toThrow();
  });

  it('keeps protocol headers when custom headers try to override them', () => {
    const secret = newSigningSecret();
    const sub = subscription([{ secret }], { 'webhook-id': 'forged', 'x-tenant': 'acme' });
    const headers = deliveryHeaders(message, sub, deliveryBody(message), Date.now(), 'Hookpost/test');
    expect(headers['webhook-id']).toBe(message.id);
    expect(headers['x-tenant']).toBe('acme');
  });

  it('matches a signature computed independently from the scheme', () => {
    const secret = `whsec_${Buffer.from('0123456789abcdef0123456789abcdef').toString('base64')}`;
    // Known-answer vector: HMAC-SHA256("0123…cdef", "msg_1.1700000000.{}") computed with openssl.
    expect(signPayload(secret, 'msg_1', 1_700_000_000, '{}')).toBe('v1,2c4VI0bO4Wd5svqP2unEA9pCk0dTAXr/elrHCJ+/efk=');
    expect(signatureHeader([secret, secret], 'msg_1', 1_700_000_000, '{}')).toBe(
      'v1,2c4VI0bO4Wd5svqP2unEA9pCk0dTAXr/elrHCJ+/efk= v1,2c4VI0bO4Wd5svqP2unEA9pCk0dTAXr/elrHCJ+/efk=',
    );
  });
});

describe('ed25519 (Standard Webhooks v1a)', () => {
  it('signs with a whsk_ key so that node:crypto verifies it with the whpk_ public key', () => {
    const signingKey = newEd25519SigningKey();
    const publicKey = publicKeyOf(signingKey);
    const body = '{"type":"user.created","timestamp":"2026-12-01T10:00:00.000Z","data":{"id":1}}';

    const header = signatureHeader([signingKey], 'msg_1', 1764583200, body);

    expect(signingKey).toMatch(/^whsk_[A-Za-z0-9+/]{43}=$/);
    expect(publicKey).toMatch(/^whpk_[A-Za-z0-9+/]{43}=$/);
    expect(header).toMatch(/^v1a,/);
    const raw = Buffer.from(publicKey.slice(5), 'base64');
    const key = createPublicKey({ key: Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), raw]), format: 'der', type: 'spki' });
    const signature = Buffer.from(header.slice(4), 'base64');
    expect(verify(null, Buffer.from(`msg_1.1764583200.${body}`), key, signature)).toBe(true);
    expect(verify(null, Buffer.from(`msg_1.1764583201.${body}`), key, signature)).toBe(false);
  });

  it('signs with both kinds during a rotation from HMAC to ed25519', () => {
    const header = signatureHeader([newEd25519SigningKey(), 'whsec_MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY='], 'msg_2', 1, '{}');
    expect(header.split(' ').map((part) => part.split(',')[0])).toEqual(['v1a', 'v1']);
  });
});
