/**
 * Loading OSV data: the I/O edge of the composition step. `--vuln-db` names a directory of OSV
 * JSON files, an `all.zip` as osv.dev publishes per ecosystem, or `osv`: download the zips of the
 * ecosystems the image needs from osv.dev's bucket into a cache, falling back to the cached copy
 * (with a warning saying how old it is) when the download fails. A download replaces the cached
 * copy, and is stamped as fetched, only once it has been verified (docs/vulnerability-data.md).
 * Everything after loading — the index and the matcher — is pure.
 */
import { once } from 'node:events'
import { createWriteStream, rmSync } from 'node:fs'
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises'
import { dirname, join, relative, resolve } from 'node:path'
import { Transform } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { ConfigurationError } from '../../../errors.js'
import { sha256 } from '../../../image/digest.js'
import { header, request, type HttpRequestOptions, type HttpResponse } from '../../../image/http.js'
import { isLoopback } from '../../../image/registry/client.js'
import type { Logger } from '../../../log.js'
import { osvCacheDir } from '../../../cache-dirs.js'
import { formatBytes } from '../../../units.js'
import { isOsvRecord, type OsvRecord } from './schema.js'
import { readZipMembers, zipEntryCounts } from './zip.js'

export const OSV_BUCKET = 'https://osv-vulnerabilities.storage.googleapis.com'
/** A cached zip younger than this is used without asking the bucket again. */
export const OSV_MAX_AGE_MS = 60 * 60 * 1000
/** osv.dev's largest per-ecosystem all.zip is a few hundred MB; more is not OSV data. */
export const MAX_OSV_ZIP_BYTES = 2 * 1024 * 1024 * 1024
/** A partial download this old, or whose process is gone, was abandoned: the next scan removes it. */
export const STALE_PARTIAL_MS = 60 * 60 * 1000
/** Malformed records named in the cache's metadata and in warnings; the rest are counted. */
const MAX_LISTED_SKIPS = 10

export interface DataSource {
  /** The ecosystem the data is for (osv mode), or undefined for a user's DIR/ZIP. */
  ecosystem?: string
  /** A path or URL, for the report. */
  origin: string
  /** When the data was fetched (osv mode). */
  fetchedAt?: Date
  /** True when a download failed and an older cached copy is used. */
  stale?: boolean
}

/** One piece of the data, indexed on its own: an ecosystem's zip, or the user's DIR or ZIP. */
export interface DataPart {
  /** Identifies this exact data, so an index built from it can be reused. */
  version: string
  /** Where its index is kept between runs (zips only); absent: built once per process. */
  indexFile?: string
  /** Streams every record to `visit`, one at a time. */
  forEachRecord(visit: (record: OsvRecord) => void): Promise<void>
}

export interface VulnerabilityData {
  sources: DataSource[]
  /** Ecosystems the image needs for which no data could be had at all (osv mode). */
  missing: Array<{ ecosystem: string; reason: string }>
  parts: DataPart[]
}

export interface VulnerabilityDataRequest {
  /** The `vuln-db` input: `osv`, a directory or a zip. */
  vulnDb: string
  /** Base OSV ecosystems the image's packages belong to (`Debian`, `npm`, …). */
  ecosystems: string[]
  logger: Logger
}

/**
 * The one error for "the image has packages of an ecosystem the data cannot vouch for", whether
 * the download failed with no cached copy (osv) or the user's DIR/ZIP has no records for it.
 */
export function noVulnerabilityData(
  vulnDb: string,
  missing: VulnerabilityData['missing']
): ConfigurationError {
  const list = missing.map((m) => `${m.ecosystem} (${m.reason})`).join('; ')
  const fix =
    vulnDb === 'osv'
      ? ' and no cached copy; restore network access to osv.dev, set vuln-db to a directory or zip of OSV records for offline use,'
      : "; add those ecosystems' OSV records (osv.dev publishes ECOSYSTEM/all.zip), set vuln-db to osv to download them,"
  return new ConfigurationError(
    `input "vuln-db": no vulnerability data for ${list}${fix} or set allow-no-vuln-data to scan without it.`,
    'NO_VULN_DATA'
  )
}

export type VulnerabilityDataLoader = (
  request: VulnerabilityDataRequest
) => Promise<VulnerabilityData>

export interface LoaderOptions {
  env?: NodeJS.ProcessEnv
  now?: () => number
  /** The HTTP client's stall timeout and retries for downloads (tests shorten them). */
  http?: Pick<HttpRequestOptions, 'stallTimeoutMs' | 'retry'>
}

/** A record that was left out: the zip member (or file) and why. */
export interface SkippedRecord {
  member: string
  reason: string
}

/** A zip member's record, or why it is not one. */
function memberRecord(content: Buffer): OsvRecord | string {
  let value: unknown
  try {
    value = JSON.parse(content.toString('utf8'))
  } catch (error) {
    return `not valid JSON: ${(error as Error).message}`
  }
  return isOsvRecord(value) ? value : 'not an OSV record'
}

/**
 * Every `.json` member of a zip on disk, as a record to `visit` or, malformed, to `skip`. Throws
 * the zip reader's errors: the archive itself is unreadable.
 */
async function scanZip(
  path: string,
  visit: (record: OsvRecord) => void,
  skip: (skipped: SkippedRecord) => void
): Promise<void> {
  await readZipMembers(
    path,
    (name) => name.endsWith('.json'),
    (name, content) => {
      const record = memberRecord(content)
      if (typeof record === 'string') skip({ member: name, reason: record })
      else visit(record)
    }
  )
}

/**
 * Reads a zip from disk member by member, handing each `.json` member's record to `visit`; one
 * malformed record is skipped (given to `skip`), an unreadable archive is a ConfigurationError.
 */
export async function readZip(
  path: string,
  visit: (record: OsvRecord) => void,
  skip: (skipped: SkippedRecord) => void = () => undefined
): Promise<void> {
  try {
    await scanZip(path, visit, skip)
  } catch (error) {
    if (error instanceof ConfigurationError) throw error
    throw new ConfigurationError(
      `vuln-db: ${path} is not a readable zip (${(error as Error).message}); download it again.`,
      'VULN_DB_CORRUPT',
      { cause: error }
    )
  }
}

async function jsonFiles(dir: string): Promise<string[]> {
  const names = await readdir(dir, { recursive: true })
  return names
    .filter((name) => name.endsWith('.json'))
    .map((name) => join(dir, name))
    .sort()
}

async function fromDirectory(dir: string, logger: Logger): Promise<VulnerabilityData> {
  const files = await jsonFiles(dir)
  if (files.length === 0) {
    throw new ConfigurationError(
      `vuln-db: ${dir} holds no OSV .json files; point it at a directory of OSV records, an all.zip, or use osv.`,
      'VULN_DB_EMPTY'
    )
  }
  // The newest change and the total size identify the data well enough to reuse an index.
  const stats = await Promise.all(files.map((file) => stat(file)))
  const newest = Math.max(...stats.map((s) => s.mtimeMs))
  const bytes = stats.reduce((sum, s) => sum + s.size, 0)
  return {
    sources: [{ origin: dir }],
    missing: [],
    parts: [
      {
        version: `dir:${dir}:${files.length}:${bytes}:${newest}`,
        forEachRecord: async (visit) => {
          // One malformed file is skipped with a warning, as a malformed member of a zip is.
          for (const file of files) {
            const record = memberRecord(await readFile(file))
            if (typeof record === 'string') {
              logger.warning(skippedWarning(dir, { member: relative(dir, file), reason: record }))
            } else {
              visit(record)
            }
          }
        }
      }
    ]
  }
}

/** A zip's index, kept under the cache directory by the zip's path (a newer zip replaces it). */
export function zipIndexFile(env: NodeJS.ProcessEnv, zip: string): string {
  return join(osvCacheDir(env), 'index', `${sha256(zip).slice('sha256:'.length, 39)}.index`)
}

function skippedWarning(origin: string, skipped: SkippedRecord): string {
  return `skipped the malformed OSV record ${skipped.member} in ${origin} (${skipped.reason}); the other records are used.`
}

async function fromZip(
  path: string,
  env: NodeJS.ProcessEnv,
  logger: Logger
): Promise<VulnerabilityData> {
  const info = await stat(path)
  return {
    sources: [{ origin: path }],
    missing: [],
    parts: [
      {
        version: `zip:${path}:${info.size}:${info.mtimeMs}`,
        indexFile: zipIndexFile(env, path),
        forEachRecord: (visit) =>
          readZip(path, visit, (skipped) => logger.warning(skippedWarning(path, skipped)))
      }
    ]
  }
}

/** What a zip held when it was verified whole. */
interface Verified {
  /** Central directory entries, compared on every later use. */
  members: number
  records: number
  /** The first MAX_LISTED_SKIPS malformed records, and how many there were in all. */
  skipped: SkippedRecord[]
  skippedCount: number
}

/**
 * A cache entry's stamp, written only after its zip was verified. `size` and `mtimeMs` say which
 * file was verified: a zip that differs (or a stamp an older version wrote without them) is
 * verified again before it is trusted.
 */
interface CacheMeta extends Partial<Verified> {
  url: string
  etag?: string
  fetchedAt: string
  size?: number
  mtimeMs?: number
}

function isCacheMeta(value: unknown): value is CacheMeta {
  if (typeof value !== 'object' || value === null) return false
  const meta = value as Partial<CacheMeta>
  return (
    typeof meta.url === 'string' &&
    typeof meta.fetchedAt === 'string' &&
    !Number.isNaN(Date.parse(meta.fetchedAt)) &&
    (meta.etag === undefined || typeof meta.etag === 'string')
  )
}

async function readMeta(file: string): Promise<CacheMeta | undefined> {
  try {
    const value: unknown = JSON.parse(await readFile(file, 'utf8'))
    return isCacheMeta(value) ? value : undefined
  } catch {
    return undefined
  }
}

async function writeMeta(file: string, meta: CacheMeta): Promise<void> {
  const partial = `${file}.${process.pid}.partial`
  try {
    await writeFile(partial, JSON.stringify(meta))
    await rename(partial, file)
  } finally {
    await rm(partial, { force: true }).catch(() => undefined)
  }
}

/**
 * Reads a zip whole — it opens, its central directory lists every entry its end record
 * declares, every member inflates and holds an OSV record — before anything trusts it. Throws,
 * naming what is wrong, when it is not usable data; malformed records are only listed.
 */
async function verifyZip(path: string): Promise<Verified> {
  const { declared, listed } = await zipEntryCounts(path)
  // The end record's count is 16 bits: a ZIP64 archive's own count wraps there.
  if (declared !== undefined && declared !== listed % 0x10000) {
    throw new Error(`its central directory lists ${listed} of the ${declared} entries it declares`)
  }
  let records = 0
  let skippedCount = 0
  const skipped: SkippedRecord[] = []
  await scanZip(
    path,
    () => records++,
    (record) => {
      skippedCount++
      if (skipped.length < MAX_LISTED_SKIPS) skipped.push(record)
    }
  )
  if (records === 0) {
    throw new Error(
      skippedCount === 0
        ? 'it holds no OSV records'
        : `none of its ${skippedCount} records is a readable OSV record`
    )
  }
  return { members: listed, records, skipped, skippedCount }
}

function age(ms: number): string {
  const hours = ms / 3_600_000
  if (hours < 1) return `${Math.max(1, Math.round(ms / 60_000))} minutes`
  if (hours < 48) return `${Math.round(hours)} hours`
  return `${Math.round(hours / 24)} days`
}

/** One ecosystem's place in the cache. */
interface CacheEntry {
  ecosystem: string
  dir: string
  zip: string
  metaFile: string
  url: string
}

/**
 * The cached copy, if it is a zip that was verified: the same file the stamp describes, whose
 * central directory still lists the same entries — or, when the stamp does not describe this
 * file, a zip that passes verification again now (and is stamped anew, keeping its age).
 */
async function trustedCopy(entry: CacheEntry): Promise<CacheMeta | undefined> {
  const meta = await readMeta(entry.metaFile)
  if (meta === undefined) return undefined
  const info = await stat(entry.zip).catch(() => undefined)
  if (info === undefined || !info.isFile()) return undefined
  if (meta.size === info.size && meta.mtimeMs === info.mtimeMs && meta.members !== undefined) {
    const counts = await zipEntryCounts(entry.zip).catch(() => undefined)
    return counts?.listed === meta.members ? meta : undefined
  }
  let verified: Verified
  try {
    verified = await verifyZip(entry.zip)
  } catch {
    return undefined
  }
  const restamped: CacheMeta = { ...meta, ...verified, size: info.size, mtimeMs: info.mtimeMs }
  await writeMeta(entry.metaFile, restamped).catch(() => undefined)
  return restamped
}

function warnSkipped(entry: CacheEntry, meta: CacheMeta, logger: Logger): void {
  for (const skipped of meta.skipped ?? []) logger.warning(skippedWarning(entry.url, skipped))
  const more = (meta.skippedCount ?? 0) - (meta.skipped?.length ?? 0)
  if (more > 0) {
    logger.warning(`skipped ${more} more malformed OSV records in ${entry.url}.`)
  }
}

/** Partial downloads of this process, removed if a signal ends it mid-download. */
const partials = new Set<string>()
const CLEANUP_SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM']

function removePartialsOnSignal(signal: NodeJS.Signals): void {
  for (const file of partials) rmSync(file, { force: true })
  partials.clear()
  for (const name of CLEANUP_SIGNALS) process.off(name, removePartialsOnSignal)
  // With no other listener left, raising it again ends the process as the signal would have
  // (exit status 128 + its number); another listener decides for itself.
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal)
}

function track(file: string): void {
  if (partials.size === 0) {
    for (const name of CLEANUP_SIGNALS) process.on(name, removePartialsOnSignal)
  }
  partials.add(file)
}

function untrack(file: string): void {
  partials.delete(file)
  if (partials.size === 0) {
    for (const name of CLEANUP_SIGNALS) process.off(name, removePartialsOnSignal)
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

const PARTIAL = /\.(\d+)\.partial$/

/**
 * Removes partial files (downloads, stamps, index files) left by a process that was killed: its
 * pid is gone, or the file is older than STALE_PARTIAL_MS (the pid may have been reused).
 * Best effort: a cache that cannot be listed is dealt with when it is written.
 */
async function sweepPartials(cacheDir: string, now: number, logger: Logger): Promise<void> {
  const children = await readdir(cacheDir, { withFileTypes: true }).catch(() => [])
  const dirs = [
    cacheDir,
    ...children.filter((child) => child.isDirectory()).map((child) => join(cacheDir, child.name))
  ]
  for (const dir of dirs) {
    for (const name of await readdir(dir).catch((): string[] => [])) {
      const pid = Number(PARTIAL.exec(name)?.[1] ?? Number.NaN)
      const file = join(dir, name)
      if (Number.isNaN(pid) || partials.has(file)) continue
      const info = await stat(file).catch(() => undefined)
      if (info === undefined) continue
      if (now - info.mtimeMs < STALE_PARTIAL_MS && (pid === process.pid || processAlive(pid))) {
        continue
      }
      await rm(file, { force: true }).catch(() => undefined)
      logger.debug(`removed the abandoned partial file ${file}`)
    }
  }
}

/**
 * Why nothing can be downloaded into `dir`, or undefined when it can: checked before anything
 * is downloaded, so an unusable cache is one clear sentence, not a half-read response.
 */
async function unwritable(dir: string): Promise<string | undefined> {
  const probe = join(dir, `.probe.${process.pid}.partial`)
  try {
    await mkdir(dir, { recursive: true })
    await writeFile(probe, '')
    return undefined
  } catch (error) {
    return `${(error as NodeJS.ErrnoException).code ?? 'error'} on ${dir}`
  } finally {
    await rm(probe, { force: true }).catch(() => undefined)
  }
}

/** Counts the bytes of a download and stops it past `max`. */
function byteLimit(url: string, max: number): Transform {
  let total = 0
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      total += chunk.length
      if (total > max) done(new Error(`${url} sent more than ${formatBytes(max)}`))
      else done(null, chunk)
    }
  })
}

function failure(url: string, error: unknown): string {
  // Duck-typed: errors of node's streams may come from another realm (tests' VM contexts).
  const described = (error as { message?: unknown } | undefined)?.message
  const message = typeof described === 'string' ? described : String(error)
  return message.includes(url) ? message : `downloading ${url} failed: ${message}`
}

type Download = { meta: CacheMeta } | { notModified: true } | { failed: string }

/**
 * Downloads the zip into a partial file, verifies it and only then renames it over the cached
 * copy and stamps it. Every way out releases the response (its socket and stall timer) and
 * removes the partial file.
 */
async function download(
  entry: CacheEntry,
  etag: string | undefined,
  now: number,
  logger: Logger,
  http: LoaderOptions['http']
): Promise<Download> {
  let response: HttpResponse
  try {
    response = await request(entry.url, {
      ...http,
      allowHttp: (url) => isLoopback(url.hostname),
      headers: etag === undefined ? {} : { 'if-none-match': etag },
      logger
    })
  } catch (error) {
    return { failed: failure(entry.url, error) }
  }
  const { body } = response
  if (response.status !== 200) {
    body.destroy()
    if (response.status === 304 && etag !== undefined) return { notModified: true }
    return { failed: `${entry.url} answered ${response.status}` }
  }
  const declared = Number(header(response.headers, 'content-length'))
  if (declared > MAX_OSV_ZIP_BYTES) {
    body.destroy()
    return {
      failed: `${entry.url} declares ${formatBytes(declared)}, more than the ${formatBytes(MAX_OSV_ZIP_BYTES)} an OSV zip may be`
    }
  }
  const partial = `${entry.zip}.${process.pid}.partial`
  track(partial)
  const out = createWriteStream(partial)
  try {
    await pipeline(body, byteLimit(entry.url, MAX_OSV_ZIP_BYTES), out)
    let verified: Verified
    try {
      verified = await verifyZip(partial)
    } catch (error) {
      return {
        failed: `${entry.url} sent a file that is not usable OSV data (${(error as Error).message})`
      }
    }
    await rename(partial, entry.zip)
    const info = await stat(entry.zip)
    const newEtag = header(response.headers, 'etag')
    const meta: CacheMeta = {
      url: entry.url,
      ...(newEtag === undefined ? {} : { etag: newEtag }),
      fetchedAt: new Date(now).toISOString(),
      size: info.size,
      mtimeMs: info.mtimeMs,
      ...verified
    }
    // The zip in place is verified whatever happens to its stamp; without one the next scan
    // verifies it again.
    await writeMeta(entry.metaFile, meta).catch((error: NodeJS.ErrnoException) =>
      logger.warning(
        `could not record the download of ${entry.url} in ${entry.metaFile} (${error.code ?? error.message}); the next scan checks the zip again.`
      )
    )
    return { meta }
  } catch (error) {
    return { failed: failure(entry.url, error) }
  } finally {
    body.destroy()
    // A stream destroyed before its file was open still opens (then closes) it: removing the
    // partial before that would leave it behind.
    if (!out.closed) await once(out, 'close').catch(() => undefined)
    untrack(partial)
    await rm(partial, { force: true }).catch(() => undefined)
  }
}

type Fetched = { zip: string; source: DataSource } | { missing: string }

/** The ecosystem's all.zip: fresh from the cache, downloaded, or the cached copy as a fallback. */
async function fetchEcosystem(
  entry: CacheEntry,
  cacheDir: string,
  logger: Logger,
  now: number,
  http: LoaderOptions['http']
): Promise<Fetched> {
  const { ecosystem, zip, url } = entry
  const cached = await trustedCopy(entry)
  const sameUrl = cached?.url === url
  const fetchedAt = cached === undefined ? undefined : new Date(cached.fetchedAt)
  if (cached !== undefined && sameUrl && now - fetchedAt!.getTime() < OSV_MAX_AGE_MS) {
    warnSkipped(entry, cached, logger)
    return { zip, source: { ecosystem, origin: url, fetchedAt: fetchedAt! } }
  }
  const problem = await unwritable(entry.dir)
  const result: Download =
    problem === undefined
      ? await download(entry, sameUrl ? cached.etag : undefined, now, logger, http)
      : { failed: `the cache directory ${cacheDir} cannot be written: ${problem}` }
  if (problem !== undefined && cached === undefined) {
    throw new ConfigurationError(
      `the OSV cache directory ${cacheDir} cannot be used (${problem}); set CONTAINER_GATE_CACHE_DIR to a writable directory, or give --vuln-db DIR|ZIP to scan offline.`,
      'OSV_CACHE_UNUSABLE'
    )
  }
  if ('meta' in result) {
    logger.info(`Downloaded OSV data for ${ecosystem} from ${url}.`)
    warnSkipped(entry, result.meta, logger)
    return { zip, source: { ecosystem, origin: url, fetchedAt: new Date(now) } }
  }
  if ('notModified' in result && cached !== undefined) {
    const stamp: CacheMeta = { ...cached, fetchedAt: new Date(now).toISOString() }
    await writeMeta(entry.metaFile, stamp).catch(() => undefined)
    warnSkipped(entry, cached, logger)
    return { zip, source: { ecosystem, origin: url, fetchedAt: new Date(now) } }
  }
  const reason = 'failed' in result ? result.failed : `${url} answered 304`
  if (cached !== undefined && fetchedAt !== undefined) {
    logger.warning(
      `could not download OSV data for ${ecosystem} (${reason}); using the cached copy from ${fetchedAt.toISOString()}, ${age(now - fetchedAt.getTime())} old.`
    )
    warnSkipped(entry, cached, logger)
    return { zip, source: { ecosystem, origin: url, fetchedAt, stale: true } }
  }
  const damaged = (await stat(zip).catch(() => undefined)) !== undefined
  return {
    missing: damaged ? `${reason}; the cached copy ${zip} is damaged or unverified` : reason
  }
}

/** `CONTAINER_GATE_OSV_URL`, held to the registry client's rule: https, or http to loopback. */
function osvBaseUrl(env: NodeJS.ProcessEnv): string {
  const value = env.CONTAINER_GATE_OSV_URL || OSV_BUCKET
  let url: URL | undefined
  try {
    url = new URL(value)
  } catch {
    url = undefined
  }
  if (
    url !== undefined &&
    (url.protocol === 'https:' || (url.protocol === 'http:' && isLoopback(url.hostname)))
  ) {
    return value.replace(/\/+$/, '')
  }
  throw new ConfigurationError(
    `CONTAINER_GATE_OSV_URL "${value}" is not an https URL; give a mirror's https base URL (plain http only for loopback hosts: 127.0.0.0/8, ::1, localhost).`,
    'BAD_OSV_URL'
  )
}

async function fromOsv(
  ecosystems: string[],
  logger: Logger,
  options: LoaderOptions
): Promise<VulnerabilityData> {
  const env = options.env ?? process.env
  const now = (options.now ?? Date.now)()
  const cacheDir = osvCacheDir(env)
  const baseUrl = osvBaseUrl(env)
  await sweepPartials(cacheDir, Date.now(), logger)
  const zips: string[] = []
  const sources: DataSource[] = []
  const missing: VulnerabilityData['missing'] = []
  for (const ecosystem of [...new Set(ecosystems)].sort()) {
    const dir = join(cacheDir, encodeURIComponent(ecosystem))
    const entry: CacheEntry = {
      ecosystem,
      dir,
      zip: join(dir, 'all.zip'),
      metaFile: join(dir, 'meta.json'),
      url: `${baseUrl}/${encodeURIComponent(ecosystem)}/all.zip`
    }
    const result = await fetchEcosystem(entry, cacheDir, logger, now, options.http)
    if ('missing' in result) {
      missing.push({ ecosystem, reason: result.missing })
    } else {
      zips.push(result.zip)
      sources.push(result.source)
    }
  }
  const parts = await Promise.all(
    zips.map(async (zip): Promise<DataPart> => {
      const info = await stat(zip)
      return {
        version: `osv:${zip}:${info.size}:${info.mtimeMs}`,
        // Next to its zip, so the action's cache of the directory keeps both.
        indexFile: join(dirname(zip), 'all.index'),
        // Its malformed records were named when the zip was verified and when it was chosen.
        forEachRecord: (visit) => readZip(zip, visit)
      }
    })
  )
  return { sources, missing, parts }
}

/** The loader the step uses unless a test injects another. */
export function createVulnerabilityDataLoader(
  options: LoaderOptions = {}
): VulnerabilityDataLoader {
  return async ({ vulnDb, ecosystems, logger }) => {
    if (vulnDb === 'osv') return fromOsv(ecosystems, logger, options)
    const path = resolve(vulnDb)
    const info = await stat(path).catch(() => undefined)
    if (info === undefined) {
      throw new ConfigurationError(
        `vuln-db: ${vulnDb} does not exist; give a directory of OSV JSON files, an OSV all.zip, or osv to download.`,
        'VULN_DB_MISSING'
      )
    }
    return info.isDirectory()
      ? fromDirectory(path, logger)
      : fromZip(path, options.env ?? process.env, logger)
  }
}
