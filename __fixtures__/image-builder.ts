/**
 * Builders for real image formats in tests: tar (ustar, PAX, GNU), gzip/zstd, OCI image layout,
 * oci-archive and the classic `docker save` archive. Everything is deterministic (fixed mtimes,
 * fixed creation dates) so digests are stable across runs.
 */
import { execFileSync } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import * as zlib from 'node:zlib'
import { sha256 } from '../src/image/digest.js'
import {
  MEDIA_TYPES,
  type Descriptor,
  type FileType,
  type HistoryEntry,
  type ImageConfig,
  type ImageIndex,
  type ImageManifest,
  type Platform
} from '../src/image/types.js'

/** mtime written into every header unless an entry says otherwise (2020-09-13T12:26:40Z). */
export const FIXTURE_MTIME = 1_600_000_000
/** `created` of every fixture config and history entry. */
export const FIXTURE_CREATED = '2024-01-01T00:00:00Z'

export interface FixtureEntry {
  /** As written into the header, e.g. `etc/passwd`, `./etc/`, `usr/bin/.wh.sudo`. */
  path: string
  /** Default: `dir` when `path` ends with `/`, else `file`. */
  type?: FileType
  content?: string | Buffer
  /** Permission bits; default 0o644 for files, 0o755 for directories, 0o777 for symlinks. */
  mode?: number
  uid?: number
  gid?: number
  linkTarget?: string
  /** Written as PAX `SCHILY.xattr.NAME` records (binary-safe). */
  xattrs?: Record<string, Buffer>
  /**
   * How a name or link target longer than the ustar fields is written: `pax` (default) as PAX
   * `path`/`linkpath`; `gnu` as GNU `L`/`K` headers, and then numbers too big for octal are
   * written in GNU base-256 like GNU tar does; `ustar` splits the path into prefix and name.
   */
  longNameStyle?: 'pax' | 'gnu' | 'ustar'
  devMajor?: number
  devMinor?: number
  mtime?: number
}

const BLOCK = 512
const TYPE_FLAGS: Record<FileType, string> = {
  file: '0',
  hardlink: '1',
  symlink: '2',
  char: '3',
  block: '4',
  dir: '5',
  fifo: '6'
}

function paxRecord(key: string, value: Buffer): Buffer {
  // "%d %s=%s\n" where the decimal length counts the whole record, itself included (POSIX pax).
  const rest = Buffer.byteLength(key) + value.length + 3
  let length = rest + String(rest).length
  if (String(length).length !== String(rest).length) length = rest + String(length).length
  return Buffer.concat([Buffer.from(`${length} ${key}=`), value, Buffer.from('\n')])
}

function padToBlock(data: Buffer): Buffer {
  const rest = data.length % BLOCK
  return rest === 0 ? data : Buffer.concat([data, Buffer.alloc(BLOCK - rest)])
}

interface HeaderFields {
  name: string
  mode: number
  uid: number
  gid: number
  size: number
  mtime: number
  typeflag: string
  linkname: string
  devMajor: number
  devMinor: number
  prefix: string
  gnu: boolean
}

/** Writes `value` as NUL-terminated octal, or GNU base-256 when allowed and needed; false if it does not fit. */
function writeNumber(
  header: Buffer,
  offset: number,
  width: number,
  value: number,
  gnu: boolean
): boolean {
  const octal = value.toString(8)
  if (octal.length <= width - 1) {
    header.write(octal.padStart(width - 1, '0'), offset, 'ascii')
    header[offset + width - 1] = 0
    return true
  }
  if (!gnu) return false
  // GNU base-256: first byte 0x80, then the value big-endian in the remaining bytes.
  let rest = BigInt(value)
  for (let i = offset + width - 1; i > offset; i--) {
    header[i] = Number(rest & 0xffn)
    rest >>= 8n
  }
  header[offset] = 0x80
  return true
}

function header(fields: HeaderFields): Buffer {
  const block = Buffer.alloc(BLOCK)
  block.write(fields.name, 0, 100, 'utf8')
  writeNumber(block, 100, 8, fields.mode, fields.gnu)
  writeNumber(block, 108, 8, fields.uid, fields.gnu)
  writeNumber(block, 116, 8, fields.gid, fields.gnu)
  writeNumber(block, 124, 12, fields.size, fields.gnu)
  writeNumber(block, 136, 12, fields.mtime, fields.gnu)
  block.write(fields.typeflag, 156, 1, 'ascii')
  block.write(fields.linkname, 157, 100, 'utf8')
  if (fields.gnu) {
    block.write('ustar  \0', 257, 8, 'ascii')
  } else {
    block.write('ustar\u000000', 257, 8, 'ascii')
  }
  block.write('root', 265, 32, 'ascii')
  block.write('root', 297, 32, 'ascii')
  writeNumber(block, 329, 8, fields.devMajor, fields.gnu)
  writeNumber(block, 337, 8, fields.devMinor, fields.gnu)
  block.write(fields.prefix, 345, 155, 'utf8')
  // Checksum: sum of all header bytes with the checksum field taken as spaces (POSIX ustar).
  block.fill(0x20, 148, 156)
  let sum = 0
  for (const byte of block) sum += byte
  block.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 8, 'ascii')
  return block
}

function splitUstar(name: string): { prefix: string; name: string } | undefined {
  if (Buffer.byteLength(name) <= 100) return { prefix: '', name }
  for (let i = name.indexOf('/'); i !== -1; i = name.indexOf('/', i + 1)) {
    const prefix = name.slice(0, i)
    const rest = name.slice(i + 1)
    if (Buffer.byteLength(prefix) <= 155 && Buffer.byteLength(rest) <= 100 && rest !== '') {
      return { prefix, name: rest }
    }
  }
  return undefined
}

const OCTAL_LIMIT = { 8: 0o7777777, 12: 0o77777777777 } as const

function entryBlocks(entry: FixtureEntry, index: number): Buffer[] {
  const type: FileType = entry.type ?? (entry.path.endsWith('/') ? 'dir' : 'file')
  const style = entry.longNameStyle ?? 'pax'
  const gnu = style === 'gnu'
  const content =
    type === 'file'
      ? typeof entry.content === 'string'
        ? Buffer.from(entry.content)
        : (entry.content ?? Buffer.alloc(0))
      : Buffer.alloc(0)
  let name = entry.path
  if (type === 'dir' && !name.endsWith('/')) name += '/'
  const linkname = entry.linkTarget ?? ''
  const fields: HeaderFields = {
    name,
    mode: entry.mode ?? (type === 'dir' ? 0o755 : type === 'symlink' ? 0o777 : 0o644),
    uid: entry.uid ?? 0,
    gid: entry.gid ?? 0,
    size: content.length,
    mtime: entry.mtime ?? FIXTURE_MTIME,
    typeflag: TYPE_FLAGS[type],
    linkname,
    devMajor: entry.devMajor ?? 0,
    devMinor: entry.devMinor ?? 0,
    prefix: '',
    gnu
  }
  const blocks: Buffer[] = []
  const pax: Buffer[] = []
  if (Buffer.byteLength(name) > 100) {
    const split = style === 'ustar' ? splitUstar(name) : undefined
    if (split !== undefined) {
      fields.name = split.name
      fields.prefix = split.prefix
    } else if (gnu) {
      blocks.push(...gnuLongHeader('L', name))
      fields.name = name.slice(0, 100)
    } else {
      pax.push(paxRecord('path', Buffer.from(name)))
      fields.name = name.slice(0, 100)
    }
  }
  if (Buffer.byteLength(linkname) > 100) {
    if (gnu) blocks.push(...gnuLongHeader('K', linkname))
    else pax.push(paxRecord('linkpath', Buffer.from(linkname)))
    fields.linkname = linkname.slice(0, 100)
  }
  if (!gnu) {
    for (const [key, width] of [
      ['uid', 8],
      ['gid', 8],
      ['size', 12],
      ['mtime', 12]
    ] as const) {
      if (fields[key] > OCTAL_LIMIT[width]) {
        pax.push(paxRecord(key, Buffer.from(String(fields[key]))))
        fields[key] = 0
      }
    }
  }
  for (const [key, value] of Object.entries(entry.xattrs ?? {})) {
    pax.push(paxRecord(`SCHILY.xattr.${key}`, value))
  }
  if (pax.length > 0) {
    const body = Buffer.concat(pax)
    blocks.push(
      header({
        ...fields,
        name: `PaxHeaders.${index}/${name.replace(/\/$/, '').split('/').pop() ?? ''}`.slice(0, 100),
        size: body.length,
        typeflag: 'x',
        linkname: '',
        prefix: '',
        uid: 0,
        gid: 0,
        mtime: fields.mtime > OCTAL_LIMIT[12] ? 0 : fields.mtime
      }),
      padToBlock(body)
    )
  }
  blocks.push(header(fields))
  if (content.length > 0) blocks.push(padToBlock(content))
  return blocks
}

function gnuLongHeader(typeflag: 'L' | 'K', value: string): Buffer[] {
  // GNU tar stores the long name as the data of a `././@LongLink` entry, NUL-terminated.
  const body = Buffer.concat([Buffer.from(value), Buffer.alloc(1)])
  return [
    header({
      name: '././@LongLink',
      mode: 0o644,
      uid: 0,
      gid: 0,
      size: body.length,
      mtime: 0,
      typeflag,
      linkname: '',
      devMajor: 0,
      devMinor: 0,
      prefix: '',
      gnu: true
    }),
    padToBlock(body)
  ]
}

/** A tar archive of `entries`, in order, ended by two zero blocks. */
export function tarFile(entries: FixtureEntry[]): Buffer {
  const blocks = entries.flatMap((entry, index) => entryBlocks(entry, index))
  blocks.push(Buffer.alloc(BLOCK * 2))
  return Buffer.concat(blocks)
}

export type Compression = 'gzip' | 'zstd' | 'none'

interface ZstdZlib {
  zstdCompressSync?: (data: Buffer) => Buffer
}

export function compress(tar: Buffer, kind: Compression): Buffer {
  switch (kind) {
    case 'none':
      return tar
    case 'gzip':
      return zlib.gzipSync(tar)
    case 'zstd': {
      const native = (zlib as unknown as ZstdZlib).zstdCompressSync
      if (native !== undefined) return native(tar)
      try {
        return execFileSync('zstd', ['-q', '-c', '-3'], { input: tar, maxBuffer: 1 << 30 })
      } catch (error) {
        // Node 20 without the zstd tool: a valid frame of stored blocks keeps the tests hermetic.
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
        return zstdStored(tar)
      }
    }
  }
}

/** A zstd frame (RFC 8878) of raw blocks: no compression, a 128 KiB window, no checksum. */
function zstdStored(data: Buffer): Buffer {
  const BLOCK = 128 * 1024
  // Magic number, a descriptor with no flags set, and window descriptor 2^17 = 128 KiB.
  const parts: Buffer[] = [Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x38])]
  let at = 0
  do {
    const size = Math.min(BLOCK, data.length - at)
    const last = at + size >= data.length ? 1 : 0
    const header = Buffer.alloc(3)
    header.writeUIntLE((size << 3) | last, 0, 3)
    parts.push(header, data.subarray(at, at + size))
    at += size
  } while (at < data.length)
  return Buffer.concat(parts)
}

const LAYER_MEDIA_TYPES: Record<Compression, string> = {
  gzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  zstd: 'application/vnd.oci.image.layer.v1.tar+zstd',
  none: 'application/vnd.oci.image.layer.v1.tar'
}

export interface LayerSpec {
  /** The layer's files; or `tar`, a tar made elsewhere (a real root filesystem, a generated one). */
  entries?: FixtureEntry[]
  tar?: Buffer
  /** Default gzip. */
  compression?: Compression
  createdBy?: string
}

export interface ImageSpec {
  layers: LayerSpec[]
  config?: Partial<NonNullable<ImageConfig['config']>>
  /** Default linux/amd64. */
  platform?: Platform
  /** Replaces the history generated from the layers' `createdBy` (use for `empty_layer` entries). */
  history?: HistoryEntry[]
  annotations?: Record<string, string>
}

export interface BuiltLayer {
  /** The uncompressed tar. */
  tar: Buffer
  /** The blob as stored (compressed). */
  blob: Buffer
  digest: string
  diffId: string
  mediaType: string
  compression: Compression
  descriptor: Descriptor
}

export interface BuiltImage {
  platform: Platform
  config: ImageConfig
  configBytes: Buffer
  configDigest: string
  manifest: ImageManifest
  manifestBytes: Buffer
  manifestDigest: string
  /** The manifest's descriptor (with platform), as an index would list it. */
  descriptor: Descriptor
  layers: BuiltLayer[]
  /** Every blob by digest: config, layers and manifest. */
  blobs: Map<string, Buffer>
}

function json(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value))
}

export function buildImage(spec: ImageSpec): BuiltImage {
  const platform = spec.platform ?? { os: 'linux', architecture: 'amd64' }
  const layers = spec.layers.map((layer): BuiltLayer => {
    const compression = layer.compression ?? 'gzip'
    const tar = layer.tar ?? tarFile(layer.entries ?? [])
    const blob = compress(tar, compression)
    const digest = sha256(blob)
    const mediaType = LAYER_MEDIA_TYPES[compression]
    return {
      tar,
      blob,
      digest,
      diffId: sha256(tar),
      mediaType,
      compression,
      descriptor: { mediaType, digest, size: blob.length }
    }
  })
  const config: ImageConfig = {
    architecture: platform.architecture,
    os: platform.os,
    ...(platform.variant !== undefined ? { variant: platform.variant } : {}),
    created: FIXTURE_CREATED,
    config: spec.config ?? {},
    rootfs: { type: 'layers', diff_ids: layers.map((layer) => layer.diffId) },
    history:
      spec.history ??
      spec.layers.map((layer) => ({
        created: FIXTURE_CREATED,
        created_by: layer.createdBy ?? 'ADD fixture /'
      }))
  }
  const configBytes = json(config)
  const configDigest = sha256(configBytes)
  const manifest: ImageManifest = {
    schemaVersion: 2,
    mediaType: MEDIA_TYPES.ociManifest,
    config: { mediaType: MEDIA_TYPES.ociConfig, digest: configDigest, size: configBytes.length },
    layers: layers.map((layer) => layer.descriptor),
    ...(spec.annotations !== undefined ? { annotations: spec.annotations } : {})
  }
  const manifestBytes = json(manifest)
  const manifestDigest = sha256(manifestBytes)
  const blobs = new Map<string, Buffer>([[configDigest, configBytes]])
  for (const layer of layers) blobs.set(layer.digest, layer.blob)
  blobs.set(manifestDigest, manifestBytes)
  return {
    platform,
    config,
    configBytes,
    configDigest,
    manifest,
    manifestBytes,
    manifestDigest,
    descriptor: {
      mediaType: MEDIA_TYPES.ociManifest,
      digest: manifestDigest,
      size: manifestBytes.length,
      platform
    },
    layers,
    blobs
  }
}

export interface OciLayoutImage {
  image: BuiltImage
  /** Written as the `org.opencontainers.image.ref.name` annotation. */
  ref?: string
}

export interface OciLayoutOptions {
  /**
   * Put all images into one nested image index (a multi-platform image), listed in index.json
   * under `ref`. Without it, index.json lists each image manifest directly.
   */
  index?: { ref?: string }
}

export interface OciLayout {
  /** Relative path → content: `oci-layout`, `index.json`, `blobs/sha256/<hex>`. */
  files: Map<string, Buffer>
  /** Digest of the nested image index, when one was written. */
  indexDigest?: string
}

const REF_NAME = 'org.opencontainers.image.ref.name'

function withRef(descriptor: Descriptor, ref: string | undefined): Descriptor {
  return ref === undefined ? descriptor : { ...descriptor, annotations: { [REF_NAME]: ref } }
}

/** The files of an OCI image layout (OCI image-spec image-layout.md), in memory. */
export function ociLayout(images: OciLayoutImage[], options: OciLayoutOptions = {}): OciLayout {
  const blobs = new Map<string, Buffer>()
  for (const { image } of images)
    for (const [digest, bytes] of image.blobs) blobs.set(digest, bytes)
  const listed = images.map(({ image, ref }) => withRef(image.descriptor, ref))
  let top: Descriptor[] = listed
  let indexDigest: string | undefined
  if (options.index !== undefined) {
    const nested: ImageIndex = {
      schemaVersion: 2,
      mediaType: MEDIA_TYPES.ociIndex,
      manifests: listed
    }
    const bytes = json(nested)
    indexDigest = sha256(bytes)
    blobs.set(indexDigest, bytes)
    top = [
      withRef(
        { mediaType: MEDIA_TYPES.ociIndex, digest: indexDigest, size: bytes.length },
        options.index.ref
      )
    ]
  }
  const files = new Map<string, Buffer>([
    ['oci-layout', json({ imageLayoutVersion: '1.0.0' })],
    ['index.json', json({ schemaVersion: 2, mediaType: MEDIA_TYPES.ociIndex, manifests: top })]
  ])
  for (const [digest, bytes] of [...blobs].sort(([a], [b]) => a.localeCompare(b))) {
    files.set(`blobs/sha256/${digest.slice('sha256:'.length)}`, bytes)
  }
  return { files, ...(indexDigest !== undefined ? { indexDigest } : {}) }
}

function writeFiles(dir: string, files: Map<string, Buffer>): void {
  for (const [path, bytes] of files) {
    const target = join(dir, path)
    mkdirSync(dirname(target), { recursive: true })
    writeFileSync(target, bytes)
  }
}

function filesToTar(files: Map<string, Buffer>): Buffer {
  const dirs = new Set<string>()
  for (const path of files.keys()) {
    const parts = path.split('/')
    for (let i = 1; i < parts.length; i++) dirs.add(parts.slice(0, i).join('/') + '/')
  }
  return tarFile([
    ...[...dirs].sort().map((path): FixtureEntry => ({ path, type: 'dir' })),
    ...[...files].map(([path, content]): FixtureEntry => ({ path, content }))
  ])
}

/** Writes an OCI image layout directory (what `buildx --output type=oci,tar=false` writes). */
export function writeOciLayout(
  dir: string,
  images: OciLayoutImage[],
  options: OciLayoutOptions = {}
): OciLayout {
  const layout = ociLayout(images, options)
  writeFiles(dir, layout.files)
  return layout
}

export interface OciArchiveOptions extends OciLayoutOptions {
  /**
   * Where the documents (oci-layout, index.json, index/manifest/config blobs) go relative to the
   * layer blobs: `first`, or `last` with index.json and oci-layout at the very end (buildx and
   * skopeo write members by name, so after every blob). Default: oci-layout and index.json first,
   * then every blob by digest.
   */
  documents?: 'first' | 'last'
}

/** An OCI image layout in a tar (oci-archive). */
export function ociArchive(images: OciLayoutImage[], options: OciArchiveOptions = {}): Buffer {
  const files = [...ociLayout(images, options).files]
  if (options.documents === undefined) return filesToTar(new Map(files))
  const layerPaths = new Set(
    images.flatMap(({ image }) =>
      image.layers.map((layer) => `blobs/sha256/${layer.digest.slice('sha256:'.length)}`)
    )
  )
  const documents = files.filter(([path]) => !layerPaths.has(path))
  const layers = files.filter(([path]) => layerPaths.has(path))
  return filesToTar(
    new Map(
      options.documents === 'first'
        ? [...documents, ...layers]
        : [...layers, ...documents.reverse()]
    )
  )
}

export function writeOciArchive(
  file: string,
  images: OciLayoutImage[],
  options: OciArchiveOptions = {}
): Buffer {
  const bytes = ociArchive(images, options)
  mkdirSync(dirname(file), { recursive: true })
  writeFileSync(file, bytes)
  return bytes
}

/**
 * The classic `docker save` format (Docker image spec v1.2 "combined image JSON + filesystem
 * changeset format"): manifest.json, `<config-hex>.json`, `<id>/layer.tar` uncompressed,
 * `<id>/VERSION`, `<id>/json` and `repositories`. Suitable for a stand-in `docker` script to cat.
 */
export function dockerArchive(
  image: BuiltImage,
  repoTags: string[],
  options: { manifestFirst?: boolean } = {}
): Buffer {
  const configHex = image.configDigest.slice('sha256:'.length)
  const files = new Map<string, Buffer>()
  // docker save writes manifest.json after the layers; a Map keeps the first insertion's place.
  if (options.manifestFirst === true) files.set('manifest.json', Buffer.alloc(0))
  const layerPaths: string[] = []
  let parent = ''
  for (const layer of image.layers) {
    // A v1 layer id, derived like Docker does from the chain (parent id + diffId).
    const id = sha256(`${parent}\n${layer.diffId}`).slice('sha256:'.length)
    files.set(`${id}/VERSION`, Buffer.from('1.0'))
    files.set(
      `${id}/json`,
      json({ id, ...(parent !== '' ? { parent } : {}), created: FIXTURE_CREATED })
    )
    files.set(`${id}/layer.tar`, layer.tar)
    layerPaths.push(`${id}/layer.tar`)
    parent = id
  }
  files.set(`${configHex}.json`, image.configBytes)
  files.set(
    'manifest.json',
    json([{ Config: `${configHex}.json`, RepoTags: repoTags, Layers: layerPaths }])
  )
  const repositories: Record<string, Record<string, string>> = {}
  for (const repoTag of repoTags) {
    const colon = repoTag.lastIndexOf(':')
    const [repo, tag] =
      colon > repoTag.lastIndexOf('/')
        ? [repoTag.slice(0, colon), repoTag.slice(colon + 1)]
        : [repoTag, 'latest']
    repositories[repo] = { ...repositories[repo], [tag]: parent }
  }
  files.set('repositories', json(repositories))
  return filesToTar(files)
}

export function writeDockerArchive(
  file: string,
  image: BuiltImage,
  repoTags: string[],
  options: { manifestFirst?: boolean } = {}
): Buffer {
  const bytes = dockerArchive(image, repoTags, options)
  mkdirSync(dirname(file), { recursive: true })
  writeFileSync(file, bytes)
  return bytes
}
