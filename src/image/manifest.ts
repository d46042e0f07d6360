/** Parsing manifests and indexes, and choosing a platform (OCI image-spec manifest.md, image-index.md). */
import { ImageError, ConfigurationError } from '../errors.js'
import {
  MEDIA_TYPES,
  type Descriptor,
  type ImageIndex,
  type ImageManifest,
  type ImageConfig,
  type Platform
} from './types.js'

export type ParsedManifest =
  | { kind: 'manifest'; manifest: ImageManifest; mediaType: string }
  | { kind: 'index'; index: ImageIndex; mediaType: string }

const MANIFEST_TYPES: ReadonlySet<string> = new Set([
  MEDIA_TYPES.ociManifest,
  MEDIA_TYPES.dockerManifest
])
const INDEX_TYPES: ReadonlySet<string> = new Set([
  MEDIA_TYPES.ociIndex,
  MEDIA_TYPES.dockerManifestList
])

/** The Accept header for manifests: every type we can read. */
export const MANIFEST_ACCEPT = [
  MEDIA_TYPES.ociIndex,
  MEDIA_TYPES.dockerManifestList,
  MEDIA_TYPES.ociManifest,
  MEDIA_TYPES.dockerManifest
].join(', ')

function parseJson(bytes: Buffer, what: string): Record<string, unknown> {
  let value: unknown
  try {
    value = JSON.parse(bytes.toString('utf8'))
  } catch {
    throw new ImageError(
      `${what} is not valid JSON; the image is corrupt or not an image.`,
      'BAD_MANIFEST'
    )
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ImageError(
      `${what} is not a JSON object; the image is corrupt or not an image.`,
      'BAD_MANIFEST'
    )
  }
  return value as Record<string, unknown>
}

/**
 * Reads a manifest or an index. The media type comes from the document itself or, when it has
 * none (allowed by OCI), from the transport (Content-Type, descriptor); failing both, from its shape.
 */
export function parseManifest(
  bytes: Buffer,
  what: string,
  transportMediaType?: string
): ParsedManifest {
  const doc = parseJson(bytes, what)
  const declared = typeof doc.mediaType === 'string' ? doc.mediaType : undefined
  let mediaType = declared ?? transportMediaType?.split(';')[0]?.trim()
  if (mediaType === undefined || mediaType === '' || mediaType === 'application/json') {
    mediaType = Array.isArray(doc.manifests)
      ? MEDIA_TYPES.ociIndex
      : doc.config !== undefined
        ? MEDIA_TYPES.ociManifest
        : undefined
  }
  if (mediaType !== undefined && MANIFEST_TYPES.has(mediaType)) {
    const config = doc.config as Record<string, unknown> | undefined
    if (typeof config?.digest !== 'string' || !Array.isArray(doc.layers)) {
      throw new ImageError(
        `${what} has no config descriptor or layer list; the manifest is corrupt.`,
        'BAD_MANIFEST'
      )
    }
    return { kind: 'manifest', manifest: doc as unknown as ImageManifest, mediaType }
  }
  if (mediaType !== undefined && INDEX_TYPES.has(mediaType)) {
    if (!Array.isArray(doc.manifests)) {
      throw new ImageError(`${what} has no manifest list; the index is corrupt.`, 'BAD_MANIFEST')
    }
    return { kind: 'index', index: doc as unknown as ImageIndex, mediaType }
  }
  if (doc.schemaVersion === 1) {
    throw new ImageError(
      `${what} is a Docker schema 1 manifest, which is deprecated and unsupported; push the image again with a current builder.`,
      'UNSUPPORTED_MANIFEST'
    )
  }
  throw new ImageError(
    `${what} has the unsupported media type "${mediaType ?? 'none'}"; container-gate reads OCI and Docker v2 manifests and indexes.`,
    'UNSUPPORTED_MANIFEST'
  )
}

export function parseConfig(bytes: Buffer, what: string): ImageConfig {
  const doc = parseJson(bytes, what)
  const rootfs = doc.rootfs as Record<string, unknown> | undefined
  if (!Array.isArray(rootfs?.diff_ids)) {
    throw new ImageError(
      `${what} has no rootfs.diff_ids; the image config is corrupt.`,
      'BAD_CONFIG'
    )
  }
  return doc as unknown as ImageConfig
}

/** `linux/arm64/v8` → Platform. */
export function parsePlatform(value: string): Platform {
  const parts = value.trim().split('/')
  if (parts.length < 2 || parts.length > 3 || parts.some((p) => !/^[a-z0-9_.-]+$/i.test(p))) {
    throw new ConfigurationError(
      `platform "${value}" is not of the form os/arch[/variant], e.g. linux/amd64 or linux/arm64/v8.`
    )
  }
  const [os, architecture, variant] = parts as [string, string, string | undefined]
  return variant === undefined ? { os, architecture } : { os, architecture, variant }
}

export function formatPlatform(platform: Platform): string {
  return [platform.os, platform.architecture, platform.variant].filter(Boolean).join('/')
}

/** Default variants, as containerd normalises them (arm64 → v8, arm → v7). */
function normalisedVariant(platform: Platform): string | undefined {
  if (platform.variant) return platform.variant
  if (platform.architecture === 'arm64') return 'v8'
  if (platform.architecture === 'arm') return 'v7'
  return undefined
}

/**
 * Chooses the manifest for `wanted` from an index. Attestation manifests (platform unknown/unknown)
 * are never chosen. No match is an error listing what the index offers.
 */
export function selectPlatform(
  index: ImageIndex,
  wanted: Platform,
  what: string
): ImageIndex['manifests'][number] {
  const candidates = index.manifests.filter(
    (m) =>
      m.platform !== undefined &&
      m.platform.os !== 'unknown' &&
      m.platform.architecture !== 'unknown'
  )
  const want = normalisedVariant(wanted)
  const matching = candidates.filter((m) => {
    const p = m.platform!
    if (p.os !== wanted.os || p.architecture !== wanted.architecture) return false
    return want === undefined || normalisedVariant(p) === want
  })
  // With no variant asked for, the baseline build (`linux/amd64`, not `linux/amd64/v3`) first.
  const match =
    want === undefined
      ? (matching.find((m) => normalisedVariant(m.platform!) === undefined) ?? matching[0])
      : matching[0]
  if (match) return match
  const available = candidates.map((m) => formatPlatform(m.platform!))
  throw new ConfigurationError(
    `${what} has no image for platform ${formatPlatform(wanted)}; it offers ${
      available.length > 0 ? available.join(', ') : 'no platform-specific images'
    }. Choose one with --platform (input "platform").`,
    'NO_MATCHING_PLATFORM'
  )
}

export function platformOf(config: ImageConfig): Platform {
  return config.variant
    ? { os: config.os, architecture: config.architecture, variant: config.variant }
    : { os: config.os, architecture: config.architecture }
}

/**
 * An image chosen without platform information is checked against the wanted platform through
 * its config, with the same matching and message as an index.
 */
export function checkConfigPlatform(
  config: ImageConfig,
  configDigest: string,
  wanted: Platform,
  what: string
): void {
  const offered: Descriptor = {
    mediaType: '',
    digest: configDigest,
    size: 0,
    platform: platformOf(config)
  }
  selectPlatform({ schemaVersion: 2, manifests: [offered] }, wanted, what)
}
