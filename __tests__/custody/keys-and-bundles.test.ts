import { describe, expect, it } from '@jest/globals'
import { generateKeyPairSync } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { bundleFromJSON } from '@sigstore/bundle'
import { ConfigurationError } from '../../src/errors.js'
import { signedDigest } from '../../src/custody/cosign.js'
import {
  decryptCosignKey,
  encryptCosignKey,
  publicKeyPem,
  readPublicKey,
  signBytes,
  verifyBytes
} from '../../src/custody/keys.js'
import { pae } from '../../src/custody/statement.js'
import { verifySignatures } from '../../src/custody/verify.js'

const fixture = (name: string): string =>
  readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8')

describe('cosign key files', () => {
  it('decrypts a key file written by cosign (scrypt N=65536, empty password)', () => {
    const key = decryptCosignKey(fixture('conforma-cosign.key'), '', 'conforma-cosign.key')
    expect(key.asymmetricKeyDetails).toEqual({ namedCurve: 'prime256v1' })
    expect(publicKeyPem(key)).toBe(
      '-----BEGIN PUBLIC KEY-----\n' +
        'MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEMk2x2CCtYaFNteFO9CDuOMyDP54D\n' +
        '5+gXKKweldxuaq7Ns+3RIZDb/7fSkae3hDK7/ZdvR46/U6mvcFyncxHHSQ==\n' +
        '-----END PUBLIC KEY-----\n'
    )
  })

  it('round-trips a key through our encoder with cosign parameters (N=32768, r=8, p=1)', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
    const pem = encryptCosignKey(privateKey, 'pässword')
    expect(pem.startsWith('-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\n')).toBe(true)
    const body = pem.split('\n').slice(1, -2).join('')
    expect(JSON.parse(Buffer.from(body, 'base64').toString())).toEqual({
      kdf: { name: 'scrypt', params: { N: 32768, r: 8, p: 1 }, salt: expect.any(String) },
      cipher: { name: 'nacl/secretbox', nonce: expect.any(String) },
      ciphertext: expect.any(String)
    })
    const decrypted = decryptCosignKey(pem, 'pässword', 'cosign.key')
    const signature = signBytes(decrypted, Buffer.from('payload'))
    expect(verifyBytes(publicKey, Buffer.from('payload'), signature)).toBe(true)
  })

  it.each([
    [
      'a wrong password',
      'wrong',
      "cosign.key could not be decrypted: the password is wrong; set COSIGN_PASSWORD (or the sign-key-password input) to the key's password."
    ],
    [
      'a plain PKCS#8 key',
      'x',
      'cosign.key is not a cosign private key (no ENCRYPTED SIGSTORE PRIVATE KEY block); give the cosign.key written by "cosign generate-key-pair".'
    ]
  ])('refuses %s with one sentence', (_case, password, message) => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
    const pem =
      _case === 'a wrong password'
        ? encryptCosignKey(privateKey, 'right', { N: 1024, r: 8, p: 1 })
        : privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()
    expect(() => decryptCosignKey(pem, password, 'cosign.key')).toThrow(
      new ConfigurationError(message)
    )
  })

  it('reads Ed25519 and RSA public keys and verifies their signatures', () => {
    for (const pair of [
      generateKeyPairSync('ed25519'),
      generateKeyPairSync('rsa', { modulusLength: 2048 })
    ]) {
      const key = readPublicKey(publicKeyPem(pair.publicKey), 'cosign.pub')
      expect(verifyBytes(key, Buffer.from('x'), signBytes(pair.privateKey, Buffer.from('x')))).toBe(
        true
      )
      expect(verifyBytes(key, Buffer.from('y'), signBytes(pair.privateKey, Buffer.from('x')))).toBe(
        false
      )
    }
  })
})

describe('a crafted cosign key file', () => {
  const pem = (document: unknown): string =>
    `-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\n${Buffer.from(JSON.stringify(document)).toString('base64')}\n-----END ENCRYPTED SIGSTORE PRIVATE KEY-----\n`
  const valid = {
    kdf: { name: 'scrypt', params: { N: 1024, r: 8, p: 1 }, salt: 'c2FsdA==' },
    cipher: { name: 'nacl/secretbox', nonce: Buffer.alloc(24).toString('base64') },
    ciphertext: 'AAAA'
  }
  it.each([
    [
      'no salt',
      { ...valid, kdf: { ...valid.kdf, salt: undefined } },
      'salt, nonce or ciphertext is missing'
    ],
    [
      'N that is not a power of two',
      { ...valid, kdf: { ...valid.kdf, params: { N: 3, r: 8, p: 1 } } },
      'its scrypt parameters are out of range'
    ],
    [
      'N large enough to exhaust memory',
      { ...valid, kdf: { ...valid.kdf, params: { N: 2 ** 30, r: 8, p: 1 } } },
      'its scrypt parameters are out of range'
    ],
    [
      'a short nonce',
      { ...valid, cipher: { ...valid.cipher, nonce: 'AAAA' } },
      'its nonce is 3 bytes, not 24'
    ],
    ['JSON null', null, 'the PEM body is not the JSON cosign writes']
  ])('is refused with a clear error when it has %s', (_name, document, why) => {
    expect(() => decryptCosignKey(pem(document), '', 'input "sign-key"')).toThrow(
      new ConfigurationError(
        `input "sign-key" is not a cosign private key (${why}); give the cosign.key written by "cosign generate-key-pair".`
      )
    )
  })
})

describe('simple-signing payloads', () => {
  const digest = `sha256:${'a'.repeat(64)}`
  it.each([
    ['docker-manifest-digest', { digest }],
    ['Docker-manifest-digest', { digest }]
  ])('reads the digest spelled %s', (key, expected) => {
    const payload = `{"critical":{"identity":{"docker-reference":"r"},"image":{"${key}":"${digest}"},"type":"cosign container image signature"},"optional":null}`
    expect(signedDigest(Buffer.from(payload))).toEqual(expected)
  })

  it('refuses a payload of another type', () => {
    const payload = `{"critical":{"image":{"docker-manifest-digest":"${digest}"},"type":"something else"}}`
    expect(signedDigest(Buffer.from(payload))).toEqual({
      problem: 'the payload type is "something else", not a container image signature'
    })
  })
})

describe('Sigstore bundles signed with a key (sigstore-go example data)', () => {
  const bundle = bundleFromJSON(JSON.parse(fixture('sigstore-go-bundle-public-key.json')))
  const key = readPublicKey(fixture('sigstore-go-public-key.pem'), 'public-key.pem')
  const found = [{ layout: 'referrer' as const, where: 'bundle', bundle }]

  it('verifies the DSSE signature over the PAE, then refuses a payload that is not a statement', () => {
    expect(pae('text/plain', Buffer.from('hello, world!')).toString()).toBe(
      'DSSEv1 10 text/plain 13 hello, world!'
    )
    expect(verifySignatures(found, `sha256:${'0'.repeat(64)}`, { kind: 'key', key })).toEqual({
      verified: [],
      rejected: ['bundle: the envelope does not hold an in-toto statement']
    })
  })

  it('rejects it under another key', () => {
    const other = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey
    expect(
      verifySignatures(found, `sha256:${'0'.repeat(64)}`, { kind: 'key', key: other }).rejected
    ).toEqual(['bundle: the signature does not verify with the key'])
  })
})
