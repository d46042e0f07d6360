import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { existsSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { zipSync } from 'fflate'
import { tempDir } from '../../../__fixtures__/registry.js'
import { recordingLogger } from '../../../__fixtures__/recording-logger.js'
import {
  AdvisoryIndexBuilder,
  buildIndex,
  type AdvisoryIndex
} from '../../../src/steps/composition/osv/index.js'
import { createAdvisoryIndexCache } from '../../../src/steps/composition/osv/index-cache.js'
import {
  decodeIndex,
  encodeIndex,
  IndexFileError
} from '../../../src/steps/composition/osv/index-file.js'
import {
  createVulnerabilityDataLoader,
  zipIndexFile,
  type VulnerabilityData
} from '../../../src/steps/composition/osv/load.js'
import { DEBIAN_OSV_DIR, NPM_OSV_DIR, readRecords } from './osv-data.js'

const records = [...readRecords(NPM_OSV_DIR), ...readRecords(DEBIAN_OSV_DIR)]

/** Every package some record names, to compare two indexes lookup by lookup. */
const packages = [
  ...new Set(
    records.flatMap((r) =>
      (r.affected ?? []).map((a) => `${a.package!.ecosystem}\0${a.package!.name}`)
    )
  )
].map((key) => key.split('\0') as [string, string])

function lookups(index: AdvisoryIndex) {
  return packages.map(([ecosystem, name]) =>
    index.lookup(ecosystem, name).map(({ advisory, affected }) => ({ advisory, affected }))
  )
}

/** Counts how often the records themselves are read, which a stored index avoids. */
function counting(data: VulnerabilityData): { data: VulnerabilityData; reads: () => number } {
  let reads = 0
  return {
    data: {
      ...data,
      parts: data.parts.map((part) => ({
        ...part,
        forEachRecord: (visit) => {
          reads++
          return part.forEachRecord(visit)
        }
      }))
    },
    reads: () => reads
  }
}

let dir: string
let zip: string
let env: NodeJS.ProcessEnv
const reference = buildIndex(records)

beforeAll(() => {
  dir = tempDir('osv-index')
  zip = join(dir, 'all.zip')
  const files: Record<string, Uint8Array> = {}
  for (const source of [NPM_OSV_DIR, DEBIAN_OSV_DIR]) {
    for (const name of readdirSync(source).filter((n) => n.endsWith('.json'))) {
      files[name] = readFileSync(join(source, name))
    }
  }
  writeFileSync(zip, zipSync(files))
  env = { CONTAINER_GATE_CACHE_DIR: join(dir, 'cache') }
})

afterAll(() => rmSync(dir, { recursive: true, force: true }))

async function loadZip() {
  const load = createVulnerabilityDataLoader({ env })
  return counting(await load({ vulnDb: zip, ecosystems: [], logger: recordingLogger() }))
}

describe('the index file', () => {
  it('gives the same lookups as the index it was written from', () => {
    const builder = new AdvisoryIndexBuilder()
    for (const record of records) builder.add(record)
    const decoded = decodeIndex(encodeIndex(builder.contents(), 'v1'), 'v1')!
    expect(lookups(decoded)).toEqual(lookups(reference))
    expect(decoded).toMatchObject({ advisories: 67, withdrawn: 2 })
    expect([...decoded.ecosystems].sort()).toEqual(['Debian:11', 'Debian:12', 'NuGet', 'npm'])
  })

  it('is rebuilt without complaint when an earlier version wrote it', () => {
    const earlier = Buffer.from(
      'container-gate-osv-index 2\n{"dataVersion":"v1","advisories":0,"withdrawn":0,"ecosystems":[],"bodyDigest":"sha256:00","keys":[]}\n'
    )
    expect(decodeIndex(earlier, 'v1')).toBeUndefined()
  })

  it('is not used for other data than it was built from', () => {
    const builder = new AdvisoryIndexBuilder()
    expect(decodeIndex(encodeIndex(builder.contents(), 'zip:a:1:1'), 'zip:a:1:2')).toBeUndefined()
  })

  const good = (): Buffer => {
    const builder = new AdvisoryIndexBuilder()
    for (const record of records) builder.add(record)
    return encodeIndex(builder.contents(), 'v1')
  }
  it.each<[string, (file: Buffer) => Buffer, string]>([
    [
      'another file',
      () => Buffer.from('{"id":"GHSA-xxxx"}'),
      'it does not start with the index signature'
    ],
    ['a cut-off header', (file) => file.subarray(0, 40), 'its header is cut off'],
    [
      'a truncated body',
      (file) => file.subarray(0, file.length - 100),
      'its contents do not match their digest'
    ],
    [
      'a changed byte in the body',
      (file) => {
        const copy = Buffer.from(file)
        copy[copy.length - 10] = copy[copy.length - 10]! ^ 1
        return copy
      },
      'its contents do not match their digest'
    ],
    [
      'a changed count in its header',
      (file) =>
        Buffer.from(
          file.toString('latin1').replace('"advisories":67', '"advisories":68'),
          'latin1'
        ),
      'its contents do not match their digest'
    ]
  ])('refuses %s as damaged', (_name, damage, reason) => {
    expect(() => decodeIndex(damage(good()), 'v1')).toThrow(new IndexFileError(reason))
  })
})

describe('the index, built once per data version', () => {
  it('is written next to the OSV cache on the first scan and read back on the next', async () => {
    const first = await loadZip()
    const logger = recordingLogger()
    const built = await createAdvisoryIndexCache()(first.data, logger)
    expect(first.reads()).toBe(1)
    expect(first.data.parts[0]?.indexFile).toBe(zipIndexFile(env, zip))
    expect(existsSync(zipIndexFile(env, zip))).toBe(true)

    const second = await loadZip()
    const stored = await createAdvisoryIndexCache()(second.data, logger)
    expect(second.reads()).toBe(0)
    expect(lookups(stored)).toEqual(lookups(built))
    expect(lookups(stored)).toEqual(lookups(reference))
    expect(logger.warnings).toEqual([])
  })

  it('keeps an index in memory for the rest of the process', async () => {
    const cache = createAdvisoryIndexCache()
    const { data, reads } = await loadZip()
    rmSync(zipIndexFile(env, zip))
    const once = await cache(data, recordingLogger())
    const twice = await cache(data, recordingLogger())
    expect(twice).toBe(once)
    expect(reads()).toBe(1)
  })

  it('is rebuilt when the data changes', async () => {
    await createAdvisoryIndexCache()((await loadZip()).data, recordingLogger())
    utimesSync(zip, new Date(1_700_000_000_000), new Date(1_700_000_000_000))
    const changed = await loadZip()
    await createAdvisoryIndexCache()(changed.data, recordingLogger())
    expect(changed.reads()).toBe(1)
    const again = await loadZip()
    await createAdvisoryIndexCache()(again.data, recordingLogger())
    expect(again.reads()).toBe(0)
  })

  it('is rebuilt, with a warning, when its file is damaged, and the file is repaired', async () => {
    const file = zipIndexFile(env, zip)
    await createAdvisoryIndexCache()((await loadZip()).data, recordingLogger())
    writeFileSync(file, readFileSync(file).subarray(0, -500))
    const logger = recordingLogger()
    const damaged = await loadZip()
    const index = await createAdvisoryIndexCache()(damaged.data, logger)
    expect(logger.warnings).toEqual([
      `the vulnerability index ${file} is damaged (its contents do not match their digest); building it again.`
    ])
    expect(damaged.reads()).toBe(1)
    expect(lookups(index)).toEqual(lookups(reference))
    const repaired = await loadZip()
    await createAdvisoryIndexCache()(repaired.data, recordingLogger())
    expect(repaired.reads()).toBe(0)
  })

  it('still scans when the index cannot be saved, and says so', async () => {
    const blocked = join(dir, 'blocked')
    writeFileSync(blocked, 'a file where the cache directory should be')
    const load = createVulnerabilityDataLoader({ env: { CONTAINER_GATE_CACHE_DIR: blocked } })
    const data = await load({ vulnDb: zip, ecosystems: [], logger: recordingLogger() })
    const logger = recordingLogger()
    const index = await createAdvisoryIndexCache()(data, logger)
    expect(lookups(index)).toEqual(lookups(reference))
    expect(logger.warnings).toEqual([
      expect.stringMatching(
        /^could not save the vulnerability index to .*blocked\/osv\/index\/[0-9a-f]{32}\.index \(ENOTDIR: .*\); the next scan builds it again\.$/
      )
    ])
  })

  it('is kept in memory only for a directory of records', async () => {
    const load = createVulnerabilityDataLoader({ env })
    const data = await load({ vulnDb: NPM_OSV_DIR, ecosystems: [], logger: recordingLogger() })
    expect(data.parts.map((part) => part.indexFile)).toEqual([undefined])
  })
})
