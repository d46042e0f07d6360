/**
 * Memory a scan keeps across its layers: the names, link targets and xattrs of every layer's
 * entries are bounded per scan, not per layer (32 layers each just under the per-archive bound took
 * 8 GB), a layer from the layer cache counting as if it were read; and the layer cache writes one
 * entry at a time, keeps its directory within its bound while it writes, and removes what a run
 * that died mid-write left behind.
 */
import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals'
import {
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
  type PathLike
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { buildImage, type BuiltLayer, type FixtureEntry } from '../../__fixtures__/image-builder.js'
import { ImageError } from '../../src/errors.js'
import type { LayerAnalysis } from '../../src/image/analysis.js'
import { silentLogger } from '../../src/log.js'

// The cache's writes, watched: how many bytes wait for the disk at once, and what the directory
// holds after each step of a write.
const realFs = await import('node:fs/promises')
const watch = { dir: '', waiting: 0, mostWaiting: 0, largestWrite: 0, mostInDir: 0 }
function bytesInDir(): number {
  if (watch.dir === '') return 0
  return readdirSync(watch.dir).reduce((sum, name) => sum + statSync(join(watch.dir, name)).size, 0)
}
jest.unstable_mockModule('node:fs/promises', () => ({
  ...realFs,
  writeFile: async (file: PathLike, data: Buffer[]) => {
    const bytes = data.reduce((sum, chunk) => sum + chunk.length, 0)
    watch.waiting += bytes
    watch.mostWaiting = Math.max(watch.mostWaiting, watch.waiting)
    watch.largestWrite = Math.max(watch.largestWrite, bytes)
    try {
      await realFs.writeFile(file, data)
      watch.mostInDir = Math.max(watch.mostInDir, bytesInDir())
    } finally {
      watch.waiting -= bytes
    }
  },
  rename: async (from: PathLike, to: PathLike) => {
    await realFs.rename(from, to)
    watch.mostInDir = Math.max(watch.mostInDir, bytesInDir())
  }
}))
const { analyzeLayer, CaptureBudget } = await import('../../src/image/layer/analyze.js')
const { LayerCache } = await import('../../src/image/layer/cache.js')

let dir: string

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'scan-bounds-'))
  Object.assign(watch, { dir: '', waiting: 0, mostWaiting: 0, largestWrite: 0, mostInDir: 0 })
})

afterEach(() => {
  rmSync(dir, { recursive: true, force: true })
})

async function failureOf(promise: Promise<unknown>): Promise<ImageError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught
  )
  if (!(error instanceof ImageError)) {
    throw new Error(`expected an ImageError, got ${String(error)}`)
  }
  return error
}

function analyze(
  layer: BuiltLayer,
  captureBudget?: InstanceType<typeof CaptureBudget>
): Promise<LayerAnalysis> {
  return analyzeLayer(Readable.from([layer.blob]), {
    name: layer.digest,
    expectedDigest: layer.digest,
    requests: [],
    subscriptions: [],
    ...(captureBudget === undefined ? {} : { captureBudget })
  })
}

/** `count` files under a directory of `width` characters: `/srv/ddd…d/fNNN`, 10 + width each. */
function longNames(layer: number, count: number, width: number): FixtureEntry[] {
  const parent = `srv/${String(layer).padEnd(width, 'd')}`
  return Array.from({ length: count }, (_, i) => ({
    path: `${parent}/f${String(i).padStart(3, '0')}`,
    content: ''
  }))
}

describe('the names a scan keeps across its layers', () => {
  // Each layer keeps 100 × 1,010 characters of names; three together pass a budget of 250,000.
  const image = buildImage({
    layers: [0, 1, 2].map((layer) => ({ entries: longNames(layer, 100, 1_000) }))
  })
  const [first, second, third] = image.layers as [BuiltLayer, BuiltLayer, BuiltLayer]
  const message = `layer ${third.digest}: the names, link targets and xattrs of the image's entries pass 244.1 KiB across its layers, more than the gate keeps in one scan (docs/limits.md); a hostile or unusually large image.`

  it('stops the scan at the layer whose names pass the budget, naming the limit and the layer', async () => {
    const budget = new CaptureBudget(1024, 1_000, 250_000)
    await analyze(first, budget)
    await analyze(second, budget)
    const error = await failureOf(analyze(third, budget))
    expect([error.code, error.message]).toEqual(['TOO_MUCH_METADATA', message])
    // Each layer alone is far below the bound: a scan of any one of them goes through.
    expect((await analyze(third, new CaptureBudget(1024, 1_000, 250_000))).entries).toHaveLength(
      100
    )
  })

  it('counts a layer taken from the layer cache as the same names as when it is read', async () => {
    const cache = new LayerCache({
      dir,
      maxBytes: 1024 ** 3,
      key: 'k'.repeat(64),
      logger: silentLogger
    })
    cache.put(await analyze(first))
    cache.put(await analyze(second))
    await cache.settle()
    const budget = new CaptureBudget(1024, 1_000, 250_000)
    for (const layer of [first, second]) {
      const cached = await cache.get(layer.digest)
      expect(cached === undefined ? false : budget.admit(cached, `layer ${layer.digest}`)).toBe(
        true
      )
    }
    const error = await failureOf(analyze(third, budget))
    expect([error.code, error.message]).toEqual(['TOO_MUCH_METADATA', message])
  })

  it('charges what a layer keeps of links, xattrs and whiteouts, read or cached alike', async () => {
    const [layer] = buildImage({
      layers: [
        {
          entries: [
            {
              path: 'usr/bin/ping',
              content: 'x',
              xattrs: { 'security.capability': Buffer.alloc(20) }
            },
            { path: 'usr/bin/sh', type: 'symlink', linkTarget: 'dash' },
            { path: 'srv/.wh.old', content: '' }
          ]
        }
      ]
    }).layers as [BuiltLayer]
    // "/usr/bin/ping" 13 + "security.capability" 19 + 20 bytes, "/usr/bin/sh" 11 + "dash" 4,
    // the whiteout's "/srv/old" 8: 75.
    await analyze(layer, new CaptureBudget(1024, 10, 75))
    await expect(analyze(layer, new CaptureBudget(1024, 10, 74))).rejects.toMatchObject({
      code: 'TOO_MUCH_METADATA'
    })
    const cache = new LayerCache({
      dir,
      maxBytes: 1024 ** 3,
      key: 'k'.repeat(64),
      logger: silentLogger
    })
    cache.put(await analyze(layer))
    await cache.settle()
    const cached = (await cache.get(layer.digest))!
    expect(new CaptureBudget(1024, 10, 75).admit(cached, 'layer l')).toBe(true)
    expect(() => new CaptureBudget(1024, 10, 74).admit(cached, 'layer l')).toThrow(
      'layer l: the names, link targets and xattrs of the image'
    )
  })
})

describe('layer cache writes', () => {
  /** Four layers of the same shape, so that their entries are of about the same size. */
  const layers = buildImage({
    layers: [0, 1, 2, 3].map((layer) => ({ entries: longNames(layer, 20, 200) }))
  }).layers as [BuiltLayer, BuiltLayer, BuiltLayer, BuiltLayer]
  const cacheOf = (maxBytes: number): InstanceType<typeof LayerCache> =>
    new LayerCache({ dir, maxBytes, key: 'k'.repeat(64), logger: silentLogger })
  const entryOf = (layer: BuiltLayer): string =>
    readdirSync(dir).find((name) => name.startsWith(layer.digest.slice('sha256:'.length)))!

  it('writes one entry at a time however many layers finish at once', async () => {
    const analyses = await Promise.all(layers.map((layer) => analyze(layer)))
    const cache = cacheOf(1024 ** 3)
    for (const analysis of analyses) cache.put(analysis)
    await cache.settle()
    expect(readdirSync(dir).filter((name) => name.endsWith('.layer'))).toHaveLength(4)
    // What waits for the disk is never more than the one entry being written.
    expect(watch.largestWrite).toBeGreaterThan(0)
    expect(watch.mostWaiting).toBe(watch.largestWrite)
  })

  it('keeps the directory within its bound while it writes, making room once the scan is done', async () => {
    const [a, b, c, d] = await Promise.all(layers.map((layer) => analyze(layer)))
    const earlier = cacheOf(1024 ** 3)
    earlier.put(a!)
    earlier.put(b!)
    await earlier.settle()
    const size = statSync(join(dir, entryOf(layers[0]))).size
    utimesSync(join(dir, entryOf(layers[0])), new Date(2000), new Date(2000))
    utimesSync(join(dir, entryOf(layers[1])), new Date(1000), new Date(1000))
    // Room for two entries and a half: a scan that uses A and writes C and D.
    const bound = Math.floor(size * 2.5)
    watch.dir = dir
    const cache = cacheOf(bound)
    expect(await cache.get(a!.digest)).toBeDefined()
    cache.put(c!)
    cache.put(d!)
    await cache.settle()
    expect(watch.mostInDir).toBeGreaterThan(0)
    expect(watch.mostInDir).toBeLessThanOrEqual(bound)
    // B went first (least recently used), then A, used by this scan before C and D were written.
    expect(readdirSync(dir).sort()).toEqual([entryOf(layers[2]), entryOf(layers[3])].sort())
    const next = cacheOf(bound)
    expect(await next.get(c!.digest)).toMatchObject({ digest: layers[2].digest })
    expect(await next.get(d!.digest)).toMatchObject({ digest: layers[3].digest })
  })

  it('removes the temporary files of writes that will never finish when the cache is opened', async () => {
    const [layer] = layers
    const cache = cacheOf(1024 ** 3)
    cache.put(await analyze(layer))
    await cache.settle()
    const entry = entryOf(layer)
    // Above Linux's largest pid_max (PID_MAX_LIMIT, 2^22): no process has it.
    const gone = 2 ** 22 + 1
    const minutesAgo = (minutes: number): Date => new Date(Date.now() - minutes * 60_000)
    const temps: Array<[string, Date]> = [
      [`${entry}.${gone}.0000aaaa.tmp`, minutesAgo(5)],
      [`${entry}.${gone}.0000bbbb.tmp`, new Date()],
      [`${entry}.${process.ppid}.0000cccc.tmp`, minutesAgo(5)],
      [`${entry}.${process.ppid}.0000dddd.tmp`, minutesAgo(120)]
    ]
    for (const [name, mtime] of temps) {
      writeFileSync(join(dir, name), 'partial')
      utimesSync(join(dir, name), mtime, mtime)
    }
    // A run that only reads the cache: it writes nothing.
    const next = cacheOf(1024 ** 3)
    expect(await next.get(layer.digest)).toMatchObject({ digest: layer.digest })
    await next.settle()
    expect(readdirSync(dir).sort()).toEqual(
      [
        entry,
        // Written to within the last minute: perhaps by a process elsewhere sharing the directory.
        `${entry}.${gone}.0000bbbb.tmp`,
        // Its process still runs.
        `${entry}.${process.ppid}.0000cccc.tmp`
      ].sort()
    )
  })
})
