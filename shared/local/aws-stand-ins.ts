/**
 * KMS and Secrets Manager have no local emulator, so local mode answers their few commands inside the
 * SDK clients themselves (a middleware after the request is built): the real adapters
 * (adapters/aws/kms.ts, adapters/aws/secrets-manager.ts) then run locally too, and what they send is
 * recorded like any other call (aws-calls.ts). Only the commands Hookpost sends are answered; any
 * other fails loudly.
 */
import { randomBytes } from 'node:crypto';
import { KMSClient } from '@aws-sdk/client-kms';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { LOCAL_REGION } from '../adapters/aws/clients.ts';
import { createSecretCipher, localKeyWrapper } from '../core/platform/secret-cipher.ts';

const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };
const LOCAL_ACCOUNT = '000000000000';

export const localKeyArn = (name: string) => `arn:aws:kms:${LOCAL_REGION}:${LOCAL_ACCOUNT}:key/${name}`;
export const localSecretArn = (name: string) => `arn:aws:secretsmanager:${LOCAL_REGION}:${LOCAL_ACCOUNT}:secret:${name}`;

type Answer = (command: string, input: Record<string, unknown>) => Promise<Record<string, unknown>>;

interface WithMiddleware {
  middlewareStack: { add(middleware: unknown, options: { step: 'build'; priority: 'low'; name: string }): void };
}

type Middleware = (next: unknown, context: { commandName?: string }) => (args: { input: unknown }) => Promise<{ output: unknown; response: unknown }>;

function answering<C extends WithMiddleware>(client: C, answer: Answer): C {
  const standIn: Middleware = (_next, context) => async (args) => ({
      output: { $metadata: { httpStatusCode: 200 }, ...(await answer(context.commandName ?? '', args.input as Record<string, unknown>)) },
      response: {},
    });
  client.middlewareStack.add(
    standIn,
    // After the build step's other middleware (the call recorder among them): the request is whole.
    { step: 'build', priority: 'low', name: 'hookpostLocalStandIn' },
  );
  return client;
}

const awsError = (name: string, message: string) => Object.assign(new Error(message), { name, $fault: 'client' });

/** The same context in any key order gives the same binding, as in KMS. */
const canonicalContext = (context: unknown) =>
  JSON.stringify(Object.entries((context ?? {}) as Record<string, string>).sort(([a], [b]) => a.localeCompare(b)));

/**
 * A KMS key for local mode: GenerateDataKey and Decrypt under `keyArn`, the data key sealed with a
 * master key of this process and bound to the encryption context (Decrypt with another context fails
 * with InvalidCiphertextException, as on AWS).
 */
export function localKmsClient(keyArn: string, masterKey: Buffer = randomBytes(32)): KMSClient {
  const sealer = createSecretCipher(localKeyWrapper(masterKey));
  const client = new KMSClient({ region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
  return answering(client, async (command, input) => {
    if (input.KeyId !== keyArn) throw awsError('NotFoundException', `Key '${String(input.KeyId)}' does not exist`);
    if (command === 'GenerateDataKeyCommand') {
      const plaintext = randomBytes(32);
      const sealed = await sealer.seal(plaintext.toString('base64'), canonicalContext(input.EncryptionContext));
      return { KeyId: keyArn, Plaintext: new Uint8Array(plaintext), CiphertextBlob: new Uint8Array(Buffer.from(sealed)) };
    }
    if (command === 'DecryptCommand') {
      try {
        const sealed = Buffer.from(input.CiphertextBlob as Uint8Array).toString();
        const plaintext = await sealer.open(sealed, canonicalContext(input.EncryptionContext));
        return { KeyId: keyArn, Plaintext: new Uint8Array(Buffer.from(plaintext, 'base64')) };
      } catch {
        throw awsError('InvalidCiphertextException', 'the ciphertext or its encryption context is not this key’s');
      }
    }
    throw awsError('UnsupportedOperation', `local KMS does not answer ${command}`);
  });
}

/** Secrets Manager for local mode: GetSecretValue of the secrets given, by ARN. */
export function localSecretsManagerClient(secrets: Record<string, string>): SecretsManagerClient {
  const client = new SecretsManagerClient({ region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
  return answering(client, async (command, input) => {
    if (command !== 'GetSecretValueCommand') throw awsError('UnsupportedOperation', `local Secrets Manager does not answer ${command}`);
    const arn = String(input.SecretId);
    const value = secrets[arn];
    if (value === undefined) throw awsError('ResourceNotFoundException', `Secrets Manager can't find the specified secret.`);
    return { ARN: arn, Name: arn.slice(arn.lastIndexOf(':') + 1), SecretString: value };
  });
}
