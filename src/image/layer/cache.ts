/**
 * The layer cache: each layer's analysis kept on disk between runs, so that re-gating an image
 * whose lower layers did not change reads only its new layers — and, from a registry, does not
 * download the others at all (docs/architecture.md, "Layer cache").
 *
 * An entry is keyed by the layer blob's digest and by the analysis key: every FileRequest and
 * LayerSubscription of the scan with its version and settings, the tool's version and the cache
 * format. The blob digest fixes the diffID (the entry records it and the engine checks it against
 * the config's rootfs.diff_ids like any other layer's); a diffID alone would not do, since only
 * reading the blob proves that it uncompresses to that diffID.
 *
 * An entry is trusted only whole: a magic, the sha256 of its payload and the payload (a v8
 * serialization of plain data). A partial, damaged or foreign entry is removed with a warning and
 * the layer is read again. The cache is an optimisation: when its directory cannot be used the
 * scan goes on without it, with one warning.
 *
 * Entries are written one at a time to a temporary name, then renamed: at most one serialized
 * entry waits in memory for the disk, and the directory stays within its bound as each is written.
 * Temporary files a process left when it died are removed by the next run that opens the cache.
 */
import { createHash, randomBytes } from 'node:crypto'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { mkdir, readdir, rename, rm, stat, unlink, utimes, writeFile } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { types } from 'node:util'
import { deserialize, serialize } from 'node:v8'
import { readAtMost } from '../../files.js'
import type { Logger } from '../../log.js'
import { formatBytes } from '../../units.js'
import { VERSION } from '../../version.js'
import type { FileRequest, LayerAnalysis, LayerSubscription } from '../analysis.js'
import type { TarEntry } from '../types.js'
import { isDigest } from '../digest.js'
import { retainedBytes } from './tar.js'

/** Changes whenever the entry layout or the meaning of a LayerAnalysis field changes. */
export const LAYER_CACHE_FORMAT = 2

/** Default bound of the whole cache directory (input "layer-cache-size"). */
export const DEFAULT_LAYER_CACHE_BYTES = 2 * 1024 ** 3

/** One entry at most (docs/limits.md): a layer whose kept contents are larger is not cached. */
export const MAX_LAYER_CACHE_ENTRY_BYTES = 256 * 1024 * 1024

/** Entries looked at when the cache is pruned; the rest wait for a later run. */
const MAX_PRUNED_FILES = 100_000

/**
 * A temporary file untouched this long was left by a run that died, whatever wrote it (a process
 * on another machine sharing the directory, a pid used again since): it is removed.
 */
const STALE_TEMP_MS = 3_600_000

/**
 * A temporary file of a process that is not running is removed once untouched this long: a write
 * in progress moves its mtime with every chunk, so this spares one of a process whose pid means
 * nothing here (another container sharing the directory). Removing a live one costs that write.
 */
const ABANDONED_TEMP_MS = 60_000

const MAGIC = Buffer.from('CGLAYER1')
const HEADER_BYTES = MAGIC.length + 32
const ENTRY_SUFFIX = '.layer'
const TEMP_SUFFIX = '.tmp'

/** An entry on disk, as the bound counts it: its bytes and when it was last used (its mtime). */
interface StoredFile {
  size: number
  used: number
}

/** Whether the temporary file `name` (ENTRY.PID.RANDOM.tmp) belongs to a write that will never end. */
function abandoned(name: string, idleMs: number): boolean {
  if (idleMs > STALE_TEMP_MS) return true
  const pid = Number(name.split('.').at(-3))
  return (
    idleMs > ABANDONED_TEMP_MS &&
    Number.isSafeInteger(pid) &&
    pid > 0 &&
    pid !== process.pid &&
    !isRunning(pid)
  )
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    // EPERM: it runs, as another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** The bundle's id once read; null when its files could not be read. */
let build: string | null | undefined

/**
 * The running code by its bytes: the hash of every file of the bundle (dist/cli.js or
 * dist/index.js and the chunks beside them) that scripts/bundle.mjs writes to `dist/build-id`,
 * else computed here from those files, else this source file when not bundled. A new build never
 * reads what an older one wrote, even where a visitor's version was not bumped. Undefined when
 * the files cannot be read: no id may stand in for it, or two builds would share entries.
 */
function buildId(): string | undefined {
  if (build === undefined) {
    try {
      const self = fileURLToPath(import.meta.url)
      const dir = dirname(self)
      build = self.endsWith('.js') ? (writtenBuildId(dir) ?? hashBundle(dir)) : hashFiles([self])
    } catch {
      build = null
    }
  }
  return build ?? undefined
}

/** The id scripts/bundle.mjs wrote beside the bundle, when there is one. */
function writtenBuildId(dir: string): string | undefined {
  let text: string
  try {
    text = readFileSync(join(dir, 'build-id'), 'latin1').trim()
  } catch {
    return undefined
  }
  return /^[0-9a-f]{64}$/.test(text) ? text : undefined
}

/** What scripts/bundle.mjs writes to `build-id`: the bundle's files, by name, hashed in order. */
export function hashBundle(dir: string): string {
  return hashFiles(
    readdirSync(dir)
      .filter((name) => name.endsWith('.js'))
      .sort()
      .map((name) => join(dir, name))
  )
}

function hashFiles(files: string[]): string {
  const hash = createHash('sha256')
  for (const file of files) hash.update(`${basename(file)}\0`).update(readFileSync(file))
  return hash.digest('hex')
}

/**
 * The key of everything a scan's single pass computes: two scans with equal keys analyse a layer
 * alike, so an entry made by one is what the other would compute.
 */
export function analysisKey(requests: FileRequest[], subscriptions: LayerSubscription[]): string {
  const material = {
    format: LAYER_CACHE_FORMAT,
    tool: VERSION,
    build: buildId() ?? null,
    requests: requests
      .map((request) => [
        [...(request.globs ?? [])].sort(),
        request.maxBytes,
        request.match === undefined ? null : request.matchKey
      ])
      .map((parts) => JSON.stringify(parts))
      .sort(),
    subscriptions: subscriptions.map((s) => JSON.stringify([s.id, s.version, s.settings])).sort()
  }
  return createHash('sha256').update(JSON.stringify(material)).digest('hex')
}

/** What an entry holds besides the analysis: what it was made for. */
interface EntryPayload {
  format: number
  key: string
  /** budgetLimited is false in every entry (such analyses are not kept). */
  analysis: StoredAnalysis
}

type StoredAnalysis = Omit<LayerAnalysis, 'entries'> & { entries: EntryColumns }

/**
 * A layer's tar entries by field rather than as objects: tens of thousands of objects with the
 * same keys decode several times slower than a few arrays (v8 writes every key of every object).
 */
interface EntryColumns {
  paths: string[]
  /** Index into TAR_TYPE_LIST. */
  types: Uint8Array
  /** NUMBER_FIELDS per entry, in that order; NaN where an entry has no mtime. */
  numbers: Float64Array
  /** [entry index, target], in entry order; likewise devices and xattrs. */
  links: Array<[number, string]>
  devices: Array<[number, number, number]>
  xattrs: Array<[number, Record<string, Buffer>]>
}

const TAR_TYPE_LIST = ['file', 'dir', 'symlink', 'hardlink', 'char', 'block', 'fifo'] as const
const NUMBER_FIELDS = 5

function toColumns(entries: TarEntry[]): EntryColumns {
  const columns: EntryColumns = {
    paths: [],
    types: new Uint8Array(entries.length),
    numbers: new Float64Array(entries.length * NUMBER_FIELDS),
    links: [],
    devices: [],
    xattrs: []
  }
  entries.forEach((entry, i) => {
    columns.paths.push(entry.path)
    columns.types[i] = TAR_TYPE_LIST.indexOf(entry.type)
    columns.numbers.set(
      [entry.mode, entry.uid, entry.gid, entry.size, entry.mtime ?? NaN],
      i * NUMBER_FIELDS
    )
    if (entry.linkTarget !== undefined) columns.links.push([i, entry.linkTarget])
    if (entry.devMajor !== undefined || entry.devMinor !== undefined) {
      columns.devices.push([i, entry.devMajor ?? NaN, entry.devMinor ?? NaN])
    }
    if (entry.xattrs !== undefined) columns.xattrs.push([i, entry.xattrs])
  })
  return columns
}

/**
 * The entries back as the tar reader makes them (same fields, in the same order), or undefined
 * when the columns are not of the expected shape. Buffers are copied out of the entry's bytes.
 */
function fromColumns(columns: EntryColumns): TarEntry[] | undefined {
  const { paths, types: kinds, numbers, links, devices, xattrs } = columns ?? {}
  if (
    !Array.isArray(paths) ||
    !types.isUint8Array(kinds) ||
    !types.isFloat64Array(numbers) ||
    kinds.length !== paths.length ||
    numbers.length !== paths.length * NUMBER_FIELDS ||
    !inEntryOrder(
      links,
      paths.length,
      (link) => link.length === 2 && typeof link[1] === 'string'
    ) ||
    !inEntryOrder(devices, paths.length, (device) => device.length === 3) ||
    !inEntryOrder(xattrs, paths.length, (xattr) => isXattrs(xattr[1]))
  ) {
    return undefined
  }
  const entries: TarEntry[] = new Array(paths.length)
  let [link, device, xattr] = [0, 0, 0]
  for (let i = 0; i < paths.length; i++) {
    const path = paths[i]
    const type = TAR_TYPE_LIST[kinds[i]!]
    const at = i * NUMBER_FIELDS
    const mode = numbers[at]!
    const uid = numbers[at + 1]!
    const gid = numbers[at + 2]!
    const size = numbers[at + 3]!
    const mtime = numbers[at + 4]!
    if (
      typeof path !== 'string' ||
      !path.startsWith('/') ||
      type === undefined ||
      !Number.isInteger(mode) ||
      !Number.isInteger(uid) ||
      !Number.isInteger(gid) ||
      !Number.isSafeInteger(size)
    ) {
      return undefined
    }
    const entry: TarEntry = { path, type, mode, uid, gid, size }
    if (!Number.isNaN(mtime)) entry.mtime = mtime
    if (links[link]?.[0] === i) entry.linkTarget = links[link++]![1]
    if (devices[device]?.[0] === i) {
      const [, major, minor] = devices[device++]!
      if (!Number.isNaN(major)) entry.devMajor = major
      if (!Number.isNaN(minor)) entry.devMinor = minor
    }
    if (xattrs[xattr]?.[0] === i) {
      const copied: Record<string, Buffer> = {}
      for (const [name, value] of Object.entries(xattrs[xattr++]![1])) {
        copied[name] = Buffer.from(value)
      }
      entry.xattrs = copied
    }
    entries[i] = entry
  }
  return entries
}

/** A list of [entry index, …] with indexes rising within `count`, each item passing `valid`. */
function inEntryOrder<T extends [number, ...unknown[]]>(
  list: T[],
  count: number,
  valid: (item: T) => boolean
): boolean {
  if (!Array.isArray(list)) return false
  let previous = -1
  for (const item of list) {
    if (!Array.isArray(item) || !Number.isInteger(item[0]) || item[0] <= previous) return false
    if (item[0] >= count || !valid(item)) return false
    previous = item[0]
  }
  return true
}

function isXattrs(value: unknown): value is Record<string, Buffer> {
  return (
    typeof value === 'object' &&
    value !== null &&
    Object.values(value).every((xattr) => Buffer.isBuffer(xattr))
  )
}

export interface LayerCacheOptions {
  dir: string
  /** Bound of the whole directory; the least recently used entries are removed past it. */
  maxBytes: number
  /** `analysisKey` of the scan. */
  key: string
  logger: Logger
}

export class LayerCache {
  /** Digests of the layers this scan took from the cache. */
  readonly hits = new Set<string>()
  /** Entries written by this scan, and their bytes. */
  written = 0
  writtenBytes = 0
  private disabled = false
  /** The writes of this scan, one after another (`put`). */
  private writing: Promise<void> = Promise.resolve()
  /** The directory's entries, read when the cache is first used (`open`); writes keep it current. */
  private opened: Promise<Map<string, StoredFile>> | undefined
  /** Analyses that did not fit beside the entries there: written by `settle`, making room. */
  private readonly deferred: LayerAnalysis[] = []
  /** Entries this scan read or wrote, and when: the last the bound removes. */
  private readonly touched = new Map<string, number>()

  constructor(private readonly options: LayerCacheOptions) {
    if (buildId() === undefined)
      this.disable('the running code could not be read to key its entries')
  }

  get dir(): string {
    return this.options.dir
  }

  /** What every entry of this scan's analysis key ends with, after the blob's digest. */
  private get suffix(): string {
    return `.${this.options.key.slice(0, 16)}${ENTRY_SUFFIX}`
  }

  private pathOf(digest: string): string {
    return join(this.options.dir, `${digest.slice('sha256:'.length)}${this.suffix}`)
  }

  /** Whether the directory holds an entry made for this scan's analysis key (of any layer). */
  hasEntries(): boolean {
    if (this.disabled) return false
    try {
      return readdirSync(this.options.dir).some((name) => name.endsWith(this.suffix))
    } catch {
      return false
    }
  }

  /** Whether an entry for the blob `digest` is there (whole or not: `get` tells). */
  has(digest: string): boolean {
    return !this.disabled && isDigest(digest) && existsSync(this.pathOf(digest))
  }

  /** The analysis kept for the blob `digest`, or undefined (none, or one that is not whole). */
  async get(digest: string): Promise<LayerAnalysis | undefined> {
    if (this.disabled || !isDigest(digest)) return undefined
    // Not awaited: a look-up needs nothing of it (settle waits for it).
    void this.open()
    const path = this.pathOf(digest)
    const limit = MAX_LAYER_CACHE_ENTRY_BYTES + HEADER_BYTES
    let bytes: Buffer
    try {
      const read = readAtMost(path, limit)
      if (read.size > limit) return this.discard(path, 'it is larger than any entry may be')
      bytes = read.bytes
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code
      if (code === 'ENOENT') return undefined
      if (code === 'EISDIR') return this.discard(path, 'it is not a file')
      this.disable(`reading ${path} failed (${code ?? (error as Error).message})`)
      return undefined
    }
    const analysis = this.decode(bytes, digest)
    if (typeof analysis === 'string') return this.discard(path, analysis)
    // Least recently used goes first when the cache is pruned.
    const now = new Date()
    this.touched.set(path, now.getTime())
    await utimes(path, now, now).catch(() => undefined)
    return analysis
  }

  /** The entry's analysis, or why it cannot be trusted. */
  private decode(bytes: Buffer, digest: string): LayerAnalysis | string {
    if (bytes.length < HEADER_BYTES || !bytes.subarray(0, MAGIC.length).equals(MAGIC)) {
      return 'it does not start like an entry'
    }
    const payload = bytes.subarray(HEADER_BYTES)
    const sum = createHash('sha256').update(payload).digest()
    if (!sum.equals(bytes.subarray(MAGIC.length, HEADER_BYTES))) {
      return 'its checksum does not match (partly written or damaged)'
    }
    let decoded: EntryPayload
    try {
      decoded = deserialize(payload) as EntryPayload
    } catch (error) {
      return `it cannot be decoded (${(error as Error).message})`
    }
    if (decoded?.format !== LAYER_CACHE_FORMAT || decoded.key !== this.options.key) {
      return 'it was made by another version of the analysis'
    }
    const stored = decoded.analysis
    const entries = fromColumns(stored?.entries)
    if (
      entries === undefined ||
      stored.digest !== digest ||
      !isDigest(stored.diffId) ||
      !Array.isArray(stored.whiteouts) ||
      !types.isMap(stored.contents) ||
      !types.isMap(stored.unread) ||
      !types.isMap(stored.visits) ||
      ![...stored.contents.values()].every((content) => Buffer.isBuffer(content))
    ) {
      return 'its analysis is not of the expected shape'
    }
    // Decoded buffers point into the entry's bytes: copied, so that one kept file does not keep
    // the whole entry in memory.
    const contents = new Map(
      [...stored.contents].map(([path, content]): [string, Buffer] => [path, Buffer.from(content)])
    )
    return { ...stored, entries, contents, budgetLimited: false }
  }

  /**
   * Keeps `analysis` for later runs, in the background; `settle` waits for every write. Writes
   * run one at a time, so however many layers finish at once, one serialized entry at most
   * (MAX_LAYER_CACHE_ENTRY_BYTES) waits in memory for the disk: the analyses waiting their turn
   * are the scan's own, held anyway.
   */
  put(analysis: LayerAnalysis): void {
    if (this.disabled || analysis.budgetLimited || !isDigest(analysis.digest)) return
    this.writing = this.writing.then(() => this.write(analysis))
  }

  /**
   * Writes the entry of `analysis` if it fits within the bound; else, with `evict`, removes the
   * least recently used entries first, and without it leaves the entry for `settle`: an entry
   * removed mid-scan could be one of this image's layers that the scan has yet to look up.
   */
  private async write(analysis: LayerAnalysis, evict = false): Promise<void> {
    if (this.disabled) return
    let kept = 0
    for (const content of analysis.contents.values()) kept += content.length
    if (kept > MAX_LAYER_CACHE_ENTRY_BYTES) {
      // Refused before it is serialized: that would copy it all once more.
      this.options.logger.info(
        `Layer ${analysis.digest} is not kept in the layer cache: it keeps ${formatBytes(kept)} of file contents, more than an entry may hold (docs/limits.md).`
      )
      return
    }
    // What serializing takes at least, names being a byte a character or more.
    let least = kept
    for (const entry of analysis.entries) least += retainedBytes(entry)
    if (least > MAX_LAYER_CACHE_ENTRY_BYTES) {
      return this.tooLarge(analysis, `at least ${formatBytes(least)}`)
    }
    const entry: EntryPayload = {
      format: LAYER_CACHE_FORMAT,
      key: this.options.key,
      analysis: { ...analysis, entries: toColumns(analysis.entries) }
    }
    let payload: Buffer
    try {
      payload = serialize(entry)
    } catch (error) {
      // A visitor's result that is not plain data: a bug, but not one that should stop the gate.
      this.options.logger.warning(
        `Layer ${analysis.digest} is not kept in the layer cache: its analysis cannot be stored (${(error as Error).message}).`
      )
      return
    }
    if (payload.length > MAX_LAYER_CACHE_ENTRY_BYTES) {
      return this.tooLarge(analysis, formatBytes(payload.length))
    }
    const bytes = HEADER_BYTES + payload.length
    const files = await this.open()
    if (!(await this.makeRoom(files, bytes, evict))) {
      if (bytes <= this.options.maxBytes) {
        // Serialized again then: the payload is not kept in memory until the scan ends.
        this.deferred.push(analysis)
        return
      }
      this.options.logger.info(
        `Layer ${analysis.digest} is not kept in the layer cache: its entry of ${formatBytes(bytes)} is larger than the whole cache may be (layer-cache-size, ${formatBytes(this.options.maxBytes)}).`
      )
      return
    }
    const sum = createHash('sha256').update(payload).digest()
    const path = this.pathOf(analysis.digest)
    const temp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}${TEMP_SUFFIX}`
    try {
      await mkdir(this.options.dir, { recursive: true })
      await writeFile(temp, [MAGIC, sum, payload])
      await rename(temp, path)
      files.set(path, { size: bytes, used: Date.now() })
      this.touched.set(path, Date.now())
      this.written += 1
      this.writtenBytes += bytes
    } catch (error) {
      await unlink(temp).catch(() => undefined)
      const code = (error as NodeJS.ErrnoException).code
      this.disable(`writing ${path} failed (${code ?? (error as Error).message})`)
    }
  }

  private tooLarge(analysis: LayerAnalysis, size: string): void {
    this.options.logger.info(
      `Layer ${analysis.digest} is not kept in the layer cache: its analysis is ${size}, more than an entry may be (docs/limits.md).`
    )
  }

  /**
   * Waits for the writes of this scan; now that the scan has looked up every layer, writes the
   * entries that did not fit, removing the least recently used ones to make room. Then removes
   * any past the bound again: other processes may have written to the directory meanwhile.
   */
  async settle(): Promise<void> {
    await this.writing
    await this.opened
    for (const analysis of this.deferred.splice(0)) await this.write(analysis, true)
    if (this.written > 0) await this.makeRoom(await this.readDirectory(), 0, true)
  }

  /**
   * The directory's entries, read once when the cache is first used; temporary files left by a
   * run that died (the process was killed mid-write) are removed on the way.
   */
  private open(): Promise<Map<string, StoredFile>> {
    this.opened ??= this.readDirectory()
    return this.opened
  }

  private async readDirectory(): Promise<Map<string, StoredFile>> {
    const files = new Map<string, StoredFile>()
    let names: string[]
    try {
      names = (await readdir(this.options.dir)).slice(0, MAX_PRUNED_FILES)
    } catch {
      return files
    }
    const now = Date.now()
    for (const name of names) {
      const path = join(this.options.dir, name)
      const info = await stat(path).catch(() => undefined)
      if (info === undefined || !info.isFile()) continue
      if (name.endsWith(TEMP_SUFFIX)) {
        if (abandoned(name, now - info.mtimeMs)) await unlink(path).catch(() => undefined)
      } else if (name.endsWith(ENTRY_SUFFIX)) {
        files.set(path, { size: info.size, used: info.mtimeMs })
      }
    }
    return files
  }

  /**
   * Whether `room` more bytes fit within the bound beside `files`; with `evict`, after removing
   * the least recently used entries until they do. Nothing is removed for more than the bound.
   */
  private async makeRoom(
    files: Map<string, StoredFile>,
    room: number,
    evict: boolean
  ): Promise<boolean> {
    const bound = this.options.maxBytes
    if (room > bound) return false
    let total = room
    for (const file of files.values()) total += file.size
    if (total <= bound) return true
    if (!evict) return false
    const lastUse = ([path, file]: [string, StoredFile]): number =>
      this.touched.get(path) ?? file.used
    const oldestFirst = [...files].sort((a, b) => lastUse(a) - lastUse(b))
    for (const [path, file] of oldestFirst) {
      if (total <= bound) break
      await unlink(path).catch(() => undefined)
      total -= file.size
      files.delete(path)
      this.touched.delete(path)
    }
    return true
  }

  private async discard(path: string, why: string): Promise<undefined> {
    this.options.logger.warning(
      `Layer cache entry ${path} is not used (${why}); it is removed and the layer is read again.`
    )
    await rm(path, { recursive: true, force: true }).catch(() => undefined)
    const files = await this.opened
    files?.delete(path)
    return undefined
  }

  private disable(why: string): void {
    if (this.disabled) return
    this.disabled = true
    this.options.logger.warning(
      `The layer cache in ${this.options.dir} cannot be used (${why}), so the scan goes on without it; set CONTAINER_GATE_CACHE_DIR to a writable directory, or layer-cache to false.`
    )
  }
}
