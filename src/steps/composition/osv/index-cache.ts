/**
 * The advisory index, built once per data version: kept in memory for the rest of the process
 * and, for zips, in an index file next to the OSV cache that later runs read instead of unzipping
 * and parsing every record again. A damaged or unreadable index file costs a rebuild and a
 * warning, never the scan.
 */
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises'
import { dirname } from 'node:path'
import type { Logger } from '../../../log.js'
import { AdvisoryIndexBuilder, combineIndexes, type AdvisoryIndex } from './index.js'
import { decodeIndex, encodeIndex, IndexFileError } from './index-file.js'
import type { DataPart, VulnerabilityData } from './load.js'

async function readIndexFile(
  part: DataPart,
  file: string,
  logger: Logger
): Promise<AdvisoryIndex | undefined> {
  let bytes: Buffer
  try {
    bytes = await readFile(file)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code !== 'ENOENT' && code !== 'ENOTDIR') {
      logger.warning(
        `could not read the vulnerability index ${file} (${(error as Error).message}); building it again.`
      )
    }
    return undefined
  }
  try {
    const index = decodeIndex(bytes, part.version)
    if (index === undefined) logger.debug(`${file} was built from older data; building it again.`)
    return index
  } catch (error) {
    if (!(error instanceof IndexFileError)) throw error
    logger.warning(
      `the vulnerability index ${file} is damaged (${error.message}); building it again.`
    )
    return undefined
  }
}

/** Written under a temporary name and renamed, so a reader never sees half a file. */
async function writeIndexFile(file: string, bytes: Buffer, logger: Logger): Promise<void> {
  const partial = `${file}.${process.pid}.partial`
  try {
    await mkdir(dirname(file), { recursive: true })
    await writeFile(partial, bytes)
    await rename(partial, file)
  } catch (error) {
    logger.warning(
      `could not save the vulnerability index to ${file} (${(error as Error).message}); the next scan builds it again.`
    )
  } finally {
    await rm(partial, { force: true }).catch(() => undefined)
  }
}

async function partIndex(part: DataPart, logger: Logger): Promise<AdvisoryIndex> {
  const file = part.indexFile
  const stored = file === undefined ? undefined : await readIndexFile(part, file, logger)
  if (stored !== undefined) return stored
  const builder = new AdvisoryIndexBuilder()
  await part.forEachRecord((record) => builder.add(record))
  if (file !== undefined) {
    await writeIndexFile(file, encodeIndex(builder.contents(), part.version), logger)
  }
  return builder.build()
}

export type AdvisoryIndexCache = (data: VulnerabilityData, logger: Logger) => Promise<AdvisoryIndex>

/**
 * The index of all the data: each part from memory, from its index file, or built. The memory
 * is the cache's own, so a process scanning several images builds each index once.
 */
export function createAdvisoryIndexCache(): AdvisoryIndexCache {
  const indexes = new Map<string, AdvisoryIndex>()
  return async (data, logger) => {
    const parts: AdvisoryIndex[] = []
    for (const part of data.parts) {
      let index = indexes.get(part.version)
      if (index === undefined) {
        index = await partIndex(part, logger)
        indexes.set(part.version, index)
      }
      parts.push(index)
    }
    return combineIndexes(parts)
  }
}
