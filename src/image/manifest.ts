/** Parsing manifests and indexes, and choosing a platform (OCI image-spec manifest.md, image-index.md). */
import { ImageError, ConfigurationError } from '../errors.js'
import {
  MEDIA_TYPES,
  type Descriptor,
  type ImageIndex,
  type ImageManifest,
  type ImageConfig,
  type HistoryEntry,
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

/**
 * Documents from an image are validated here, once, into the shapes of types.ts, so that every
 * later consumer can trust the types. The rule for every field, the one Go's encoding/json applies
 * to the spec structs (docker, containerd and go-containerregistry all decode with it):
 * - an absent or `null` field reads as its zero value (writers emit `"Cmd": null`, `"Env": null`);
 *   in a list or map, a `null` item reads as the item's zero value (`""`, `{}`);
 * - a field of another type is an ImageError naming the document and the field, as json.Unmarshal
 *   refuses it too ("cannot unmarshal number into … of type string");
 * - a field the gate needs a value from (a descriptor's digest, the manifest's config and layers,
 *   the index's manifests, the config's os, architecture and rootfs.diff_ids) must be present;
 * - one exception, as Docker: `Entrypoint` and `Cmd` may be one string (docker's strslice.StrSlice),
 *   read as a list of one.
 * Unknown fields are dropped; the typed copy is what the gate reads.
 */

/** Layers per manifest (and diff_ids): Docker refuses images past about 128 (overlay2's depth); 1024 leaves room. */
export const MAX_LAYERS = 1024
/** History entries per config: one per Dockerfile instruction, base images included; real ones have hundreds. */
export const MAX_HISTORY_ENTRIES = 4096

/** OCI image-spec descriptor.md "Digests": `algorithm:encoded`. */
const DIGEST_GRAMMAR = /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/

type JsonObject = Record<string, unknown>

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** What a JSON value is, for messages; never the value of a string from the image. */
function describeJson(value: unknown): string {
  if (value === undefined) return 'missing'
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  if (typeof value === 'object') return 'an object'
  if (typeof value === 'number') return 'a number'
  if (typeof value === 'string') return 'a string'
  return `a ${typeof value}`
}

/** A map key in a field path: shown when it is plainly printable, else by position. */
function keyPath(path: string, key: string, position: number): string {
  return /^[\w./:@+-]{1,128}$/.test(key) ? `${path}["${key}"]` : `${path}[#${position}]`
}

/** Reads the fields of one document, each failure an ImageError naming the document and field. */
export class DocumentFields {
  constructor(
    private readonly what: string,
    private readonly noun: string,
    private readonly code: string
  ) {}

  fail(path: string, found: string, expected: string): never {
    throw new ImageError(
      `${this.what}: field ${path} is ${found}, expected ${expected}; ${this.noun} is malformed.`,
      this.code
    )
  }

  wrong(path: string, value: unknown, expected: string): never {
    return this.fail(path, describeJson(value), expected)
  }

  object(value: unknown, path: string): JsonObject {
    if (!isObject(value)) this.wrong(path, value, 'an object')
    return value
  }

  /** An optional object: absent or null reads as `{}`. */
  objectOrEmpty(value: unknown, path: string): JsonObject {
    return value === undefined || value === null ? {} : this.object(value, path)
  }

  string(value: unknown, path: string): string {
    if (typeof value !== 'string') this.wrong(path, value, 'a string')
    return value
  }

  optionalString(value: unknown, path: string): string | undefined {
    return value === undefined || value === null ? undefined : this.string(value, path)
  }

  optionalBoolean(value: unknown, path: string): boolean | undefined {
    if (value === undefined || value === null) return undefined
    if (typeof value !== 'boolean') this.wrong(path, value, 'true or false')
    return value
  }

  integer(value: unknown, path: string): number {
    if (typeof value !== 'number') this.wrong(path, value, 'a non-negative integer')
    if (!Number.isSafeInteger(value) || value < 0) {
      this.fail(path, String(value), 'a non-negative integer')
    }
    return value
  }

  optionalInteger(value: unknown, path: string): number | undefined {
    return value === undefined || value === null ? undefined : this.integer(value, path)
  }

  list(value: unknown, path: string, expected: string, max?: number): unknown[] {
    if (!Array.isArray(value)) this.wrong(path, value, expected)
    if (max !== undefined && value.length > max) {
      this.fail(path, `a list of ${value.length} items`, `at most ${max}`)
    }
    return value
  }

  /** An optional list of strings; null items read as "". */
  strings(value: unknown, path: string): string[] | undefined {
    if (value === undefined || value === null) return undefined
    return this.list(value, path, 'an array of strings').map((item, i) =>
      item === null ? '' : this.string(item, `${path}[${i}]`)
    )
  }

  /** An optional map of strings (labels, annotations); null values read as "". */
  stringMap(value: unknown, path: string): Record<string, string> | undefined {
    if (value === undefined || value === null) return undefined
    const entries = Object.entries(this.object(value, path))
    return Object.fromEntries(
      entries.map(([key, item], i) => [
        key,
        item === null ? '' : this.string(item, keyPath(path, key, i))
      ])
    )
  }

  /** An optional set as Go's map[string]struct{} (ExposedPorts, Volumes): values are `{}`. */
  keySet(value: unknown, path: string): Record<string, object> | undefined {
    if (value === undefined || value === null) return undefined
    const entries = Object.entries(this.object(value, path))
    return Object.fromEntries(
      entries.map(([key, item], i) => {
        if (item !== null) this.object(item, keyPath(path, key, i))
        return [key, {}]
      })
    )
  }

  digest(value: unknown, path: string): string {
    const digest = this.string(value, path)
    if (!DIGEST_GRAMMAR.test(digest)) this.fail(path, 'not a digest', 'algorithm:hex')
    return digest
  }

  platform(value: unknown, path: string): Descriptor['platform'] {
    if (value === undefined || value === null) return undefined
    const doc = this.object(value, path)
    const variant = this.optionalString(doc.variant, `${path}.variant`)
    const osVersion = this.optionalString(doc['os.version'], `${path}.os.version`)
    return {
      os: this.string(doc.os, `${path}.os`),
      architecture: this.string(doc.architecture, `${path}.architecture`),
      ...(variant === undefined || variant === '' ? {} : { variant }),
      ...(osVersion === undefined ? {} : { 'os.version': osVersion })
    }
  }

  descriptor(value: unknown, path: string): Descriptor {
    if (value === null) this.wrong(path, value, 'a descriptor object')
    const doc = this.object(value, path)
    const platform = this.platform(doc.platform, `${path}.platform`)
    const annotations = this.stringMap(doc.annotations, `${path}.annotations`)
    const urls = this.strings(doc.urls, `${path}.urls`)
    const artifactType = this.optionalString(doc.artifactType, `${path}.artifactType`)
    return {
      mediaType: this.optionalString(doc.mediaType, `${path}.mediaType`) ?? '',
      digest: this.digest(doc.digest, `${path}.digest`),
      size: this.optionalInteger(doc.size, `${path}.size`) ?? 0,
      ...(platform === undefined ? {} : { platform }),
      ...(annotations === undefined ? {} : { annotations }),
      ...(urls === undefined ? {} : { urls }),
      ...(artifactType === undefined ? {} : { artifactType })
    }
  }

  descriptors(value: unknown, path: string, max?: number): Descriptor[] {
    return this.list(value, path, 'an array of descriptors', max).map((item, i) =>
      this.descriptor(item, `${path}[${i}]`)
    )
  }
}

function parseJson(bytes: Buffer, what: string): JsonObject {
  let value: unknown
  try {
    value = JSON.parse(bytes.toString('utf8'))
  } catch {
    throw new ImageError(
      `${what} is not valid JSON; the image is corrupt or not an image.`,
      'BAD_MANIFEST'
    )
  }
  if (!isObject(value)) {
    throw new ImageError(
      `${what} is not a JSON object; the image is corrupt or not an image.`,
      'BAD_MANIFEST'
    )
  }
  return value
}

/** OCI image-spec manifest.md (Docker schema 2 has the same fields). */
function readManifest(doc: JsonObject, what: string, mediaType: string): ImageManifest {
  const f = new DocumentFields(what, 'the manifest', 'BAD_MANIFEST')
  const annotations = f.stringMap(doc.annotations, 'annotations')
  return {
    schemaVersion: f.optionalInteger(doc.schemaVersion, 'schemaVersion') ?? 2,
    mediaType,
    config: f.descriptor(doc.config, 'config'),
    layers: f.descriptors(doc.layers, 'layers', MAX_LAYERS),
    ...(annotations === undefined ? {} : { annotations })
  }
}

/** OCI image-spec image-index.md (the Docker manifest list has the same fields). */
function readIndex(doc: JsonObject, what: string, mediaType: string): ImageIndex {
  const f = new DocumentFields(what, 'the index', 'BAD_MANIFEST')
  const annotations = f.stringMap(doc.annotations, 'annotations')
  return {
    schemaVersion: f.optionalInteger(doc.schemaVersion, 'schemaVersion') ?? 2,
    mediaType,
    manifests: f.descriptors(doc.manifests, 'manifests'),
    ...(annotations === undefined ? {} : { annotations })
  }
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
  const declared = new DocumentFields(what, 'the manifest', 'BAD_MANIFEST').optionalString(
    doc.mediaType,
    'mediaType'
  )
  let mediaType = declared || transportMediaType?.split(';')[0]?.trim()
  if (mediaType === undefined || mediaType === '' || mediaType === 'application/json') {
    mediaType =
      doc.manifests !== undefined
        ? MEDIA_TYPES.ociIndex
        : doc.config !== undefined
          ? MEDIA_TYPES.ociManifest
          : undefined
  }
  if (mediaType !== undefined && MANIFEST_TYPES.has(mediaType)) {
    return { kind: 'manifest', manifest: readManifest(doc, what, mediaType), mediaType }
  }
  if (mediaType !== undefined && INDEX_TYPES.has(mediaType)) {
    return { kind: 'index', index: readIndex(doc, what, mediaType), mediaType }
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

type ContainerConfig = NonNullable<ImageConfig['config']>

/** `Entrypoint`/`Cmd`: a list of strings, or one string as Docker's strslice.StrSlice reads it. */
function commandLine(f: DocumentFields, value: unknown, path: string): string[] | undefined {
  return typeof value === 'string' ? [value] : f.strings(value, path)
}

function readHealthcheck(f: DocumentFields, value: unknown): ContainerConfig['Healthcheck'] {
  if (value === undefined || value === null) return undefined
  const doc = f.object(value, 'config.Healthcheck')
  const fields = {
    Test: f.strings(doc.Test, 'config.Healthcheck.Test'),
    Interval: f.optionalInteger(doc.Interval, 'config.Healthcheck.Interval'),
    Timeout: f.optionalInteger(doc.Timeout, 'config.Healthcheck.Timeout'),
    Retries: f.optionalInteger(doc.Retries, 'config.Healthcheck.Retries')
  }
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined))
}

/** config.md "config": the runtime defaults. Docker writes `container_config` too; it is not read. */
function readContainerConfig(f: DocumentFields, value: unknown): ContainerConfig | undefined {
  if (value === undefined || value === null) return undefined
  const doc = f.object(value, 'config')
  const fields: ContainerConfig = {
    User: f.optionalString(doc.User, 'config.User'),
    ExposedPorts: f.keySet(doc.ExposedPorts, 'config.ExposedPorts'),
    Env: f.strings(doc.Env, 'config.Env'),
    Entrypoint: commandLine(f, doc.Entrypoint, 'config.Entrypoint'),
    Cmd: commandLine(f, doc.Cmd, 'config.Cmd'),
    Volumes: f.keySet(doc.Volumes, 'config.Volumes'),
    WorkingDir: f.optionalString(doc.WorkingDir, 'config.WorkingDir'),
    Labels: f.stringMap(doc.Labels, 'config.Labels'),
    StopSignal: f.optionalString(doc.StopSignal, 'config.StopSignal'),
    Healthcheck: readHealthcheck(f, doc.Healthcheck)
  }
  return Object.fromEntries(
    Object.entries(fields).filter(([, v]) => v !== undefined)
  ) as ContainerConfig
}

function readHistoryEntry(f: DocumentFields, value: unknown, path: string): HistoryEntry {
  const doc = f.objectOrEmpty(value, path)
  const fields: HistoryEntry = {
    created: f.optionalString(doc.created, `${path}.created`),
    created_by: f.optionalString(doc.created_by, `${path}.created_by`),
    author: f.optionalString(doc.author, `${path}.author`),
    comment: f.optionalString(doc.comment, `${path}.comment`),
    empty_layer: f.optionalBoolean(doc.empty_layer, `${path}.empty_layer`)
  }
  return Object.fromEntries(
    Object.entries(fields).filter(([, v]) => v !== undefined)
  ) as HistoryEntry
}

/** OCI image-spec config.md. */
export function parseConfig(bytes: Buffer, what: string): ImageConfig {
  const doc = parseJson(bytes, what)
  const f = new DocumentFields(what, 'the image config', 'BAD_CONFIG')
  const rootfs = f.object(doc.rootfs, 'rootfs')
  const diffIds = f
    .list(rootfs.diff_ids, 'rootfs.diff_ids', 'an array of digests', MAX_LAYERS)
    .map((item, i) => f.digest(item, `rootfs.diff_ids[${i}]`))
  const history =
    doc.history === undefined || doc.history === null
      ? undefined
      : f
          .list(doc.history, 'history', 'an array of objects', MAX_HISTORY_ENTRIES)
          .map((item, i) => readHistoryEntry(f, item, `history[${i}]`))
  const variant = f.optionalString(doc.variant, 'variant')
  const created = f.optionalString(doc.created, 'created')
  const config = readContainerConfig(f, doc.config)
  return {
    architecture: f.string(doc.architecture, 'architecture'),
    os: f.string(doc.os, 'os'),
    ...(variant === undefined || variant === '' ? {} : { variant }),
    ...(created === undefined ? {} : { created }),
    ...(config === undefined ? {} : { config }),
    rootfs: { type: f.optionalString(rootfs.type, 'rootfs.type') ?? '', diff_ids: diffIds },
    ...(history === undefined ? {} : { history })
  }
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
  const available = [...new Set(candidates.map((m) => formatPlatform(m.platform!)))]
  // An index may list hundreds of platforms: a few and the count keep the message one line.
  const listed =
    available.length <= MAX_PLATFORMS_LISTED
      ? available.join(', ')
      : `${available.slice(0, MAX_PLATFORMS_LISTED).join(', ')} and ${available.length - MAX_PLATFORMS_LISTED} more (${available.length} in all)`
  throw new ConfigurationError(
    `${what} has no image for platform ${formatPlatform(wanted)}; it offers ${
      available.length > 0 ? listed : 'no platform-specific images'
    }. Choose one with --platform (input "platform").`,
    'NO_MATCHING_PLATFORM'
  )
}

/** Platforms named in the error for an index without the one asked for. */
const MAX_PLATFORMS_LISTED = 8

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
