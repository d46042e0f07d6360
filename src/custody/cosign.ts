/**
 * The formats cosign reads and writes (sigstore/cosign `specs/SIGNATURE_SPEC.md`,
 * `specs/ATTESTATION_SPEC.md`; containers/image `docs/containers-signature.5.md` for the
 * simple-signing payload).
 */
import { MEDIA_TYPES, type ImageManifest } from '../image/types.js'

export const SIMPLE_SIGNING_MEDIA_TYPE = 'application/vnd.dev.cosign.simplesigning.v1+json'
export const DSSE_MEDIA_TYPE = 'application/vnd.dsse.envelope.v1+json'
export const SIGSTORE_BUNDLE_MEDIA_TYPE = 'application/vnd.dev.sigstore.bundle.v0.3+json'
export const OCI_EMPTY_MEDIA_TYPE = 'application/vnd.oci.empty.v1+json'

export const SIGNATURE_ANNOTATION = 'dev.cosignproject.cosign/signature'
export const CERTIFICATE_ANNOTATION = 'dev.sigstore.cosign/certificate'
export const CHAIN_ANNOTATION = 'dev.sigstore.cosign/chain'
export const REKOR_BUNDLE_ANNOTATION = 'dev.sigstore.cosign/bundle'
export const PREDICATE_TYPE_ANNOTATION = 'predicateType'
export const BUNDLE_CONTENT_ANNOTATION = 'dev.sigstore.bundle.content'
export const BUNDLE_PREDICATE_TYPE_ANNOTATION = 'dev.sigstore.bundle.predicateType'

/** cosign 3 signs images with a DSSE statement of this predicate type instead of simple signing. */
export const COSIGN_SIGN_PREDICATE = 'https://sigstore.dev/cosign/sign/v1'
/** The simple-signing `critical.type` values: cosign's own and the containers/image one. */
const SIMPLE_SIGNING_TYPES = new Set([
  'cosign container image signature',
  'atomic container signature',
  COSIGN_SIGN_PREDICATE
])

/** Tag of the signatures (`.sig`) or attestations (`.att`) of a digest: `sha256-<hex>.sig`. */
export function cosignTag(digest: string, suffix: 'sig' | 'att'): string {
  return `${digest.replace(':', '-')}.${suffix}`
}

/** The payload `cosign sign` signs: the repository and the manifest digest, nothing else. */
export function simpleSigningPayload(dockerReference: string, digest: string): Buffer {
  return Buffer.from(
    JSON.stringify({
      critical: {
        identity: { 'docker-reference': dockerReference },
        image: { 'docker-manifest-digest': digest },
        type: 'cosign container image signature'
      },
      optional: null
    })
  )
}

function member(object: unknown, name: string): unknown {
  if (object === null || typeof object !== 'object') return undefined
  // Keys are matched without regard to case: `docker-manifest-digest` (containers-signature(5))
  // and `Docker-manifest-digest` (older signers) name the same claim.
  const key = Object.keys(object).find((candidate) => candidate.toLowerCase() === name)
  return key === undefined ? undefined : (object as Record<string, unknown>)[key]
}

/** The digest a simple-signing payload vouches for, or a reason it vouches for none. */
export function signedDigest(payload: Buffer): { digest: string } | { problem: string } {
  let document: unknown
  try {
    document = JSON.parse(payload.toString('utf8'))
  } catch {
    return { problem: 'the payload is not JSON' }
  }
  const critical = member(document, 'critical')
  const type = member(critical, 'type')
  if (typeof type !== 'string' || !SIMPLE_SIGNING_TYPES.has(type)) {
    return {
      problem: `the payload type is ${JSON.stringify(type)}, not a container image signature`
    }
  }
  const digest = member(member(critical, 'image'), 'docker-manifest-digest')
  return typeof digest === 'string'
    ? { digest }
    : { problem: 'the payload has no critical.image.docker-manifest-digest' }
}

/**
 * The config blob cosign writes into `.sig`/`.att` manifests: an empty image whose diff_ids are
 * the payload layers (cosign `pkg/oci/mutate`).
 */
export function signatureConfig(layerDigests: string[]): Buffer {
  return Buffer.from(
    JSON.stringify({
      architecture: '',
      created: '0001-01-01T00:00:00Z',
      history: [{ created: '0001-01-01T00:00:00Z' }],
      os: '',
      rootfs: { type: 'layers', diff_ids: layerDigests },
      config: {}
    })
  )
}

export function signatureManifest(
  config: { digest: string; size: number },
  layers: ImageManifest['layers']
): ImageManifest {
  return {
    schemaVersion: 2,
    mediaType: MEDIA_TYPES.ociManifest,
    config: { mediaType: MEDIA_TYPES.ociConfig, ...config },
    layers
  }
}
