/**
 * Where signatures and attestations live in a registry: cosign's tag layout (`sha256-<hex>.sig`
 * and `.att`, one payload per layer) and OCI 1.1 referrers (a manifest whose `subject` is the
 * image, holding a Sigstore bundle), with the referrers tag schema for registries without the API.
 */
import { bundleFromJSON, type Bundle } from '@sigstore/bundle'
import { assertDigest, sha256 } from '../image/digest.js'
import type { RegistryClient } from '../image/registry/client.js'
import { MEDIA_TYPES, type Descriptor, type ImageManifest } from '../image/types.js'
import {
  CERTIFICATE_ANNOTATION,
  CHAIN_ANNOTATION,
  cosignTag,
  OCI_EMPTY_MEDIA_TYPE,
  REKOR_BUNDLE_ANNOTATION,
  SIGNATURE_ANNOTATION,
  signatureConfig,
  signatureManifest,
  SIGSTORE_BUNDLE_MEDIA_TYPE,
  SIMPLE_SIGNING_MEDIA_TYPE
} from './cosign.js'

/** A simple-signing payload and its signature from a `.sig` layer. */
export interface TagSignature {
  layout: 'tag'
  where: string
  payload: Buffer
  /** base64, as in the annotation. */
  signature: string
  /** PEM leaf certificate of a keyless signature. */
  certificate?: string
  chain?: string
  /** The Rekor SET bundle cosign 2 attaches to keyless signatures (JSON). */
  rekorBundle?: string
}

/** A Sigstore bundle attached as an OCI 1.1 referrer. */
export interface ReferrerSignature {
  layout: 'referrer'
  where: string
  bundle: Bundle
}

export type FoundSignature = TagSignature | ReferrerSignature

export interface SignatureSearch {
  signatures: FoundSignature[]
  /** Artifacts that could not be read, e.g. a bundle that is not valid JSON. */
  problems: string[]
}

function parseManifestJson(bytes: Buffer): ImageManifest | undefined {
  try {
    const manifest = JSON.parse(bytes.toString('utf8')) as Partial<ImageManifest> | null
    return Array.isArray(manifest?.layers) ? (manifest as ImageManifest) : undefined
  } catch {
    return undefined
  }
}

async function blob(client: RegistryClient, digest: string, what: string): Promise<Buffer> {
  const bytes = await client.getBlob(digest)
  assertDigest(bytes, digest, what)
  return bytes
}

async function tagSignatures(client: RegistryClient, digest: string): Promise<SignatureSearch> {
  const tag = cosignTag(digest, 'sig')
  const fetched = await client.findManifest(tag)
  if (fetched === undefined) return { signatures: [], problems: [] }
  const manifest = parseManifestJson(fetched.bytes)
  if (manifest === undefined)
    return { signatures: [], problems: [`${tag} is not an image manifest`] }
  const signatures: FoundSignature[] = []
  const problems: string[] = []
  for (const [index, layer] of manifest.layers.entries()) {
    const where = `${tag} layer ${index}`
    const signature = layer.annotations?.[SIGNATURE_ANNOTATION]
    if (layer.mediaType !== SIMPLE_SIGNING_MEDIA_TYPE || signature === undefined) {
      problems.push(`${where} is not a simple-signing payload with a signature annotation`)
      continue
    }
    const annotations = layer.annotations ?? {}
    signatures.push({
      layout: 'tag',
      where,
      payload: await blob(client, layer.digest, `signature payload ${layer.digest}`),
      signature,
      ...(annotations[CERTIFICATE_ANNOTATION]
        ? { certificate: annotations[CERTIFICATE_ANNOTATION] }
        : {}),
      ...(annotations[CHAIN_ANNOTATION] ? { chain: annotations[CHAIN_ANNOTATION] } : {}),
      ...(annotations[REKOR_BUNDLE_ANNOTATION]
        ? { rekorBundle: annotations[REKOR_BUNDLE_ANNOTATION] }
        : {})
    })
  }
  return { signatures, problems }
}

function isBundleArtifact(descriptor: Descriptor & { artifactType?: string }): boolean {
  return (descriptor.artifactType ?? '').startsWith('application/vnd.dev.sigstore.bundle')
}

async function referrerSignatures(
  client: RegistryClient,
  digest: string
): Promise<SignatureSearch> {
  const signatures: FoundSignature[] = []
  const problems: string[] = []
  for (const descriptor of await client.listReferrers(digest)) {
    if (!isBundleArtifact(descriptor)) continue
    const where = `referrer ${descriptor.digest}`
    const fetched = await client.findManifest(descriptor.digest)
    const manifest = fetched === undefined ? undefined : parseManifestJson(fetched.bytes)
    if (fetched === undefined || manifest === undefined || manifest.layers[0] === undefined) {
      problems.push(`${where} is missing or has no layer`)
      continue
    }
    assertDigest(fetched.bytes, descriptor.digest, `referrer manifest ${descriptor.digest}`)
    const bytes = await blob(
      client,
      manifest.layers[0].digest,
      `bundle ${manifest.layers[0].digest}`
    )
    try {
      signatures.push({
        layout: 'referrer',
        where,
        bundle: bundleFromJSON(JSON.parse(bytes.toString('utf8')))
      })
    } catch (error) {
      problems.push(`${where} is not a Sigstore bundle: ${(error as Error).message}`)
    }
  }
  return { signatures, problems }
}

/** Every signature of `digest` in both layouts. */
export async function findSignatures(
  client: RegistryClient,
  digest: string
): Promise<SignatureSearch> {
  const [tag, referrers] = await Promise.all([
    tagSignatures(client, digest),
    referrerSignatures(client, digest)
  ])
  return {
    signatures: [...tag.signatures, ...referrers.signatures],
    problems: [...tag.problems, ...referrers.problems]
  }
}

export interface PayloadLayer {
  bytes: Buffer
  mediaType: string
  annotations: Record<string, string>
}

/**
 * Adds a payload layer to the `.sig`/`.att` manifest of `digest`, keeping the layers already
 * there (cosign appends too, so several signers can sign one image). Returns the tag.
 */
export async function appendToCosignTag(
  client: RegistryClient,
  digest: string,
  suffix: 'sig' | 'att',
  layer: PayloadLayer
): Promise<string> {
  const tag = cosignTag(digest, suffix)
  const existing = await client.findManifest(tag)
  const kept =
    (existing === undefined ? undefined : parseManifestJson(existing.bytes))?.layers ?? []
  const layerDigest = await client.pushBlob(layer.bytes)
  const added: Descriptor = {
    mediaType: layer.mediaType,
    digest: layerDigest,
    size: layer.bytes.length,
    annotations: layer.annotations
  }
  const layers = [
    ...kept.filter(
      (old) =>
        old.digest !== layerDigest ||
        JSON.stringify(old.annotations ?? {}) !== JSON.stringify(layer.annotations)
    ),
    added
  ]
  const config = signatureConfig(layers.map((l) => l.digest))
  const configDigest = await client.pushBlob(config)
  const manifest = signatureManifest({ digest: configDigest, size: config.length }, layers)
  await client.pushManifest(tag, Buffer.from(JSON.stringify(manifest)), MEDIA_TYPES.ociManifest)
  return tag
}

/**
 * Attaches a Sigstore bundle to `digest` as an OCI 1.1 referrer (what cosign 3 writes) and, when
 * the registry does not index referrers itself, records it under the referrers tag schema.
 * Returns the referrer manifest's digest.
 */
export async function attachBundle(
  client: RegistryClient,
  digest: string,
  bundleJson: Buffer,
  annotations: Record<string, string>
): Promise<string> {
  const subject = await client.findManifest(digest)
  if (subject === undefined)
    throw new Error(`manifest ${digest} vanished before its bundle was attached`)
  const empty = Buffer.from('{}')
  await client.pushBlob(empty)
  const layerDigest = await client.pushBlob(bundleJson)
  const manifest = {
    schemaVersion: 2,
    mediaType: MEDIA_TYPES.ociManifest,
    artifactType: SIGSTORE_BUNDLE_MEDIA_TYPE,
    config: { mediaType: OCI_EMPTY_MEDIA_TYPE, digest: sha256(empty), size: empty.length },
    layers: [
      { mediaType: SIGSTORE_BUNDLE_MEDIA_TYPE, digest: layerDigest, size: bundleJson.length }
    ],
    subject: {
      mediaType: subject.mediaType ?? MEDIA_TYPES.ociManifest,
      digest,
      size: subject.bytes.length
    },
    annotations
  }
  const bytes = Buffer.from(JSON.stringify(manifest))
  const pushed = await client.pushManifest(sha256(bytes), bytes, MEDIA_TYPES.ociManifest)
  if (!pushed.subjectProcessed) {
    await client.addToReferrersTag(digest, {
      mediaType: MEDIA_TYPES.ociManifest,
      digest: pushed.digest,
      size: bytes.length,
      artifactType: SIGSTORE_BUNDLE_MEDIA_TYPE,
      annotations
    } as Descriptor)
  }
  return pushed.digest
}
