/**
 * KMS for the bundled functions: GenerateDataKey and Decrypt of symmetric keys, with KMS's rule that
 * a ciphertext opens only under the encryption context it was made with (the context is the
 * ciphertext's additional authenticated data, as in KMS) and only with the key that made it.
 */
import { createCipheriv, createDecipheriv, randomBytes, randomUUID } from 'node:crypto';
import { LOCAL_ACCOUNT, LOCAL_REGION } from './cloud-assembly.ts';
import { AwsError, type AwsJsonServer, startAwsJsonServer } from './aws-json-server.ts';

export interface KmsLocal extends AwsJsonServer {
  /** A new symmetric key; returns its ARN. */
  createKey(): { keyId: string; arn: string };
}

/** The context as bytes independent of key order, as KMS treats it. */
const contextBytes = (context: unknown): Buffer => {
  const entries = Object.entries((context ?? {}) as Record<string, string>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return Buffer.from(JSON.stringify(entries));
};

export async function startKmsLocal(): Promise<KmsLocal> {
  const keys = new Map<string, Buffer>(); // ARN → key material

  const keyArn = (keyId: unknown): string => {
    const id = String(keyId ?? '');
    const arn = id.startsWith('arn:') ? id : `arn:aws:kms:${LOCAL_REGION}:${LOCAL_ACCOUNT}:key/${id}`;
    if (!keys.has(arn)) throw new AwsError('NotFoundException', `Key '${id}' does not exist`);
    return arn;
  };

  /** Ciphertext blob: ARN length (2 bytes), ARN, IV (12), tag (16), data. */
  const seal = (arn: string, plaintext: Buffer, context: unknown): Buffer => {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', keys.get(arn) as Buffer, iv);
    cipher.setAAD(contextBytes(context));
    const data = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    const name = Buffer.from(arn);
    const length = Buffer.alloc(2);
    length.writeUInt16BE(name.length);
    return Buffer.concat([length, name, iv, cipher.getAuthTag(), data]);
  };

  const open = (blob: Buffer, context: unknown): { arn: string; plaintext: Buffer } => {
    const invalid = () => new AwsError('InvalidCiphertextException', 'The ciphertext is invalid or its encryption context does not match');
    if (blob.length < 2) throw invalid();
    const nameLength = blob.readUInt16BE(0);
    const arn = blob.subarray(2, 2 + nameLength).toString();
    const key = keys.get(arn);
    if (!key || blob.length < 2 + nameLength + 28) throw invalid();
    const at = 2 + nameLength;
    const decipher = createDecipheriv('aes-256-gcm', key, blob.subarray(at, at + 12));
    decipher.setAAD(contextBytes(context));
    decipher.setAuthTag(blob.subarray(at + 12, at + 28));
    try {
      return { arn, plaintext: Buffer.concat([decipher.update(blob.subarray(at + 28)), decipher.final()]) };
    } catch {
      throw invalid();
    }
  };

  const server = await startAwsJsonServer({
    targetPrefix: 'TrentService',
    signingName: 'kms',
    operations: {
      GenerateDataKey(input) {
        const arn = keyArn(input.KeyId);
        const bytes = input.KeySpec === 'AES_128' ? 16 : input.KeySpec === 'AES_256' ? 32 : Number(input.NumberOfBytes);
        if (!Number.isInteger(bytes) || bytes < 1 || bytes > 1024) throw new AwsError('ValidationException', 'KeySpec or NumberOfBytes is required');
        const plaintext = randomBytes(bytes);
        return {
          KeyId: arn,
          Plaintext: plaintext.toString('base64'),
          CiphertextBlob: seal(arn, plaintext, input.EncryptionContext).toString('base64'),
        };
      },
      Decrypt(input) {
        const { arn, plaintext } = open(Buffer.from(String(input.CiphertextBlob ?? ''), 'base64'), input.EncryptionContext);
        if (input.KeyId !== undefined && keyArn(input.KeyId) !== arn) {
          throw new AwsError('IncorrectKeyException', 'The key ID in the request does not identify the key that encrypted the ciphertext');
        }
        return { KeyId: arn, Plaintext: plaintext.toString('base64'), EncryptionAlgorithm: 'SYMMETRIC_DEFAULT' };
      },
    },
  });

  return {
    ...server,
    calls: server.calls,
    createKey() {
      const keyId = randomUUID();
      const arn = `arn:aws:kms:${LOCAL_REGION}:${LOCAL_ACCOUNT}:key/${keyId}`;
      keys.set(arn, randomBytes(32));
      return { keyId, arn };
    },
  };
}
