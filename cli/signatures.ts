/**
 * `hookpost verify` checks one captured delivery offline; `hookpost certify` sends a receiver the
 * conformance cases (conformance/cases.ts, the cases of conformance/vectors.json) signed now with the
 * receiver's key, and reports what it accepted and refused.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { verifyWebhook, WebhookVerificationError } from 'hookpost/verify';
import { newEd25519SigningKey, publicKeyOf, SIGNING_KEY_PREFIX } from '#shared/core/engine/index.ts';
import { newSigningSecret } from '#shared/core/platform/ids.ts';
import { type ConformanceCase, conformanceCases, type SigningMaterial } from '../conformance/cases.ts';
import { TEST_KEYS } from '../conformance/generate.ts';
import { EXIT, Failure, printJson, println, styleFor, UsageError } from './io.ts';
import type { Verb } from './verb.ts';

function readJsonFile(path: string, what: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new UsageError(`${what} ${path}: ${(error as Error).message}`);
  }
}

export const verify: Verb = {
  name: 'verify',
  summary: 'verify one captured delivery offline (v1 and v1a)',
  usage: ['verify --secret whsec_… | --public-key whpk_… --headers h.json --body b.json [--now unix seconds]'],
  help:
    'h.json is an object of the delivery’s headers ({"webhook-id": …, "webhook-timestamp": …, "webhook-signature": …});\nb.json is the body exactly as received. Give several --secret/--public-key during a rotation. --now checks\nthe timestamp against another time than now (a capture from yesterday). Exit 0 verified, 1 not.',
  options: {
    secret: { type: 'string', multiple: true },
    'public-key': { type: 'string', multiple: true },
    headers: { type: 'string' },
    body: { type: 'string' },
    now: { type: 'string' },
    json: { type: 'boolean' },
  },
  async run(args, io) {
    const keys = [...args.strings('secret'), ...args.strings('public-key')];
    if (keys.length === 0) throw new UsageError('give the endpoint’s --secret whsec_… or --public-key whpk_…');
    const headersPath = args.string('headers');
    const bodyPath = args.string('body');
    if (!headersPath || !bodyPath) throw new UsageError('verify needs --headers <file.json> and --body <file>');
    const headers = readJsonFile(headersPath, '--headers');
    if (typeof headers !== 'object' || headers === null || Array.isArray(headers)) throw new UsageError('--headers is a JSON object of header names to values');
    let body: Buffer;
    try {
      body = readFileSync(bodyPath);
    } catch (error) {
      throw new UsageError(`--body ${bodyPath}: ${(error as Error).message}`);
    }
    const nowText = args.string('now');
    if (nowText !== undefined && !/^\d{1,12}$/.test(nowText)) throw new UsageError('--now is unix seconds');
    const options = nowText !== undefined ? { now: new Date(Number(nowText) * 1000) } : {};
    try {
      const verified = verifyWebhook(body, headers as Record<string, string>, keys, options);
      if (args.json) printJson(io, { verified: true, ...verified });
      else println(io, `${styleFor(io).ok('verified')} ${verified.id} (webhook-timestamp ${verified.timestamp})`);
      return EXIT.ok;
    } catch (error) {
      if (error instanceof TypeError) throw new UsageError(error.message);
      if (!(error instanceof WebhookVerificationError)) throw error;
      if (args.json) printJson(io, { verified: false, code: error.code, message: error.message });
      else println(io, `${styleFor(io).bad('not verified')}: ${error.code}: ${error.message}`);
      return EXIT.failure;
    }
  },
};

/** The key material certify signs with, from the one key flag given. */
function materialFrom(secret: string | undefined, signingKey: string | undefined, publicKey: string | undefined): SigningMaterial {
  if ([secret, signingKey, publicKey].filter((k) => k !== undefined).length !== 1) {
    throw new UsageError('give exactly one of --secret whsec_… (v1), --signing-key whsk_… or --public-key whpk_… (v1a)');
  }
  if (secret !== undefined) {
    if (!/^whsec_[A-Za-z0-9+/]+={0,2}$/.test(secret)) throw new UsageError('--secret is a whsec_… secret');
    return { version: 'v1', secret };
  }
  if (signingKey !== undefined) {
    if (!signingKey.startsWith(SIGNING_KEY_PREFIX)) throw new UsageError('--signing-key is a whsk_… Ed25519 signing key');
    try {
      publicKeyOf(signingKey);
    } catch {
      throw new UsageError('--signing-key is whsk_ and base64 of a 32-byte Ed25519 seed');
    }
    return { version: 'v1a', signingKey };
  }
  // Signing needs the private key: a public key alone works only for the published test key pair.
  const testKey = publicKeyOf(TEST_KEYS.v1a.signingKey);
  if (publicKey !== testKey) {
    throw new UsageError(
      `certify signs as Hookpost does, so for v1a it needs the signing key: give --signing-key whsk_…, or configure the receiver with the conformance test key ${testKey} and pass --public-key ${testKey}`,
    );
  }
  return { version: 'v1a', signingKey: TEST_KEYS.v1a.signingKey };
}

interface CaseResult {
  name: string;
  expected: ConformanceCase['expected'];
  status?: number;
  error?: string;
  passed: boolean;
}

async function send(url: string, c: ConformanceCase): Promise<CaseResult> {
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'user-agent': 'hookpost-certify', ...c.headers },
      body: c.body,
      redirect: 'manual',
      signal: AbortSignal.timeout(10_000),
    });
    await response.arrayBuffer();
    const { status } = response;
    const passed = c.expected === 'accept' ? status >= 200 && status < 300 : status >= 400 && status < 500;
    return { name: c.name, expected: c.expected, status, passed };
  } catch (error) {
    return { name: c.name, expected: c.expected, error: String((error as Error).cause ?? (error as Error).message), passed: false };
  }
}

export const certify: Verb = {
  name: 'certify',
  summary: 'check that a receiver accepts valid deliveries and refuses forged, altered and stale ones',
  usage: ['certify <receiver url> --secret whsec_… | --signing-key whsk_… | --public-key whpk_… [--replay-protection]'],
  help:
    'Sends the receiver the conformance cases (conformance/vectors.json) signed now with its key: valid v1 or v1a,\nseveral signatures of which one is valid, a rotation; a wrong signature, a body changed by one byte, a\ntimestamp 6 minutes old or ahead, only an unknown version, no signature. --replay-protection (if the receiver\nclaims it) also resends a valid delivery, which must be refused. Accepted means a 2xx answer, refused a 4xx.\nA v1a receiver holds a public key, but signing needs its private half: pass --signing-key, or configure the\nreceiver with the published test key (see docs/cli.md). Exit 0 when every case passes, 1 otherwise.',
  options: {
    secret: { type: 'string' },
    'signing-key': { type: 'string' },
    'public-key': { type: 'string' },
    'replay-protection': { type: 'boolean' },
    json: { type: 'boolean' },
  },
  async run(args, io) {
    const url = args.positional(0, 'the receiver URL: hookpost certify <url> --secret …');
    if (!/^https?:\/\//.test(url)) throw new UsageError('the receiver URL is http(s)://…');
    const material = materialFrom(args.string('secret'), args.string('signing-key'), args.string('public-key'));
    const otherKey = material.version === 'v1' ? newSigningSecret() : newEd25519SigningKey();
    const foreignKey = material.version === 'v1' ? newEd25519SigningKey() : newSigningSecret();
    const now = new Date();
    const body = JSON.stringify({ type: 'hookpost.certify', timestamp: now.toISOString(), data: { check: 'receiver conformance', payer: 'Zoë Ångström', amount: 42 } });
    const cases = conformanceCases(
      { material, otherKey, foreignKey, nowSeconds: Math.floor(now.getTime() / 1000), ids: () => `msg_certify_${randomUUID()}`, body },
      { replayProtection: args.flag('replay-protection') },
    );
    const style = styleFor(io);
    const results: CaseResult[] = [];
    for (const c of cases) {
      const result = await send(url, c);
      results.push(result);
      if (!args.json) {
        const answer = result.status !== undefined ? `answered ${result.status}` : `no answer: ${result.error}`;
        const hint = !result.passed && c.expected === 'refuse' && result.status !== undefined && result.status >= 500 ? ' (refuse with a 4xx, not a 5xx)' : '';
        println(io, `${result.passed ? style.ok('PASS') : style.bad('FAIL')}  must ${c.expected.padEnd(6)}  ${c.name}: ${answer}${hint}`);
      }
    }
    const passed = results.filter((r) => r.passed).length;
    const ok = passed === results.length;
    const verdictText = ok
      ? `the receiver verifies ${material.version} Standard Webhooks signatures correctly`
      : `the receiver does not verify ${material.version} signatures correctly: fix the FAIL cases above`;
    if (args.json) printJson(io, { receiver: url, version: material.version, passed, total: results.length, verdict: ok ? 'pass' : 'fail', cases: results });
    else {
      println(io);
      println(io, `${passed}/${results.length} cases passed: ${ok ? style.ok(`PASS, ${verdictText}`) : style.bad(`FAIL, ${verdictText}`)}`);
    }
    if (results.every((r) => r.error !== undefined)) throw new Failure(`could not reach ${url}`);
    return ok ? EXIT.ok : EXIT.failure;
  },
};
