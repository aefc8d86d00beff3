import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
} from 'node:crypto';

/**
 * Service keys are Ed25519 key pairs, written as one line of base64: the private key as
 * PKCS#8 DER, the public key as SPKI DER (what `npm run secrets` prints, and what
 * `openssl genpkey -algorithm ed25519 -outform DER | base64 -w0` gives for a private key).
 * The service that calls holds the private key; the services it calls hold the public key.
 */
export interface ServiceKey {
  readonly key: KeyObject;
  /** The key's RFC 7638 thumbprint: assertions name the key that signed them (`kid`). */
  readonly kid: string;
}

export interface ServiceKeyPair {
  /** Base64 PKCS#8 DER. */
  readonly privateKey: string;
  /** Base64 SPKI DER. */
  readonly publicKey: string;
}

/** A new Ed25519 key pair for a service, in the one-line form the configuration takes. */
export function generateServiceKeyPair(): ServiceKeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    privateKey: privateKey.export({ type: 'pkcs8', format: 'der' }).toString('base64'),
    publicKey: publicKey.export({ type: 'spki', format: 'der' }).toString('base64'),
  };
}

/**
 * Reads a private key written as base64 PKCS#8 DER. Throws a `RangeError` saying what is
 * expected when `text` is not an Ed25519 private key.
 */
export function parsePrivateKey(text: string): ServiceKey {
  const key = readKey(() =>
    createPrivateKey({ key: fromBase64(text), format: 'der', type: 'pkcs8' }),
  );
  if (key?.asymmetricKeyType !== 'ed25519') {
    throw new RangeError('must be an Ed25519 private key (base64 PKCS#8 DER)');
  }
  return { key, kid: thumbprint(createPublicKey(key)) };
}

/**
 * Reads a public key written as base64 SPKI DER. Throws a `RangeError` saying what is
 * expected when `text` is not an Ed25519 public key.
 */
export function parsePublicKey(text: string): ServiceKey {
  const key = readKey(() =>
    createPublicKey({ key: fromBase64(text), format: 'der', type: 'spki' }),
  );
  if (key?.asymmetricKeyType !== 'ed25519') {
    throw new RangeError('must be an Ed25519 public key (base64 SPKI DER)');
  }
  return { key, kid: thumbprint(key) };
}

/** The public key of a private key, in the form `parsePublicKey` reads. */
export function publicKeyOf(privateKey: string): string {
  return createPublicKey(parsePrivateKey(privateKey).key)
    .export({ type: 'spki', format: 'der' })
    .toString('base64');
}

function fromBase64(text: string): Buffer {
  return Buffer.from(text.trim(), 'base64');
}

function readKey(read: () => KeyObject): KeyObject | undefined {
  try {
    return read();
  } catch {
    return undefined;
  }
}

/**
 * RFC 7638 thumbprint of an Ed25519 public key: SHA-256 of its JWK's required members in
 * lexicographic order. Computed here rather than with jose's `calculateJwkThumbprint`
 * because configuration is read synchronously, and jose's is asynchronous.
 */
function thumbprint(publicKey: KeyObject): string {
  const { crv, kty, x } = publicKey.export({ format: 'jwk' });
  return createHash('sha256').update(JSON.stringify({ crv, kty, x })).digest('base64url');
}
