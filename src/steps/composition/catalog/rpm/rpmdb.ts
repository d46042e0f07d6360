/** The installed-package database of RPM distributions, in whichever backend the image uses. */
import type { FileSystem } from '../../../../image/types.js'
import { bdbBlobs, isBdbHash } from './bdb.js'
import { parseRpmHeader, type RpmHeader } from './header.js'
import { isNdb, ndbBlobs } from './ndb.js'
import { SqliteFile } from './sqlite.js'

/**
 * Where rpm keeps its database: `/var/lib/rpm` (RHEL, Fedora before 36), `/usr/lib/sysimage/rpm`
 * (Fedora 36+, SUSE). In preference order: sqlite (rpm >= 4.16), NDB, BerkeleyDB.
 */
const RPMDB_FILES = [
  '/usr/lib/sysimage/rpm/rpmdb.sqlite',
  '/var/lib/rpm/rpmdb.sqlite',
  '/usr/lib/sysimage/rpm/Packages.db',
  '/var/lib/rpm/Packages.db',
  '/usr/lib/sysimage/rpm/Packages',
  '/var/lib/rpm/Packages'
]

export const RPMDB_GLOBS = RPMDB_FILES

export interface Rpmdb {
  path: string
  packages: RpmHeader[]
}

/** The first rpmdb found in the final filesystem (following symlinks), or undefined. */
/** Parsed once per filesystem: the owned-files list and the catalog both read it. */
const parsed = new WeakMap<FileSystem, Rpmdb | undefined>()

export function readRpmdb(fs: FileSystem): Rpmdb | undefined {
  if (!parsed.has(fs)) parsed.set(fs, parseRpmdb(fs))
  return parsed.get(fs)
}

function parseRpmdb(fs: FileSystem): Rpmdb | undefined {
  for (const path of RPMDB_FILES) {
    const node = fs.resolve(path)
    const bytes = node === undefined ? undefined : fs.read(node.path)
    if (node === undefined || bytes === undefined) continue
    try {
      return {
        path: node.path,
        packages: headerBlobs(bytes).flatMap((blob) => parseRpmHeader(blob) ?? [])
      }
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error)
      throw new Error(`${node.path} is not a readable rpm database: ${reason}`, { cause: error })
    }
  }
  return undefined
}

function headerBlobs(bytes: Buffer): Buffer[] {
  if (bytes.toString('latin1', 0, 15) === 'SQLite format 3') {
    return new SqliteFile(bytes)
      .rows('Packages')
      .flatMap((row) => (Buffer.isBuffer(row[1]) ? [row[1]] : []))
  }
  if (isNdb(bytes)) return ndbBlobs(bytes)
  if (isBdbHash(bytes)) return bdbBlobs(bytes)
  throw new Error('unknown format (expected sqlite, NDB or BerkeleyDB hash)')
}
