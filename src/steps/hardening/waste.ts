/**
 * Wasted space across layers, measured the way dive does (filetree/efficiency.go): every path
 * gets one node per layer that writes or deletes it; a deletion weighs what it deleted. A path
 * with two or more nodes is inefficient and all of its bytes count as wasted; efficiency is the
 * smallest node of each path over all nodes; user-wasted is wasted over the bytes above layer 1.
 */
import type { Whiteout } from '../../image/analysis.js'
import type { LayerFile } from './layer.js'

export interface LayerChanges {
  files: LayerFile[]
  whiteouts: Whiteout[]
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
  // The stacked tree so far: path → size of what is there (directories are implied).
  const stacked = new Map<string, number>()
  const removeBelow = (dir: string): number => {
    const prefix = dir === '/' ? '/' : `${dir}/`
    let removed = 0
    for (const [path, size] of stacked) {
      if (path.startsWith(prefix)) {
        removed += size
        stacked.delete(path)
      }
    }
    return removed
  }

  const layerBytes = layers.map(({ files, whiteouts }, layer) => {
    // Whiteouts apply to the layers below, before this layer's own entries (image-spec layer.md).
    for (const whiteout of whiteouts) {
      const file = whiteout.opaque ? undefined : stacked.get(whiteout.path)
      if (file !== undefined) stacked.delete(whiteout.path)
      record(whiteout.path, file ?? removeBelow(whiteout.path), layer)
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

/** Whether `whiteout` removes `path` (OCI image-spec layer.md: whiteouts and opaque directories). */
function covers(whiteout: Whiteout, path: string): boolean {
  const prefix = whiteout.path === '/' ? '/' : `${whiteout.path}/`
  return (!whiteout.opaque && whiteout.path === path) || path.startsWith(prefix)
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
    if (layers[later]!.whiteouts.some((whiteout) => covers(whiteout, path))) {
      return pathsOf(later).has(path)
        ? { kind: 'replaced', layer: later }
        : { kind: 'deleted', layer: later }
    }
    if (pathsOf(later).has(path)) return { kind: 'replaced', layer: later }
  }
  return { kind: 'gone' }
}
