/**
 * Fault injection for OSV downloads (issue 14): a stand-in bucket on 127.0.0.1 cuts bodies,
 * sends truncated, malformed and non-zip files, answers 500, trickles; the cache directory is
 * unusable; the CLI is killed mid-download. Each case asserts what is in the cache afterwards.
 */
import { bundleCli, type BundledCli } from '../../__fixtures__/bundled-cli.js'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals'
import { spawn } from 'node:child_process'
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  truncateSync,
  utimesSync,
  writeFileSync
} from 'node:fs'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { zipSync } from 'fflate'
import { recordingLogger } from '../../__fixtures__/recording-logger.js'
import { ConfigurationError } from '../../src/errors.js'
import {
  createVulnerabilityDataLoader,
  STALE_PARTIAL_MS,
  type VulnerabilityData
} from '../../src/steps/composition/osv/load.js'
import { DEBIAN_OSV_DIR, NPM_OSV_DIR } from '../steps/composition/osv-data.js'

function records(dir: string): Record<string, Uint8Array> {
  const files: Record<string, Uint8Array> = {}
  for (const name of readdirSync(dir).filter((n) => n.endsWith('.json'))) {
    files[name] = readFileSync(join(dir, name))
  }
  return files
}

const npmRecords = records(NPM_OSV_DIR)
const zip = (files: Record<string, Uint8Array>): Buffer => Buffer.from(zipSync(files))
const GOOD = zip(npmRecords)
/** A later publication: one record fewer, so the cache shows which copy it holds. */
const NEXT = zip(Object.fromEntries(Object.entries(npmRecords).slice(1)))
const DEBIAN = zip(records(DEBIAN_OSV_DIR))
const NOT_A_RECORD = zip({
  ...npmRecords,
  'GHSA-0000-0000-0000.json': Buffer.from('{"summary":"an advisory without an id"}')
})
const BAD_JSON = zip({ ...npmRecords, 'GHSA-1111-1111-1111.json': Buffer.from('{"id": "GHSA-') })
/** A zip whose central directory's fourth entry lost its signature; its end record is whole. */
function damagedDirectory(archive: Buffer): Buffer {
  const copy = Buffer.from(archive)
  let at = copy.readUInt32LE(copy.length - 22 + 16)
  for (let entry = 0; entry < 3; entry++) {
    at += 46 + copy.readUInt16LE(at + 28) + copy.readUInt16LE(at + 30) + copy.readUInt16LE(at + 32)
  }
  copy.writeUInt32LE(0, at)
  return copy
}
/** More than the client's and the kernel's buffers hold: the server waits until it is read. */
const LARGE = Buffer.concat([GOOD, Buffer.alloc(16 * 1024 * 1024, 1)])

type Fault =
  | 'good'
  | 'next'
  | 'cut-after-headers'
  | 'truncated'
  | 'not-a-record'
  | 'bad-json'
  | 'not-a-zip'
  | 'damaged-directory'
  | 'error-500'
  | 'slow'
  | 'large'

let fault: Fault = 'good'
const requests: Array<{ url: string; ifNoneMatch?: string }> = []
/** Responses that ended, finished or not: a client that lets go of a body closes its socket. */
let closedResponses = 0
const held = new Set<ServerResponse>()
let servers: Server[] = []
let base: string
let dir: string
let cli: string
let bundled: BundledCli | undefined

function serve(req: IncomingMessage, res: ServerResponse): void {
  requests.push({
    url: req.url ?? '',
    ...(req.headers['if-none-match'] === undefined
      ? {}
      : { ifNoneMatch: String(req.headers['if-none-match']) })
  })
  res.on('close', () => closedResponses++)
  const ecosystem = req.url?.split('/')[1]
  const good = ecosystem === 'npm' ? GOOD : ecosystem === 'Debian' ? DEBIAN : undefined
  if (good === undefined) {
    res.writeHead(404).end()
    return
  }
  const send = (body: Buffer, etag?: string): void => {
    res.writeHead(200, { 'content-length': body.length, ...(etag ? { etag } : {}) }).end(body)
  }
  switch (fault) {
    case 'good':
      if (req.headers['if-none-match'] === '"good"') res.writeHead(304).end()
      else send(good, '"good"')
      return
    case 'next':
      send(ecosystem === 'npm' ? NEXT : good, '"next"')
      return
    case 'cut-after-headers':
      res.writeHead(200, { 'content-length': good.length, etag: '"cut"' })
      res.flushHeaders()
      res.socket?.destroy()
      return
    case 'truncated':
      send(good.subarray(0, good.length - 100), '"truncated"')
      return
    case 'not-a-record':
      send(NOT_A_RECORD, '"not-a-record"')
      return
    case 'bad-json':
      send(BAD_JSON, '"bad-json"')
      return
    case 'not-a-zip':
      send(Buffer.from('<html><body>Service temporarily unavailable</body></html>'))
      return
    case 'damaged-directory':
      send(damagedDirectory(good), '"damaged"')
      return
    case 'error-500':
      res.writeHead(500).end('backend error')
      return
    case 'large':
      send(LARGE)
      return
    case 'slow':
      // Headers and a few bytes, then nothing until the client gives up (or the test ends).
      res.writeHead(200, { 'content-length': good.length })
      res.write(good.subarray(0, 100))
      held.add(res)
      setTimeout(() => res.destroy(), 20_000).unref()
      return
  }
}

async function listen(host: string): Promise<Server> {
  const server = createServer(serve)
  await new Promise<void>((done) => server.listen(0, host, done))
  servers.push(server)
  return server
}

beforeAll(async () => {
  const server = await listen('127.0.0.1')
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  // The CLI runs as a child process so that it must end by itself.
  bundled = await bundleCli('faults-osv')
  cli = bundled.cli
})

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'faults-osv-'))
  fault = 'good'
  requests.length = 0
  closedResponses = 0
})

afterEach(() => {
  for (const res of held) res.destroy()
  held.clear()
  rmSync(dir, { recursive: true, force: true })
})

afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise<void>((done) => s.close(() => done()))))
  servers = []
  await bundled?.remove()
})

const T0 = Date.parse('2026-03-02T08:00:00Z')
const TWO_HOURS = 2 * 3_600_000
const cache = (): string => join(dir, 'cache')
const npmDir = (): string => join(cache(), 'osv', 'npm')
const url = (ecosystem = 'npm'): string => `${base}/${ecosystem}/all.zip`

function loader(now: number, env: NodeJS.ProcessEnv = {}) {
  return createVulnerabilityDataLoader({
    env: { CONTAINER_GATE_CACHE_DIR: cache(), CONTAINER_GATE_OSV_URL: base, ...env },
    now: () => now,
    http: { stallTimeoutMs: 300, retry: { attempts: 2, baseDelayMs: 10, maxDelayMs: 20 } }
  })
}

async function load(now: number, env: NodeJS.ProcessEnv = {}) {
  const logger = recordingLogger()
  const data = await loader(now, env)({ vulnDb: 'osv', ecosystems: ['npm'], logger })
  return { data, warnings: logger.warnings }
}

async function recordIds(data: VulnerabilityData): Promise<number> {
  let count = 0
  for (const part of data.parts) await part.forEachRecord(() => count++)
  return count
}

function meta(): { fetchedAt: string; etag?: string } {
  return JSON.parse(readFileSync(join(npmDir(), 'meta.json'), 'utf8')) as {
    fetchedAt: string
    etag?: string
  }
}

/** Resolves once the server saw every response closed (the jest timeout is the backstop). */
async function released(): Promise<void> {
  while (closedResponses < requests.length) await new Promise((done) => setTimeout(done, 10))
}

function partials(root = cache()): string[] {
  if (!existsSync(root)) return []
  return readdirSync(root, { recursive: true })
    .map(String)
    .filter((name) => name.endsWith('.partial'))
}

/** A good copy fetched at T0, two hours old by the time the fault is injected. */
async function seed(): Promise<void> {
  fault = 'good'
  await load(T0)
  requests.length = 0
  closedResponses = 0
}

const fallback = (reason: string): string =>
  `could not download OSV data for npm (${reason}); using the cached copy from ${new Date(T0).toISOString()}, 2 hours old.`

describe('a failed or bad download falls back to the last good copy, which it leaves in place', () => {
  it.each<[Fault, () => string]>([
    ['cut-after-headers', () => `${url()} closed the connection before the body was complete`],
    [
      'truncated',
      () => `${url()} sent a file that is not usable OSV data (no end of central directory record)`
    ],
    [
      'not-a-zip',
      () => `${url()} sent a file that is not usable OSV data (no end of central directory record)`
    ],
    [
      'damaged-directory',
      () =>
        `${url()} sent a file that is not usable OSV data (its central directory lists 3 of the 65 entries it declares)`
    ],
    ['error-500', () => `${url()} answered 500`],
    ['slow', () => `${url()} sent no data for 0.3 s`]
  ])('%s: warns naming the age, keeps the zip and its stamp', async (injected, reason) => {
    await seed()
    fault = injected
    const { data, warnings } = await load(T0 + TWO_HOURS)
    expect(warnings).toEqual([fallback(reason())])
    expect(data.missing).toEqual([])
    expect(data.sources).toEqual([
      { ecosystem: 'npm', origin: url(), fetchedAt: new Date(T0), stale: true }
    ])
    expect(readFileSync(join(npmDir(), 'all.zip')).equals(GOOD)).toBe(true)
    expect(meta()).toMatchObject({ fetchedAt: new Date(T0).toISOString(), etag: '"good"' })
    expect(await recordIds(data)).toBe(65)
    expect(partials()).toEqual([])
    // Every response was let go of: no socket or stall timer outlives the load.
    await released()
  })

  it.each<[Fault, () => string]>([
    ['cut-after-headers', () => `${url()} closed the connection before the body was complete`],
    [
      'truncated',
      () => `${url()} sent a file that is not usable OSV data (no end of central directory record)`
    ],
    ['error-500', () => `${url()} answered 500`]
  ])(
    '%s without a cached copy: the ecosystem is missing, nothing is cached or stamped',
    async (injected, reason) => {
      fault = injected
      const { data, warnings } = await load(T0)
      expect(data.missing).toEqual([{ ecosystem: 'npm', reason: reason() }])
      expect(data.parts).toEqual([])
      expect(warnings).toEqual([])
      expect(existsSync(join(npmDir(), 'all.zip'))).toBe(false)
      expect(existsSync(join(npmDir(), 'meta.json'))).toBe(false)
      expect(partials()).toEqual([])
    }
  )

  it.each<Fault>(['truncated', 'error-500'])(
    'after %s, the next scan downloads again as soon as the server is fixed',
    async (injected) => {
      await seed()
      fault = injected
      await load(T0 + TWO_HOURS)
      fault = 'next'
      requests.length = 0
      const { data, warnings } = await load(T0 + TWO_HOURS + 60_000)
      expect(requests).toEqual([{ url: '/npm/all.zip', ifNoneMatch: '"good"' }])
      expect(warnings).toEqual([])
      expect(data.sources).toEqual([
        { ecosystem: 'npm', origin: url(), fetchedAt: new Date(T0 + TWO_HOURS + 60_000) }
      ])
      expect(readFileSync(join(npmDir(), 'all.zip')).equals(NEXT)).toBe(true)
      expect(meta()).toMatchObject({
        fetchedAt: new Date(T0 + TWO_HOURS + 60_000).toISOString(),
        etag: '"next"'
      })
      expect(await recordIds(data)).toBe(64)
    }
  )
})

describe('a malformed record inside a good zip is skipped, not the ecosystem', () => {
  it('names the member in a warning, on download and on every scan that uses the copy', async () => {
    fault = 'not-a-record'
    const first = await load(T0)
    const warning = `skipped the malformed OSV record GHSA-0000-0000-0000.json in ${url()} (not an OSV record); the other records are used.`
    expect(first.warnings).toEqual([warning])
    expect(first.data.missing).toEqual([])
    expect(await recordIds(first.data)).toBe(65)
    expect(readFileSync(join(npmDir(), 'all.zip')).equals(NOT_A_RECORD)).toBe(true)
    expect(meta()).toMatchObject({ fetchedAt: new Date(T0).toISOString(), etag: '"not-a-record"' })

    requests.length = 0
    const again = await load(T0 + 60_000)
    expect(requests).toEqual([])
    expect(again.warnings).toEqual([warning])
  })

  it('says why a member is not JSON', async () => {
    fault = 'bad-json'
    const { data, warnings } = await load(T0)
    expect(warnings).toEqual([
      expect.stringMatching(
        new RegExp(
          `^skipped the malformed OSV record GHSA-1111-1111-1111\\.json in ${url().replace(/\./g, '\\.')} \\(not valid JSON: .+\\); the other records are used\\.$`
        )
      )
    ])
    expect(await recordIds(data)).toBe(65)
  })
})

describe('a cache entry is trusted only while its zip is the one that was verified', () => {
  it('downloads again, without an ETag, when the zip of a fresh entry is missing', async () => {
    await seed()
    rmSync(join(npmDir(), 'all.zip'))
    const { data, warnings } = await load(T0 + 60_000)
    expect(requests).toEqual([{ url: '/npm/all.zip' }])
    expect(warnings).toEqual([])
    expect(data.sources[0]?.fetchedAt).toEqual(new Date(T0 + 60_000))
    expect(readFileSync(join(npmDir(), 'all.zip')).equals(GOOD)).toBe(true)
  })

  it('does not revalidate a truncated zip with its ETag (a 304 would keep it)', async () => {
    await seed()
    truncateSync(join(npmDir(), 'all.zip'), GOOD.length - 100)
    const { data } = await load(T0 + TWO_HOURS)
    expect(requests).toEqual([{ url: '/npm/all.zip' }])
    expect(data.sources[0]).toEqual({
      ecosystem: 'npm',
      origin: url(),
      fetchedAt: new Date(T0 + TWO_HOURS)
    })
    expect(readFileSync(join(npmDir(), 'all.zip')).equals(GOOD)).toBe(true)
  })

  it('does not trust a zip damaged in place with its size and time unchanged', async () => {
    await seed()
    const file = join(npmDir(), 'all.zip')
    const { mtime } = statSync(file)
    writeFileSync(file, damagedDirectory(GOOD))
    utimesSync(file, mtime, mtime)
    const { data } = await load(T0 + 60_000)
    expect(requests).toEqual([{ url: '/npm/all.zip' }])
    expect(data.sources[0]?.fetchedAt).toEqual(new Date(T0 + 60_000))
    expect(readFileSync(file).equals(GOOD)).toBe(true)
  })

  it('reports a damaged copy that cannot be replaced as missing, saying so', async () => {
    await seed()
    truncateSync(join(npmDir(), 'all.zip'), GOOD.length - 100)
    fault = 'error-500'
    const { data } = await load(T0 + TWO_HOURS)
    expect(data.missing).toEqual([
      {
        ecosystem: 'npm',
        reason: `${url()} answered 500; the cached copy ${join(npmDir(), 'all.zip')} is damaged or unverified`
      }
    ])
  })

  it('revalidates a good copy with its ETag and restamps it on 304', async () => {
    await seed()
    const { data } = await load(T0 + TWO_HOURS)
    expect(requests).toEqual([{ url: '/npm/all.zip', ifNoneMatch: '"good"' }])
    expect(data.sources[0]?.fetchedAt).toEqual(new Date(T0 + TWO_HOURS))
    expect(meta().fetchedAt).toBe(new Date(T0 + TWO_HOURS).toISOString())
  })
})

describe('an unusable cache directory', () => {
  const unusable: Array<[string, () => { env: string; cacheDir: string; code: string }]> = [
    [
      'a regular file',
      () => {
        const file = join(dir, 'a-file')
        writeFileSync(file, 'not a directory')
        return { env: file, cacheDir: join(file, 'osv'), code: 'ENOTDIR' }
      }
    ]
  ]
  if (process.getuid?.() !== 0) {
    // Root writes into a read-only directory regardless, so the case needs an ordinary user.
    unusable.push([
      'a directory without write permission',
      () => {
        const readOnly = join(dir, 'read-only')
        mkdirSync(readOnly)
        chmodSync(readOnly, 0o500)
        return { env: readOnly, cacheDir: join(readOnly, 'osv'), code: 'EACCES' }
      }
    ])
  }

  it.each(unusable)(
    'is %s: one sentence naming it and the fix, before anything is downloaded',
    async (_name, make) => {
      const { env, cacheDir, code } = make()
      const attempt = loader(T0, { CONTAINER_GATE_CACHE_DIR: env })({
        vulnDb: 'osv',
        ecosystems: ['npm'],
        logger: recordingLogger()
      })
      await expect(attempt).rejects.toMatchObject({
        name: 'ConfigurationError',
        message: `the OSV cache directory ${cacheDir} cannot be used (${code} on ${join(cacheDir, 'npm')}); set CONTAINER_GATE_CACHE_DIR to a writable directory, or give --vuln-db DIR|ZIP to scan offline.`
      })
      expect(requests).toEqual([])
    }
  )

  it('with a good copy in it, uses that copy with a warning and downloads nothing', async () => {
    await seed()
    // The directory cannot take a new file: where the write probe goes, there is a directory.
    mkdirSync(join(npmDir(), `.probe.${process.pid}.partial`))
    const { data, warnings } = await load(T0 + TWO_HOURS)
    expect(requests).toEqual([])
    expect(warnings).toEqual([
      fallback(
        `the cache directory ${join(cache(), 'osv')} cannot be written: EISDIR on ${npmDir()}`
      )
    ])
    expect(data.sources[0]).toMatchObject({ stale: true, fetchedAt: new Date(T0) })
  })

  it('releases the response when the partial file cannot be written', async () => {
    mkdirSync(join(npmDir(), `all.zip.${process.pid}.partial`), { recursive: true })
    fault = 'large'
    const { data } = await load(T0)
    expect(data.missing).toEqual([
      {
        ecosystem: 'npm',
        reason: `downloading ${url()} failed: EISDIR: illegal operation on a directory, open '${join(npmDir(), `all.zip.${process.pid}.partial`)}'`
      }
    ])
    expect(requests).toHaveLength(1)
    await released()
  })
})

describe('partial downloads', () => {
  it('are removed at the next scan when their process is gone or they are old', async () => {
    await seed()
    const dead = join(npmDir(), 'all.zip.999999999.partial')
    const old = join(npmDir(), `all.zip.${process.pid}.partial`)
    const live = join(npmDir(), `all.index.${process.pid}.partial`)
    for (const file of [dead, old, live]) writeFileSync(file, 'half a zip')
    const longAgo = new Date(Date.now() - STALE_PARTIAL_MS - 60_000)
    utimesSync(old, longAgo, longAgo)
    await load(T0 + 60_000)
    expect([existsSync(dead), existsSync(old), existsSync(live)]).toEqual([false, false, true])
  })
})

describe('CONTAINER_GATE_OSV_URL', () => {
  it('accepts plain http to every loopback address, as the registry client does', async () => {
    const server = await listen('127.0.0.2')
    const other = `http://127.0.0.2:${(server.address() as AddressInfo).port}`
    const { data } = await load(T0, { CONTAINER_GATE_OSV_URL: other })
    expect(data.missing).toEqual([])
    expect(data.sources[0]?.origin).toBe(`${other}/npm/all.zip`)
  })

  it('refuses plain http to another host, naming the variable', async () => {
    await expect(load(T0, { CONTAINER_GATE_OSV_URL: 'http://mirror.example/osv' })).rejects.toThrow(
      new ConfigurationError(
        'CONTAINER_GATE_OSV_URL "http://mirror.example/osv" is not an https URL; give a mirror\'s https base URL (plain http only for loopback hosts: 127.0.0.0/8, ::1, localhost).'
      )
    )
    expect(requests).toEqual([])
  })
})

describe('the CLI ends by itself', () => {
  const image = `oci-archive:${resolve('demo/sample-image.tar')}`

  function run(env: NodeJS.ProcessEnv) {
    const child = spawn(
      process.execPath,
      [cli, 'scan', image, '--vuln-db', 'osv', '--steps', 'composition', '--format', 'json'],
      {
        env: { PATH: process.env.PATH, HOME: dir, CONTAINER_GATE_OSV_URL: base, ...env },
        stdio: ['ignore', 'pipe', 'pipe']
      }
    )
    let stderr = ''
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    child.stdout.resume()
    const exit = new Promise<{
      code: number | null
      signal: NodeJS.Signals | null
      stderr: string
    }>((done) => child.once('close', (code, signal) => done({ code, signal, stderr })))
    return { child, exit }
  }

  it('exits 2 when the cache directory is a file, naming it', async () => {
    const file = join(dir, 'a-file')
    writeFileSync(file, 'not a directory')
    const { code, stderr } = await run({ CONTAINER_GATE_CACHE_DIR: file }).exit
    expect(code).toBe(2)
    expect(stderr).toContain(
      `container-gate: the OSV cache directory ${join(file, 'osv')} cannot be used (ENOTDIR on ${join(file, 'osv', 'Debian')}); set CONTAINER_GATE_CACHE_DIR to a writable directory, or give --vuln-db DIR|ZIP to scan offline.\n`
    )
    expect(requests).toEqual([])
  })

  it('exits 2 naming the ecosystem and the URL when a download is cut after its headers', async () => {
    fault = 'cut-after-headers'
    const { code, stderr } = await run({ CONTAINER_GATE_CACHE_DIR: cache() }).exit
    expect(code).toBe(2)
    expect(stderr).toContain(
      `no vulnerability data for Debian (${url('Debian')} closed the connection before the body was complete); npm (${url()} closed the connection before the body was complete) and no cached copy`
    )
    expect(stderr).not.toContain('Unhandled')
    expect(partials()).toEqual([])
  })

  it('removes its partial download when SIGTERM ends it mid-download', async () => {
    fault = 'slow'
    const { child, exit } = run({ CONTAINER_GATE_CACHE_DIR: cache() })
    // Bounded wait for the download to start (the jest timeout is the backstop).
    const download = `osv/Debian/all.zip.${child.pid}.partial`
    while (!partials().includes(download) && child.exitCode === null) {
      await new Promise((done) => setTimeout(done, 20))
    }
    expect(partials()).toEqual([download])
    child.kill('SIGTERM')
    const { signal } = await exit
    expect(signal).toBe('SIGTERM')
    expect(partials()).toEqual([])
  })
})
