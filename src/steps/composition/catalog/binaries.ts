/**
 * The per-layer pass for packages that live inside big files: Go build info and cargo-auditable
 * data in ELF executables, Maven coordinates in Java archives. Each file's bytes are seen once
 * as they stream; only what is needed is kept (the bytes after the Go magic, the tail of an
 * ELF file, a size-capped archive), and dropped once the file is parsed.
 */
import type { EntrySink, LayerSubscription, LayerVisitor } from '../../../image/analysis.js'
import type { TarEntry } from '../../../image/types.js'
import {
  buildInfoAddresses,
  buildInfoHeaderKind,
  GO_BUILDINFO_HEADER,
  GO_BUILDINFO_MAGIC,
  goPackages,
  parseBuildInfo,
  type Draft
} from './go.js'
import { LEGACY_HEAD_BYTES, LegacyGoBuildInfo } from './go-legacy.js'
import { formatBytes } from '../../../units.js'
import { JAVA_ARCHIVE, javaPackages, MAX_ARCHIVE_BYTES } from './java.js'
import { depSection, rustPackages } from './rust.js'

/** Archives above this are not opened: an input-not-analysed finding instead (docs/sbom.md). */
/**
 * The JSON a `.dep-v0` section inflates to: cargo-auditable's own reader (auditable-info's
 * default Limits) stops at 8 MiB; a thousand dependencies take some 100 KiB.
 */
export const MAX_RUST_DEPENDENCY_JSON_BYTES = 8 * 1024 * 1024
/** Packages one binary may list: real ones hold hundreds (Rust) to a few thousand (Go modules). */
export const MAX_BINARY_PACKAGES = 10_000
/** Module info follows the Go header directly; large dependency lists stay well below this. */
const GO_CAPTURE_BYTES = 1024 * 1024
/** `.dep-v0` and the section headers sit after the loaded sections, in the last bytes of a stripped binary. */
const ELF_TAIL_BYTES = 8 * 1024 * 1024
const MIN_EXECUTABLE_BYTES = 1024

/** Packages one file of one layer holds; the catalog keeps them if the file survives to the final filesystem. */
export interface BinaryPackages {
  path: string
  packages: (Draft & { nested?: string })[]
  /** Why part of the file was not read (over an inflate budget), as a clause. */
  unread?: string
}

export const BINARIES_SUBSCRIPTION: LayerSubscription<BinaryPackages[]> = {
  id: 'composition/catalog-binaries',
  version: 3,
  settings: '',
  createVisitor(): LayerVisitor<BinaryPackages[]> {
    const found: BinaryPackages[] = []
    const record: Record = (path, packages, unread) => {
      if (packages.length > 0 || unread !== undefined) {
        found.push(unread === undefined ? { path, packages } : { path, packages, unread })
      }
    }
    return {
      onEntry(entry: TarEntry): EntrySink | undefined {
        if (entry.type !== 'file') return undefined
        if (JAVA_ARCHIVE.test(entry.path)) {
          if (entry.size <= MAX_ARCHIVE_BYTES) return new ArchiveSink(entry, record)
          record(
            entry.path,
            [],
            `it is ${formatBytes(entry.size)}, over the ${formatBytes(MAX_ARCHIVE_BYTES)} of a Java archive this step opens`
          )
          return undefined
        }
        if ((entry.mode & 0o111) !== 0 && entry.size >= MIN_EXECUTABLE_BYTES) {
          return new ExecutableSink(entry, record)
        }
        return undefined
      },
      finish: () => found
    }
  }
}

type Record = (path: string, packages: BinaryPackages['packages'], unread?: string) => void

/** Several clauses as one: the finding is one per file. */
function unreadOf(reasons: string[]): string | undefined {
  if (reasons.length === 0) return undefined
  return reasons.length === 1 ? reasons[0] : `${reasons[0]} (and ${reasons.length - 1} more)`
}

class ArchiveSink implements EntrySink {
  /** The archive, filled as it streams: its size is known from the header (at most MAX_ARCHIVE_BYTES). */
  private bytes: Buffer | undefined
  private length = 0

  constructor(
    private readonly entry: TarEntry,
    private readonly record: Record
  ) {}

  write(chunk: Buffer): void {
    this.bytes ??= Buffer.allocUnsafe(this.entry.size)
    this.length += chunk.copy(this.bytes, this.length)
  }

  end(): void {
    const bytes = this.bytes?.subarray(0, this.length) ?? Buffer.alloc(0)
    this.bytes = undefined
    try {
      const name = this.entry.path.slice(this.entry.path.lastIndexOf('/') + 1)
      const archive = javaPackages(bytes, name)
      this.record(this.entry.path, archive.packages, unreadOf(archive.unread))
    } catch {
      // Not a zip (or a corrupt one): no packages, as for any other unreadable file.
    }
  }
}

class ExecutableSink implements EntrySink {
  /** The file's first bytes: the ELF header, and for Go 1.13–1.17 its program headers and notes. */
  private header = Buffer.alloc(0)
  private elf: boolean | undefined
  private size = 0
  /** Bytes from a Go magic candidate on, while it is being captured. */
  private go: Buffer[] | undefined
  private goLength = 0
  private goDone = false
  /** Go 1.13–1.17 build info, once the first bytes showed an ELF file; null: none to read. */
  private legacy: LegacyGoBuildInfo | null | undefined
  /** The last bytes seen, for the magic spanning two chunks. */
  private carry = Buffer.alloc(0)
  private tail: Buffer[] = []
  private tailLength = 0

  constructor(
    private readonly entry: TarEntry,
    private readonly record: Record
  ) {}

  write(chunk: Buffer): void {
    if (this.elf === false) return
    const start = this.size
    if (this.header.length < LEGACY_HEAD_BYTES) {
      const more = chunk.subarray(0, LEGACY_HEAD_BYTES - this.header.length)
      this.header = Buffer.concat([this.header, more])
      if (this.header.length >= 4) this.elf = this.header.readUInt32BE(0) === 0x7f454c46
      if (this.elf === false) return
      if (this.header.length === LEGACY_HEAD_BYTES) {
        this.legacy = LegacyGoBuildInfo.of(this.header) ?? null
        // The bytes before this chunk are the head's: the reader sees the file from its start.
        this.legacy?.write(this.header.subarray(0, start), 0)
      }
    }
    this.size += chunk.length
    if (!this.goDone) this.scanGo(chunk, start)
    this.legacy?.write(chunk, start)
    this.keepTail(chunk)
  }

  private scanGo(chunk: Buffer, start: number): void {
    if (this.go !== undefined) {
      this.capture(chunk)
      return
    }
    // Search the carried bytes joined to this chunk, so a magic across the boundary is found.
    const window = Buffer.concat([this.carry, chunk])
    const windowStart = start - this.carry.length
    for (
      let at = window.indexOf(GO_BUILDINFO_MAGIC);
      at !== -1;
      at = window.indexOf(GO_BUILDINFO_MAGIC, at + 1)
    ) {
      // debug/buildinfo: the header is 16-byte aligned; elsewhere the magic is a string constant.
      if ((windowStart + at) % 16 !== 0) continue
      const candidate = window.subarray(at)
      if (candidate.length < GO_BUILDINFO_HEADER) {
        // Too few bytes to tell: the next chunk completes the header (carried below).
        this.carry = Buffer.from(window.subarray(at))
        return
      }
      const kind = buildInfoHeaderKind(candidate)
      if (kind === 'addresses') {
        // Go 1.13–1.17: the strings are elsewhere; a later Go 1.18+ header would still win.
        const addresses = this.legacy?.wantsHeader ? buildInfoAddresses(candidate) : undefined
        if (addresses !== undefined) this.legacy?.addresses(addresses, windowStart + at)
        continue
      }
      if (kind === undefined) continue
      this.legacy = null
      this.go = []
      this.goLength = 0
      this.capture(candidate)
      return
    }
    this.carry = Buffer.from(window.subarray(Math.max(0, window.length - 15)))
  }

  private capture(bytes: Buffer): void {
    const take = bytes.subarray(0, GO_CAPTURE_BYTES - this.goLength)
    this.go!.push(Buffer.from(take))
    this.goLength += take.length
    if (this.goLength >= GO_CAPTURE_BYTES) this.goDone = true
  }

  private keepTail(chunk: Buffer): void {
    this.tail.push(chunk)
    this.tailLength += chunk.length
    while (this.tail.length > 1 && this.tailLength - this.tail[0]!.length >= ELF_TAIL_BYTES) {
      this.tailLength -= this.tail.shift()!.length
    }
  }

  end(): void {
    if (this.elf !== true) return
    let found: BinaryPackages['packages'] = []
    const unread: string[] = []
    const legacy = this.go === undefined ? this.legacy?.result() : undefined
    if (legacy?.unread !== undefined) unread.push(legacy.unread)
    const info = this.go === undefined ? legacy?.info : parseBuildInfo(Buffer.concat(this.go))
    if (info !== undefined) found = goPackages(info)
    this.go = undefined
    this.legacy = undefined
    const tail = Buffer.concat(this.tail, this.tailLength)
    this.tail = []
    const section = depSection(this.header, tail, this.size)
    if (section !== undefined) {
      try {
        found = found.concat(rustPackages(section, MAX_RUST_DEPENDENCY_JSON_BYTES))
      } catch (error) {
        unread.push(
          (error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE'
            ? `its cargo-auditable .dep-v0 section inflates to more than ${formatBytes(MAX_RUST_DEPENDENCY_JSON_BYTES)}`
            : 'its cargo-auditable .dep-v0 section is not zlib-compressed JSON'
        )
      }
    }
    // A few kilobytes of compressed JSON or build info can list one crate a hundred thousand
    // times: each package once, and no more of them than any real binary holds.
    const seen = new Set<string>()
    const packages: BinaryPackages['packages'] = []
    for (const draft of found) {
      if (seen.has(draft.purl)) continue
      if (packages.length === MAX_BINARY_PACKAGES) {
        unread.push(`it lists more than ${MAX_BINARY_PACKAGES} packages; the first are reported`)
        break
      }
      seen.add(draft.purl)
      packages.push(draft)
    }
    this.record(this.entry.path, packages, unread.length === 0 ? undefined : unread.join('; '))
  }
}
