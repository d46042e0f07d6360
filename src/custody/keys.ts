/**
 * Cosign keys. A cosign private key file is PEM `ENCRYPTED SIGSTORE PRIVATE KEY` (older files:
 * `ENCRYPTED COSIGN PRIVATE KEY`) around JSON from go-securesystemslib `encrypted`: scrypt
 * derives a 32-byte key from the password, NaCl secretbox seals the PKCS#8 DER private key.
 * Public keys are plain PEM `PUBLIC KEY` (SPKI): ECDSA, Ed25519 or RSA, as cosign accepts.
 */
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  randomBytes,
  scryptSync,
  sign,
  verify,
  type KeyObject
} from 'node:crypto'
import nacl from 'tweetnacl'
import { ConfigurationError } from '../errors.js'

const ENCRYPTED_TYPES = new Set(['ENCRYPTED SIGSTORE PRIVATE KEY', 'ENCRYPTED COSIGN PRIVATE KEY'])
const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/

export interface ScryptParams {
  N: number
  r: number
  p: number
}

/** What `cosign generate-key-pair` uses. */
export const COSIGN_SCRYPT: ScryptParams = { N: 32768, r: 8, p: 1 }

interface EncryptedKey {
  kdf: { name: string; params: ScryptParams; salt: string }
  cipher: { name: string; nonce: string }
  ciphertext: string
}

function pemBlock(text: string): { type: string; der: Buffer } | undefined {
  const match = PEM_BLOCK.exec(text)
  if (match === null) return undefined
  return { type: match[1]!, der: Buffer.from(match[2]!.replace(/\s+/g, ''), 'base64') }
}

function scrypt(password: string, salt: Buffer, params: ScryptParams): Buffer {
  // scrypt needs 128·N·r bytes; Node's default cap (32 MiB) is below cosign's N=65536 keys.
  return scryptSync(Buffer.from(password, 'utf8'), salt, nacl.secretbox.keyLength, {
    N: params.N,
    r: params.r,
    p: params.p,
    maxmem: 256 * params.N * params.r + (1 << 20)
  })
}

function badKey(input: string, why: string): ConfigurationError {
  return new ConfigurationError(
    `${input} is not a cosign private key (${why}); give the cosign.key written by "cosign generate-key-pair".`,
    'BAD_SIGNING_KEY'
  )
}

/** Decrypts a cosign private key file. `input` names where it came from, for errors. */
export function decryptCosignKey(pem: string, password: string, input: string): KeyObject {
  const block = pemBlock(pem)
  if (block === undefined || !ENCRYPTED_TYPES.has(block.type)) {
    throw badKey(input, 'no ENCRYPTED SIGSTORE PRIVATE KEY block')
  }
  let document: EncryptedKey
  try {
    document = JSON.parse(block.der.toString('utf8')) as EncryptedKey
  } catch {
    throw badKey(input, 'the PEM body is not the JSON cosign writes')
  }
  if (typeof document !== 'object' || document === null) {
    throw badKey(input, 'the PEM body is not the JSON cosign writes')
  }
  if (document.kdf?.name !== 'scrypt' || document.cipher?.name !== 'nacl/secretbox') {
    throw badKey(
      input,
      `unsupported ${document.kdf?.name ?? '?'} / ${document.cipher?.name ?? '?'}`
    )
  }
  const { salt, params } = document.kdf
  const nonce = document.cipher.nonce
  if (
    typeof salt !== 'string' ||
    typeof nonce !== 'string' ||
    typeof document.ciphertext !== 'string'
  ) {
    throw badKey(input, 'salt, nonce or ciphertext is missing')
  }
  // The parameters come from the file: bound them so a crafted key cannot exhaust memory.
  const { N, r, p } = params ?? {}
  const sane =
    Number.isInteger(N) &&
    N! >= 2 &&
    N! <= 1 << 20 &&
    (N! & (N! - 1)) === 0 &&
    Number.isInteger(r) &&
    r! >= 1 &&
    r! <= 32 &&
    Number.isInteger(p) &&
    p! >= 1 &&
    p! <= 16
  if (!sane) throw badKey(input, 'its scrypt parameters are out of range')
  const nonceBytes = Buffer.from(nonce, 'base64')
  if (nonceBytes.length !== nacl.secretbox.nonceLength) {
    throw badKey(
      input,
      `its nonce is ${nonceBytes.length} bytes, not ${nacl.secretbox.nonceLength}`
    )
  }
  const key = scrypt(password, Buffer.from(salt, 'base64'), { N: N!, r: r!, p: p! })
  const opened = nacl.secretbox.open(Buffer.from(document.ciphertext, 'base64'), nonceBytes, key)
  if (opened === null) {
    throw new ConfigurationError(
      `${input} could not be decrypted: the password is wrong; set COSIGN_PASSWORD (or the sign-key-password input) to the key's password.`,
      'BAD_KEY_PASSWORD'
    )
  }
  try {
    return createPrivateKey({ key: Buffer.from(opened), format: 'der', type: 'pkcs8' })
  } catch {
    throw badKey(input, 'the decrypted key is not PKCS#8')
  }
}

/** Encrypts a private key the way `cosign generate-key-pair` does. */
export function encryptCosignKey(
  privateKey: KeyObject,
  password: string,
  params: ScryptParams = COSIGN_SCRYPT
): string {
  const salt = randomBytes(32)
  const nonce = randomBytes(nacl.secretbox.nonceLength)
  const der = privateKey.export({ format: 'der', type: 'pkcs8' })
  const sealed = nacl.secretbox(der, nonce, scrypt(password, salt, params))
  const document: EncryptedKey = {
    kdf: { name: 'scrypt', params, salt: salt.toString('base64') },
    cipher: { name: 'nacl/secretbox', nonce: nonce.toString('base64') },
    ciphertext: Buffer.from(sealed).toString('base64')
  }
  const body = Buffer.from(JSON.stringify(document))
    .toString('base64')
    .replace(/(.{64})/g, '$1\n')
  return `-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\n${body.trimEnd()}\n-----END ENCRYPTED SIGSTORE PRIVATE KEY-----\n`
}

/** A PEM public key (SPKI), or the public key of a PEM certificate. */
export function readPublicKey(pem: string, input: string): KeyObject {
  try {
    return createPublicKey(pem)
  } catch {
    throw new ConfigurationError(
      `${input} is not a PEM public key; give the cosign.pub written by "cosign generate-key-pair" (-----BEGIN PUBLIC KEY-----).`,
      'BAD_VERIFY_KEY'
    )
  }
}

export function publicKeyPem(key: KeyObject): string {
  const publicKey = key.type === 'private' ? createPublicKey(key) : key
  return publicKey.export({ type: 'spki', format: 'pem' }).toString()
}

/** Sigstore's key hint: hex SHA-256 of the DER public key (as cosign writes into bundles). */
export function keyHint(key: KeyObject): string {
  const publicKey = key.type === 'private' ? createPublicKey(key) : key
  return createHash('sha256')
    .update(publicKey.export({ type: 'spki', format: 'der' }))
    .digest('hex')
}

/** cosign signs ECDSA and RSA keys over SHA-256 (DER/PKCS#1 v1.5 signatures); Ed25519 signs the message. */
function algorithm(key: KeyObject): string | null {
  return key.asymmetricKeyType === 'ed25519' ? null : 'sha256'
}

export function signBytes(privateKey: KeyObject, data: Buffer): Buffer {
  return sign(algorithm(privateKey), data, privateKey)
}

export function verifyBytes(publicKey: KeyObject, data: Buffer, signature: Buffer): boolean {
  try {
    return verify(algorithm(publicKey), data, publicKey, signature)
  } catch {
    return false
  }
}
