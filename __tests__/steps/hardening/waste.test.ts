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
