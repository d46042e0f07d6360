import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals'
import { osvCacheDir } from '../../../src/cache-dirs.js'
import { mkdirSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { zipSync } from 'fflate'
import { tempDir } from '../../../__fixtures__/registry.js'
import { recordingLogger } from '../../../__fixtures__/recording-logger.js'
import { ConfigurationError } from '../../../src/errors.js'
import {
  createVulnerabilityDataLoader,
  OSV_MAX_AGE_MS,
  type VulnerabilityData
} from '../../../src/steps/composition/osv/load.js'
import { NPM_OSV_DIR } from './osv-data.js'

/** An all.zip as osv.dev publishes it: one `<ID>.json` per record at the top level. */
function npmZip(): Buffer {
  const files: Record<string, Uint8Array> = {}
  for (const name of readdirSync(NPM_OSV_DIR).filter((n) => n.endsWith('.json'))) {
    files[name] = readFileSync(join(NPM_OSV_DIR, name))
  }
  return Buffer.from(zipSync(files, { level: 6 }))
}

async function ids(data: VulnerabilityData) {
  const seen: string[] = []
  for (const part of data.parts) await part.forEachRecord((record) => seen.push(record.id))
  return seen.sort()
}

const zip = npmZip()
const ETAG = '"osv-npm-1"'
let server: Server
let base: string
const requests: Array<{ url: string; ifNoneMatch?: string }> = []
let dir: string

beforeAll(async () => {
  server = createServer((req, res) => {
    requests.push({ url: req.url ?? '', ifNoneMatch: req.headers['if-none-match'] })
    if (req.url !== '/npm/all.zip') {
      res.writeHead(404).end()
    } else if (req.headers['if-none-match'] === ETAG) {
      res.writeHead(304).end()
    } else {
      res.writeHead(200, { etag: ETAG, 'content-length': zip.length }).end(zip)
    }
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  dir = tempDir('osv-load')
})

afterEach(() => {
  requests.length = 0
})

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()))
  rmSync(dir, { recursive: true, force: true })
})

describe('vuln-db osv: downloads, cache and fallback', () => {
  const start = Date.parse('2024-10-15T12:00:00Z')
  const env = () => ({ CONTAINER_GATE_CACHE_DIR: join(dir, 'cache'), CONTAINER_GATE_OSV_URL: base })

  it('downloads only the ecosystems asked for and reads every record of the zip', async () => {
    const logger = recordingLogger()
    const load = createVulnerabilityDataLoader({ env: env(), now: () => start })
    const data = await load({ vulnDb: 'osv', ecosystems: ['npm'], logger })
    expect(requests).toEqual([{ url: '/npm/all.zip' }])
    expect(data.missing).toEqual([])
    expect(data.sources).toEqual([
      { ecosystem: 'npm', origin: `${base}/npm/all.zip`, fetchedAt: new Date(start) }
    ])
    expect(await ids(data)).toHaveLength(65)
    expect(data.parts.map((part) => part.indexFile)).toEqual([
      join(dir, 'cache', 'osv', 'npm', 'all.index')
    ])
    expect(logger.warnings).toEqual([])
  })

  it('uses a fresh cached copy without asking again', async () => {
    const load = createVulnerabilityDataLoader({ env: env(), now: () => start + 60_000 })
    const data = await load({ vulnDb: 'osv', ecosystems: ['npm'], logger: recordingLogger() })
    expect(requests).toEqual([])
    expect(data.sources[0]?.fetchedAt).toEqual(new Date(start))
  })

  it('revalidates an old copy with its ETag (304 keeps the zip)', async () => {
    const later = start + OSV_MAX_AGE_MS + 1
    const load = createVulnerabilityDataLoader({ env: env(), now: () => later })
    const data = await load({ vulnDb: 'osv', ecosystems: ['npm'], logger: recordingLogger() })
    expect(requests).toEqual([{ url: '/npm/all.zip', ifNoneMatch: ETAG }])
    expect(data.sources[0]).toEqual({
      ecosystem: 'npm',
      origin: `${base}/npm/all.zip`,
      fetchedAt: new Date(later)
    })
  })

  it('falls back to the cached copy with a warning saying how old it is', async () => {
    const fetched = start + OSV_MAX_AGE_MS + 1
    const threeDaysLater = fetched + 3 * 24 * 3_600_000
    const logger = recordingLogger()
    const load = createVulnerabilityDataLoader({
      env: { ...env(), CONTAINER_GATE_OSV_URL: `${base}/gone` },
      now: () => threeDaysLater
    })
    const data = await load({ vulnDb: 'osv', ecosystems: ['npm'], logger })
    expect(data.sources[0]).toMatchObject({ ecosystem: 'npm', stale: true })
    expect(logger.warnings).toEqual([
      `could not download OSV data for npm (${base}/gone/npm/all.zip answered 404); using the cached copy from ${new Date(fetched).toISOString()}, 3 days old.`
    ])
    expect(await ids(data)).toHaveLength(65)
  })

  it('reports an ecosystem with neither a download nor a cached copy as missing', async () => {
    const load = createVulnerabilityDataLoader({ env: env(), now: () => start })
    const data = await load({
      vulnDb: 'osv',
      ecosystems: ['PyPI', 'npm'],
      logger: recordingLogger()
    })
    expect(data.missing).toEqual([
      { ecosystem: 'PyPI', reason: `${base}/PyPI/all.zip answered 404` }
    ])
    expect(data.sources.map((s) => s.ecosystem)).toEqual(['npm'])
  })

  it('keeps the cache under the runner tool cache, XDG or a directory of its own', () => {
    expect(osvCacheDir({ CONTAINER_GATE_CACHE_DIR: '/c' })).toBe('/c/osv')
    expect(osvCacheDir({ RUNNER_TOOL_CACHE: '/opt/hostedtoolcache' })).toBe(
      '/opt/hostedtoolcache/container-gate/osv'
    )
    expect(osvCacheDir({ XDG_CACHE_HOME: '/x' })).toBe('/x/container-gate/osv')
  })
})

describe('vuln-db DIR and ZIP', () => {
  const load = createVulnerabilityDataLoader({ env: {} })

  it('reads a directory of OSV files recursively and a zip, with the same records', async () => {
    const file = join(dir, 'all.zip')
    writeFileSync(file, zip)
    const fromDir = await load({ vulnDb: NPM_OSV_DIR, ecosystems: [], logger: recordingLogger() })
    const fromZip = await load({ vulnDb: file, ecosystems: [], logger: recordingLogger() })
    expect(await ids(fromZip)).toEqual(await ids(fromDir))
    expect(fromZip.parts.map((part) => part.version)).toEqual([expect.stringMatching(/^zip:/)])
  })

  it('changes the data version when the zip changes, so a new index is built', async () => {
    const file = join(dir, 'versioned.zip')
    writeFileSync(file, zip)
    utimesSync(file, new Date(1_700_000_000_000), new Date(1_700_000_000_000))
    const first = await load({ vulnDb: file, ecosystems: [], logger: recordingLogger() })
    utimesSync(file, new Date(1_700_000_100_000), new Date(1_700_000_100_000))
    const second = await load({ vulnDb: file, ecosystems: [], logger: recordingLogger() })
    expect(first.parts[0]?.version).not.toBe(second.parts[0]?.version)
  })

  it('skips a malformed record of a zip with a warning naming the member', async () => {
    const file = join(dir, 'one-bad.zip')
    const files: Record<string, Uint8Array> = {
      'GHSA-0000-0000-0000.json': Buffer.from('{"summary":"an advisory without an id"}')
    }
    for (const name of readdirSync(NPM_OSV_DIR).filter((n) => n.endsWith('.json'))) {
      files[name] = readFileSync(join(NPM_OSV_DIR, name))
    }
    writeFileSync(file, zipSync(files))
    const logger = recordingLogger()
    const data = await load({ vulnDb: file, ecosystems: [], logger })
    expect(await ids(data)).toHaveLength(65)
    expect(logger.warnings).toEqual([
      `skipped the malformed OSV record GHSA-0000-0000-0000.json in ${file} (not an OSV record); the other records are used.`
    ])
  })

  it('skips malformed files of a directory with a warning naming each, and keeps the rest', async () => {
    const records = join(dir, 'with-bad-files')
    mkdirSync(join(records, 'npm'), { recursive: true })
    for (const name of readdirSync(NPM_OSV_DIR).filter((n) => n.endsWith('.json'))) {
      writeFileSync(join(records, 'npm', name), readFileSync(join(NPM_OSV_DIR, name)))
    }
    writeFileSync(join(records, 'npm', 'broken.json'), '{"id": "GHSA-')
    writeFileSync(join(records, 'npm', 'no-id.json'), '{"summary":"an advisory without an id"}')
    const logger = recordingLogger()
    const data = await load({ vulnDb: records, ecosystems: [], logger })
    expect(await ids(data)).toHaveLength(65)
    expect(logger.warnings).toEqual([
      // V8's own words for the JSON error differ between Node versions.
      expect.stringMatching(
        /^skipped the malformed OSV record npm\/broken\.json in .* \(not valid JSON: .*\); the other records are used\.$/
      ),
      `skipped the malformed OSV record npm/no-id.json in ${records} (not an OSV record); the other records are used.`
    ])
  })

  it.each<[string, () => string, RegExp]>([
    [
      'a missing path',
      () => join(dir, 'nope'),
      /does not exist; give a directory of OSV JSON files/
    ],
    [
      'a corrupt zip',
      () => {
        const file = join(dir, 'corrupt.zip')
        writeFileSync(file, Buffer.concat([zip.subarray(0, 2000), Buffer.alloc(2000, 7)]))
        return file
      },
      /is not a readable zip .*download it again\.$|is not valid JSON/
    ],
    [
      'a directory without OSV files',
      () => {
        const empty = join(dir, 'empty')
        mkdirSync(empty, { recursive: true })
        writeFileSync(join(empty, 'README.md'), 'not a record')
        return empty
      },
      /holds no OSV \.json files/
    ]
  ])('refuses %s with a configuration error', async (_name, path, message) => {
    const attempt = (async () =>
      load({ vulnDb: path(), ecosystems: [], logger: recordingLogger() }))()
    const error = await attempt
      .then(
        async (data) => ids(data).then(() => undefined),
        (e: unknown) => e
      )
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ConfigurationError)
    expect((error as Error).message).toMatch(message)
  })
})
