/**
 * Build info of binaries from Go 1.13 to 1.17, read as the file streams by. Their header holds
 * the addresses of two Go string variables, runtime.buildVersion and runtime.modinfo (debug/
 * buildinfo before Go 1.18). The Go linker puts the header at the start of the data segment, the
 * variables (address and length of each string) after it, and the strings' bytes in .rodata,
 * before it. One pass cannot go back, so from the start of an ELF file this keeps each `go1.`
 * and each module-info start sentinel it passes with the bytes after them, takes the two
 * variables once the header's addresses (through the program headers) say where they are, and in
 * the end looks up the strings among the kept candidates by their offset. (Go's build-id note
 * would tell a Go binary early, but `-ldflags=-buildid=` builds have none.)
 */
import {
  GO_BUILDINFO_HEADER,
  MODINFO_END,
  MODINFO_START,
  unwrapModInfo,
  type BuildInfoAddresses,
  type GoBuildInfo
} from './go.js'
import { formatBytes } from '../../../units.js'
import { elfHead, fields, loadedOffset, type ElfHead } from './elf.js'

/** The first bytes of a file kept for its ELF header and program headers. */
export const LEGACY_HEAD_BYTES = 16 * 1024
/**
 * Headers followed per file: the first aligned one is the real one in a real binary (a string
 * constant of the magic is rarely aligned and followed by a pointer size); each costs a walk of
 * the program headers, which a crafted file can repeat millions of times.
 */
const MAX_HEADERS = 16
const VERSION_PREFIX = Buffer.from('go1.', 'latin1')
/** Bytes kept after a `go1.`: the longest toolchain versions (`go1.17.13`, `go1.16rc1`) fit. */
const VERSION_BYTES = 32
/** `go1.` candidates kept per file: a Go binary holds a handful. */
const MAX_VERSIONS = 1_024
/** Module-info candidates per file: one in a Go 1.13–1.17 binary, two from Go 1.18. */
const MAX_MODINFOS = 4

interface Capture {
  offset: number
  limit: number
  parts: Buffer[]
  length: number
  /** Done before its limit: a module info whose end sentinel was seen. */
  closed: boolean
  /** A module info candidate: stops at runtime/debug's end sentinel. */
  modInfo: boolean
  /** Its last bytes, where an end sentinel split across chunks begins. */
  tail: Buffer
}

export class LegacyGoBuildInfo {
  private readonly versions: Capture[] = []
  private readonly modInfos: Capture[] = []
  /** Candidates still taking bytes. */
  private open: Capture[] = []
  /** The two string variables, once the header has said where they are. */
  private variables: { version: Capture; modInfo: Capture; header: BuildInfoAddresses } | undefined
  private carry = Buffer.alloc(0)
  /** Headers followed so far. */
  private headers = 0

  private constructor(private readonly head: ElfHead) {}

  /** A reader for the ELF file whose first bytes are `prefix`. */
  static of(prefix: Buffer): LegacyGoBuildInfo | undefined {
    const head = elfHead(prefix)
    return head === undefined ? undefined : new LegacyGoBuildInfo(head)
  }

  /** True while a header found next would still be followed. */
  get wantsHeader(): boolean {
    return this.variables === undefined && this.headers < MAX_HEADERS
  }

  /** The header (32 bytes from the magic, at file offset `at`) names the two variables. */
  addresses(header: BuildInfoAddresses, at: number): void {
    if (!this.wantsHeader) return
    this.headers++
    const place = (address: number): Capture | undefined => {
      const offset = loadedOffset(this.head, address)
      // Only variables still ahead of the stream can be taken; the linker puts them there.
      return offset === undefined || offset < at + GO_BUILDINFO_HEADER
        ? undefined
        : capture(offset, 2 * header.ptrSize)
    }
    const version = place(header.version)
    const modInfo = place(header.modInfo)
    if (version !== undefined && modInfo !== undefined)
      this.variables = { version, modInfo, header }
  }

  /** The next bytes of the file, starting at file offset `start`. */
  write(chunk: Buffer, start: number): void {
    if (this.variables !== undefined) {
      feed(this.variables.version, chunk, start)
      feed(this.variables.modInfo, chunk, start)
    }
    // Each candidate is complete within a chunk or two (a module info within its 1 MiB).
    this.open = this.open.filter((c) => !c.closed && c.length < c.limit)
    // Candidates that start in the carried end of the last chunk, then those in this one; the
    // chunk itself is searched in place (copying every chunk of a large binary costs more).
    const junction = Buffer.concat([this.carry, chunk.subarray(0, MODINFO_START.length - 1)])
    for (const [bytes, from] of [
      [junction, start - this.carry.length],
      [chunk, start]
    ] as const) {
      this.find(bytes, from, VERSION_PREFIX, this.versions, MAX_VERSIONS, VERSION_BYTES)
      this.find(bytes, from, MODINFO_START, this.modInfos, MAX_MODINFOS, MAX_MODINFO_BYTES)
    }
    for (const open of this.open) feed(open, chunk, start)
    const keep = MODINFO_START.length - 1
    this.carry = Buffer.from(
      chunk.length >= keep ? chunk.subarray(chunk.length - keep) : junction.subarray(-keep)
    )
  }

  private find(
    window: Buffer,
    windowStart: number,
    needle: Buffer,
    into: Capture[],
    max: number,
    limit: number
  ): void {
    const seen = into.length === 0 ? -1 : into[into.length - 1]!.offset
    for (let at = window.indexOf(needle); at !== -1; at = window.indexOf(needle, at + 1)) {
      const offset = windowStart + at
      if (offset <= seen) continue
      if (into.length === max) return
      const found = capture(offset, limit, needle === MODINFO_START)
      into.push(found)
      this.open.push(found)
      feed(found, window, windowStart)
    }
  }

  /**
   * The toolchain version and module info the header's variables point at. A file with a header
   * whose strings were not found gets `unread` instead, naming why when the candidates' bound was
   * reached: a crafted file may fill them to hide its modules, which must not pass as a binary
   * without any.
   */
  result(): { info?: GoBuildInfo; unread?: string } {
    if (this.headers === 0) return {}
    const variables = this.variables
    const version =
      variables === undefined
        ? undefined
        : this.string(variables.version, variables.header, this.versions)
    const modInfo =
      variables === undefined
        ? undefined
        : this.string(variables.modInfo, variables.header, this.modInfos)
    if (modInfo === undefined) {
      const bounded = this.modInfos.length === MAX_MODINFOS || this.cutModInfo()
      return {
        unread: bounded
          ? `its Go module info is not among the first ${MAX_MODINFOS} strings like one of up to ${formatBytes(MAX_MODINFO_BYTES)}`
          : 'its Go 1.13–1.17 build info points at no module info the file holds'
      }
    }
    const info = {
      goVersion: version !== undefined && version.startsWith('go1.') ? version : '',
      modInfo: unwrapModInfo(modInfo)
    }
    if (version !== undefined) return { info }
    return {
      info,
      unread:
        this.versions.length === MAX_VERSIONS
          ? `its Go version is not among the first ${MAX_VERSIONS} strings like one`
          : 'its Go 1.13–1.17 build info points at no Go version the file holds'
    }
  }

  /** A module-info candidate reached its bound before its end sentinel. */
  private cutModInfo(): boolean {
    return this.modInfos.some((c) => !c.closed && c.length === c.limit)
  }

  /** The Go string a variable holds, from the candidate kept at its address. */
  private string(
    variable: Capture,
    header: BuildInfoAddresses,
    candidates: Capture[]
  ): string | undefined {
    if (variable.length < variable.limit) return undefined
    const bytes = Buffer.concat(variable.parts)
    const { word } = fields(header.little, header.ptrSize === 8)
    const address = word(bytes, 0)
    const length = word(bytes, header.ptrSize)
    if (length === 0) return ''
    const offset = loadedOffset(this.head, address)
    const kept = candidates.find((c) => c.offset === offset)
    if (kept === undefined || kept.length < length) return undefined
    return Buffer.concat(kept.parts).toString('utf8', 0, length)
  }
}

/** A module info: cmd/go writes one line per module; large dependency lists stay well below this. */
const MAX_MODINFO_BYTES = 1024 * 1024

function capture(offset: number, limit: number, modInfo = false): Capture {
  return { offset, limit, parts: [], length: 0, closed: false, modInfo, tail: Buffer.alloc(0) }
}

/**
 * Keeps the bytes of `chunk` (at file offset `start`) that fall in the capture's range; a module
 * info stops at its end sentinel, so that a candidate keeps no more than its string.
 */
function feed(into: Capture, chunk: Buffer, start: number): void {
  if (into.closed || into.length >= into.limit) return
  const from = into.offset + into.length
  if (from < start || from >= start + chunk.length) return
  const part = Buffer.from(chunk.subarray(from - start, from - start + into.limit - into.length))
  into.parts.push(part)
  into.length += part.length
  if (!into.modInfo) return
  // The sentinel may straddle two parts: look from the carried end of the one before.
  const joined = into.tail.length === 0 ? part : Buffer.concat([into.tail, part])
  const end = joined.indexOf(MODINFO_END)
  if (end === -1) {
    into.tail = Buffer.from(joined.subarray(Math.max(0, joined.length - (MODINFO_END.length - 1))))
    return
  }
  const total = into.length - joined.length + end + MODINFO_END.length
  into.parts = [Buffer.concat(into.parts, into.length).subarray(0, total)]
  into.length = total
  into.closed = true
}
