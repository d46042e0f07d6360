/**
 * Wasted space across layers, measured the way dive does (filetree/efficiency.go): every path
 * gets one node per layer that writes or deletes it; a deletion weighs what it deleted. A path
 * with two or more nodes is inefficient and all of its bytes count as wasted; efficiency is the
 * smallest node of each path over all nodes; user-wasted is wasted over the bytes above layer 1.
 */
import type { Whiteout } from '../../image/analysis.js'
import type { LayerFile } from './layer.js'
import { parentOf } from '../../image/filesystem.js'

export interface LayerChanges {
  /** Every entry that is not a directory, in tar order. */
  files: readonly LayerFile[]
  whiteouts: readonly Whiteout[]
}

export interface WastedPath {
  path: string
  /** Bytes of every copy and deletion of the path (dive's cumulative size). */
  bytes: number
  /** 0-based layers that wrote or deleted it, in order. */
  layers: number[]
}

export interface WasteAnalysis {
  /** 0..1; 1 when nothing is written twice or deleted. */
  efficiency: number
  wastedBytes: number
  /** wastedBytes over the bytes of every layer but the first; 0 for a one-layer image. */
  userWastedRatio: number
  /** Sum of entry sizes per layer. */
  layerBytes: number[]
  /** Inefficient paths, most bytes first. */
  wasters: WastedPath[]
}

interface PathNodes {
  cumulative: number
  minimum: number
  layers: number[]
}

export function analyzeWaste(layers: LayerChanges[]): WasteAnalysis {
  const nodes = new Map<string, PathNodes>()
  const record = (path: string, size: number, layer: number): void => {
    const data = nodes.get(path)
    if (data === undefined) {
      nodes.set(path, { cumulative: size, minimum: size, layers: [layer] })
      return
    }
    data.cumulative += size
    data.minimum = Math.min(data.minimum, size)
    data.layers.push(layer)
  }
  const stacked = new StackedTree()
  const layerBytes = layers.map(({ files, whiteouts }, layer) => {
    // Whiteouts apply to the layers below, before this layer's own entries (image-spec layer.md).
    for (const whiteout of whiteouts) {
      const file = whiteout.opaque ? undefined : stacked.get(whiteout.path)
      if (file !== undefined) stacked.delete(whiteout.path)
      record(whiteout.path, file ?? stacked.removeBelow(whiteout.path), layer)
    }
    let bytes = 0
    for (const { path, size } of files) {
      stacked.set(path, size)
      record(path, size, layer)
      bytes += size
    }
    return bytes
  })

  let minimumTotal = 0
  let cumulativeTotal = 0
  const wasters: WastedPath[] = []
  for (const [path, data] of nodes) {
    minimumTotal += data.minimum
    cumulativeTotal += data.cumulative
    if (data.layers.length > 1) wasters.push({ path, bytes: data.cumulative, layers: data.layers })
  }
  wasters.sort((a, b) => b.bytes - a.bytes || (a.path < b.path ? -1 : 1))
  const wastedBytes = wasters.reduce((sum, waster) => sum + waster.bytes, 0)
  const userBytes = layerBytes.slice(1).reduce((sum, bytes) => sum + bytes, 0)
  return {
    efficiency: cumulativeTotal === 0 ? 1 : minimumTotal / cumulativeTotal,
    wastedBytes,
    userWastedRatio: userBytes === 0 ? 0 : wastedBytes / userBytes,
    layerBytes,
    wasters
  }
}

/** What became of a file a layer wrote: still there, replaced by a later layer, or deleted. */
export type FileFate =
  { kind: 'present' } | { kind: 'replaced' | 'deleted'; layer: number } | { kind: 'gone' }

/** A layer's whiteouts as sets, built once per layer: a check per path is one lookup per directory. */
const whiteoutIndexes = new WeakMap<readonly Whiteout[], { exact: Set<string>; any: Set<string> }>()

/**
 * Whether one of `whiteouts` removes `path` (OCI image-spec layer.md: whiteouts and opaque
 * directories): a plain whiteout of the path itself, or any whiteout of a directory above it.
 */
function whitedOut(whiteouts: readonly Whiteout[], path: string): boolean {
  let index = whiteoutIndexes.get(whiteouts)
  if (index === undefined) {
    index = {
      exact: new Set(whiteouts.filter((whiteout) => !whiteout.opaque).map((w) => w.path)),
      any: new Set(whiteouts.map((whiteout) => whiteout.path))
    }
    whiteoutIndexes.set(whiteouts, index)
  }
  if (index.exact.has(path)) return true
  for (let dir = parentOf(path); ; dir = parentOf(dir)) {
    if (index.any.has(dir)) return true
    if (dir === '/') return false
  }
}

/**
 * The fate of `path` as written by layer `layer`, from the final filesystem's owner of the path
 * and the later layers' entries and whiteouts.
 */
export function fileFate(
  layers: LayerChanges[],
  layer: number,
  path: string,
  finalLayer: number | undefined,
  pathsOf: (layer: number) => Set<string>
): FileFate {
  if (finalLayer === layer) return { kind: 'present' }
  for (let later = layer + 1; later < layers.length; later++) {
    if (whitedOut(layers[later]!.whiteouts, path)) {
      return pathsOf(later).has(path)
        ? { kind: 'replaced', layer: later }
        : { kind: 'deleted', layer: later }
    }
    if (pathsOf(later).has(path)) return { kind: 'replaced', layer: later }
  }
  return { kind: 'gone' }
}

/**
 * The stacked tree so far: path → size of what is there (directories are implied), indexed by
 * directory so that a whiteout removes a subtree in time proportional to the subtree, not to the
 * whole tree: an image chooses how many whiteouts it has.
 */
class StackedTree {
  private readonly sizes = new Map<string, number>()
  /**
   * Directory → the paths directly below it that lead to a file. Built at the first subtree
   * removal and kept from then on: most images remove none, and pay nothing for it.
   */
  private children: Map<string, Set<string>> | undefined

  get(path: string): number | undefined {
    return this.sizes.get(path)
  }

  set(path: string, size: number): void {
    this.sizes.set(path, size)
    if (this.children !== undefined) link(this.children, path)
  }

  delete(path: string): void {
    this.sizes.delete(path)
  }

  /** Removes every path strictly below `dir`; the bytes they held. */
  removeBelow(dir: string): number {
    if (this.children === undefined) {
      const children = new Map<string, Set<string>>()
      for (const path of this.sizes.keys()) link(children, path)
      this.children = children
    }
    let removed = 0
    const pending = [dir]
    for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
      const below = this.children.get(next)
      if (below === undefined) continue
      this.children.delete(next)
      for (const child of below) {
        const size = this.sizes.get(child)
        if (size !== undefined) {
          removed += size
          this.sizes.delete(child)
        }
        pending.push(child)
      }
    }
    return removed
  }
}

/** Registers `path` with its parent directory, and each directory with its own, up to one known. */
function link(children: Map<string, Set<string>>, path: string): void {
  for (let child = path; child !== '/';) {
    const parent = parentOf(child)
    let siblings = children.get(parent)
    if (siblings === undefined) {
      siblings = new Set()
      children.set(parent, siblings)
    } else if (siblings.has(child)) {
      return
    }
    siblings.add(child)
    child = parent
  }
}
