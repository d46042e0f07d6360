/**
 * Signatures made by cosign itself (see fixtures/README.md for where each came from), verified
 * by our code: a key-based simple-signing signature, and a cosign 2 keyless one (Fulcio
 * certificate, Rekor SET) from the Sigstore public-good instance, checked offline against the
 * trusted root shipped with container-gate.
 */
import { describe, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
import { readPublicKey } from '../../src/custody/keys.js'
import type { TagSignature } from '../../src/custody/registry-store.js'
import {
  trustMaterialOf,
  verifySignatures,
  type SignaturePolicy
} from '../../src/custody/verify.js'

const fixture = (name: string): Buffer =>
  readFileSync(new URL(`./fixtures/${name}`, import.meta.url))

describe('a key-based cosign signature (sigstore-rs test data)', () => {
  const digest = 'sha256:f3cfc9d0dbf931d3db4685ec659b7ac68e2a578219da4aae65427886e649b06b'
  const key = readPublicKey(fixture('sigstore-rs-key/cosign.pub').toString(), 'cosign.pub')
  const layer = (payload: Buffer): TagSignature[] => [
    {
      layout: 'tag',
      where: 'layer 0',
      payload,
      signature: fixture('sigstore-rs-key/signature').toString()
    }
  ]
  const policy: SignaturePolicy = { kind: 'key', key }

  it('verifies and vouches for the digest in its payload', () => {
    expect(verifySignatures(layer(fixture('sigstore-rs-key/payload')), digest, policy)).toEqual({
      verified: [{ where: 'layer 0', signer: expect.stringMatching(/^key sha256:[0-9a-f]{16}…$/) }],
      rejected: []
    })
  })

  it('rejects it for another digest', () => {
    const other = `sha256:${'1'.repeat(64)}`
    expect(verifySignatures(layer(fixture('sigstore-rs-key/payload')), other, policy)).toEqual({
      verified: [],
      rejected: [`layer 0: it signs ${digest}, not ${other}`]
    })
  })

  it('rejects a payload changed by one byte', () => {
    const payload = Buffer.from(
      fixture('sigstore-rs-key/payload').toString().replace('busybox', 'busyb0x')
    )
    expect(verifySignatures(layer(payload), digest, policy).rejected).toEqual([
      'layer 0: the signature does not verify with the key'
    ])
  })
})

describe('a cosign 2 keyless signature in the .sig layout (containers/image test data)', () => {
  const digest = 'sha256:fa93b01658e3a5a1686dc3ae55f170d8de487006fb53a28efcd12ab0710a2e5f'
  const identity = 'mitr@redhat.com'
  const issuer = 'https://github.com/login/oauth'
  const shipped = trustMaterialOf()
  const keyless = (who = identity, by = issuer): SignaturePolicy => ({
    kind: 'keyless',
    identity: who,
    issuer: by,
    trust: shipped
  })
  const layer = (change: Partial<TagSignature> = {}): TagSignature[] => [
    {
      layout: 'tag',
      where: 'layer 0',
      payload: fixture('containers-image-keyless/rekor-payload'),
      signature: fixture('containers-image-keyless/rekor-sig').toString(),
      certificate: fixture('containers-image-keyless/fulcio-cert').toString(),
      chain: fixture('containers-image-keyless/fulcio-chain').toString(),
      rekorBundle: fixture('containers-image-keyless/rekor-set').toString(),
      ...change
    }
  ]

  it('verifies certificate chain, SCT, Rekor SET, identity, issuer and signature offline', () => {
    expect(verifySignatures(layer(), digest, keyless())).toEqual({
      verified: [{ where: 'layer 0', signer: `${identity} (issuer ${issuer})` }],
      rejected: []
    })
  })

  it.each([
    [
      'another identity',
      keyless('someone@example.com'),
      /^layer 0: Sigstore verification failed: /
    ],
    [
      'another issuer',
      keyless(identity, 'https://accounts.google.com'),
      /^layer 0: Sigstore verification failed: /
    ]
  ])('rejects it for %s', (_case, policy, reason) => {
    const outcome = verifySignatures(layer(), digest, policy)
    expect(outcome.verified).toEqual([])
    expect(outcome.rejected).toEqual([expect.stringMatching(reason)])
  })

  it.each([
    [
      'a changed payload',
      {
        payload: Buffer.from(
          fixture('containers-image-keyless/rekor-payload').toString().replace('alpine', 'alpinE')
        )
      },
      'layer 0: Sigstore verification failed: digest mismatch'
    ],
    [
      'a changed Signed Entry Timestamp',
      {
        rekorBundle: fixture('containers-image-keyless/rekor-set')
          .toString()
          .replace('"integratedTime":1670870899', '"integratedTime":1670870900')
      },
      'layer 0: Sigstore verification failed: inclusion promise could not be verified'
    ],
    [
      'no Rekor bundle',
      { rekorBundle: undefined },
      'layer 0: it has no Rekor bundle (dev.sigstore.cosign/bundle), so when it was signed cannot be established'
    ],
    [
      'a certificate that is not the one Rekor logged',
      { certificate: fixture('containers-image-keyless/fulcio-chain').toString() },
      'layer 0: the Rekor entry logs another certificate than the one attached'
    ]
  ])('rejects %s', (_case, change, reason) => {
    expect(verifySignatures(layer(change), digest, keyless())).toEqual({
      verified: [],
      rejected: [reason]
    })
  })

  it('rejects it for another digest after the signature verified', () => {
    const other = `sha256:${'2'.repeat(64)}`
    expect(verifySignatures(layer(), other, keyless()).rejected).toEqual([
      `layer 0: it signs ${digest}, not ${other}`
    ])
  })
})
