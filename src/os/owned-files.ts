/**
 * Which files of the final filesystem belong to an OS package, from the package managers' own
 * databases. Steps use it to tell "shipped by the distribution" from "added by the image's
 * build" (e.g. a language package installed by apt is reported once, as the OS package).
 *
 * - dpkg: `/var/lib/dpkg/info/<pkg>[:<arch>].list`, one absolute path per line (dpkg(1),
 *   "FILES"). Distroless images have no `.list` files; `status.d/<pkg>.md5sums` (written by
 *   rules_distroless) lists `md5  relative/path` lines instead, when present.
 * - apk: `/lib/apk/db/installed`, `F:` (directory, relative) followed by `R:` (file name) lines
 *   (apk-tools "Installed database" format).
 * - rpm: the header of each installed package (BASENAMES/DIRNAMES/DIRINDEXES tags) in the
 *   rpmdb: `rpmdb.sqlite`, NDB `Packages.db` or BerkeleyDB `Packages`.
 */
import type { FileRequest } from '../image/analysis.js'
import type { FileSystem } from '../image/types.js'
import { RPMDB_GLOBS, readRpmdb } from './rpm/rpmdb.js'
import { parentOf } from '../image/filesystem.js'

const DPKG_INFO = '/var/lib/dpkg/info'
const DPKG_STATUS_D = '/var/lib/dpkg/status.d'
const DPKG_INFO_GLOB = `${DPKG_INFO}/*.list`
const DISTROLESS_MD5SUMS_GLOB = `${DPKG_STATUS_D}/*.md5sums`
const APK_INSTALLED = '/lib/apk/db/installed'

/** The package databases ownedFiles reads; rpmdbs can be tens of megabytes. */
export const OWNED_FILES_REQUEST: FileRequest = {
  globs: [DPKG_INFO_GLOB, DISTROLESS_MD5SUMS_GLOB, APK_INSTALLED, ...RPMDB_GLOBS],
  maxBytes: 256 * 1024 * 1024
}

/**
 * Paths the package databases of one image may list (docs/limits.md). A full Debian desktop owns
 * about 500,000; each costs ~100 bytes in the set, and with its real path (merged /usr) at most
 * two entries, so 2 Mi (4× a desktop) stays well inside what a Set holds (2^24), in ~500 MB. Past it, the
 * rest are not owned: steps treat those files as the image's own (more findings, never fewer).
 */
export const MAX_OWNED_PATHS = 2 * 1024 * 1024

export interface Owned {
  paths: Set<string>
  /** The database file whose paths passed MAX_OWNED_PATHS; later files were not read. */
  cutAt?: string
}

/** One computation per filesystem: the identity, code and composition steps all ask. */
const computed = new WeakMap<FileSystem, Owned>()

/** Absolute paths (as the package manager recorded them, no trailing slash) owned by OS packages. */
export function ownedFiles(fs: FileSystem): Set<string> {
  return owned(fs).paths
}

/** The database file where the owned paths passed MAX_OWNED_PATHS, or undefined when all fit. */
export function ownedFilesCut(fs: FileSystem): string | undefined {
  return owned(fs).cutAt
}

function owned(fs: FileSystem): Owned {
  let found = computed.get(fs)
  if (found === undefined) {
    found = collectOwnedFiles(fs)
    computed.set(fs, found)
  }
  return found
}

/** What `ownedFiles` reads, uncached; `maxPaths` is lowered only by tests. */
export function collectOwnedFiles(fs: FileSystem, maxPaths = MAX_OWNED_PATHS): Owned {
  const owned = new Set<string>()
  let cutAt: string | undefined
  let from = ''
  /** Adds a path of the file `from`; false once the set is full (and `from` noted). */
  const add = (path: string): boolean => {
    if (owned.size >= maxPaths && !owned.has(path)) {
      cutAt = from
      return false
    }
    owned.add(path)
    return true
  }
  const read = (path: string, reader: (content: Buffer | undefined, add: Add) => boolean) => {
    from = path
    return reader(fs.read(path), add)
  }
  const readAll = (): void => {
    for (const node of fs.entriesUnder(DPKG_INFO)) {
      if (node.type === 'file' && isDpkgList(node.path) && !read(node.path, dpkgList)) return
    }
    for (const node of fs.entriesUnder(DPKG_STATUS_D)) {
      if (node.type === 'file' && isDistrolessMd5sums(node.path) && !read(node.path, md5sums))
        return
    }
    if (!read(APK_INSTALLED, apkInstalled)) return
    const rpmdb = readRpmdb(fs)
    if (rpmdb === undefined) return
    from = rpmdb.path
    for (const pkg of rpmdb.packages) for (const file of pkg.files) if (!add(file)) return
  }
  readAll()
  const paths = withRealPaths(fs, owned)
  return cutAt === undefined ? { paths } : { paths, cutAt }
}

/** Takes one owned path; false when no more are taken. */
type Add = (path: string) => boolean

/**
 * Package managers record the path they unpacked to; on merged-/usr systems `/bin/ls` is
 * really `/usr/bin/ls` (`/bin` → `usr/bin`), which is the path the final filesystem lists.
 */
function withRealPaths(fs: FileSystem, owned: Set<string>): Set<string> {
  const realDir = realDirectories(fs)
  const real: string[] = []
  for (const path of owned) {
    const slash = path.lastIndexOf('/')
    const dir = path.slice(0, slash) || '/'
    const realParent = realDir(dir)
    if (realParent !== undefined && realParent !== dir)
      real.push(`${realParent === '/' ? '' : realParent}${path.slice(slash)}`)
  }
  for (const path of real) owned.add(path)
  return owned
}

/**
 * The real path of a directory (symlinks followed), or undefined when it is no directory, as
 * `fs.resolve` finds it, but each directory walked once, from its parent's walk, instead of a walk
 * from the root per directory. Like `resolve`, a component with no entry of its own (a directory
 * the tar only implies) is walked through.
 */
function realDirectories(fs: FileSystem): (dir: string) => string | undefined {
  // Directory → where the walk is after it: a path, NOTHING when nothing below it resolves (a
  // file on the way), RESOLVE when a link led nowhere and only a walk of its own can tell.
  const NOTHING = null
  const RESOLVE = 0
  type Walk = string | typeof NOTHING | typeof RESOLVE
  const walks = new Map<string, Walk>([['/', '/']])
  const walk = (dir: string): Walk => {
    // `.`, `..` and empty components are resolve()'s to walk.
    if (/\/\.{0,2}(?:\/|$)/.test(dir) && dir !== '/') return RESOLVE
    const pending: string[] = []
    let at = dir
    while (!walks.has(at)) {
      pending.push(at)
      at = parentOf(at)
    }
    let walked = walks.get(at) as Walk
    for (let i = pending.length - 1; i >= 0; i--) {
      const path = pending[i]!
      if (typeof walked === 'string') {
        const candidate = `${walked === '/' ? '' : walked}${path.slice(path.lastIndexOf('/'))}`
        const node = fs.get(candidate)
        if (node === undefined || node.type === 'dir') walked = candidate
        else if (node.type === 'symlink') {
          const target = fs.resolve(candidate)
          walked = target === undefined ? RESOLVE : target.type === 'dir' ? target.path : NOTHING
        } else walked = NOTHING
      }
      walks.set(path, walked)
    }
    return walked
  }
  return (dir) => {
    const walked = walk(dir)
    const node =
      walked === RESOLVE ? fs.resolve(dir) : walked === NOTHING ? undefined : fs.get(walked)
    return node?.type === 'dir' ? node.path : undefined
  }
}

function isDpkgList(path: string): boolean {
  return (
    path.startsWith(`${DPKG_INFO}/`) &&
    path.endsWith('.list') &&
    !path.slice(DPKG_INFO.length + 1).includes('/')
  )
}

function isDistrolessMd5sums(path: string): boolean {
  return (
    path.startsWith(`${DPKG_STATUS_D}/`) &&
    path.endsWith('.md5sums') &&
    !path.slice(DPKG_STATUS_D.length + 1).includes('/')
  )
}

function dpkgList(content: Buffer | undefined, add: Add): boolean {
  // `/.` is the root directory every package lists.
  return eachLine(content, (line) => !line.startsWith('/') || line === '/.' || add(line))
}

function md5sums(content: Buffer | undefined, add: Add): boolean {
  return eachLine(content, (line) => {
    // md5sum(1) output: 32 hex digits, two spaces (or space + `*`), the path relative to `/`.
    const match = /^[0-9a-f]{32} [ *](.+)$/.exec(line)
    return match === null || add('/' + match[1]!.replace(/^\.?\//, ''))
  })
}

function apkInstalled(content: Buffer | undefined, add: Add): boolean {
  let dir = ''
  return eachLine(content, (line) => {
    if (line === '') dir = ''
    else if (line.startsWith('F:')) dir = line.slice(2)
    else if (line.startsWith('R:'))
      return add(dir === '' ? `/${line.slice(2)}` : `/${dir}/${line.slice(2)}`)
    return true
  })
}

/**
 * Calls `take` with each line until it returns false (then false): a file of millions of lines is
 * never split into an array of them.
 */
function eachLine(content: Buffer | undefined, take: (line: string) => boolean): boolean {
  if (content === undefined) return true
  const text = content.toString('utf8')
  for (let at = 0; at <= text.length;) {
    const newline = text.indexOf('\n', at)
    if (!take(text.slice(at, newline === -1 ? text.length : newline))) return false
    if (newline === -1) return true
    at = newline + 1
  }
  return true
}
