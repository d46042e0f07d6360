/**
 * A streaming tar reader for layers and outer archives (docker save, oci-archive).
 *
 * Written by hand because node-tar's PAX parser drops binary xattrs such as
 * `security.capability`, which the identity step needs. Formats: POSIX ustar and pax
 * (IEEE 1003.1-2017 "pax Interchange Format"), GNU long names/links and base-256 numbers.
 * Memory is bounded: file data is handed out as slices of the incoming chunks, only headers
 * and metadata records are ever copied.
 */
import { Readable } from 'node:stream'
import { ImageError } from '../../errors.js'
import type { FileType, TarEntry } from '../types.js'

const BLOCK = 512
/**
 * A GNU long name or link name (`L`/`K`), or one PAX record's value. Linux stops paths at
 * PATH_MAX (4 KiB) and xattr values at XATTR_SIZE_MAX (64 KiB); no real image comes near either.
 */
export const MAX_NAME_BYTES = 64 * 1024
/** Linux's PATH_MAX: no longer path resolves (symlink resolution stops there). */
export const PATH_MAX = 4096
/** An entry's path after normalising: longer is refused (V8's String::kMaxHashCalcLength). */
export const MAX_PATH_CHARS = 16_383
export const MAX_PAX_VALUE_BYTES = 64 * 1024
/** One PAX extended header (`x`): an entry's path, link path, times and xattrs fit in far less. */
export const MAX_PAX_HEADER_BYTES = 1024 * 1024
/**
 * Global PAX headers (`g`) apply to every later entry; real ones hold a comment (git archive) or
 * a few defaults, so their records and bytes are capped well below what an entry may carry.
 */
export const MAX_GLOBAL_PAX_RECORDS = 256
export const MAX_GLOBAL_PAX_BYTES = 64 * 1024
/**
 * Names, link targets and xattrs of one archive's entries, which the filesystem index keeps:
 * 10⁶ entries with 100-byte paths are 100 MB. Bounds one archive of many entries with long
 * names; the layers of a scan are bounded together too (MAX_SCAN_METADATA_BYTES, analyze.ts).
 */
export const MAX_ARCHIVE_METADATA_BYTES = 256 * 1024 * 1024
const EMPTY = Buffer.alloc(0)

export interface TarItem {
  readonly entry: TarEntry
  /** Where the entry's data starts in the archive stream, in bytes. */
  readonly dataOffset: number
  /**
   * The entry's data (empty for anything but regular files). Read it before asking for the next
   * item; whatever is left unread is skipped when the iteration moves on.
   */
  readonly content: Readable
}

/** `./etc/passwd`, `etc//passwd/`, `/../etc/passwd` → `/etc/passwd`; `..` never leaves the root. */
export function normalizePath(path: string): string {
  const parts: string[] = []
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue
    if (part === '..') parts.pop()
    else parts.push(part)
  }
  return '/' + parts.join('/')
}

/**
 * A chunk source that can also pass over bytes without reading them (a file moves its read
 * position): `skip` returns how many it passed over, fewer only at its end.
 */
export interface SkippingIterator extends AsyncIterator<Buffer | Uint8Array> {
  skip?(bytes: number): Promise<number>
}

/** Pulls bytes from an async chunk source; hands out slices of the chunks without copying. */
class ByteReader {
  private chunk: Buffer = EMPTY
  private offset = 0
  private ended = false
  /** Bytes consumed so far, for error messages. */
  position = 0

  constructor(private readonly chunks: SkippingIterator) {}

  private async fill(): Promise<boolean> {
    while (this.offset >= this.chunk.length) {
      if (this.ended) return false
      const next = await this.chunks.next()
      if (next.done === true) {
        this.ended = true
        return false
      }
      const value = next.value
      this.chunk = Buffer.isBuffer(value)
        ? value
        : Buffer.from(value.buffer, value.byteOffset, value.byteLength)
      this.offset = 0
    }
    return true
  }

  /** Up to `max` bytes (a slice of the current chunk), or null at the end of the stream. */
  async read(max: number): Promise<Buffer | null> {
    if (!(await this.fill())) return null
    const end = Math.min(this.chunk.length, this.offset + max)
    const slice = this.chunk.subarray(this.offset, end)
    this.position += slice.length
    this.offset = end
    return slice
  }

  /** Exactly `length` bytes, or fewer when the stream ends first. */
  async readExact(length: number): Promise<Buffer> {
    if ((await this.fill()) && this.chunk.length - this.offset >= length) {
      const slice = this.chunk.subarray(this.offset, this.offset + length)
      this.offset += length
      this.position += length
      return slice
    }
    const out = Buffer.allocUnsafe(length)
    let filled = 0
    while (filled < length) {
      const part = await this.read(length - filled)
      if (part === null) return out.subarray(0, filled)
      part.copy(out, filled)
      filled += part.length
    }
    return out
  }

  /** Skips `length` bytes; returns how many could be skipped before the stream ended. */
  async skip(length: number): Promise<number> {
    let skipped = 0
    while (skipped < length) {
      if (this.offset >= this.chunk.length && this.chunks.skip !== undefined && !this.ended) {
        // Nothing buffered: the source passes over the rest unread.
        const step = await this.chunks.skip(length - skipped)
        this.position += step
        return skipped + step
      }
      if (!(await this.fill())) break
      const step = Math.min(this.chunk.length - this.offset, length - skipped)
      this.offset += step
      this.position += step
      skipped += step
    }
    return skipped
  }

  async close(): Promise<void> {
    await this.chunks.return?.()
  }
}

/** An entry's data as a Readable; serves slices straight from the ByteReader. */
class EntryContent extends Readable {
  private pending: Promise<void> | undefined

  constructor(
    private readonly reader: ByteReader,
    public remaining: number,
    private readonly truncated: () => ImageError
  ) {
    super()
  }

  override _read(): void {
    if (this.remaining === 0) {
      this.push(null)
      return
    }
    this.pending = this.reader.read(this.remaining).then(
      (chunk) => {
        this.pending = undefined
        if (chunk === null) {
          this.destroy(this.truncated())
          return
        }
        this.remaining -= chunk.length
        this.push(chunk)
        if (this.remaining === 0) this.push(null)
      },
      (error: unknown) => {
        this.pending = undefined
        this.destroy(error instanceof Error ? error : new Error(String(error)))
      }
    )
  }

  /** Waits for a read in flight; afterwards the reader belongs to the tar iteration again. */
  async settle(): Promise<number> {
    await this.pending
    return this.remaining
  }
}

class Item implements TarItem {
  private stream: EntryContent | undefined

  constructor(
    readonly entry: TarEntry,
    readonly dataOffset: number,
    private readonly reader: ByteReader,
    private readonly dataSize: number,
    private readonly truncated: () => ImageError
  ) {}

  get content(): Readable {
    this.stream ??= new EntryContent(
      this.reader,
      this.entry.type === 'file' ? this.dataSize : 0,
      this.truncated
    )
    return this.stream
  }

  /** Bytes of this entry's data still in the archive once the consumer is done with it. */
  async unread(): Promise<number> {
    if (this.stream === undefined) return this.dataSize
    const remaining = await this.stream.settle()
    if (!this.stream.destroyed && !this.stream.readableEnded) this.stream.destroy()
    // Data of non-regular entries (rare, e.g. a hardlink with data) is never handed out.
    return remaining + (this.entry.type === 'file' ? 0 : this.dataSize)
  }
}

/** Entry data is padded to whole blocks. */
function padding(size: number): number {
  return (BLOCK - (size % BLOCK)) % BLOCK
}

function text(field: Buffer): string {
  const end = field.indexOf(0)
  return field.toString('utf8', 0, end === -1 ? field.length : end)
}

/** Octal (NUL/space terminated) or GNU base-256 (first byte 0x80). */
function numeric(field: Buffer): number | undefined {
  if ((field[0]! & 0x80) !== 0) {
    // Base-256, two's complement; 0xff marks a negative number, which no field we use allows.
    if (field[0] === 0xff) return undefined
    let value = field[0]! & 0x7f
    for (let i = 1; i < field.length; i++) value = value * 256 + field[i]!
    return Number.isSafeInteger(value) ? value : undefined
  }
  let i = 0
  while (i < field.length && field[i] === 0x20) i++
  let value = 0
  let digits = 0
  for (; i < field.length; i++) {
    const byte = field[i]!
    if (byte === 0 || byte === 0x20) break
    if (byte < 0x30 || byte > 0x37) return undefined
    value = value * 8 + (byte - 0x30)
    digits++
  }
  return digits === 0 ? 0 : value
}

function isZeroBlock(block: Buffer): boolean {
  for (let i = 0; i < BLOCK; i++) if (block[i] !== 0) return false
  return true
}

/** POSIX: the sum of the header bytes with the checksum field read as spaces; some writers summed signed bytes. */
function checksumMatches(block: Buffer): boolean {
  const stored = numeric(block.subarray(148, 156))
  if (stored === undefined) return false
  let unsigned = 8 * 0x20
  let signed = 8 * 0x20
  for (let i = 0; i < BLOCK; i++) {
    if (i >= 148 && i < 156) continue
    const byte = block[i]!
    unsigned += byte
    signed += byte > 127 ? byte - 256 : byte
  }
  return stored === unsigned || stored === signed
}

const TYPES: Record<string, FileType> = {
  '0': 'file',
  '\0': 'file',
  '7': 'file',
  '1': 'hardlink',
  '2': 'symlink',
  '3': 'char',
  '4': 'block',
  '5': 'dir',
  '6': 'fifo',
  // GNU dumpdir: a directory whose data lists its contents.
  D: 'dir'
}

/** PAX records: "%d %s=%s\n", the length counting the whole record; values are bytes. */
function parsePax(body: Buffer, fail: (why: string) => ImageError): Map<string, Buffer> {
  const records = new Map<string, Buffer>()
  let pos = 0
  while (pos < body.length) {
    if (body[pos] === 0) break
    const space = body.indexOf(0x20, pos)
    const length = space === -1 ? NaN : Number(body.toString('ascii', pos, space))
    if (!Number.isSafeInteger(length) || length <= 0 || pos + length > body.length) {
      throw fail('corrupt pax extended header')
    }
    const record = body.subarray(space + 1, pos + length - 1)
    const equals = record.indexOf(0x3d)
    if (equals === -1 || body[pos + length - 1] !== 0x0a) throw fail('corrupt pax extended header')
    const key = record.toString('utf8', 0, equals)
    if (record.length - equals - 1 > MAX_PAX_VALUE_BYTES) {
      throw fail(
        `pax record ${JSON.stringify(key.slice(0, 64))} is ${record.length - equals - 1} bytes, over the ${MAX_PAX_VALUE_BYTES}-byte limit`
      )
    }
    // Copied: the body may be a slice of a large stream chunk that must not stay alive.
    records.set(key, Buffer.from(record.subarray(equals + 1)))
    pos += length
  }
  return records
}

function paxNumber(
  value: Buffer | undefined,
  fail: (why: string) => ImageError,
  key: string
): number | undefined {
  if (value === undefined) return undefined
  const number = Number(value.toString('ascii'))
  if (!Number.isFinite(number) || number < 0)
    throw fail(`bad pax ${key} "${value.toString('ascii')}"`)
  return Math.floor(number)
}

const XATTR = 'SCHILY.xattr.'
const SPARSE = 'GNU.sparse.'

/**
 * The records of the global headers read so far, with what every entry needs from them worked
 * out once: applying them is then a lookup per key an entry reads, never a pass over every record.
 */
class GlobalPax {
  readonly records = new Map<string, Buffer>()
  xattrs: [string, Buffer][] = []
  sparse = false

  add(records: Map<string, Buffer>): void {
    for (const [key, value] of records) this.records.set(key, value)
    this.xattrs = [...this.records].filter(([key]) => key.startsWith(XATTR))
    this.sparse = [...this.records.keys()].some((key) => key.startsWith(SPARSE))
  }
}

/** An entry's PAX records: its own extended header over the global defaults. */
class PaxRecords {
  constructor(
    private readonly global: GlobalPax,
    private readonly extended: Map<string, Buffer> | undefined
  ) {}

  /** An empty value removes a global default (POSIX pax, "keyword=" with no value). */
  get(key: string): Buffer | undefined {
    const value = this.extended?.get(key) ?? this.global.records.get(key)
    return value === undefined || value.length === 0 ? undefined : value
  }

  get sparse(): boolean {
    return (
      this.global.sparse ||
      (this.extended !== undefined && [...this.extended.keys()].some((k) => k.startsWith(SPARSE)))
    )
  }

  xattrs(): Record<string, Buffer> | undefined {
    let xattrs: Record<string, Buffer> | undefined
    const set = (key: string, value: Buffer): void => {
      if (value.length === 0) return
      xattrs ??= {}
      xattrs[key.slice(XATTR.length)] = value
    }
    for (const [key, value] of this.global.xattrs) {
      if (this.extended?.has(key) !== true) set(key, value)
    }
    for (const [key, value] of this.extended ?? []) if (key.startsWith(XATTR)) set(key, value)
    return xattrs
  }
}

/** The entry a header describes, with PAX records and GNU long names applied. */
function entryOf(
  block: Buffer,
  typeflag: string,
  dataSize: number,
  pax: PaxRecords,
  names: { path: string | undefined; linkpath: string | undefined },
  fail: (why: string) => ImageError
): TarEntry {
  const record = (key: string): Buffer | undefined => pax.get(key)
  if (pax.sparse) throw fail('unsupported sparse file (GNU.sparse pax records)')
  const field = (offset: number, width: number, what: string): number => {
    const value = numeric(block.subarray(offset, offset + width))
    if (value === undefined) throw fail(`corrupt tar header (bad ${what})`)
    return value
  }
  const gnuMagic = block.toString('ascii', 257, 265) === 'ustar  \0'
  const ustarMagic = block.toString('ascii', 257, 262) === 'ustar'
  let rawPath = text(block.subarray(0, 100))
  // The ustar prefix field; in the GNU format those bytes hold atime/ctime instead.
  if (ustarMagic && !gnuMagic && block[345] !== 0) {
    rawPath = `${text(block.subarray(345, 500))}/${rawPath}`
  }
  rawPath = record('path')?.toString('utf8') ?? names.path ?? rawPath
  const rawLink =
    record('linkpath')?.toString('utf8') ?? names.linkpath ?? text(block.subarray(157, 257))
  // POSIX: unknown types are read as regular files; pre-POSIX tars mark directories by a trailing slash.
  let type: FileType = TYPES[typeflag] ?? 'file'
  if (type === 'file' && (typeflag === '0' || typeflag === '\0') && rawPath.endsWith('/')) {
    type = 'dir'
  }
  const entry: TarEntry = {
    path: normalizePath(rawPath),
    type,
    mode: field(100, 8, 'mode') & 0o7777,
    uid: paxNumber(record('uid'), fail, 'uid') ?? field(108, 8, 'uid'),
    gid: paxNumber(record('gid'), fail, 'gid') ?? field(116, 8, 'gid'),
    size: type === 'file' ? dataSize : 0,
    mtime: paxNumber(record('mtime'), fail, 'mtime') ?? field(136, 12, 'mtime')
  }
  if (type === 'symlink') entry.linkTarget = rawLink
  if (type === 'hardlink') entry.linkTarget = normalizePath(rawLink)
  // Every index keyed by path pays for a longer one: V8 hashes a string of more characters by its
  // length alone, so such paths would turn each index into a list. No file system holds them.
  if (entry.path.length > MAX_PATH_CHARS) {
    throw fail(
      `an entry's path is ${entry.path.length} characters long (${JSON.stringify(entry.path.slice(0, 64))}…), over the ${MAX_PATH_CHARS} the gate indexes (Linux's PATH_MAX is 4096)`
    )
  }
  if (type === 'char' || type === 'block') {
    entry.devMajor = field(329, 8, 'device major')
    entry.devMinor = field(337, 8, 'device minor')
  }
  const xattrs = pax.xattrs()
  if (xattrs !== undefined) entry.xattrs = xattrs
  return entry
}

const METADATA_LIMITS = {
  x: { what: 'pax extended header', bytes: MAX_PAX_HEADER_BYTES },
  g: { what: 'pax global header', bytes: MAX_GLOBAL_PAX_BYTES },
  L: { what: 'GNU long name', bytes: MAX_NAME_BYTES },
  K: { what: 'GNU long link name', bytes: MAX_NAME_BYTES }
} as const

/** What the filesystem index keeps of an entry beyond its fixed fields. */
export function retainedBytes(entry: TarEntry): number {
  let bytes = entry.path.length + (entry.linkTarget?.length ?? 0)
  for (const [key, value] of Object.entries(entry.xattrs ?? {})) bytes += key.length + value.length
  return bytes
}

/**
 * Reads a tar archive as it streams. `name` is used in error messages
 * (e.g. `layer sha256:…`, `docker-archive app.tar`). Ends after the end-of-archive marker, having
 * read the stream to its end so that digests computed upstream are complete.
 */
export async function* readTar(
  stream: Readable | AsyncIterable<Buffer>,
  name: string
): AsyncGenerator<TarItem, void, undefined> {
  const reader = new ByteReader(stream[Symbol.asyncIterator]() as SkippingIterator)
  const fail = (why: string, code = 'CORRUPT_TAR'): ImageError =>
    new ImageError(`${name}: ${why}`, code)
  const truncated = (): ImageError =>
    fail(
      `tar stream is truncated (ended at byte ${reader.position} inside an entry)`,
      'TRUNCATED_TAR'
    )
  const global = new GlobalPax()
  let metadataBytes = 0
  let extended: Map<string, Buffer> | undefined
  let longName: string | undefined
  let longLink: string | undefined
  let headers = 0
  try {
    for (;;) {
      const at = reader.position
      const block = await reader.readExact(BLOCK)
      // EOF at a block boundary without the end marker: accepted, as GNU tar does.
      if (block.length === 0) return
      if (block.length < BLOCK) {
        // Shorter than the first header: a tar cut short still shows the ustar magic (offset 257);
        // anything else (a text file, say) is not a tar at all.
        const magic = block.subarray(257, 262).toString('latin1') === 'ustar'
        throw headers === 0 && !magic
          ? fail('not a tar archive (shorter than one tar header)', 'NOT_TAR')
          : truncated()
      }
      if (isZeroBlock(block)) {
        // Two zero blocks end the archive (a lone one too, as GNU tar accepts); what follows is
        // record padding, read to the end so that upstream digests see every byte.
        while ((await reader.read(Number.MAX_SAFE_INTEGER)) !== null);
        return
      }
      if (!checksumMatches(block)) {
        throw headers === 0
          ? fail('not a tar archive (the first header has a bad checksum)', 'NOT_TAR')
          : fail(`corrupt tar header at byte ${at} (bad checksum)`)
      }
      headers++
      const typeflag = String.fromCharCode(block[156]!)
      const headerSize = numeric(block.subarray(124, 136))
      if (headerSize === undefined) throw fail(`corrupt tar header at byte ${at} (bad size)`)

      if (typeflag === 'x' || typeflag === 'g' || typeflag === 'L' || typeflag === 'K') {
        const limit = METADATA_LIMITS[typeflag]
        if (headerSize > limit.bytes) {
          throw fail(
            `${limit.what} at byte ${at} (header name ${JSON.stringify(text(block.subarray(0, 100)))}) is ${headerSize} bytes, over the ${limit.bytes}-byte limit`
          )
        }
        const body = await reader.readExact(headerSize)
        if (
          body.length < headerSize ||
          (await reader.skip(padding(headerSize))) < padding(headerSize)
        ) {
          throw truncated()
        }
        const paxFail = (why: string): ImageError =>
          fail(`${why} in the ${limit.what} at byte ${at}`)
        if (typeflag === 'x') extended = parsePax(body, paxFail)
        else if (typeflag === 'g') {
          global.add(parsePax(body, paxFail))
          if (global.records.size > MAX_GLOBAL_PAX_RECORDS) {
            throw fail(
              `global pax headers up to byte ${at} hold ${global.records.size} records, over the ${MAX_GLOBAL_PAX_RECORDS} limit`
            )
          }
        } else if (typeflag === 'L') longName = text(body)
        else longLink = text(body)
        continue
      }
      if (typeflag === 'S' || typeflag === 'M' || typeflag === 'N') {
        throw fail(
          `unsupported GNU tar entry type "${typeflag}" (sparse, multi-volume or old long name) at byte ${at}`,
          'UNSUPPORTED_TAR'
        )
      }

      const pax = new PaxRecords(global, extended)
      const names = { path: longName, linkpath: longLink }
      extended = undefined
      longName = undefined
      longLink = undefined
      const dataSize = paxNumber(pax.get('size'), fail, 'size') ?? headerSize
      if (typeflag === 'V') {
        // A GNU volume label names the archive, not a file.
        if ((await reader.skip(dataSize + padding(dataSize))) < dataSize + padding(dataSize)) {
          throw truncated()
        }
        continue
      }
      const entry = entryOf(block, typeflag, dataSize, pax, names, (why) =>
        fail(
          `${why} at byte ${at}`,
          why.startsWith('unsupported') ? 'UNSUPPORTED_TAR' : 'CORRUPT_TAR'
        )
      )
      metadataBytes += retainedBytes(entry)
      if (metadataBytes > MAX_ARCHIVE_METADATA_BYTES) {
        throw fail(
          `the names, link targets and xattrs of its entries pass ${MAX_ARCHIVE_METADATA_BYTES} bytes at the entry at byte ${at}`
        )
      }
      const item = new Item(entry, reader.position, reader, dataSize, truncated)
      yield item
      const rest = (await item.unread()) + padding(dataSize)
      if ((await reader.skip(rest)) < rest) throw truncated()
    }
  } finally {
    await reader.close()
  }
}
