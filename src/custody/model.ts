/**
 * The content manifest of the final filesystem (custody step): every path with its type,
 * permissions, owner and the SHA-256 of its content. Canonical JSON (sorted keys, entries sorted
 * by path), so `contentDigest` identifies the content independently of compression and layering.
 */
import type { FileType } from '../image/types.js'

export const CONTENT_MANIFEST_MEDIA_TYPE = 'application/vnd.container-gate.content-manifest.v1+json'

/**
 * One path. Hardlinks are written as the file they share content with (`type: 'file'`), so the
 * same filesystem gives the same entry whether a tool stored a link or a copy.
 */
export interface ContentEntry {
  /** Absolute: `/etc/passwd`. */
  path: string
  type: Exclude<FileType, 'hardlink'>
  /** Permission bits as four octal digits: `0755`, `4755`. */
  mode: string
  uid: number
  gid: number
  /** Regular files: content length in bytes. */
  size?: number
  /** Regular files: `sha256:<hex>` of the content. */
  sha256?: string
  /** Symlinks: the target as written. */
  linkTarget?: string
  /** Character and block devices: `major,minor`. */
  device?: string
}

export interface ContentManifest {
  schemaVersion: 1
  mediaType: typeof CONTENT_MANIFEST_MEDIA_TYPE
  /** Where the entries came from: an image (reference and digests) or a filesystem archive. */
  source: {
    reference: string
    /** Image manifest digest, for images. */
    digest?: string
    configDigest?: string
  }
  /** `sha256:` of the canonical JSON of `entries`; equal content gives an equal digest. */
  contentDigest: string
  entries: ContentEntry[]
}
