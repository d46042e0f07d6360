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

/** Absolute paths (as the package manager recorded them, no trailing slash) owned by OS packages. */
/** One computation per filesystem: the code and composition steps both ask. */
const computed = new WeakMap<FileSystem, Set<string>>()

export function ownedFiles(fs: FileSystem): Set<string> {
  let owned = computed.get(fs)
  if (owned === undefined) {
    owned = collectOwnedFiles(fs)
    computed.set(fs, owned)
  }
  return owned
}

function collectOwnedFiles(fs: FileSystem): Set<string> {
  const owned = new Set<string>()
  for (const node of fs.entriesUnder(DPKG_INFO)) {
    if (node.type === 'file' && isDpkgList(node.path)) addDpkgList(owned, fs.read(node.path))
  }
  for (const node of fs.entriesUnder(DPKG_STATUS_D)) {
    if (node.type === 'file' && isDistrolessMd5sums(node.path))
      addMd5sums(owned, fs.read(node.path))
  }
  addApkInstalled(owned, fs.read(APK_INSTALLED))
  for (const pkg of readRpmdb(fs)?.packages ?? []) {
    for (const file of pkg.files) owned.add(file)
  }
  return withRealPaths(fs, owned)
}

/**
 * Package managers record the path they unpacked to; on merged-/usr systems `/bin/ls` is
 * really `/usr/bin/ls` (`/bin` → `usr/bin`), which is the path the final filesystem lists.
 */
function withRealPaths(fs: FileSystem, owned: Set<string>): Set<string> {
  const realDir = realDirectories(fs)
  for (const path of [...owned]) {
    const slash = path.lastIndexOf('/')
    const dir = path.slice(0, slash) || '/'
    const real = realDir(dir)
    if (real !== undefined && real !== dir)
      owned.add(`${real === '/' ? '' : real}${path.slice(slash)}`)
  }
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

function addDpkgList(owned: Set<string>, content: Buffer | undefined): void {
  for (const line of lines(content)) {
    // `/.` is the root directory every package lists.
    if (line.startsWith('/') && line !== '/.') owned.add(line)
  }
}

function addMd5sums(owned: Set<string>, content: Buffer | undefined): void {
  for (const line of lines(content)) {
    // md5sum(1) output: 32 hex digits, two spaces (or space + `*`), the path relative to `/`.
    const match = /^[0-9a-f]{32} [ *](.+)$/.exec(line)
    if (match !== null) owned.add('/' + match[1]!.replace(/^\.?\//, ''))
  }
}

function addApkInstalled(owned: Set<string>, content: Buffer | undefined): void {
  let dir = ''
  for (const line of lines(content)) {
    if (line === '') dir = ''
    else if (line.startsWith('F:')) dir = line.slice(2)
    else if (line.startsWith('R:'))
      owned.add(dir === '' ? `/${line.slice(2)}` : `/${dir}/${line.slice(2)}`)
  }
}

function lines(content: Buffer | undefined): string[] {
  return content === undefined ? [] : content.toString('utf8').split('\n')
}
