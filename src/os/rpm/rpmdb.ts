/** The installed-package database of RPM distributions, in whichever backend the image uses. */
import type { FileSystem } from '../../image/types.js'
import { BadRecords } from '../bad-records.js'
import { bdbBlobs, isBdbHash } from './bdb.js'
import { FileListBudget, parseRpmHeader, type RpmHeader } from './header.js'
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
  /** The headers that could be read; a damaged database keeps the packages it still lists. */
  packages: RpmHeader[]
  /** Header blobs, rows or pages that could not be read. */
  bad: BadRecords
  /** Why the database could not be read at all (no packages from it). */
  unreadable?: string
}

/**
 * The first rpmdb found in the final filesystem (following symlinks), or undefined. Parsed once
 * per filesystem: the owned-files list and the catalog both read it.
 */
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
    const bad = new BadRecords()
    const onBad = (where: string): void => bad.add(where)
    let blobs: Buffer[]
    try {
      blobs = headerBlobs(bytes, onBad)
    } catch (error) {
      // A hostile or damaged database is a finding of the catalog, never the step's crash.
      const reason = error instanceof Error ? error.message : String(error)
      return { path: node.path, packages: [], bad, unreadable: reason }
    }
    const packages: RpmHeader[] = []
    const budget = new FileListBudget()
    blobs.forEach((blob, i) => {
      try {
        packages.push(parseRpmHeader(blob, budget))
      } catch (error) {
        onBad(`header ${i + 1}: ${error instanceof Error ? error.message : String(error)}`)
      }
    })
    return { path: node.path, packages, bad }
  }
  return undefined
}

function headerBlobs(bytes: Buffer, onBad: (where: string) => void): Buffer[] {
  if (bytes.toString('latin1', 0, 15) === 'SQLite format 3') {
    return new SqliteFile(bytes).rows('Packages', onBad).flatMap((row, i) => {
      if (Buffer.isBuffer(row[1])) return [row[1]]
      onBad(`row ${i + 1} of table Packages holds no header blob`)
      return []
    })
  }
  if (isNdb(bytes)) return ndbBlobs(bytes, onBad)
  if (isBdbHash(bytes)) return bdbBlobs(bytes, onBad)
  throw new Error('it is not an sqlite, NDB or BerkeleyDB hash database')
}
