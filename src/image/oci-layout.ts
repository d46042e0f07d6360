/**
 * `oci:DIR[:REF]`: an OCI image layout directory (OCI image-spec image-layout.md), as buildx
 * `--output type=oci,tar=false` and `skopeo copy … oci:DIR:REF` write it. The choice of an
 * image from index.json is shared with oci-archive and Docker ≥25 `docker save` archives.
 */
import { createReadStream, type ReadStream } from 'node:fs'
import { readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { ConfigurationError, ImageError } from '../errors.js'
import { READ_CHUNK_BYTES } from '../files.js'
import type { LayerAnalysis } from './analysis.js'
import { assertDigest, isDigest } from './digest.js'
import { mapInOrder, LAYER_CONCURRENCY } from './in-order.js'
import {
  checkConfigPlatform,
  formatPlatform,
  parseConfig,
  parseManifest,
  platformOf,
  selectPlatform,
  type ParsedManifest
} from './manifest.js'
import type { FileRange } from './layer/verify-range.js'
import type { AcquiredImage, AcquireOptions, ImageSource } from './source.js'
import type { Descriptor, ImageConfig, ImageIndex, ImageManifest, Platform } from './types.js'

/** OCI image-spec annotations.md: the name of an image inside a layout. */
export const REF_NAME_ANNOTATION = 'org.opencontainers.image.ref.name'

/** Manifests, indexes and configs larger than this are refused rather than read into memory. */
export const MAX_DOCUMENT_BYTES = 16 * 1024 * 1024

/** Nested indexes followed before giving up (a cycle, or an index of indexes of indexes). */
const MAX_INDEX_DEPTH = 4

/** `blobs/sha256/<hex>` (image-layout.md "Blobs"); refuses digests that are not sha256 hex. */
export function blobPath(digest: string, what: string): string {
  if (!isDigest(digest)) {
    throw new ImageError(
      `${what} refers to the unsupported digest "${digest}"; only sha256 is supported.`,
      'UNSUPPORTED_DIGEST'
    )
  }
  return `blobs/sha256/${digest.slice('sha256:'.length)}`
}

/** The `oci-layout` file must declare imageLayoutVersion 1.x (image-layout.md "oci-layout file"). */
export function checkLayoutVersion(bytes: Buffer | undefined, what: string): void {
  let version: unknown
  try {
    version =
      bytes === undefined ? undefined : JSON.parse(bytes.toString('utf8')).imageLayoutVersion
  } catch {
    version = undefined
  }
  if (typeof version !== 'string' || !version.startsWith('1.')) {
    throw new ImageError(
      `${what} is not an OCI image layout: its oci-layout file is missing or does not declare imageLayoutVersion 1.x.`,
      'NOT_AN_OCI_LAYOUT'
    )
  }
}

/** Reads a small blob (manifest, index or config) by digest; `role` says what it is for errors. */
export type ReadDocument = (digest: string, role: string) => Promise<Buffer>

export interface ResolvedImage {
  manifest: ImageManifest
  digest: string
  indexDigest?: string
  platform: Platform
  config: ImageConfig
  configDigest: string
}

function describe(descriptor: Descriptor): string {
  const name = descriptor.annotations?.[REF_NAME_ANNOTATION]
  if (name !== undefined) return `"${name}"`
  const platform = descriptor.platform ? ` (${formatPlatform(descriptor.platform)})` : ''
  return `${descriptor.digest}${platform}`
}

/**
 * Chooses from index.json: by REF (a ref name, or a manifest digest), else the only image.
 * Several descriptors under one name, each for a different platform, are one multi-platform image.
 */
function chooseFromIndex(
  index: ImageIndex,
  ref: string | undefined,
  platform: Platform,
  what: string
): { descriptor: Descriptor; byPlatform: boolean } {
  const candidates =
    ref === undefined
      ? index.manifests
      : index.manifests.filter(
          (d) => d.annotations?.[REF_NAME_ANNOTATION] === ref || d.digest === ref
        )
  const offered = index.manifests.map(describe).join(', ')
  if (candidates.length === 0) {
    if (ref === undefined) {
      throw new ImageError(
        `${what} lists no images in its index.json; the layout is empty.`,
        'EMPTY_LAYOUT'
      )
    }
    throw new ConfigurationError(
      `${what} has no image named "${ref}"; it holds ${offered || 'no images'}. Write ${what}:NAME with one of them.`,
      'REF_NOT_FOUND'
    )
  }
  const [only] = candidates
  if (candidates.length === 1 && only !== undefined) return { descriptor: only, byPlatform: false }
  const names = new Set(candidates.map((d) => d.annotations?.[REF_NAME_ANNOTATION]))
  const platforms = new Set(candidates.map((d) => (d.platform ? formatPlatform(d.platform) : '')))
  if (names.size === 1 && !platforms.has('') && platforms.size === candidates.length) {
    const descriptor = selectPlatform({ schemaVersion: 2, manifests: candidates }, platform, what)
    return { descriptor, byPlatform: true }
  }
  throw new ConfigurationError(
    `${what} holds several images (${candidates.map(describe).join(', ')}); choose one with ${what}:REF.`,
    'AMBIGUOUS_IMAGE'
  )
}

/** The image index.json names: its descriptor, and whether it was chosen by platform. */
interface Choice {
  descriptor: Descriptor
  byPlatform: boolean
}

function chooseFromIndexJson(
  indexBytes: Buffer,
  ref: string | undefined,
  platform: Platform,
  what: string
): Choice {
  const top = parseManifest(indexBytes, `${what} index.json`)
  if (top.kind !== 'index') {
    throw new ImageError(
      `${what} index.json is not an image index; the layout is corrupt.`,
      'BAD_MANIFEST'
    )
  }
  return chooseFromIndex(top.index, ref, platform, what)
}

/** What was worked out from a document, kept with the bytes it was worked out from. */
type Kept<T> = WeakMap<Descriptor, { bytes: Buffer; result: T }>

/** `work` for the document `descriptor` leads to, done again only when its bytes are others. */
function keep<T>(kept: Kept<T>, descriptor: Descriptor, bytes: Buffer, work: () => T): T {
  const known = kept.get(descriptor)
  if (known?.bytes === bytes) return known.result
  const result = work()
  kept.set(descriptor, { bytes, result })
  return result
}

/** Resolves the layout whose index.json is `indexBytes`, reading blobs with `read`. */
export type LayoutResolver = (indexBytes: Buffer, read: ReadDocument) => Promise<ResolvedImage>

/**
 * Follows index.json to one image manifest and its config, verifying every document against its
 * descriptor's digest (descriptor.md "Digests"). An archive's reader resolves again each time a
 * member it waits for arrives, so what each document yields is kept by its bytes (the same member
 * read again is the same Buffer): a document is parsed and hashed once however often the layout
 * is resolved, and index.json may be 16 MiB.
 */
export function layoutResolver(
  ref: string | undefined,
  platform: Platform,
  what: string
): LayoutResolver {
  let chosen: { bytes: Buffer; choice: Choice } | undefined
  const manifests: Kept<ParsedManifest> = new WeakMap()
  const configs: Kept<ImageConfig> = new WeakMap()
  const selections = new WeakMap<ImageIndex, Descriptor>()
  return async (indexBytes, read) => {
    if (chosen?.bytes !== indexBytes) {
      chosen = {
        bytes: indexBytes,
        choice: chooseFromIndexJson(indexBytes, ref, platform, what)
      }
    }
    let { descriptor, byPlatform } = chosen.choice
    let indexDigest: string | undefined
    for (let depth = 0; ; depth++) {
      const role = `manifest ${descriptor.digest}`
      const bytes = await read(descriptor.digest, role)
      const current = descriptor
      const parsed = keep(manifests, current, bytes, () => {
        assertDigest(bytes, current.digest, `${what} ${role}`)
        return parseManifest(bytes, `${what} ${role}`, current.mediaType)
      })
      if (parsed.kind === 'manifest') {
        const configDescriptor = parsed.manifest.config
        const configRole = `config ${configDescriptor.digest}`
        const configBytes = await read(configDescriptor.digest, configRole)
        const config = keep(configs, configDescriptor, configBytes, () => {
          assertDigest(configBytes, configDescriptor.digest, `${what} ${configRole}`)
          return parseConfig(configBytes, `${what} ${configRole}`)
        })
        if (!byPlatform) checkConfigPlatform(config, configDescriptor.digest, platform, what)
        return {
          manifest: parsed.manifest,
          digest: descriptor.digest,
          ...(indexDigest !== undefined ? { indexDigest } : {}),
          platform: platformOf(config),
          config,
          configDigest: configDescriptor.digest
        }
      }
      if (depth + 1 >= MAX_INDEX_DEPTH) {
        throw new ImageError(
          `${what} nests image indexes more than ${MAX_INDEX_DEPTH} deep; the layout is corrupt.`,
          'BAD_MANIFEST'
        )
      }
      let selected = selections.get(parsed.index)
      if (selected === undefined) {
        selected = selectPlatform(
          parsed.index,
          platform,
          `${what} image index ${descriptor.digest}`
        )
        selections.set(parsed.index, selected)
      }
      indexDigest = descriptor.digest
      descriptor = selected
      byPlatform = true
    }
  }
}

async function fileSize(path: string): Promise<number | undefined> {
  try {
    const info = await stat(path)
    return info.isFile() ? info.size : undefined
  } catch {
    return undefined
  }
}

export function missingBlob(what: string, digest: string, role: string): ImageError {
  return new ImageError(
    `${what} is missing blob ${digest} (${role}); the layout is incomplete, write it again.`,
    'MISSING_BLOB'
  )
}

async function acquireLayout(
  reference: string,
  dir: string,
  ref: string | undefined,
  options: AcquireOptions
): Promise<AcquiredImage> {
  const what = `oci:${dir}`
  const dirInfo = await stat(dir).catch(() => undefined)
  if (dirInfo === undefined) {
    throw new ImageError(`oci directory ${dir} does not exist; check the path.`, 'NOT_FOUND')
  }
  if (!dirInfo.isDirectory()) {
    throw new ImageError(
      `oci directory ${dir} is a file, not a directory; read a tar of a layout as oci-archive:${dir}.`,
      'NOT_A_DIRECTORY'
    )
  }
  checkLayoutVersion(await readFile(join(dir, 'oci-layout')).catch(() => undefined), what)
  const indexBytes = await readFile(join(dir, 'index.json')).catch(() => undefined)
  if (indexBytes === undefined) {
    throw new ImageError(
      `${what} has no index.json; the layout is incomplete.`,
      'NOT_AN_OCI_LAYOUT'
    )
  }

  const read: ReadDocument = async (digest, role) => {
    const path = join(dir, blobPath(digest, `${what} ${role}`))
    const size = await fileSize(path)
    if (size === undefined) throw missingBlob(what, digest, role)
    if (size > MAX_DOCUMENT_BYTES) {
      throw new ImageError(
        `${what} ${role} is ${size} bytes, more than a manifest or config may be (${MAX_DOCUMENT_BYTES}); the layout is corrupt.`,
        'BAD_MANIFEST'
      )
    }
    return readFile(path)
  }
  const image = await layoutResolver(ref, options.platform, what)(indexBytes, read)

  // Every blob is checked before any is read, so a missing one fails fast.
  const layers = image.manifest.layers
  const files: Array<Omit<FileRange, 'offset'>> = []
  for (const [i, layer] of layers.entries()) {
    const role = `layer ${i + 1} of ${layers.length}`
    const path = join(dir, blobPath(layer.digest, `${what} ${role}`))
    const info = await stat(path).catch(() => undefined)
    if (info?.isFile() !== true) throw missingBlob(what, layer.digest, role)
    const { dev, ino, size, mtimeMs } = info
    files.push({ path, length: size, identity: { dev, ino, size, mtimeMs } })
  }
  const open = new Set<ReadStream>()
  let analyses: LayerAnalysis[]
  try {
    analyses = await mapInOrder(layers, LAYER_CONCURRENCY, async (layer, i) => {
      const file = files[i]!
      const blob = createReadStream(file.path, { highWaterMark: READ_CHUNK_BYTES })
      open.add(blob)
      try {
        return await options.analyzeLayer(blob, {
          name: layer.digest,
          expectedDigest: layer.digest,
          file: { ...file, offset: 0 }
        })
      } finally {
        open.delete(blob)
      }
    })
  } finally {
    // A failed layer stops the pass; the other one in flight is not read to its end.
    for (const blob of open) blob.destroy()
  }
  return acquiredLayoutImage(reference, image, analyses)
}

/** The image a layout (directory or archive) yields: `analyses` are of its layers, in order. */
export function acquiredLayoutImage(
  reference: string,
  image: ResolvedImage,
  analyses: LayerAnalysis[]
): AcquiredImage {
  return {
    reference,
    digest: image.digest,
    ...(image.indexDigest !== undefined ? { indexDigest: image.indexDigest } : {}),
    platform: image.platform,
    manifest: image.manifest,
    config: image.config,
    configDigest: image.configDigest,
    layers: image.manifest.layers.map((descriptor, i) => ({
      descriptor,
      analysis: analyses[i] as LayerAnalysis
    }))
  }
}

export function ociLayoutSource(reference: string, dir: string, ref?: string): ImageSource {
  return {
    transport: 'oci',
    reference,
    acquire: (options) => acquireLayout(reference, dir, ref, options)
  }
}
