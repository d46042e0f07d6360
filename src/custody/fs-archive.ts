/**
 * A filesystem archive (`docker export` of a container, or any tar of a root filesystem) read as
 * one layer: every entry's header, and the SHA-256 of every file while it streams.
 */
import { createReadStream } from 'node:fs'
import { access } from 'node:fs/promises'
import { ConfigurationError } from '../errors.js'
import { readTar } from '../image/layer/tar.js'
import type { TarEntry } from '../image/types.js'
import type { ContentManifest } from './model.js'
import {
  contentEntries,
  contentManifest,
  hashingSink,
  type ContentHashes
} from './content-manifest.js'

export const FS_ARCHIVE_PREFIX = 'fs-archive:'

export async function filesystemArchiveManifest(path: string): Promise<ContentManifest> {
  try {
    await access(path)
  } catch {
    throw new ConfigurationError(
      `filesystem archive "${path}" cannot be read; give a tar written by "docker export CONTAINER -o FILE".`,
      'FS_ARCHIVE_NOT_FOUND'
    )
  }
  const nodes = new Map<string, TarEntry>()
  const hashes: ContentHashes = new Map()
  for await (const { entry, content } of readTar(
    createReadStream(path),
    `filesystem archive ${path}`
  )) {
    nodes.set(entry.path, entry)
    if (entry.type !== 'file') continue
    const sink = hashingSink(entry.path, hashes)
    for await (const chunk of content as AsyncIterable<Buffer>) sink.write(chunk)
    sink.end()
  }
  const entries = contentEntries(
    nodes.values(),
    (node) => hashes.get(node.path),
    (target) => nodes.get(target)
  )
  return contentManifest({ reference: `${FS_ARCHIVE_PREFIX}${path}` }, entries)
}
