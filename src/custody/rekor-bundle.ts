/**
 * cosign 2's keyless signatures in the `.sig` layout, as a Sigstore bundle so that
 * `@sigstore/verify` does the cryptography. cosign 2 writes, per simple-signing layer
 * (cosign `pkg/oci/static`, `pkg/cosign/bundle/rekor.go`): the signature, the Fulcio leaf
 * certificate, its chain, and the Rekor "bundle" — the Signed Entry Timestamp over
 * `{body, integratedTime, logIndex, logID}`, which is what a v0.1 Sigstore bundle calls the
 * inclusion promise of a transparency log entry.
 */
import { createHash, X509Certificate } from 'node:crypto'
import { BUNDLE_V01_MEDIA_TYPE, bundleFromJSON, type Bundle } from '@sigstore/bundle'
import type { TagSignature } from './registry-store.js'

/** The JSON of the `dev.sigstore.cosign/bundle` annotation (Go field names, as cosign marshals them). */
interface RekorBundle {
  SignedEntryTimestamp: string
  Payload: { body: string; integratedTime: number; logIndex: number; logID: string }
}

function parseRekorBundle(text: string): RekorBundle | undefined {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return undefined
  }
  const bundle = value as Partial<RekorBundle> | null
  const payload = bundle?.Payload
  return typeof bundle?.SignedEntryTimestamp === 'string' &&
    typeof payload?.body === 'string' &&
    Number.isSafeInteger(payload.integratedTime) &&
    Number.isSafeInteger(payload.logIndex) &&
    typeof payload.logID === 'string' &&
    /^[0-9a-f]{64}$/.test(payload.logID)
    ? (bundle as RekorBundle)
    : undefined
}

/** The entry Rekor logged: `hashedrekord` 0.0.1 for cosign 2 image signatures. */
interface LoggedEntry {
  kind?: unknown
  apiVersion?: unknown
  spec?: { signature?: { publicKey?: { content?: unknown } } }
}

function certificateDer(pem: string): Buffer | undefined {
  try {
    return new X509Certificate(pem).raw
  } catch {
    return undefined
  }
}

/**
 * The Sigstore bundle equivalent to a keyless `.sig` layer, or why there is none. The artifact
 * (the payload) is not in the bundle: pass it to `toSignedEntity` so the signature is checked
 * over the bytes that were fetched.
 */
export function rekorBundleOf(found: TagSignature): { bundle: Bundle } | { problem: string } {
  const certificate =
    found.certificate === undefined ? undefined : certificateDer(found.certificate)
  if (certificate === undefined) {
    return { problem: 'the dev.sigstore.cosign/certificate annotation is not a PEM certificate' }
  }
  if (found.rekorBundle === undefined) {
    return {
      problem:
        'it has no Rekor bundle (dev.sigstore.cosign/bundle), so when it was signed cannot be established'
    }
  }
  const rekor = parseRekorBundle(found.rekorBundle)
  if (rekor === undefined) {
    return { problem: 'the dev.sigstore.cosign/bundle annotation is not a Rekor bundle' }
  }
  const body = Buffer.from(rekor.Payload.body, 'base64')
  let entry: LoggedEntry
  try {
    entry = JSON.parse(body.toString('utf8')) as LoggedEntry
  } catch {
    return { problem: 'the logged Rekor entry is not JSON' }
  }
  if (typeof entry.kind !== 'string' || typeof entry.apiVersion !== 'string') {
    return { problem: 'the logged Rekor entry has no kind and apiVersion' }
  }
  // The log vouches for the key in its entry; it must be the certificate that signed (as cosign checks).
  const logged = entry.spec?.signature?.publicKey?.content
  const loggedCertificate =
    typeof logged === 'string'
      ? certificateDer(Buffer.from(logged, 'base64').toString('utf8'))
      : undefined
  if (loggedCertificate === undefined || !loggedCertificate.equals(certificate)) {
    return { problem: 'the Rekor entry logs another certificate than the one attached' }
  }
  try {
    return {
      bundle: bundleFromJSON({
        mediaType: BUNDLE_V01_MEDIA_TYPE,
        verificationMaterial: {
          x509CertificateChain: { certificates: [{ rawBytes: certificate.toString('base64') }] },
          tlogEntries: [
            {
              logIndex: String(rekor.Payload.logIndex),
              logId: { keyId: Buffer.from(rekor.Payload.logID, 'hex').toString('base64') },
              kindVersion: { kind: entry.kind, version: entry.apiVersion },
              integratedTime: String(rekor.Payload.integratedTime),
              inclusionPromise: { signedEntryTimestamp: rekor.SignedEntryTimestamp },
              canonicalizedBody: rekor.Payload.body
            }
          ]
        },
        messageSignature: {
          messageDigest: {
            algorithm: 'SHA2_256',
            digest: createHash('sha256').update(found.payload).digest('base64')
          },
          signature: found.signature
        }
      })
    }
  } catch (error) {
    return { problem: `it does not convert to a Sigstore bundle (${(error as Error).message})` }
  }
}
