/**
 * Loading OSV data: the I/O edge of the composition step. `--vuln-db` names a directory of OSV
 * JSON files, an `all.zip` as osv.dev publishes per ecosystem, or `osv`: download the zips of the
 * ecosystems the image needs from osv.dev's bucket into a cache, falling back to the cached copy
 * (with a warning saying how old it is) when the download fails. Everything after loading — the
 * index and the matcher — is pure.
 */
import { createWriteStream } from 'node:fs'
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises'
import { homedir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { pipeline } from 'node:stream/promises'
import { ConfigurationError } from '../../../errors.js'
import { sha256 } from '../../../image/digest.js'
import { header, HttpError, request } from '../../../image/http.js'
import type { Logger } from '../../../log.js'
import { isOsvRecord, type OsvRecord } from './schema.js'
import { readZipMembers } from './zip.js'

export const OSV_BUCKET = 'https://osv-vulnerabilities.storage.googleapis.com'
/** A cached zip younger than this is used without asking the bucket again. */
export const OSV_MAX_AGE_MS = 60 * 60 * 1000

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
      ? ' and no cached copy; restore network access to osv.dev, give --vuln-db DIR|ZIP for offline use,'
      : "; add those ecosystems' OSV records (osv.dev publishes ECOSYSTEM/all.zip), use --vuln-db osv to download them,"
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
}

/**
 * Where downloaded zips are kept between runs: `CONTAINER_GATE_CACHE_DIR`, else the runner's
 * tool cache (what @actions/cache saves in the action), else `$XDG_CACHE_HOME` or ~/.cache.
 */
export function osvCacheDir(env: NodeJS.ProcessEnv): string {
  if (env.CONTAINER_GATE_CACHE_DIR) return join(env.CONTAINER_GATE_CACHE_DIR, 'osv')
  if (env.RUNNER_TOOL_CACHE) return join(env.RUNNER_TOOL_CACHE, 'container-gate', 'osv')
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'container-gate', 'osv')
}

function parseRecord(text: string, origin: string): OsvRecord | undefined {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (error) {
    throw new ConfigurationError(
      `vuln-db: ${origin} is not valid JSON (${(error as Error).message}); remove or replace it.`,
      'VULN_DB_CORRUPT',
      { cause: error }
    )
  }
  return isOsvRecord(value) ? value : undefined
}

/** Reads a zip from disk member by member, handing each `.json` member's record to `visit`. */
export async function readZip(path: string, visit: (record: OsvRecord) => void): Promise<void> {
  try {
    await readZipMembers(
      path,
      (name) => name.endsWith('.json'),
      (name, content) => {
        const record = parseRecord(content.toString('utf8'), `${path}:${name}`)
        if (record !== undefined) visit(record)
      }
    )
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

async function fromDirectory(dir: string): Promise<VulnerabilityData> {
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
          for (const file of files) {
            const record = parseRecord(await readFile(file, 'utf8'), file)
            if (record !== undefined) visit(record)
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

async function fromZip(path: string, env: NodeJS.ProcessEnv): Promise<VulnerabilityData> {
  const info = await stat(path)
  return {
    sources: [{ origin: path }],
    missing: [],
    parts: [
      {
        version: `zip:${path}:${info.size}:${info.mtimeMs}`,
        indexFile: zipIndexFile(env, path),
        forEachRecord: (visit) => readZip(path, visit)
      }
    ]
  }
}

interface CacheMeta {
  url: string
  etag?: string
  fetchedAt: string
}

const isLoopback = (url: URL): boolean =>
  ['127.0.0.1', 'localhost', '[::1]', '::1'].includes(url.hostname)

async function readMeta(file: string): Promise<CacheMeta | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as CacheMeta
  } catch {
    return undefined
  }
}

function age(ms: number): string {
  const hours = ms / 3_600_000
  if (hours < 1) return `${Math.max(1, Math.round(ms / 60_000))} minutes`
  if (hours < 48) return `${Math.round(hours)} hours`
  return `${Math.round(hours / 24)} days`
}

/** Downloads one ecosystem's all.zip into the cache, or explains why it is not there. */
async function fetchEcosystem(
  ecosystem: string,
  cacheDir: string,
  baseUrl: string,
  logger: Logger,
  now: number
): Promise<{ zip: string; source: DataSource } | { missing: string }> {
  const dir = join(cacheDir, encodeURIComponent(ecosystem))
  const zip = join(dir, 'all.zip')
  const metaFile = join(dir, 'meta.json')
  const url = `${baseUrl.replace(/\/+$/, '')}/${encodeURIComponent(ecosystem)}/all.zip`
  const meta = await readMeta(metaFile)
  const cached = meta !== undefined && (await stat(zip).catch(() => undefined)) !== undefined
  const fetchedAt = meta === undefined ? undefined : new Date(meta.fetchedAt)
  if (cached && fetchedAt !== undefined && now - fetchedAt.getTime() < OSV_MAX_AGE_MS) {
    return { zip, source: { ecosystem, origin: url, fetchedAt } }
  }
  let reason: string
  try {
    const response = await request(url, {
      allowHttp: isLoopback,
      headers: cached && meta?.etag ? { 'if-none-match': meta.etag } : {},
      logger
    })
    if (response.status === 304 && cached) {
      response.body.resume()
      await writeFile(metaFile, JSON.stringify({ ...meta, fetchedAt: new Date(now).toISOString() }))
      return { zip, source: { ecosystem, origin: url, fetchedAt: new Date(now) } }
    }
    if (response.status === 200) {
      await mkdir(dir, { recursive: true })
      const partial = `${zip}.${process.pid}.partial`
      try {
        await pipeline(response.body, createWriteStream(partial))
        await rename(partial, zip)
      } finally {
        await rm(partial, { force: true })
      }
      const etag = header(response.headers, 'etag')
      const next: CacheMeta = {
        url,
        ...(etag ? { etag } : {}),
        fetchedAt: new Date(now).toISOString()
      }
      await writeFile(metaFile, JSON.stringify(next))
      logger.info(`Downloaded OSV data for ${ecosystem} from ${url}.`)
      return { zip, source: { ecosystem, origin: url, fetchedAt: new Date(now) } }
    }
    response.body.resume()
    reason = `${url} answered ${response.status}`
  } catch (error) {
    reason = error instanceof HttpError || error instanceof Error ? error.message : String(error)
  }
  if (cached && fetchedAt !== undefined) {
    logger.warning(
      `could not download OSV data for ${ecosystem} (${reason}); using the cached copy from ${fetchedAt.toISOString()}, ${age(now - fetchedAt.getTime())} old.`
    )
    return { zip, source: { ecosystem, origin: url, fetchedAt, stale: true } }
  }
  return { missing: reason }
}

async function fromOsv(
  ecosystems: string[],
  logger: Logger,
  options: LoaderOptions
): Promise<VulnerabilityData> {
  const env = options.env ?? process.env
  const now = (options.now ?? Date.now)()
  const cacheDir = osvCacheDir(env)
  const baseUrl = env.CONTAINER_GATE_OSV_URL || OSV_BUCKET
  const zips: string[] = []
  const sources: DataSource[] = []
  const missing: VulnerabilityData['missing'] = []
  for (const ecosystem of [...new Set(ecosystems)].sort()) {
    const result = await fetchEcosystem(ecosystem, cacheDir, baseUrl, logger, now)
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
    return info.isDirectory() ? fromDirectory(path) : fromZip(path, options.env ?? process.env)
  }
}
