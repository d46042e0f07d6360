/**
 * Signing an image digest and attaching attestations, in the layouts cosign verifies:
 * key-based signatures as simple-signing layers under `sha256-<hex>.sig` (`cosign verify --key`),
 * attestations as DSSE envelopes under `.att` (`cosign verify-attestation --key`) and as Sigstore
 * bundles attached as OCI 1.1 referrers; keyless ones (Fulcio certificate, Rekor entry) as
 * Sigstore bundles attached as referrers, as cosign 3 does.
 */
import type { KeyObject } from 'node:crypto'
import { bundleToJSON, type Bundle } from '@sigstore/bundle'
import {
  DSSEBundleBuilder,
  FulcioSigner,
  RekorWitness,
  type IdentityProvider,
  type Signer,
  type Witness
} from '@sigstore/sign'
import type { RegistryClient } from '../image/registry/client.js'
import { canonicalJson } from './canonical.js'
import {
  BUNDLE_CONTENT_ANNOTATION,
  BUNDLE_PREDICATE_TYPE_ANNOTATION,
  COSIGN_SIGN_PREDICATE,
  DSSE_MEDIA_TYPE,
  PREDICATE_TYPE_ANNOTATION,
  SIGNATURE_ANNOTATION,
  simpleSigningPayload,
  SIMPLE_SIGNING_MEDIA_TYPE
} from './cosign.js'
import { keyHint, publicKeyPem, signBytes } from './keys.js'
import { appendToCosignTag, attachBundle } from './registry-store.js'
import { imageStatement, IN_TOTO_PAYLOAD_TYPE, type DsseEnvelope } from './statement.js'

export { DEFAULT_FULCIO_URL, DEFAULT_REKOR_URL } from './endpoints.js'

export type ImageSigner =
  | { kind: 'key'; key: KeyObject }
  | {
      kind: 'keyless'
      /** An OIDC token source, e.g. GitHub Actions' (`id-token: write`). */
      identityProvider: IdentityProvider
      fulcioUrl: string
      rekorUrl: string
      /** Rekor entry type; default `dsse` (what cosign 3 writes), `intoto` for older logs. */
      rekorEntryType?: 'dsse' | 'intoto'
    }

/** Where what was written can be found. */
export interface SignatureReceipt {
  digest: string
  /** `sha256-<hex>.sig` (key) or the referrer manifest digest (keyless). */
  signature: string
  /** `.att` tag and referrer digest of each attestation. */
  attestations: string[]
}

function bundleBuilder(signer: ImageSigner): DSSEBundleBuilder {
  if (signer.kind === 'keyless') {
    const witnesses: Witness[] = [
      new RekorWitness({
        rekorBaseURL: signer.rekorUrl,
        entryType: signer.rekorEntryType ?? 'dsse'
      })
    ]
    return new DSSEBundleBuilder({
      signer: new FulcioSigner({
        identityProvider: signer.identityProvider,
        fulcioBaseURL: signer.fulcioUrl
      }),
      witnesses
    })
  }
  const keySigner: Signer = {
    sign: async (data) => ({
      signature: signBytes(signer.key, data),
      key: { $case: 'publicKey', publicKey: publicKeyPem(signer.key), hint: keyHint(signer.key) }
    })
  }
  return new DSSEBundleBuilder({ signer: keySigner, witnesses: [] })
}

async function statementBundle(signer: ImageSigner, statement: unknown): Promise<Bundle> {
  return bundleBuilder(signer).create({
    data: Buffer.from(canonicalJson(statement)),
    type: IN_TOTO_PAYLOAD_TYPE
  })
}

async function attachStatement(
  client: RegistryClient,
  digest: string,
  bundle: Bundle,
  predicateType: string
): Promise<string> {
  return attachBundle(client, digest, Buffer.from(JSON.stringify(bundleToJSON(bundle))), {
    [BUNDLE_CONTENT_ANNOTATION]: 'dsse-envelope',
    [BUNDLE_PREDICATE_TYPE_ANNOTATION]: predicateType
  })
}

/** Signs `digest` of the image in `repository` (`host/path`, no tag). Returns where the signature went. */
export async function signImage(
  client: RegistryClient,
  repository: string,
  digest: string,
  signer: ImageSigner
): Promise<string> {
  if (signer.kind === 'key') {
    const payload = simpleSigningPayload(repository, digest)
    return appendToCosignTag(client, digest, 'sig', {
      bytes: payload,
      mediaType: SIMPLE_SIGNING_MEDIA_TYPE,
      annotations: { [SIGNATURE_ANNOTATION]: signBytes(signer.key, payload).toString('base64') }
    })
  }
  const statement = imageStatement(repository, digest, COSIGN_SIGN_PREDICATE, {})
  return attachStatement(
    client,
    digest,
    await statementBundle(signer, statement),
    COSIGN_SIGN_PREDICATE
  )
}

/** Attaches a signed in-toto Statement about `digest`: as a referrer, and under `.att` when key-signed. */
export async function attestImage(
  client: RegistryClient,
  repository: string,
  digest: string,
  predicateType: string,
  predicate: unknown,
  signer: ImageSigner
): Promise<string[]> {
  const statement = imageStatement(repository, digest, predicateType, predicate)
  const bundle = await statementBundle(signer, statement)
  const written = [await attachStatement(client, digest, bundle, predicateType)]
  if (signer.kind === 'key' && bundle.content.$case === 'dsseEnvelope') {
    const { payload, payloadType, signatures } = bundle.content.dsseEnvelope
    const envelope: DsseEnvelope = {
      payloadType,
      payload: payload.toString('base64'),
      signatures: signatures.map((s) => ({ keyid: s.keyid, sig: s.sig.toString('base64') }))
    }
    written.push(
      await appendToCosignTag(client, digest, 'att', {
        bytes: Buffer.from(JSON.stringify(envelope)),
        mediaType: DSSE_MEDIA_TYPE,
        // cosign leaves the signature annotation empty for attestations: it is in the envelope.
        annotations: { [SIGNATURE_ANNOTATION]: '', [PREDICATE_TYPE_ANNOTATION]: predicateType }
      })
    )
  }
  return written
}
