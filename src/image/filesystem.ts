/**
 * The final filesystem of an image: layers applied in order with OCI whiteout semantics
 * (image-spec layer.md, "Whiteouts" and "Opaque Whiteout"), as an in-memory index.
 */
import { ImageError } from '../errors.js'
import type { LayerAnalysis } from './analysis.js'
import { MAX_SCAN_ENTRIES } from './layer/analyze.js'
import { normalizePath, PATH_MAX } from './layer/tar.js'
import type { FileNode, FileSystem } from './types.js'

/** The program directories of the Filesystem Hierarchy Standard 3.0 (sections 3.4, 3.16, 4.4, 4.9). */
export const SYSTEM_BIN_DIRS: ReadonlySet<string> = new Set([
  '/bin',
  '/sbin',
  '/usr/bin',
  '/usr/sbin',
  '/usr/local/bin',
  '/usr/local/sbin'
])

/** Linux MAXSYMLINKS: more hops than this is treated as a loop. */
const MAX_SYMLINK_HOPS = 40

/**
 * Characters of candidate paths one filesystem's symlink resolutions may walk, all calls
 * together: a base and a share per entry (a resolution walks a few hundred characters, and steps
 * resolve a path a few times at most). A crafted chain (`x/../` repeated in a link to itself, 40
 * times over) would otherwise cost seconds per call, once per caller: this stops it at seconds
 * in all.
 */
const RESOLVE_WORK_BASE = 1_000_000_000
const RESOLVE_WORK_PER_ENTRY = 20_000

export type LayerChanges = Pick<LayerAnalysis, 'entries' | 'whiteouts' | 'contents'> &
  Partial<Pick<LayerAnalysis, 'unread'>>

/** The directory holding `path` (`/` for `/` and its children). */
export function parentOf(path: string): string {
  const slash = path.lastIndexOf('/')
  return slash <= 0 ? '/' : path.slice(0, slash)
}

/**
 * The order of entries(): paths compared as if `/` sorted before any character, which is a
 * depth-first walk with each directory's children sorted by name (`/a`, `/a/b`, `/a.b`).
 */
export function comparePaths(a: string, b: string): number {
  const length = Math.min(a.length, b.length)
  for (let i = 0; i < length; i++) {
    const x = a.charCodeAt(i)
    const y = b.charCodeAt(i)
    if (x === y) continue
    if (x === SLASH) return -1
    if (y === SLASH) return 1
    return x - y
  }
  return a.length - b.length
}

const SLASH = 0x2f

function components(path: string): string[] {
  return path.split('/').filter((part) => part !== '')
}

class ImageFileSystem implements FileSystem {
  private readonly nodes = new Map<string, FileNode>()
  /** Directory path → paths of its direct children, so a whiteout deletes a subtree without a scan. */
  private readonly children = new Map<string, Set<string>>()
  private readonly contents = new Map<string, Buffer>()
  private readonly unreadReasons = new Map<string, string>()
  private sorted: FileNode[] | undefined
  /** Characters walked by resolve() so far (RESOLVE_WORK_BASE and RESOLVE_WORK_PER_ENTRY). */
  private resolveWork = 0

  apply(layer: LayerChanges, index: number): void {
    this.sorted = undefined
    // Whiteouts apply to lower layers only, so they go first: entries of this layer stay.
    for (const whiteout of layer.whiteouts) {
      if (whiteout.opaque) {
        for (const child of [...(this.children.get(whiteout.path) ?? [])]) this.remove(child)
      } else {
        this.remove(whiteout.path)
      }
    }
    for (const entry of layer.entries) {
      const existing = this.nodes.get(entry.path)
      // A non-directory hides whatever a lower layer had below the directory it replaces.
      if (existing?.type === 'dir' && entry.type !== 'dir') this.remove(entry.path)
      let node: FileNode = Object.assign(entry, { layer: index })
      let content = entry.type === 'file' ? layer.contents.get(entry.path) : undefined
      let unread = entry.type === 'file' ? layer.unread?.get(entry.path) : undefined
      const target = entry.type === 'hardlink' ? this.nodes.get(entry.linkTarget ?? '') : undefined
      if (target?.type === 'file') {
        // A hardlink is a second name for the same inode (its target is an earlier entry of this
        // layer's tar): it keeps the content, mode and owner when the first name is later deleted
        // or replaced, so it becomes a file of its own, e.g. a setuid binary kept under a new name.
        node = { ...target, path: entry.path, layer: index }
        content = this.contents.get(target.path)
        unread = this.unreadReasons.get(target.path)
      }
      this.nodes.set(entry.path, node)
      this.link(entry.path)
      if (content !== undefined) this.contents.set(entry.path, content)
      else this.contents.delete(entry.path)
      if (unread !== undefined) this.unreadReasons.set(entry.path, unread)
      else this.unreadReasons.delete(entry.path)
    }
  }

  /**
   * Registers `path` with its parent, and the parent with its own, up to one already known. A
   * directory with a set of children is registered with its own parent (remove() drops the set
   * with the registration), so the walk stops at the first parent that has one.
   */
  private link(path: string): void {
    while (path !== '/') {
      const parent = parentOf(path)
      const siblings = this.children.get(parent)
      if (siblings !== undefined) {
        siblings.add(path)
        return
      }
      // Parents a path implies count too: one entry of a deep path implies hundreds.
      if (this.children.size >= MAX_SCAN_ENTRIES) {
        throw new ImageError(
          `the image's paths make more than ${MAX_SCAN_ENTRIES.toLocaleString('en-US')} directories, the directories they imply included, more than the gate indexes in one scan (docs/limits.md); a hostile or unusually large image.`,
          'TOO_MANY_ENTRIES'
        )
      }
      this.children.set(parent, new Set([path]))
      path = parent
    }
  }

  /** Deletes `path` and everything below it. */
  private remove(path: string): void {
    this.children.get(parentOf(path))?.delete(path)
    const pending = [path]
    for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
      this.nodes.delete(next)
      this.contents.delete(next)
      this.unreadReasons.delete(next)
      const below = this.children.get(next)
      if (below !== undefined) {
        for (const child of below) pending.push(child)
        this.children.delete(next)
      }
    }
  }

  get size(): number {
    return this.nodes.size
  }

  get(path: string): FileNode | undefined {
    // Keys are normal paths: one that is found as written needs no normalising.
    return this.nodes.get(path) ?? this.nodes.get(normalizePath(path))
  }

  /**
   * Depth-first, children by name: `/a`, `/a/b`, `/a.b` (as if `/` sorted before any character).
   * A walk of the directory index sorting each directory's children: cheaper than sorting every
   * path of the image at once.
   */
  entries(): Iterable<FileNode> {
    if (this.sorted === undefined) {
      const sorted: FileNode[] = []
      const pending = ['/']
      for (let path = pending.pop(); path !== undefined; path = pending.pop()) {
        const node = this.nodes.get(path)
        if (node !== undefined) sorted.push(node)
        const below = this.children.get(path)
        // Siblings share their parent's prefix, so whole paths sort as their names do; pushed in
        // reverse, the first comes off the stack first.
        if (below === undefined) continue
        const names = [...below].sort()
        // A loop, not push(...names): a directory may hold more entries than a call has arguments.
        for (let i = names.length - 1; i >= 0; i--) pending.push(names[i]!)
      }
      this.sorted = sorted
    }
    return this.sorted
  }

  entriesUnder(path: string): Iterable<FileNode> {
    const all = this.entries() as FileNode[]
    const dir = normalizePath(path)
    if (dir === '/') return all
    // A subtree is a run of the depth-first order, starting at its root.
    let low = 0
    let high = all.length
    while (low < high) {
      const mid = (low + high) >>> 1
      if (comparePaths(all[mid]!.path, dir) < 0) low = mid + 1
      else high = mid
    }
    const below = `${dir}/`
    let end = low
    while (end < all.length && (all[end]!.path === dir || all[end]!.path.startsWith(below))) end++
    return all.slice(low, end)
  }

  read(path: string): Buffer | undefined {
    let node = this.get(path)
    for (let hops = 0; node?.type === 'hardlink' && hops < MAX_SYMLINK_HOPS; hops++) {
      node = this.nodes.get(node.linkTarget ?? '')
    }
    return node === undefined ? undefined : this.contents.get(node.path)
  }

  *unreadFiles(): Iterable<[FileNode, string]> {
    for (const [path, reason] of this.unreadReasons) {
      const node = this.nodes.get(path)
      if (node !== undefined) yield [node, reason]
    }
  }

  resolve(path: string): FileNode | undefined {
    // Components still to walk, last one first; `walked` holds the real path of each component
    // walked so far (the last one is where the walk is).
    const pending = components(path).reverse()
    const walked: string[] = []
    let hops = 0
    while (pending.length > 0) {
      const part = pending.pop()!
      if (part === '.') continue
      if (part === '..') {
        walked.pop()
        continue
      }
      const candidate = `${walked.at(-1) ?? ''}/${part}`
      // Longer than any path a file system resolves (ENAMETOOLONG).
      if (candidate.length > PATH_MAX) return undefined
      this.resolveWork += candidate.length
      const budget = RESOLVE_WORK_BASE + RESOLVE_WORK_PER_ENTRY * this.nodes.size
      if (this.resolveWork > budget) {
        throw new ImageError(
          `resolving the image's symlinks walked more than ${budget.toLocaleString('en-US')} characters of paths, far more than any real image needs (docs/limits.md); a hostile image.`,
          'TOO_MANY_ENTRIES'
        )
      }
      const node = this.nodes.get(candidate)
      if (node?.type === 'symlink') {
        if (++hops > MAX_SYMLINK_HOPS) return undefined
        const target = node.linkTarget ?? ''
        // Absolute targets are relative to the image root, never the host's.
        if (target.startsWith('/')) walked.length = 0
        pending.push(...components(target).reverse())
        continue
      }
      if (node !== undefined && node.type !== 'dir' && pending.length > 0) return undefined
      walked.push(candidate)
    }
    return this.nodes.get(walked.at(-1) ?? '/')
  }
}

/** Applies layers bottom to top; each node records the 0-based index of the layer that last wrote it. */
export function combineLayers(layers: LayerChanges[]): FileSystem {
  const fs = new ImageFileSystem()
  layers.forEach((layer, index) => fs.apply(layer, index))
  return fs
}
