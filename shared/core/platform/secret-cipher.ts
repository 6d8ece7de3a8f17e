/**
 * Signing secrets are stored sealed: AES-256-GCM under a data key, and the data key itself wrapped
 * by a key wrapper (KMS on AWS, a local key in local mode) — envelope encryption. The data key is
 * generated once per process and unwrapped keys are cached, so sealing and opening cost no KMS call
 * on the hot path.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

export interface KeyWrapper {
  /** A fresh 256-bit data key, in plain and wrapped form. */
  generateDataKey(): Promise<{ plaintext: Buffer; wrapped: Buffer }>;
  unwrap(wrapped: Buffer): Promise<Buffer>;
}

export interface SecretCipher {
  /** `context` names what the secret belongs to (tenant and subscription): the ciphertext opens only there. */
  seal(plaintext: string, context: string): Promise<string>;
  open(sealed: string, context: string): Promise<string>;
}

/** enc2: the AES-GCM additional data binds the ciphertext to its context (enc1, with one fixed AAD for all, is gone). */
const PREFIX = 'enc2';

function aesGcmSeal(key: Buffer, plaintext: Buffer, aad: Buffer): { iv: Buffer; ciphertext: Buffer; tag: Buffer } {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(aad);
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return { iv, ciphertext, tag: cipher.getAuthTag() };
}

function aesGcmOpen(key: Buffer, iv: Buffer, ciphertext: Buffer, tag: Buffer, aad: Buffer): Buffer {
  const decipher = createDecipheriv('aes-256-gcm', key, iv);
  decipher.setAAD(aad);
  decipher.setAuthTag(tag);
  return Buffer.concat([decipher.update(ciphertext), decipher.final()]);
}

export function createSecretCipher(wrapper: KeyWrapper): SecretCipher {
  let dataKey: Promise<{ plaintext: Buffer; wrapped: Buffer }> | undefined;
  const unwrapped = new Map<string, Promise<Buffer>>();
  const aad = (context: string) => Buffer.from(`hookpost/signing-secret/${context}`);

  function currentDataKey() {
    dataKey ??= wrapper.generateDataKey().catch((error) => {
      dataKey = undefined; // try again on the next call
      throw error;
    });
    return dataKey;
  }

  function unwrap(wrappedB64: string): Promise<Buffer> {
    let key = unwrapped.get(wrappedB64);
    if (!key) {
      key = wrapper.unwrap(Buffer.from(wrappedB64, 'base64'));
      key.catch(() => unwrapped.delete(wrappedB64));
      unwrapped.set(wrappedB64, key);
    }
    return key;
  }

  return {
    async seal(plaintext, context) {
      const { plaintext: key, wrapped } = await currentDataKey();
      const { iv, ciphertext, tag } = aesGcmSeal(key, Buffer.from(plaintext, 'utf8'), aad(context));
      return [PREFIX, wrapped, iv, ciphertext, tag].map((part) => (typeof part === 'string' ? part : part.toString('base64'))).join(':');
    },
    async open(sealed, context) {
      const parts = sealed.split(':');
      if (parts[0] !== PREFIX || parts.length !== 5) throw new Error('not a sealed secret');
      const [, wrapped = '', iv = '', ciphertext = '', tag = ''] = parts;
      const key = await unwrap(wrapped);
      const b64 = (value: string) => Buffer.from(value, 'base64');
      // A ciphertext copied to another subscription fails here (GCM authentication), rather than signing there.
      return aesGcmOpen(key, b64(iv), b64(ciphertext), b64(tag), aad(context)).toString('utf8');
    },
  };
}

/** Local mode: data keys wrapped with AES-256-GCM under one local master key. */
export function localKeyWrapper(masterKey: Buffer): KeyWrapper {
  if (masterKey.length !== 32) throw new Error('the local secrets key must be 32 bytes (base64 of 32 random bytes)');
  const AAD = Buffer.from('hookpost/data-key');
  return {
    async generateDataKey() {
      const plaintext = randomBytes(32);
      const { iv, ciphertext, tag } = aesGcmSeal(masterKey, plaintext, AAD);
      return { plaintext, wrapped: Buffer.concat([iv, tag, ciphertext]) };
    },
    async unwrap(wrapped) {
      return aesGcmOpen(masterKey, wrapped.subarray(0, 12), wrapped.subarray(28), wrapped.subarray(12, 28), AAD);
    },
  };
}
