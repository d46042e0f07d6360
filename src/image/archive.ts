/**
 * Archive transports, each read in ONE sequential pass (the daemon's `docker save` output is a
 * pipe, so nothing may seek back; an archive file only seeks forward, past members nobody reads):
 * - `docker-archive:PATH[:REF]`: a `docker save` tarball, classic (Docker image spec v1.2:
 *   manifest.json, `<hex>.json` config, `<id>/layer.tar`) or Docker ≥25, which is also an OCI
 *   image layout (index.json, blobs/sha256/…) with manifest.json beside it;
 * - `docker-daemon:REF`: the stdout of `docker save REF`, read like a docker-archive;
 * - `oci-archive:PATH[:REF]`: an OCI image layout in a tar (OCI image-spec image-layout.md).
 *
 * Member order is not known in advance (docker save writes layers before manifest.json, OCI
 * archives may put index.json anywhere), so each member is sniffed as it passes: small JSON
 * documents are kept, anything else is analysed at once as a layer candidate. As soon as the
 * documents read so far name the chosen image's layers, other candidates are skipped unread (a
 * multi-platform archive then costs one platform). Once the archive has ended, the manifest
 * decides which analyses are the image's layers; the rest are dropped.
 */
import { spawn } from 'node:child_process'
import { open, type FileHandle } from 'node:fs/promises'
import { posix } from 'node:path'
import { Readable } from 'node:stream'
import { ConfigurationError, ImageError } from '../errors.js'
import { READ_CHUNK_BYTES } from '../files.js'
import type { LayerAnalysis } from './analysis.js'
import { assertDigest, isDigest, sha256 } from './digest.js'
import { readTar, type SkippingIterator } from './layer/tar.js'
import type { FileIdentity, FileRange } from './layer/verify-range.js'
import {
  checkConfigPlatform,
  DocumentFields,
  MAX_LAYERS,
  parseConfig,
  parseManifest,
  platformOf
} from './manifest.js'
import {
  acquiredLayoutImage,
  blobPath,
  checkLayoutVersion,
  layoutResolver,
  MAX_DOCUMENT_BYTES,
  missingBlob,
  type LayoutResolver,
  type ReadDocument,
  type ResolvedImage
} from './oci-layout.js'
import { formatReference, parseReference } from './reference.js'
import type { AcquiredImage, AcquireOptions, ImageSource } from './source.js'
import { MEDIA_TYPES, type Descriptor, type ImageManifest } from './types.js'

/** Members read as documents whatever their first bytes, so a corrupt one gets a clear error. */
const DOCUMENT_NAMES = new Set(['/manifest.json', '/index.json', '/oci-layout', '/repositories'])

/** Layer media types for docker save layers, which have no manifest to name them. */
const DOCKER_LAYER_TYPES: Record<LayerAnalysis['compression'], string> = {
  none: 'application/vnd.docker.image.rootfs.diff.tar',
  gzip: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  zstd: 'application/vnd.docker.image.rootfs.diff.tar.zstd'
}

/** Lines of `docker save` stderr kept for the error message. */
const MAX_STDERR_BYTES = 64 * 1024

type LayerResult = { analysis: LayerAnalysis } | { error: unknown }

/** What one pass over an archive kept: documents, layer analyses and links, by member path. */
interface ArchiveMembers {
  documents: Map<string, Buffer>
  layers: Map<string, LayerResult>
  links: Map<string, string>
}

const CONTENT_ADDRESSED = /^\/(?:blobs\/sha256\/([a-f0-9]{64})|([a-f0-9]{64})\.json)$/

/** `blobs/sha256/<hex>` (OCI) and `<hex>.json` (classic config) name their own sha256. */
function digestOfMember(path: string): string | undefined {
  const match = CONTENT_ADDRESSED.exec(path)
  const hex = match?.[1] ?? match?.[2]
  return hex === undefined ? undefined : `sha256:${hex}`
}

function isWhitespace(byte: number): boolean {
  return byte === 0x20 || byte === 0x09 || byte === 0x0a || byte === 0x0d
}

/** A byte stream of the chunks already read followed by the rest of `chunks`. */
function rejoin(head: Buffer[], chunks: AsyncIterator<Buffer>): Readable {
  async function* all(): AsyncGenerator<Buffer> {
    yield* head
    for (;;) {
      const next = await chunks.next()
      if (next.done === true) return
      yield next.value
    }
  }
  return Readable.from(all(), { objectMode: false })
}

async function readRest(head: Buffer[], chunks: AsyncIterator<Buffer>): Promise<Buffer> {
  const parts = [...head]
  for (let next = await chunks.next(); next.done !== true; next = await chunks.next()) {
    parts.push(next.value)
  }
  return Buffer.concat(parts)
}

/**
 * What the documents read so far say about the chosen image's layers: their member paths, the
 * member the choice still waits for, or nothing (the choice fails; the end of the pass says why).
 */
type LayerPlan = { layers: string[] } | { awaiting: string } | { unknown: true }

/** Works the plan out again from the documents read so far. */
type PlanLayers = (members: ArchiveMembers) => Promise<LayerPlan>

/** Thrown by a choice made before the archive has ended when it needs a member not read yet. */
class NotReadYet extends Error {
  constructor(readonly path: string) {
    super(`${path} has not been read yet`)
  }
}

/** `file` is the archive file's path and identity when it is one (not a pipe from the daemon). */
async function readArchive(
  stream: Readable | AsyncIterable<Buffer>,
  what: string,
  options: AcquireOptions,
  planLayers: PlanLayers,
  file?: Omit<FileRange, 'offset' | 'length'>
): Promise<ArchiveMembers> {
  const members: ArchiveMembers = { documents: new Map(), layers: new Map(), links: new Map() }
  let plan = await planLayers(members)
  let targets = layerTargets(plan, members)
  // The plan waits for one member (its links followed), so only a member at that path, the
  // document or a link on from it, can change the plan: another link is not on the way to it, but
  // as a duplicate member (no writer writes one). An archive of many links is not planned per link.
  const replanAt = async (path: string): Promise<void> => {
    if (!('awaiting' in plan) || plan.awaiting !== path) return
    plan = await planLayers(members)
    targets = layerTargets(plan, members)
  }
  // Not one of the chosen image's layers: the tar reader skips the rest of it.
  const isSkipped = (path: string): boolean => targets !== undefined && !targets.includes(path)
  for await (const { entry, content, dataOffset } of readTar(stream, what)) {
    const path = entry.path
    if ((entry.type === 'symlink' || entry.type === 'hardlink') && entry.linkTarget !== undefined) {
      const target =
        entry.type === 'symlink'
          ? posix.resolve(posix.dirname(path), entry.linkTarget)
          : entry.linkTarget
      members.links.set(path, target)
      targets?.linked(path)
      await replanAt(path)
      continue
    }
    if (entry.type !== 'file') continue

    const chunks = content[Symbol.asyncIterator]() as AsyncIterator<Buffer>
    const head: Buffer[] = []
    let document = DOCUMENT_NAMES.has(path) && entry.size <= MAX_DOCUMENT_BYTES
    if (!document && entry.size <= MAX_DOCUMENT_BYTES) {
      // Sniff the first significant byte: JSON documents start with `{` or `[`; gzip, zstd and
      // tar streams practically never do (and if one does, it is analysed from memory later).
      for (let next = await chunks.next(); next.done !== true; next = await chunks.next()) {
        head.push(next.value)
        const first = next.value.find((byte) => !isWhitespace(byte))
        if (first !== undefined) {
          document = first === 0x7b || first === 0x5b
          break
        }
      }
    }
    if (document) {
      members.documents.set(path, await readRest(head, chunks))
      await replanAt(path)
      continue
    }
    if (isSkipped(path)) continue
    const expectedDigest = path.startsWith('/blobs/sha256/') ? digestOfMember(path) : undefined
    // Awaited before moving on: the tar reader hands out one member at a time.
    const result = await options
      .analyzeLayer(rejoin(head, chunks), {
        name: layerName(path, what),
        ...(expectedDigest !== undefined ? { expectedDigest } : {}),
        ...(file === undefined ? {} : { file: { ...file, offset: dataOffset, length: entry.size } })
      })
      .then(
        (analysis): LayerResult => ({ analysis }),
        (error: unknown): LayerResult => ({ error })
      )
    members.layers.set(path, result)
  }
  return members
}

/** How a layer member is named in errors; the analysis prefixes "layer ". */
function layerName(path: string, what: string): string {
  const digest = path.startsWith('/blobs/sha256/') ? digestOfMember(path) : undefined
  return digest !== undefined ? `${digest} in ${what}` : `${path.slice(1)} in ${what}`
}

/** Links followed from one member before giving up (a cycle, or a chain no writer makes). */
const MAX_LINK_HOPS = 16

/** Follows links on from `path`, `hops` of them followed already: where they end, after how many. */
function walk(
  links: Map<string, string>,
  path: string,
  hops: number
): { path: string; hops: number } {
  let current = path
  let count = hops
  for (; count < MAX_LINK_HOPS; count++) {
    const target = links.get(current)
    if (target === undefined) break
    current = target
  }
  return { path: current, hops: count }
}

/** Follows symlinks and hardlinks between members (skopeo and old docker save link layers). */
function follow(members: ArchiveMembers, path: string): string {
  return walk(members.links, path, 0).path
}

/**
 * The members the plan's layers lead to, their links followed as of the latest member, so a layer
 * link read before its target still counts; a duplicate member or a link back to a member already
 * skipped would not (no writer does that). When a link arrives where a layer's links end, that
 * layer walks on from there: a member costs one lookup, and the walking at most MAX_LAYERS ×
 * MAX_LINK_HOPS hops over the whole archive.
 */
class LayerTargets {
  /** By member path: the hops followed by each layer whose links end there, fewer than the most. */
  private readonly ends = new Map<string, number[]>()
  /** Members where a layer's links end after MAX_LINK_HOPS hops: a link arriving there is not followed. */
  private readonly exhausted = new Set<string>()

  constructor(
    layers: string[],
    private readonly links: Map<string, string>
  ) {
    for (const layer of layers) this.walkOn(layer, 0)
  }

  includes(path: string): boolean {
    return this.ends.has(path) || this.exhausted.has(path)
  }

  /** A link has arrived at `path`. */
  linked(path: string): void {
    const hops = this.ends.get(path)
    if (hops === undefined) return
    this.ends.delete(path)
    for (const count of hops) this.walkOn(path, count)
  }

  private walkOn(path: string, hops: number): void {
    const end = walk(this.links, path, hops)
    if (end.hops >= MAX_LINK_HOPS) {
      this.exhausted.add(end.path)
      return
    }
    const counts = this.ends.get(end.path)
    if (counts === undefined) this.ends.set(end.path, [end.hops])
    else counts.push(end.hops)
  }
}

function layerTargets(plan: LayerPlan, members: ArchiveMembers): LayerTargets | undefined {
  return 'layers' in plan ? new LayerTargets(plan.layers, members.links) : undefined
}

/** Drops the analyses of members that are not the image's layers, so their contents can be collected. */
function keepLayers(members: ArchiveMembers, paths: string[]): void {
  const kept = new Set(paths.map((path) => follow(members, path)))
  for (const path of members.layers.keys()) {
    if (!kept.has(path)) members.layers.delete(path)
  }
}

function memberPath(name: string): string {
  return posix.resolve('/', name)
}

/** The analysis of the layer member at `path`, analysing it now if the pass kept it as a document. */
async function layerAt(
  members: ArchiveMembers,
  path: string,
  what: string,
  options: AcquireOptions,
  missing: () => ImageError
): Promise<LayerAnalysis> {
  const resolved = follow(members, path)
  const result = members.layers.get(resolved)
  if (result !== undefined) {
    if ('error' in result) throw result.error
    return result.analysis
  }
  const bytes = members.documents.get(resolved)
  if (bytes === undefined) throw missing()
  const expectedDigest = resolved.startsWith('/blobs/sha256/')
    ? digestOfMember(resolved)
    : undefined
  return options.analyzeLayer(Readable.from([bytes], { objectMode: false }), {
    name: layerName(resolved, what),
    ...(expectedDigest !== undefined ? { expectedDigest } : {})
  })
}

/** One entry of a docker save manifest.json (Docker image spec v1.2, "combined image JSON + filesystem changeset"). */
interface DockerSaveEntry {
  Config: string
  RepoTags?: string[] | null
  Layers: string[]
}

/**
 * manifest.json of `docker save`. Its fields follow the rule of manifest.ts (DocumentFields):
 * `RepoTags` may be absent or null (untagged images), `Config` and `Layers` are needed.
 */
function parseDockerManifest(bytes: Buffer, what: string): DockerSaveEntry[] {
  let doc: unknown
  try {
    doc = JSON.parse(bytes.toString('utf8'))
  } catch {
    doc = undefined
  }
  if (!Array.isArray(doc) || doc.length === 0) {
    throw new ImageError(
      `${what} has a manifest.json that is not a docker save manifest (a JSON list of {Config, RepoTags, Layers}); the archive is corrupt.`,
      'BAD_MANIFEST'
    )
  }
  const f = new DocumentFields(`${what} manifest.json`, 'the docker save manifest', 'BAD_MANIFEST')
  return doc.map((item: unknown, i): DockerSaveEntry => {
    const entry = f.object(item, `[${i}]`)
    const repoTags = f.strings(entry.RepoTags, `[${i}].RepoTags`)
    return {
      Config: f.string(entry.Config, `[${i}].Config`),
      Layers: f
        .list(entry.Layers, `[${i}].Layers`, 'an array of strings', MAX_LAYERS)
        .map((layer, j) => f.string(layer, `[${i}].Layers[${j}]`)),
      ...(repoTags === undefined ? {} : { RepoTags: repoTags })
    }
  })
}

/** Compares tags as Docker does: `alpine` = `alpine:latest` = `docker.io/library/alpine:latest`. */
function canonicalTag(tag: string): string {
  try {
    return formatReference(parseReference(tag))
  } catch {
    return tag
  }
}

function chooseDockerEntry(
  entries: DockerSaveEntry[],
  ref: string | undefined,
  what: string
): DockerSaveEntry {
  const listed = entries
    .map((entry, i) => (entry.RepoTags?.length ? entry.RepoTags.join(', ') : `@${i} (untagged)`))
    .join('; ')
  const [first] = entries
  if (ref === undefined) {
    if (entries.length === 1 && first !== undefined) return first
    throw new ConfigurationError(
      `${what} holds ${entries.length} images (${listed}); choose one with ${what}:REF, where REF is a tag or @INDEX.`,
      'AMBIGUOUS_IMAGE'
    )
  }
  // skopeo's `docker-archive:PATH:@INDEX` picks by position.
  const position = /^@(\d+)$/.exec(ref)
  const wanted = canonicalTag(ref)
  const match =
    position !== null
      ? entries[Number(position[1])]
      : entries.find((entry) => entry.RepoTags?.some((tag) => canonicalTag(tag) === wanted))
  if (match === undefined) {
    throw new ConfigurationError(
      `${what} has no image tagged "${ref}"; it holds ${listed}. Write ${what}:REF with one of them.`,
      'REF_NOT_FOUND'
    )
  }
  return match
}

/**
 * Docker ≥25 writes the OCI manifest too (as a blob); it is the image's real manifest when its
 * config and layer blobs are the ones manifest.json lists.
 */
function findOciManifest(
  members: ArchiveMembers,
  entry: DockerSaveEntry,
  configDigest: string,
  what: string
): { manifest: ImageManifest; digest: string } | undefined {
  const layerDigests = entry.Layers.map((layer) =>
    digestOfMember(follow(members, memberPath(layer)))
  )
  for (const [path, bytes] of members.documents) {
    const digest = path.startsWith('/blobs/sha256/') ? digestOfMember(path) : undefined
    if (digest === undefined) continue
    let manifest: ImageManifest
    try {
      const parsed = parseManifest(bytes, path)
      if (parsed.kind !== 'manifest') continue
      manifest = parsed.manifest
    } catch {
      continue
    }
    if (
      manifest.config.digest === configDigest &&
      manifest.layers.length === layerDigests.length &&
      manifest.layers.every((layer, i) => layer.digest === layerDigests[i])
    ) {
      assertDigest(bytes, digest, `${what} manifest ${digest}`)
      return { manifest, digest }
    }
  }
  return undefined
}

/** The archive kinds by transport: the document each is read from, and how to name it. */
const ARCHIVE_KINDS = {
  'docker-archive': {
    name: 'a docker save archive',
    document: 'manifest.json',
    origin: 'It was written by docker save',
    code: 'NOT_A_DOCKER_ARCHIVE'
  },
  'oci-archive': {
    name: 'an OCI image layout',
    document: 'index.json',
    origin: 'It is an OCI image layout',
    code: 'NOT_AN_OCI_LAYOUT'
  }
} as const

/** The document `transport` reads the archive from; when it is missing, says how to read it. */
function archiveDocument(
  transport: keyof typeof ARCHIVE_KINDS,
  members: ArchiveMembers,
  what: string
): Buffer {
  const kind = ARCHIVE_KINDS[transport]
  const document = members.documents.get(`/${kind.document}`)
  if (document !== undefined) return document
  const otherTransport = transport === 'docker-archive' ? 'oci-archive' : 'docker-archive'
  const other = ARCHIVE_KINDS[otherTransport]
  const hint = members.documents.has(`/${other.document}`)
    ? ` ${other.origin}: read it as ${otherTransport}:${what.slice(what.indexOf(':') + 1)}.`
    : ''
  throw new ImageError(`${what} is not ${kind.name}: it has no ${kind.document}.${hint}`, kind.code)
}

/** The layers of the image manifest.json names, once it has been read. */
function planDockerSave(ref: string | undefined, what: string): PlanLayers {
  return async (members) => {
    const manifestBytes = members.documents.get('/manifest.json')
    if (manifestBytes === undefined) return { awaiting: '/manifest.json' }
    try {
      const entry = chooseDockerEntry(parseDockerManifest(manifestBytes, what), ref, what)
      return { layers: entry.Layers.map(memberPath) }
    } catch {
      return { unknown: true }
    }
  }
}

async function resolveDockerSave(
  members: ArchiveMembers,
  reference: string,
  ref: string | undefined,
  what: string,
  options: AcquireOptions
): Promise<AcquiredImage> {
  const manifestBytes = archiveDocument('docker-archive', members, what)
  const entry = chooseDockerEntry(parseDockerManifest(manifestBytes, what), ref, what)
  keepLayers(members, entry.Layers.map(memberPath))

  const configPath = follow(members, memberPath(entry.Config))
  const configBytes = members.documents.get(configPath)
  if (configBytes === undefined) {
    throw new ImageError(
      `${what} has no member ${entry.Config}, which manifest.json names as the image config; the archive is incomplete.`,
      'MISSING_BLOB'
    )
  }
  const namedDigest = digestOfMember(configPath)
  if (namedDigest !== undefined)
    assertDigest(configBytes, namedDigest, `${what} config ${entry.Config}`)
  const configDigest = namedDigest ?? sha256(configBytes)
  const config = parseConfig(configBytes, `${what} config ${entry.Config}`)
  checkConfigPlatform(config, configDigest, options.platform, what)

  const analyses: LayerAnalysis[] = []
  for (const [i, layer] of entry.Layers.entries()) {
    analyses.push(
      await layerAt(members, memberPath(layer), what, options, () => {
        return new ImageError(
          `${what} has no member ${layer}, which manifest.json lists as layer ${i + 1} of ${entry.Layers.length}; the archive is incomplete.`,
          'MISSING_BLOB'
        )
      })
    )
  }

  const oci = findOciManifest(members, entry, configDigest, what)
  const descriptors: Descriptor[] =
    oci?.manifest.layers ??
    analyses.map((analysis) => ({
      mediaType: DOCKER_LAYER_TYPES[analysis.compression],
      digest: analysis.digest,
      size: analysis.compressedSize
    }))
  // A classic docker save has no manifest: one is described from the config and layers, and the
  // image is identified by its config digest (the image ID), as `docker images` shows it.
  const manifest: ImageManifest = oci?.manifest ?? {
    schemaVersion: 2,
    mediaType: MEDIA_TYPES.dockerManifest,
    config: { mediaType: MEDIA_TYPES.dockerConfig, digest: configDigest, size: configBytes.length },
    layers: descriptors
  }
  return {
    reference,
    digest: oci?.digest ?? configDigest,
    platform: platformOf(config),
    manifest,
    config,
    configDigest,
    layers: descriptors.map((descriptor, i) => ({
      descriptor,
      analysis: analyses[i] as LayerAnalysis
    }))
  }
}

/** Chooses the image from index.json; `absent` is what a blob the archive lacks throws. */
function resolveOciImage(
  members: ArchiveMembers,
  indexBytes: Buffer,
  resolve: LayoutResolver,
  what: string,
  absent: (path: string, digest: string, role: string) => Error
): Promise<ResolvedImage> {
  const read: ReadDocument = async (digest, role) => {
    const path = follow(members, `/${blobPath(digest, `${what} ${role}`)}`)
    const bytes = members.documents.get(path)
    if (bytes !== undefined) return bytes
    if (members.layers.has(path)) {
      throw new ImageError(
        `${what} ${role} is not a JSON document; the archive is corrupt.`,
        'BAD_MANIFEST'
      )
    }
    throw absent(path, digest, role)
  }
  return resolve(indexBytes, read)
}

/**
 * Member paths of the image's layer blobs. A digest that is not sha256 has none; it is refused
 * when its turn comes in layer order, after the errors of the layers before it.
 */
function layerBlobPaths(image: ResolvedImage, what: string): string[] {
  return image.manifest.layers
    .filter(({ digest }) => isDigest(digest))
    .map(({ digest }) => `/${blobPath(digest, what)}`)
}

/** The layers of the image index.json leads to, once it and the documents it names have been read. */
function planOciArchive(
  ref: string | undefined,
  what: string,
  options: AcquireOptions
): PlanLayers {
  // One resolver for every plan of the pass: each document is parsed once.
  const resolve = layoutResolver(ref, options.platform, what)
  return async (members) => {
    const indexBytes = members.documents.get('/index.json')
    if (indexBytes === undefined) return { awaiting: '/index.json' }
    try {
      const image = await resolveOciImage(members, indexBytes, resolve, what, (path) => {
        return new NotReadYet(path)
      })
      return { layers: layerBlobPaths(image, what) }
    } catch (error) {
      return error instanceof NotReadYet ? { awaiting: error.path } : { unknown: true }
    }
  }
}

async function resolveOciArchive(
  members: ArchiveMembers,
  reference: string,
  ref: string | undefined,
  what: string,
  options: AcquireOptions
): Promise<AcquiredImage> {
  const indexBytes = archiveDocument('oci-archive', members, what)
  checkLayoutVersion(members.documents.get('/oci-layout'), what)
  const resolve = layoutResolver(ref, options.platform, what)
  const image = await resolveOciImage(members, indexBytes, resolve, what, (_, digest, role) =>
    missingBlob(what, digest, role)
  )
  keepLayers(members, layerBlobPaths(image, what))
  const layers = image.manifest.layers
  const analyses: LayerAnalysis[] = []
  for (const [i, layer] of layers.entries()) {
    const role = `layer ${i + 1} of ${layers.length}`
    const path = `/${blobPath(layer.digest, `${what} ${role}`)}`
    analyses.push(
      await layerAt(members, path, what, options, () => missingBlob(what, layer.digest, role))
    )
  }
  return acquiredLayoutImage(reference, image, analyses)
}

/** The archive file's chunks, and the file as opened (later checks of its members need it). */
async function openArchiveFile(
  transport: string,
  path: string
): Promise<{ chunks: AsyncIterable<Buffer>; identity: FileIdentity }> {
  let file: FileHandle
  try {
    file = await open(path, 'r')
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      throw new ImageError(`${transport} file ${path} does not exist; check the path.`, 'NOT_FOUND')
    }
    throw new ImageError(
      `${transport} file ${path} cannot be read (${code ?? (error as Error).message}); check its permissions.`,
      'UNREADABLE'
    )
  }
  const info = await file.stat()
  if (!info.isFile()) {
    await file.close()
    const fix =
      transport === 'oci-archive' ? ` read a layout directory as oci:${path}` : ' name the tar file'
    throw new ImageError(`${transport} file ${path} is not a regular file;${fix}.`, 'NOT_A_FILE')
  }
  const { dev, ino, size, mtimeMs } = info
  return { chunks: fileChunks(file, size), identity: { dev, ino, size, mtimeMs } }
}

/**
 * An archive file's bytes in chunks for readTar, which passes over the members nobody reads
 * (another platform's layers, layers the layer cache holds) by moving the read position: their
 * bytes are not read at all. `size` is the file's as opened: a skip never passes its end.
 */
function fileChunks(file: FileHandle, size: number): AsyncIterable<Buffer> {
  let position = 0
  let closed = false
  const close = async (): Promise<IteratorReturnResult<undefined>> => {
    if (!closed) {
      closed = true
      await file.close()
    }
    return { done: true, value: undefined }
  }
  const chunks: SkippingIterator & AsyncIterator<Buffer> = {
    next: async () => {
      if (closed) return { done: true, value: undefined }
      const buffer = Buffer.allocUnsafe(READ_CHUNK_BYTES)
      const { bytesRead } = await file.read(buffer, 0, buffer.length, position)
      if (bytesRead === 0) return close()
      position += bytesRead
      return { done: false, value: buffer.subarray(0, bytesRead) }
    },
    skip: async (bytes) => {
      if (closed) return 0
      const step = Math.max(0, Math.min(bytes, size - position))
      position += step
      return step
    },
    return: close
  }
  return { [Symbol.asyncIterator]: () => chunks }
}

/** What one kind of archive needs: which layers to read once its documents are in, and how to resolve it. */
interface ArchiveFormat {
  plan(ref: string | undefined, what: string, options: AcquireOptions): PlanLayers
  resolve(
    members: ArchiveMembers,
    reference: string,
    ref: string | undefined,
    what: string,
    options: AcquireOptions
  ): Promise<AcquiredImage>
}

const FORMATS: Record<'docker-archive' | 'oci-archive', ArchiveFormat> = {
  'docker-archive': { plan: (ref, what) => planDockerSave(ref, what), resolve: resolveDockerSave },
  'oci-archive': { plan: planOciArchive, resolve: resolveOciArchive }
}

function archiveFileSource(
  transport: 'docker-archive' | 'oci-archive',
  reference: string,
  path: string,
  ref?: string
): ImageSource {
  const format = FORMATS[transport]
  return {
    transport,
    reference,
    acquire: async (options) => {
      const what = `${transport}:${path}`
      const { chunks, identity } = await openArchiveFile(transport, path)
      const members = await readArchive(chunks, what, options, format.plan(ref, what, options), {
        path,
        identity
      })
      return format.resolve(members, reference, ref, what, options)
    }
  }
}

export function dockerArchiveSource(reference: string, path: string, ref?: string): ImageSource {
  return archiveFileSource('docker-archive', reference, path, ref)
}

export function ociArchiveSource(reference: string, path: string, ref?: string): ImageSource {
  return archiveFileSource('oci-archive', reference, path, ref)
}

function firstLine(bytes: Buffer): string {
  return (
    bytes
      .toString('utf8')
      .split('\n')
      .map((line) => line.trim())
      .find((line) => line !== '') ?? ''
  )
}

/** Streams `docker save REF` through the archive reader; docker's own failure wins over a read error. */
async function acquireFromDaemon(
  reference: string,
  ref: string,
  options: AcquireOptions
): Promise<AcquiredImage> {
  const what = `docker-daemon:${ref}`
  options.logger.debug(`Running docker save ${ref}`)
  // With `env` given, spawn looks `docker` up on env.PATH (child_process.spawn, options.env).
  const child = spawn('docker', ['save', ref], {
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    // The scan's deadline ends docker save too, not only our read of its output.
    ...(options.signal === undefined ? {} : { signal: options.signal })
  })
  const exited = new Promise<{ code: number | null } | { error: NodeJS.ErrnoException }>(
    (resolve) => {
      child.once('error', (error) => resolve({ error }))
      child.once('close', (code) => resolve({ code }))
    }
  )
  const stderr: Buffer[] = []
  let stderrBytes = 0
  child.stderr.on('data', (chunk: Buffer) => {
    if (stderrBytes < MAX_STDERR_BYTES) stderr.push(chunk)
    stderrBytes += chunk.length
  })
  let members: ArchiveMembers | undefined
  let readError: unknown
  try {
    members = await readArchive(child.stdout, what, options, planDockerSave(undefined, what))
  } catch (error) {
    readError = error
    child.kill()
  }
  const status = await exited
  if (options.signal?.aborted === true) throw options.signal.reason
  if ('error' in status) {
    if (status.error.code === 'ENOENT') {
      throw new ImageError(
        `docker-daemon: needs the docker CLI and a running engine; "docker" was not found on PATH. Install Docker, or read a saved image with docker-archive:PATH.`,
        'DOCKER_NOT_FOUND',
        { cause: status.error }
      )
    }
    throw new ImageError(
      `docker save ${ref} could not be started (${status.error.message}); check that the docker CLI on PATH can run.`,
      'DOCKER_SAVE_FAILED',
      { cause: status.error }
    )
  }
  // A kill after a read error ends docker with a signal (code null), not a failure of its own.
  if (status.code !== null && status.code !== 0) {
    const reason = firstLine(Buffer.concat(stderr)) || `exit status ${status.code}`
    throw new ImageError(
      `docker save ${ref} failed: ${reason.replace(/\.$/, '')}; check the image name with docker image ls and that the engine is running.`,
      'DOCKER_SAVE_FAILED'
    )
  }
  if (readError !== undefined || members === undefined) throw readError
  // `docker save REF` writes only REF, so there is nothing to choose among.
  return resolveDockerSave(members, reference, undefined, what, options)
}

export function dockerDaemonSource(reference: string, ref: string): ImageSource {
  return {
    transport: 'docker-daemon',
    reference,
    acquire: (options) => acquireFromDaemon(reference, ref, options)
  }
}
