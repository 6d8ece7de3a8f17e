/**
 * Builds conformance/vectors.json: the receiver conformance cases (cases.ts) signed by Hookpost's signer
 * at a fixed time with published test keys, for `v1` and `v1a`, plus the Standard Webhooks published
 * HMAC vector. `npx tsx conformance/generate.ts` rewrites the file; test/cli/conformance.test.ts
 * fails when the file and the signer disagree.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type CaseInputs, conformanceCases, type SigningMaterial, verificationKey } from './cases.ts';

/** Bump when a vector's meaning changes (not when one is added). */
export const VECTORS_VERSION = 1;

/** Test keys only: they are public in this file, never use them for a real endpoint. */
export const TEST_KEYS = {
  v1: { secret: 'whsec_FJPCi/o3aQqUPXpYTz8j8KIYF//K8YK3/myy7ENu2QM=', other: 'whsec_B0wpNSsfNu4MiixhSn56PsRo+j0sZ7SdvDhK7FDZQcY=' },
  v1a: { signingKey: 'whsk_e6QL+e9gsBwlF/D/UVjifr6axKFWFUcFhvevJjq3V3I=', other: 'whsk_zaGjLOWGJQV+4jhAeeBoLqEdG0/x1TLWe6aaXYUZOVQ=' },
} as const;

/**
 * The Standard Webhooks published HMAC vector, as the reference libraries test it ("sign function
 * works" in standard-webhooks/libraries/javascript/src/webhook.test.ts; the same test ships in the
 * `svix` npm package as src/webhook.test.ts).
 */
export const STANDARD_WEBHOOKS_VECTOR = {
  secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
  timestamp: 1614265330,
  body: '{"test": 2432232314}',
  signature: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
} as const;

const NOW_SECONDS = 1765188000; // 2025-12-08T10:00:00Z
const BODY =
  '{"type":"invoice.paid","timestamp":"2025-12-08T10:00:00.000Z","data":{"invoice":"in_42","payer":"Zoë Ångström","amount":9007199254740993}}';

export interface VectorEntry {
  name: string;
  version: 'v1' | 'v1a';
  /** What the receiver verifies with: `whsec_…` (v1) or `whpk_…` (v1a). */
  key: string;
  /** v1a only: the signing key (Ed25519 seed) that made the signatures, so a sender can check its own signer. */
  signingKey?: string;
  /** Verify as if the clock read this (unix seconds); the tolerance is 5 minutes either way. */
  now: number;
  headers: Record<string, string>;
  body: string;
  expected: 'accept' | 'refuse';
  source?: string;
}

export interface VectorsFile {
  version: number;
  description: string;
  vectors: VectorEntry[];
}

function suite(material: SigningMaterial, otherKey: string, foreignKey: string): VectorEntry[] {
  let n = 0;
  const inputs: CaseInputs = {
    material,
    otherKey,
    foreignKey,
    nowSeconds: NOW_SECONDS,
    ids: () => `msg_conformance_${material.version}_${String(++n).padStart(2, '0')}`,
    body: BODY,
  };
  return conformanceCases(inputs).map((c) => ({
    name: `${material.version}: ${c.name}`,
    version: material.version,
    key: verificationKey(material),
    ...(material.version === 'v1a' ? { signingKey: material.signingKey } : {}),
    now: NOW_SECONDS,
    headers: c.headers,
    body: c.body,
    expected: c.expected,
  }));
}

export function buildVectorsFile(): VectorsFile {
  const published = STANDARD_WEBHOOKS_VECTOR;
  return {
    version: VECTORS_VERSION,
    description:
      'Standard Webhooks receiver conformance vectors from Hookpost: verify `body` with `headers` and `key` as if the clock read `now` (5 minutes tolerance); `expected` says whether a correct receiver accepts it. The keys are public test keys. See docs/cli.md.',
    vectors: [
      {
        name: 'v1: the Standard Webhooks published HMAC vector',
        version: 'v1',
        key: published.secret,
        now: published.timestamp,
        headers: { 'webhook-id': published.id, 'webhook-timestamp': String(published.timestamp), 'webhook-signature': published.signature },
        body: published.body,
        expected: 'accept',
        source: 'standard-webhooks/standard-webhooks, libraries/javascript/src/webhook.test.ts, "sign function works"',
      },
      ...suite({ version: 'v1', secret: TEST_KEYS.v1.secret }, TEST_KEYS.v1.other, TEST_KEYS.v1a.signingKey),
      ...suite({ version: 'v1a', signingKey: TEST_KEYS.v1a.signingKey }, TEST_KEYS.v1a.other, TEST_KEYS.v1.secret),
    ],
  };
}

export const VECTORS_PATH = fileURLToPath(new URL('./vectors.json', import.meta.url));

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(VECTORS_PATH, `${JSON.stringify(buildVectorsFile(), null, 2)}\n`);
  console.log(`wrote ${VECTORS_PATH}`);
}
