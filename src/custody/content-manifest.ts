/**
 * The content manifest: SHA-256 of every regular file of the final filesystem, computed while
 * the layers stream (a LayerSubscription hashes each file's chunks; nothing is buffered), then
 * kept only for the nodes that survive in the final filesystem.
 */
import { createHash, type Hash } from 'node:crypto'
import { ConfigurationError } from '../errors.js'
import type { EntrySink, LayerSubscription } from '../image/analysis.js'
import type { FileNode, FileSystem, TarEntry } from '../image/types.js'
import { CONTENT_MANIFEST_MEDIA_TYPE, type ContentEntry, type ContentManifest } from './model.js'
import { canonicalDigest, canonicalJson } from './canonical.js'

/** Path → `sha256:<hex>` of every regular file one layer (or one archive) holds. */
export type ContentHashes = Map<string, string>

const EMPTY_SHA256 = `sha256:${createHash('sha256').digest('hex')}`

/**
 * A sink that hashes an entry's chunks as they stream and records the digest at its end. The
 * hash object is made on the first chunk: an empty file costs none (images can hold hundreds of
 * thousands, and each hash object holds native memory the garbage collector does not see).
 */
export function hashingSink(path: string, hashes: ContentHashes): EntrySink {
  let hash: Hash | undefined
  return {
    write: (chunk) => {
      hash ??= createHash('sha256')
      hash.update(chunk)
    },
    // A later entry for the same path in the same layer wins, as in the filesystem index.
    end: () => hashes.set(path, hash === undefined ? EMPTY_SHA256 : `sha256:${hash.digest('hex')}`)
  }
}

export const contentHashesSubscription: LayerSubscription<ContentHashes> = {
  id: 'custody/content-hashes',
  version: 1,
  settings: '',
  createVisitor() {
    const hashes: ContentHashes = new Map()
    return {
      onEntry: (entry) => {
        // A hardlink shares its target's content (an earlier entry of the same layer), and the
        // filesystem index keeps it as a file of its own once the target is gone.
        if (entry.type === 'hardlink') {
          const shared = hashes.get(entry.linkTarget ?? '')
          if (shared !== undefined) hashes.set(entry.path, shared)
          return undefined
        }
        return entry.type === 'file' ? hashingSink(entry.path, hashes) : undefined
      },
      finish: () => hashes
    }
  }
}

function octal(mode: number): string {
  return (mode & 0o7777).toString(8).padStart(4, '0')
}

/**
 * Entries for `nodes` in path order. `hashOf` gives a regular file's digest; `lookup` finds a
 * hardlink's target, whose content the link shares.
 */
export function contentEntries(
  nodes: Iterable<TarEntry>,
  hashOf: (node: TarEntry) => string | undefined,
  lookup: (path: string) => TarEntry | undefined
): ContentEntry[] {
  const entries: ContentEntry[] = []
  for (const node of nodes) {
    if (node.path === '/') continue
    if (node.type === 'file' || node.type === 'hardlink') {
      const content =
        node.type === 'file' ? node : (lookup(node.linkTarget ?? '') ?? { ...node, size: 0 })
      const digest = content.type === 'file' ? hashOf(content) : undefined
      // Two names of one inode share mode and owner too, whatever a hardlink's tar header says.
      const shared = content.type === 'file' ? content : node
      const entry: ContentEntry = {
        path: node.path,
        mode: octal(shared.mode),
        uid: shared.uid,
        gid: shared.gid,
        type: 'file',
        size: content.type === 'file' ? content.size : 0
      }
      if (digest !== undefined) entry.sha256 = digest
      entries.push(entry)
      continue
    }
    // Built member by member: spreading a shared base per entry is most of the cost here.
    const entry: ContentEntry = {
      path: node.path,
      mode: octal(node.mode),
      uid: node.uid,
      gid: node.gid,
      type: node.type
    }
    if (node.type === 'symlink') entry.linkTarget = node.linkTarget ?? ''
    else if (node.type === 'char' || node.type === 'block') {
      entry.device = `${node.devMajor ?? 0},${node.devMinor ?? 0}`
    }
    entries.push(entry)
  }
  return entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
}

/**
 * canonicalJson of an entry this module built, written member by member in sorted key order:
 * the generic writer's key sorting is most of a large manifest's cost.
 */
export function entryJson(entry: ContentEntry): string {
  const text = JSON.stringify
  let out = '{'
  if (entry.device !== undefined) out += `"device":${text(entry.device)},`
  out += `"gid":${text(entry.gid)},`
  if (entry.linkTarget !== undefined) out += `"linkTarget":${text(entry.linkTarget)},`
  out += `"mode":${text(entry.mode)},"path":${text(entry.path)},`
  if (entry.sha256 !== undefined) out += `"sha256":${text(entry.sha256)},`
  if (entry.size !== undefined) out += `"size":${text(entry.size)},`
  return `${out}"type":${text(entry.type)},"uid":${text(entry.uid)}}`
}

export function contentManifest(
  source: ContentManifest['source'],
  entries: ContentEntry[]
): ContentManifest {
  return {
    schemaVersion: 1,
    mediaType: CONTENT_MANIFEST_MEDIA_TYPE,
    source,
    contentDigest: canonicalDigest(entries, entryJson),
    entries
  }
}

/** The manifest of a final filesystem, from the per-layer hashes (one map per layer, in order). */
export function imageContentManifest(
  source: ContentManifest['source'],
  fs: FileSystem,
  layerHashes: readonly unknown[]
): ContentManifest {
  const hashOf = (node: TarEntry): string | undefined => {
    // The nodes are the filesystem's own (entries, hardlink targets): each knows its layer.
    const layer = 'layer' in node ? (node as FileNode).layer : fs.get(node.path)?.layer
    const hashes = layer === undefined ? undefined : layerHashes[layer]
    return hashes instanceof Map ? (hashes as ContentHashes).get(node.path) : undefined
  }
  return contentManifest(
    source,
    contentEntries(fs.entries(), hashOf, (path) => fs.get(path))
  )
}

/** What a manifest needs of an image the engine read (a step's ImageView has these). */
export interface HashedImage {
  reference: string
  digest: string
  configDigest: string
  fs: FileSystem
  /** Per-layer results of `contentHashesSubscription`. */
  visits(key: typeof contentHashesSubscription): ReadonlyArray<ContentHashes | undefined>
}

/** The manifest of an image read with `contentHashesSubscription` (the step and `manifest` share it). */
export function manifestOfImage(image: HashedImage): ContentManifest {
  return imageContentManifest(
    { reference: image.reference, digest: image.digest, configDigest: image.configDigest },
    image.fs,
    image.visits(contentHashesSubscription)
  )
}

/** The file form: canonical JSON and a final newline. */
export function serializeContentManifest(manifest: ContentManifest): string {
  return `${canonicalJson(manifest)}\n`
}

const TYPES = new Set(['file', 'dir', 'symlink', 'char', 'block', 'fifo'])

function isEntry(value: unknown): value is ContentEntry {
  const entry = value as Partial<ContentEntry> | null
  return (
    typeof entry?.path === 'string' &&
    entry.path.startsWith('/') &&
    typeof entry.type === 'string' &&
    TYPES.has(entry.type) &&
    typeof entry.mode === 'string' &&
    /^[0-7]{4}$/.test(entry.mode) &&
    Number.isInteger(entry.uid) &&
    Number.isInteger(entry.gid)
  )
}

/**
 * Reads a manifest written by `manifest --output` or the custody step. The digest is recomputed:
 * a manifest edited after it was written is refused rather than trusted as a baseline.
 */
export function parseContentManifest(text: string, input: string): ContentManifest {
  let document: Partial<ContentManifest> | null
  try {
    document = JSON.parse(text) as Partial<ContentManifest> | null
  } catch {
    throw new ConfigurationError(
      `${input} is not JSON; give a content manifest written by "container-gate manifest IMAGE --output FILE".`,
      'BAD_CONTENT_MANIFEST'
    )
  }
  if (
    document?.mediaType !== CONTENT_MANIFEST_MEDIA_TYPE ||
    document.schemaVersion !== 1 ||
    !Array.isArray(document.entries) ||
    !document.entries.every(isEntry)
  ) {
    throw new ConfigurationError(
      `${input} is not a container-gate content manifest (mediaType ${CONTENT_MANIFEST_MEDIA_TYPE}); write one with "container-gate manifest IMAGE --output FILE".`,
      'BAD_CONTENT_MANIFEST'
    )
  }
  const digest = canonicalDigest(document.entries)
  if (digest !== document.contentDigest) {
    throw new ConfigurationError(
      `${input} says its contentDigest is ${String(document.contentDigest)} but its entries digest to ${digest}; it was changed after it was written, so write it again from the image.`,
      'CONTENT_MANIFEST_TAMPERED'
    )
  }
  return document as ContentManifest
}
