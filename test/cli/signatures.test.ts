/**
 * `hookpost verify` on captured deliveries, and `hookpost certify` against receivers on 127.0.0.1: a
 * correct one (hookpost/verify) passes for v1 and v1a, with replay protection too; three broken ones
 * (no verification, no timestamp check, only the first signature checked) each get a FAIL verdict
 * naming the cases they got wrong.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { verifyWebhook } from 'hookpost/verify';
import { newEd25519SigningKey, publicKeyOf } from '#shared/core/engine/index.ts';
import { signatureHeader } from '#shared/core/engine/sign.ts';
import { newSigningSecret } from '#shared/core/platform/ids.ts';
import { TEST_KEYS } from '../../conformance/generate.ts';
import type { RecordedRequest } from '../helpers/receiver.ts';
import { receiverPool } from '../helpers/stack.ts';
import { cliEnv, hookpost } from './run.ts';

const receivers = receiverPool({ lifetimeMs: 60_000 });
afterAll(() => receivers.closeAll());

const answer = (accepted: boolean) => ({ status: accepted ? 204 : 400, body: accepted ? '' : 'bad signature' });
const verifies = (request: RecordedRequest, key: string, options?: { toleranceSeconds?: number }) => {
  try {
    verifyWebhook(request.body, request.headers, key, options);
    return true;
  } catch {
    return false;
  }
};

/** A receiver that answers each POST with `check`'s verdict. */
const receiverWith = async (check: (request: RecordedRequest) => boolean) => {
  const receiver = await receivers.start({ defaultResponse: (request) => answer(check(request)) });
  return `${receiver.url}/webhook`;
};

const env = cliEnv();
interface CertifyReport {
  verdict: 'pass' | 'fail';
  passed: number;
  total: number;
  cases: Array<{ name: string; passed: boolean; status?: number }>;
}
const certify = async (args: string[]) => {
  const result = await hookpost(['certify', ...args, '--json'], env);
  return { code: result.code, report: JSON.parse(result.out) as CertifyReport };
};
const failedCases = (report: CertifyReport) => report.cases.filter((c) => !c.passed).map((c) => c.name);

describe('hookpost certify', () => {
  it('passes a correct v1 receiver on every case, and prints a score and a verdict', async () => {
    const secret = newSigningSecret();
    const url = await receiverWith((request) => verifies(request, secret));
    const { code, report } = await certify([url, '--secret', secret]);
    expect(failedCases(report)).toEqual([]);
    expect(report).toMatchObject({ verdict: 'pass', passed: 9, total: 9 });
    expect(code).toBe(0);

    const human = await hookpost(['certify', url, '--secret', secret], env);
    expect(human.out).toMatch(/^9\/9 cases passed: PASS, the receiver verifies v1 Standard Webhooks signatures correctly$/m);
    expect(human.out).toContain('PASS  must refuse  a timestamp 6 minutes old: answered 400');
  });

  it('passes a correct v1a receiver, with --signing-key and with the published test public key', async () => {
    const signingKey = newEd25519SigningKey();
    const own = await receiverWith((request) => verifies(request, publicKeyOf(signingKey)));
    expect(await certify([own, '--signing-key', signingKey])).toMatchObject({ code: 0, report: { verdict: 'pass', total: 9 } });

    const testPublicKey = publicKeyOf(TEST_KEYS.v1a.signingKey);
    const configuredWithTestKey = await receiverWith((request) => verifies(request, testPublicKey));
    expect(await certify([configuredWithTestKey, '--public-key', testPublicKey])).toMatchObject({ code: 0, report: { verdict: 'pass' } });
  });

  it('with --replay-protection, passes a receiver that refuses a webhook-id it has seen, and fails one that does not', async () => {
    const secret = newSigningSecret();
    const seen = new Set<string>();
    const guarded = await receiverWith((request) => {
      if (!verifies(request, secret)) return false;
      const id = String(request.headers['webhook-id']);
      if (seen.has(id)) return false;
      seen.add(id);
      return true;
    });
    expect(await certify([guarded, '--secret', secret, '--replay-protection'])).toMatchObject({ code: 0, report: { verdict: 'pass', total: 10 } });

    const forgetful = await receiverWith((request) => verifies(request, secret));
    const { code, report } = await certify([forgetful, '--secret', secret, '--replay-protection']);
    expect(failedCases(report)).toEqual(['a replayed webhook-id (the first case sent again)']);
    expect(code).toBe(1);
  });

  it('catches a receiver that verifies nothing', async () => {
    const url = await receiverWith(() => true);
    const { code, report } = await certify([url, '--secret', newSigningSecret()]);
    expect(failedCases(report)).toEqual([
      'a wrong signature (another key)',
      'the body changed by one byte',
      'a timestamp 6 minutes old',
      'a timestamp 6 minutes in the future',
      'only an unknown version prefix (a valid signature relabelled)',
      'no webhook-signature header',
    ]);
    expect(report.verdict).toBe('fail');
    expect(code).toBe(1);
  });

  it('catches a receiver that checks the signature but not the timestamp', async () => {
    const secret = newSigningSecret();
    const url = await receiverWith((request) => verifies(request, secret, { toleranceSeconds: 10 ** 9 }));
    const { code, report } = await certify([url, '--secret', secret]);
    expect(failedCases(report)).toEqual(['a timestamp 6 minutes old', 'a timestamp 6 minutes in the future']);
    expect(code).toBe(1);
  });

  it('catches a receiver that checks only the first signature in webhook-signature', async () => {
    const signingKey = newEd25519SigningKey();
    const url = await receiverWith((request) => {
      const first = String(request.headers['webhook-signature'] ?? '').split(' ')[0];
      return verifies({ ...request, headers: { ...request.headers, 'webhook-signature': first } }, publicKeyOf(signingKey));
    });
    const { code, report } = await certify([url, '--signing-key', signingKey]);
    expect(failedCases(report)).toEqual(['several signatures, one valid (another key’s and another version’s first)']);
    expect(code).toBe(1);
  });

  it('fails a receiver that refuses bad deliveries with a 5xx (Hookpost would retry them) and says to use a 4xx', async () => {
    const secret = newSigningSecret();
    const receiver = await receivers.start({ defaultResponse: (request) => (verifies(request, secret) ? { status: 200 } : { status: 500 }) });
    const result = await hookpost(['certify', `${receiver.url}/webhook`, '--secret', secret], env);
    expect(result.code).toBe(1);
    expect(result.out).toContain('FAIL  must refuse  a wrong signature (another key): answered 500 (refuse with a 4xx, not a 5xx)');
    expect(result.out).toMatch(/^3\/9 cases passed: FAIL/m);
  });

  it('is a usage error (exit 2) without exactly one key, or with a public key it cannot sign for', async () => {
    const none = await hookpost(['certify', 'http://127.0.0.1:9/'], env);
    expect(none.code).toBe(2);
    const otherPublicKey = await hookpost(['certify', 'http://127.0.0.1:9/', '--public-key', publicKeyOf(newEd25519SigningKey())], env);
    expect(otherPublicKey).toMatchObject({ code: 2, err: expect.stringContaining('--signing-key') });
  });
});

describe('hookpost verify', () => {
  const dir = cliEnv().HOME as string;
  const capture = (name: string, headers: Record<string, string>, body: string) => {
    writeFileSync(join(dir, `${name}.headers.json`), JSON.stringify(headers));
    writeFileSync(join(dir, `${name}.body.json`), body);
    return ['--headers', join(dir, `${name}.headers.json`), '--body', join(dir, `${name}.body.json`)];
  };
  const body = '{"type":"order.placed","data":{"total":12345678901234567890,"name":"Zoë"}}';
  const signed = (keys: string[], at = Math.floor(Date.now() / 1000)) => ({
    'webhook-id': 'msg_cli_verify',
    'webhook-timestamp': String(at),
    'webhook-signature': signatureHeader(keys, 'msg_cli_verify', at, body),
  });

  it('verifies v1 with the secret and v1a with the public key (exit 0), and says why one fails (exit 1)', async () => {
    const secret = newSigningSecret();
    const signingKey = newEd25519SigningKey();
    const files = capture('both', signed([secret, signingKey]), body);
    expect(await hookpost(['verify', '--secret', secret, ...files], env)).toMatchObject({ code: 0, out: expect.stringContaining('verified msg_cli_verify') });
    expect(await hookpost(['verify', '--public-key', publicKeyOf(signingKey), ...files], env)).toMatchObject({ code: 0 });

    const tampered = capture('tampered', signed([secret]), body.replace('Zoë', 'Zoe'));
    expect(await hookpost(['verify', '--secret', secret, ...tampered], env)).toMatchObject({ code: 1, out: expect.stringContaining('no_matching_signature') });
    const json = await hookpost(['verify', '--secret', newSigningSecret(), ...files, '--json'], env);
    expect(JSON.parse(json.out)).toMatchObject({ verified: false, code: 'no_matching_signature' });
  });

  it('checks an old capture against --now, and refuses it against the real clock', async () => {
    const secret = newSigningSecret();
    const yesterday = Math.floor(Date.now() / 1000) - 86_400;
    const files = capture('old', signed([secret], yesterday), body);
    expect(await hookpost(['verify', '--secret', secret, ...files], env)).toMatchObject({ code: 1, out: expect.stringContaining('timestamp_too_old') });
    expect(await hookpost(['verify', '--secret', secret, ...files, '--now', String(yesterday + 10)], env)).toMatchObject({ code: 0 });
  });

  it('is a usage error (exit 2) for a key that is neither kind, or a missing file', async () => {
    const files = capture('any', signed([newSigningSecret()]), body);
    expect((await hookpost(['verify', '--secret', 'not-a-secret', ...files], env)).code).toBe(2);
    expect((await hookpost(['verify', '--secret', newSigningSecret(), '--headers', join(dir, 'missing.json'), '--body', files[3] as string], env)).code).toBe(2);
  });
});
