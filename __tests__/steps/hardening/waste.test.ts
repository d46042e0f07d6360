import { describe, expect, it } from '@jest/globals'
import { analyzeWaste, fileFate, type LayerChanges } from '../../../src/steps/hardening/waste.js'

const layers: LayerChanges[] = [
  {
    files: [
      { path: '/bin/sh', size: 100 },
      { path: '/etc/config', size: 10 }
    ],
    whiteouts: []
  },
  {
    files: [
      { path: '/etc/config', size: 20 },
      { path: '/build/a.o', size: 300 },
      { path: '/build/b.o', size: 200 }
    ],
    whiteouts: []
  },
  { files: [], whiteouts: [{ path: '/build', opaque: false }] }
]

describe('wasted space (dive semantics)', () => {
  it('counts every copy of a path written twice and every deleted byte', () => {
    // Nodes: /bin/sh 100; /etc/config 10+20 (min 10); /build/a.o 300; /build/b.o 200; /build (whiteout) 500.
    // Efficiency = (100 + 10 + 300 + 200 + 500) / (100 + 30 + 300 + 200 + 500) = 1110 / 1130.
    // Wasted (paths with two or more nodes) = /etc/config 30; user bytes = 520 + 0.
    expect(analyzeWaste(layers)).toEqual({
      efficiency: 1110 / 1130,
      wastedBytes: 30,
      userWastedRatio: 30 / 520,
      layerBytes: [110, 520, 0],
      wasters: [{ path: '/etc/config', bytes: 30, layers: [0, 1] }]
    })
  })

  it('counts a file written and then deleted as a waster of both nodes', () => {
    const waste = analyzeWaste([
      { files: [{ path: '/app/key', size: 50 }], whiteouts: [] },
      { files: [], whiteouts: [{ path: '/app/key', opaque: false }] }
    ])
    expect(waste.wasters).toEqual([{ path: '/app/key', bytes: 100, layers: [0, 1] }])
    expect(waste.efficiency).toBe(0.5)
  })

  it('is 1 with nothing written twice, and 0% user-wasted for a one-layer image', () => {
    expect(analyzeWaste([layers[0]!])).toEqual({
      efficiency: 1,
      wastedBytes: 0,
      userWastedRatio: 0,
      layerBytes: [110],
      wasters: []
    })
  })
})

describe('the fate of a file a layer wrote', () => {
  const pathsOf = (layer: number): Set<string> => new Set(layers[layer]!.files.map((f) => f.path))

  it.each([
    ['still present', 0, '/bin/sh', 0, { kind: 'present' }],
    ['replaced by a later layer', 0, '/etc/config', 1, { kind: 'replaced', layer: 1 }],
    [
      'deleted with its directory by a later layer',
      1,
      '/build/a.o',
      undefined,
      { kind: 'deleted', layer: 2 }
    ]
  ])('%s', (_name, layer, path, finalLayer, fate) => {
    expect(fileFate(layers, layer, path, finalLayer, pathsOf)).toEqual(fate)
  })
})

describe('the fate of a file, against whiteouts matched one by one', () => {
  it('finds the layer that deletes or replaces a path as a check of every whiteout does', () => {
    let seed = 7
    const pick = (n: number): number => ((seed = (seed * 48271) % 2147483647), seed % n)
    const names = ['a', 'b', 'a.b', 'ab']
    const path = (): string =>
      '/' + Array.from({ length: 1 + pick(3) }, () => names[pick(4)]).join('/')
    const many: LayerChanges[] = Array.from({ length: 6 }, () => ({
      files: Array.from({ length: pick(10) }, () => ({ path: path(), size: 1 })),
      whiteouts: Array.from({ length: pick(5) }, () => ({
        path: pick(15) === 0 ? '/' : path(),
        opaque: pick(2) === 0
      }))
    }))
    // The definition (image-spec layer.md): a plain whiteout removes its path and what is below;
    // an opaque one what is below its directory.
    const covers = (w: { path: string; opaque: boolean }, p: string): boolean =>
      (!w.opaque && w.path === p) || p.startsWith(w.path === '/' ? '/' : `${w.path}/`)
    const pathsOf = (layer: number): Set<string> => new Set(many[layer]!.files.map((f) => f.path))
    let deleted = 0
    for (let round = 0; round < 400; round++) {
      const layer = pick(6)
      const p = pick(3) === 0 ? '/' : path()
      let expected: unknown = { kind: 'gone' }
      for (let later = layer + 1; later < many.length; later++) {
        if (many[later]!.whiteouts.some((w) => covers(w, p))) {
          expected = { kind: pathsOf(later).has(p) ? 'replaced' : 'deleted', layer: later }
          if (pathsOf(later).has(p) === false) deleted++
          break
        }
        if (pathsOf(later).has(p)) {
          expected = { kind: 'replaced', layer: later }
          break
        }
      }
      expect([p, layer, fileFate(many, layer, p, undefined, pathsOf)]).toEqual([p, layer, expected])
    }
    expect(deleted).toBeGreaterThan(10)
  })
})

describe('analyzeWaste on many layers and whiteouts', () => {
  /** What a deletion weighs, by a scan of every path: the definition, slow but plain. */
  function reference(layers: LayerChanges[]): number[] {
    const stacked = new Map<string, number>()
    const weights: number[] = []
    for (const { files, whiteouts } of layers) {
      for (const whiteout of whiteouts) {
        const file = whiteout.opaque ? undefined : stacked.get(whiteout.path)
        if (file !== undefined) {
          stacked.delete(whiteout.path)
          weights.push(file)
          continue
        }
        const prefix = whiteout.path === '/' ? '/' : `${whiteout.path}/`
        let removed = 0
        for (const [path, size] of stacked) {
          if (path.startsWith(prefix)) {
            removed += size
            stacked.delete(path)
          }
        }
        weights.push(removed)
      }
      for (const { path, size } of files) stacked.set(path, size)
    }
    return weights
  }

  it('weighs every deletion as a scan of every path does', () => {
    let seed = 99
    const pick = (n: number): number => ((seed = (seed * 48271) % 2147483647), seed % n)
    const names = ['a', 'b', 'a.b', 'a-b', 'c']
    const path = (): string =>
      '/' + Array.from({ length: 1 + pick(4) }, () => names[pick(5)]).join('/')
    const layers: LayerChanges[] = Array.from({ length: 12 }, () => ({
      files: Array.from({ length: pick(60) }, () => ({ path: path(), size: 1 + pick(1000) })),
      whiteouts: Array.from({ length: pick(8) }, () => ({
        path: pick(10) === 0 ? '/' : path(),
        opaque: pick(3) === 0
      }))
    }))
    const weights = reference(layers)
    expect(weights.length).toBeGreaterThan(20)
    expect(weights.some((weight) => weight > 0)).toBe(true)
    // The weights are what record() gives each whiteout's path: its bytes in the analysis.
    const analysis = analyzeWaste(layers)
    let index = 0
    const expected = new Map<string, number>()
    layers.forEach(({ files, whiteouts }) => {
      for (const whiteout of whiteouts)
        expected.set(whiteout.path, (expected.get(whiteout.path) ?? 0) + weights[index++]!)
      for (const file of files) expected.set(file.path, (expected.get(file.path) ?? 0) + file.size)
    })
    for (const waster of analysis.wasters)
      expect([waster.path, waster.bytes]).toEqual([waster.path, expected.get(waster.path)])
    expect(analysis.wastedBytes).toBe(
      analysis.wasters.reduce((sum, waster) => sum + expected.get(waster.path)!, 0)
    )
  })

  it('removes the subtrees of 100,000 whiteouts over 100,000 files without a scan per whiteout', () => {
    const files = [
      ...Array.from({ length: 100_000 }, (_, i) => ({ path: `/d${i % 100}/f${i}`, size: 1 })),
      { path: '/d7', size: 5 }
    ]
    const whiteouts = [
      ...Array.from({ length: 99_999 }, (_, i) => ({ path: `/missing${i}`, opaque: false })),
      { path: '/d7', opaque: true }
    ]
    // A scan of every path per whiteout would take minutes here (10^10 steps); this is 0.2 s.
    const waste = analyzeWaste([
      { files, whiteouts: [] },
      { files: [], whiteouts }
    ])
    // /d7 is written (5 bytes) and its 1,000 files below are deleted: two nodes, 1,005 bytes.
    expect(waste.wasters.find((waster) => waster.path === '/d7')?.bytes).toBe(5 + 1000)
  })
})
