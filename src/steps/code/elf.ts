/**
 * ELF hardening verdicts with the semantics of checksec 2.6 (`checksec --file`, Debian package
 * `checksec`), read from the file's bytes (System V ABI gABI, "Object Files"; LSB for the GNU
 * extensions). 32- and 64-bit, little- and big-endian. A file of any size is read in one pass,
 * keeping only the ranges the verdicts need (ElfStream); a whole file in memory is the same case.
 *
 * Two deliberate differences from checksec, both where checksec reads the host rather than the
 * binary: RELRO is full also with DF_1_NOW alone (ld.so binds eagerly on either flag), and
 * FORTIFY counts against glibc's `__*_chk` list below instead of the host's libc.
 */

/** What checksec reports for one file. */
export interface ElfHardening {
  bits: 32 | 64
  endian: 'little' | 'big'
  type: 'exec' | 'dyn' | 'rel' | 'core' | 'other'
  relro: 'full' | 'partial' | 'no'
  canary: boolean
  nx: boolean
  /** `dso`: a shared object (ET_DYN without DT_DEBUG or DF_1_PIE); `rel`: an object file. */
  pie: 'yes' | 'no' | 'dso' | 'rel' | 'not_elf'
  /** DT_RPATH / DT_RUNPATH split at `:`; undefined when the tag is absent or empty. */
  rpath?: string[]
  runpath?: string[]
  /** A `.symtab` section: the file is not stripped. */
  symbols: boolean
  /** Some dynamic symbol ends in `_chk`. */
  fortifySource: boolean
  /** Dynamic symbols that are glibc `__*_chk` functions. */
  fortified: number
  /** Dynamic symbols that are glibc `__*_chk` functions or the plain functions they fortify. */
  fortifiable: number
  /** Links against glibc (DT_NEEDED libc.so.6): the only libc with `_chk` functions. */
  glibc: boolean
  /** Go and Rust do not use the C stack protector or FORTIFY; their verdicts are not comparable. */
  runtime?: 'go' | 'rust'
}

/**
 * glibc's exported `__X_chk` functions as `X_chk` (checksec: `readelf -s libc.so.6 | sed -ne
 * 's/.*__\(.*_chk\)@@.*\/\1/p'`), from glibc 2.36 (Debian 12). Later additions (glibc 2.38's
 * `strlcpy` family) are left out: the plain names also come from libbsd, where they are not
 * fortifiable, and checksec on Debian 12 does not count them either.
 */
export const GLIBC_CHK_FUNCTIONS: readonly string[] = [
  ...'asprintf confstr dprintf explicit_bzero fdelt fgets fgets_unlocked fgetws fgetws_unlocked fprintf fread fread_unlocked fwprintf getcwd getdomainname getgroups gethostname getlogin_r gets getwd longjmp mbsnrtowcs mbsrtowcs mbstowcs memcpy memmove mempcpy memset obstack_printf obstack_vprintf poll ppoll pread64 pread printf ptsname_r read readlink readlinkat realpath recv recvfrom snprintf sprintf stpcpy stpncpy strcat strcpy strncat strncpy swprintf syslog ttyname_r vasprintf vdprintf vfprintf vfwprintf vprintf vsnprintf vsprintf vswprintf vsyslog vwprintf wcpcpy wcpncpy wcrtomb wcscat wcscpy wcsncat wcsncpy wcsnrtombs wcsrtombs wcstombs wctomb wmemcpy wmemmove wmempcpy wmemset wprintf'.split(
    ' '
  )
].map((name) => `${name}_chk`)

const CHECKED = new Set(GLIBC_CHK_FUNCTIONS)
/** checksec strips every `_chk` from the list to get the functions that could have been fortified. */
const UNCHECKED = new Set(GLIBC_CHK_FUNCTIONS.map((name) => name.replaceAll('_chk', '')))

export const ELF_MAGIC = Buffer.from([0x7f, 0x45, 0x4c, 0x46])

const ET = { 1: 'rel', 2: 'exec', 3: 'dyn', 4: 'core' } as const
const PT_LOAD = 1
const PT_DYNAMIC = 2
const PT_GNU_STACK = 0x6474e551
const PT_GNU_RELRO = 0x6474e552
const PF_RWX = 7
const SHT_SYMTAB = 2
const SHT_DYNSYM = 11
const DT_NEEDED = 1
const DT_HASH = 4
const DT_STRTAB = 5
const DT_SYMTAB = 6
const DT_STRSZ = 10
const DT_RPATH = 15
const DT_DEBUG = 21
const DT_BIND_NOW = 24
const DT_RUNPATH = 29
const DT_FLAGS = 30
const DT_FLAGS_1 = 0x6ffffffb
const DF_BIND_NOW = 0x8
const DF_1_NOW = 0x1
const DF_1_PIE = 0x08000000

/** Symbols checksec takes as proof of a stack protector (`readelf -s | grep -E …`). */
const CANARY_SYMBOLS = ['__stack_chk_fail', '__stack_chk_guard', '__intel_security_cookie']
const RUST_SYMBOLS = ['rust_eh_personality', 'rust_begin_unwind']
const GO_SECTIONS = new Set(['.go.buildinfo', '.note.go.buildid', '.gopclntab'])

/**
 * One pass over a file keeps only these windows (ranges are known from the ELF header and the
 * program headers before they stream by). Sized to real large binaries: node (99 MB) needs its
 * 7.4 MB first PT_LOAD (.dynsym, .dynstr) and 10 MB outside the loaded segments (.symtab,
 * .strtab); librustc_driver (154 MB) and libLLVM (200 MB) need 3–4 MB of .dynsym/.dynstr and
 * 24 MB outside the loaded segments.
 */
export interface ElfWindows {
  /** All kept ranges of one file together. */
  budget: number
  /** The start of the file: ELF header and, almost always, the program headers. */
  head: number
  /** From the first PT_LOAD segment (`.interp`, `.dynsym`, `.dynstr`, `.gnu.hash`…). */
  firstLoad: number
  /** At the start of each of the last gaps between loaded segments, where `.comment` sits. */
  afterLoad: number
  /** The last bytes outside the loaded segments (`.symtab`, `.strtab`, `.shstrtab`), which
   * patchelf (auditwheel) leaves before the segments it appends. */
  tail: number
  /** Before program headers that come late in the file (BOLT appends a segment holding them). */
  beforeProgramHeaders: number
}

const MiB = 1024 * 1024

export const ELF_WINDOWS: Readonly<ElfWindows> = {
  budget: 64 * MiB,
  head: 1 * MiB,
  firstLoad: 32 * MiB,
  afterLoad: 64 * 1024,
  tail: 28 * MiB,
  beforeProgramHeaders: 4 * MiB
}

/** Gaps (between loaded segments) whose first bytes are kept for `.comment`. */
const AFTER_LOAD_GAPS = 4
/** Gaps, from the end, that the tail window is taken from (a hostile file can have 65535). */
const TAIL_GAPS = 16
/** Kept ranges of one file: real files need about 10; each write visits them all. */
const MAX_PIECES = 256

interface Range {
  offset: number
  size: number
}

interface Section extends Range {
  name: number
  type: number
  link: number
  entsize: number
}

interface Segment extends Range {
  type: number
  flags: number
  vaddr: number
}

/** A read of bytes that were not kept while the file streamed by: no verdict can rest on them. */
class NotKept extends Error {
  what = ''
  constructor(
    public offset: number,
    public length: number
  ) {
    super(`bytes ${offset}+${length} of the ELF file were not kept`)
  }
}

interface Piece {
  start: number
  end: number
  buffer: Buffer
}

/** Ranges of one file kept while it streams; a whole file in memory is one piece. */
class KeptBytes {
  private readonly pieces: Piece[] = []
  private last: Piece | undefined
  /** Bytes allocated for pieces. */
  used = 0
  /** Bytes streamed so far: a piece holds valid bytes only below it. */
  position = 0

  constructor(
    private declared: number,
    private readonly budget: number
  ) {}

  static whole(buffer: Buffer): KeptBytes {
    const kept = new KeptBytes(buffer.length, buffer.length)
    if (buffer.length > 0) kept.pieces.push({ start: 0, end: buffer.length, buffer })
    kept.position = buffer.length
    return kept
  }

  get size(): number {
    return this.declared
  }

  /** The file ended: its size is what streamed. */
  finish(): void {
    this.declared = Math.min(this.declared, this.position)
  }

  /** Keep [start, end) from here on, except what other pieces keep; within the budget. */
  keep(start: number, end: number): void {
    let cursor = Math.max(0, start, this.position)
    const stop = Math.min(end, this.declared)
    const gaps: Array<[number, number]> = []
    for (const piece of this.pieces) {
      if (piece.end <= cursor) continue
      if (piece.start >= stop) break
      if (piece.start > cursor) gaps.push([cursor, piece.start])
      cursor = Math.max(cursor, piece.end)
    }
    if (cursor < stop) gaps.push([cursor, stop])
    for (const [from, to] of gaps) {
      const length = Math.min(to - from, this.budget - this.used)
      if (length <= 0 || this.pieces.length >= MAX_PIECES) break
      this.pieces.push({ start: from, end: from + length, buffer: Buffer.allocUnsafe(length) })
      this.used += length
    }
    this.pieces.sort((a, b) => a.start - b.start)
  }

  write(chunk: Buffer): void {
    const from = this.position
    const to = from + chunk.length
    for (const piece of this.pieces) {
      if (piece.end <= from) continue
      if (piece.start >= to) break
      const start = Math.max(piece.start, from)
      chunk.copy(piece.buffer, start - piece.start, start - from, Math.min(piece.end, to) - from)
    }
    this.position = to
  }

  private find(offset: number): Piece {
    const last = this.last
    if (last !== undefined && offset >= last.start && offset < last.end) return last
    const piece = this.pieces.find((p) => offset >= p.start && offset < p.end)
    if (piece === undefined) throw new NotKept(offset, 1)
    this.last = piece
    return piece
  }

  /** Bytes [offset, offset + length); throws NotKept when some were not kept. */
  bytes(offset: number, length: number): Buffer {
    if (length <= 0) return Buffer.alloc(0)
    const end = offset + length
    if (end > this.position) throw new NotKept(offset, length)
    try {
      const piece = this.find(offset)
      if (end <= piece.end) {
        return piece.buffer.subarray(offset - piece.start, end - piece.start)
      }
      // Across adjacent pieces (a table on the border of two windows): copy.
      const parts: Buffer[] = []
      for (let cursor = offset; cursor < end;) {
        const next = this.find(cursor)
        const stop = Math.min(end, next.end)
        parts.push(next.buffer.subarray(cursor - next.start, stop - next.start))
        cursor = stop
      }
      return Buffer.concat(parts, length)
    } catch (error) {
      if (error instanceof NotKept) throw new NotKept(offset, length)
      throw error
    }
  }

  /** The kept bytes from `offset` to the end of the piece that holds it. */
  from(offset: number): Buffer {
    if (offset >= this.position) throw new NotKept(offset, 1)
    const piece = this.find(offset)
    return piece.buffer.subarray(
      offset - piece.start,
      Math.min(piece.end, this.position) - piece.start
    )
  }
}

class ElfReader {
  constructor(
    readonly kept: KeptBytes,
    readonly little: boolean,
    readonly wide: boolean
  ) {}

  get size(): number {
    return this.kept.size
  }

  fits(offset: number, length: number): boolean {
    return offset >= 0 && length >= 0 && offset + length <= this.size
  }

  u16(offset: number): number {
    const bytes = this.kept.bytes(offset, 2)
    return this.little ? bytes.readUInt16LE(0) : bytes.readUInt16BE(0)
  }

  u32(offset: number): number {
    const bytes = this.kept.bytes(offset, 4)
    return this.little ? bytes.readUInt32LE(0) : bytes.readUInt32BE(0)
  }

  /** An address, offset or size: 4 bytes in ELFCLASS32, 8 in ELFCLASS64. */
  word(offset: number): number {
    if (!this.wide) return this.u32(offset)
    const bytes = this.kept.bytes(offset, 8)
    const value = this.little ? bytes.readBigUInt64LE(0) : bytes.readBigUInt64BE(0)
    return value > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(value)
  }

  /** A NUL-terminated string inside `table`, or undefined when it runs out of it. */
  string(table: Range, index: number): string | undefined {
    const start = table.offset + index
    const end = table.offset + table.size
    if (index < 0 || start >= end || end > this.size) return undefined
    const piece = this.kept.from(start)
    const within = Math.min(piece.length, end - start)
    const nul = piece.subarray(0, within).indexOf(0)
    if (nul !== -1) return piece.toString('latin1', 0, nul)
    if (within === end - start) return piece.toString('latin1', 0, within)
    const bytes = this.kept.bytes(start, end - start)
    const later = bytes.indexOf(0)
    return bytes.toString('latin1', 0, later === -1 ? bytes.length : later)
  }

  contains(table: Range | undefined, needle: string): boolean {
    if (table === undefined || !this.fits(table.offset, table.size)) return false
    return this.kept.bytes(table.offset, table.size).includes(needle, 0, 'latin1')
  }
}

/** Names what a NotKept read was for, for the finding's reason. */
function reading<T>(what: string, read: () => T): T {
  try {
    return read()
  } catch (error) {
    if (error instanceof NotKept && error.what === '') error.what = what
    throw error
  }
}

/** Reports a read inside `range` that was not kept as the whole range, not the field read. */
function within<T>(range: Range, read: () => T): T {
  try {
    return read()
  } catch (error) {
    if (error instanceof NotKept && error.what === '') {
      error.offset = range.offset
      error.length = range.size
    }
    throw error
  }
}

/** A reader over an ELF file's bytes, or undefined when they are not an ELF file we read. */
function open(kept: KeptBytes): ElfReader | undefined {
  if (kept.size < 52) return undefined
  const ident = kept.bytes(0, 6)
  if (!ident.subarray(0, 4).equals(ELF_MAGIC)) return undefined
  const bits = ident[4] === 1 ? 32 : ident[4] === 2 ? 64 : undefined
  const endian = ident[5] === 1 ? 'little' : ident[5] === 2 ? 'big' : undefined
  if (bits === undefined || endian === undefined || (bits === 64 && kept.size < 64)) {
    return undefined
  }
  return new ElfReader(kept, endian === 'little', bits === 64)
}

function segments(elf: ElfReader): Segment[] {
  const { wide } = elf
  const phoff = elf.word(wide ? 32 : 28)
  const entsize = elf.u16(wide ? 54 : 42)
  const count = elf.u16(wide ? 56 : 44)
  const list: Segment[] = []
  const table = { offset: phoff, size: count * entsize }
  for (let i = 0; i < count; i++) {
    const at = phoff + i * entsize
    if (entsize < (wide ? 56 : 32) || !elf.fits(at, entsize)) break
    list.push(within(table, () => segment(elf, at)))
  }
  return list
}

function segment(elf: ElfReader, at: number): Segment {
  return elf.wide
    ? {
        type: elf.u32(at),
        flags: elf.u32(at + 4),
        offset: elf.word(at + 8),
        vaddr: elf.word(at + 16),
        size: elf.word(at + 32)
      }
    : {
        type: elf.u32(at),
        offset: elf.u32(at + 4),
        vaddr: elf.u32(at + 8),
        size: elf.u32(at + 16),
        flags: elf.u32(at + 24)
      }
}

function sections(elf: ElfReader): Section[] {
  const { wide } = elf
  const shoff = elf.word(wide ? 40 : 32)
  const entsize = elf.u16(wide ? 58 : 46)
  const count = elf.u16(wide ? 60 : 48)
  const list: Section[] = []
  if (shoff === 0) return list
  const table = { offset: shoff, size: count * entsize }
  for (let i = 0; i < count; i++) {
    const at = shoff + i * entsize
    if (entsize < (wide ? 64 : 40) || !elf.fits(at, entsize)) break
    list.push(within(table, () => section(elf, at)))
  }
  return list
}

function section(elf: ElfReader, at: number): Section {
  const { wide } = elf
  return {
    name: elf.u32(at),
    type: elf.u32(at + 4),
    offset: elf.word(at + (wide ? 24 : 16)),
    size: elf.word(at + (wide ? 32 : 20)),
    link: elf.u32(at + (wide ? 40 : 24)),
    entsize: elf.word(at + (wide ? 56 : 36))
  }
}

/** The file offset of a virtual address, through the PT_LOAD segment that maps it. */
function fileOffset(loads: Segment[], vaddr: number): number | undefined {
  const load = loads.find((s) => vaddr >= s.vaddr && vaddr < s.vaddr + s.size)
  return load === undefined ? undefined : load.offset + (vaddr - load.vaddr)
}

interface DynamicInfo {
  tags: Map<number, number[]>
  strtab?: Range
}

function dynamic(elf: ElfReader, segmentList: Segment[], sectionList: Section[]): DynamicInfo {
  const tags = new Map<number, number[]>()
  const segment = segmentList.find((s) => s.type === PT_DYNAMIC)
  if (segment === undefined) return { tags }
  const entsize = elf.wide ? 16 : 8
  for (let at = segment.offset; elf.fits(at, entsize); at += entsize) {
    if (at + entsize > segment.offset + segment.size) break
    const [tag, value] = within(segment, () => [
      elf.wide ? Number(elf.word(at)) : elf.u32(at),
      elf.word(at + entsize / 2)
    ])
    if (tag === 0) break
    const values = tags.get(tag)
    if (values === undefined) tags.set(tag, [value])
    else values.push(value)
  }
  const strtabAddress = tags.get(DT_STRTAB)?.[0]
  const loads = segmentList.filter((s) => s.type === PT_LOAD)
  const offset = strtabAddress === undefined ? undefined : fileOffset(loads, strtabAddress)
  if (offset !== undefined) {
    const size = tags.get(DT_STRSZ)?.[0] ?? elf.size - offset
    return { tags, strtab: { offset, size } }
  }
  // Without a mapped DT_STRTAB fall back to the string table of `.dynsym`.
  const dynstr = sectionList.find((s) => s.type === SHT_DYNSYM)?.link
  const section = dynstr === undefined ? undefined : sectionList[dynstr]
  return section === undefined ? { tags } : { tags, strtab: section }
}

interface SymbolTable {
  symbols: Range & { entsize: number }
  strings: Range
}

/** `.dynsym` from its section or, in a file without section headers, from DT_SYMTAB and DT_HASH. */
function dynamicSymbols(
  elf: ElfReader,
  sectionList: Section[],
  segmentList: Segment[],
  info: DynamicInfo
): SymbolTable | undefined {
  const entsize = elf.wide ? 24 : 16
  const section = sectionList.find((s) => s.type === SHT_DYNSYM)
  const strings = section === undefined ? undefined : sectionList[section.link]
  if (section !== undefined && strings !== undefined) {
    return { symbols: { ...section, entsize: section.entsize || entsize }, strings }
  }
  const loads = segmentList.filter((s) => s.type === PT_LOAD)
  const symtab = fileOffset(loads, info.tags.get(DT_SYMTAB)?.[0] ?? -1)
  const hash = fileOffset(loads, info.tags.get(DT_HASH)?.[0] ?? -1)
  if (symtab === undefined || hash === undefined || info.strtab === undefined) return undefined
  if (!elf.fits(hash, 8)) return undefined
  // DT_HASH: nbucket, nchain; nchain is the number of symbols (gABI "Hash Table").
  const count = elf.u32(hash + 4)
  return { symbols: { offset: symtab, size: count * entsize, entsize }, strings: info.strtab }
}

function symbolNames(elf: ElfReader, table: SymbolTable | undefined): string[] {
  if (table === undefined) return []
  const names: string[] = []
  const { symbols, strings } = table
  // Entry 0 is the reserved undefined symbol.
  for (
    let at = symbols.offset + symbols.entsize;
    at + symbols.entsize <= symbols.offset + symbols.size;
    at += symbols.entsize
  ) {
    if (!elf.fits(at, symbols.entsize)) break
    const index = within(symbols, () => elf.u32(at))
    const name = reading('dynamic string table', () => elf.string(strings, index))
    if (name !== undefined && name !== '') names.push(name)
  }
  return names
}

function paths(elf: ElfReader, info: DynamicInfo, tag: number): string[] | undefined {
  const index = info.tags.get(tag)?.[0]
  if (index === undefined || info.strtab === undefined) return undefined
  const value = elf.string(info.strtab, index)
  return value === undefined || value === '' ? undefined : value.split(':')
}

function pieVerdict(type: ElfHardening['type'], info: DynamicInfo): ElfHardening['pie'] {
  if (type === 'exec') return 'no'
  if (type === 'rel') return 'rel'
  if (type !== 'dyn') return 'not_elf'
  const flags1 = info.tags.get(DT_FLAGS_1)?.[0] ?? 0
  return info.tags.has(DT_DEBUG) || (flags1 & DF_1_PIE) !== 0 ? 'yes' : 'dso'
}

function analyse(kept: KeptBytes): ElfHardening | undefined {
  const elf = reading('ELF header', () => open(kept))
  if (elf === undefined) return undefined
  const bits = elf.wide ? 64 : 32
  const endian = elf.little ? 'little' : 'big'
  const type = ET[reading('ELF header', () => elf.u16(16)) as keyof typeof ET] ?? 'other'
  const segmentList = reading('program headers', () => segments(elf))
  const sectionList = reading('section headers', () => sections(elf))
  const info = reading('dynamic segment', () => dynamic(elf, segmentList, sectionList))
  const shstrtab = sectionList[reading('ELF header', () => elf.u16(bits === 64 ? 62 : 50))]
  const sectionNamed = reading(
    'section name table (.shstrtab)',
    () =>
      new Map(
        shstrtab === undefined
          ? []
          : sectionList.map((s) => [elf.string(shstrtab, s.name) ?? '', s])
      )
  )

  const flags = info.tags.get(DT_FLAGS)?.[0] ?? 0
  const flags1 = info.tags.get(DT_FLAGS_1)?.[0] ?? 0
  const bindNow =
    info.tags.has(DT_BIND_NOW) || (flags & DF_BIND_NOW) !== 0 || (flags1 & DF_1_NOW) !== 0
  const relro = segmentList.some((s) => s.type === PT_GNU_RELRO)
    ? bindNow
      ? 'full'
      : 'partial'
    : 'no'
  const stack = segmentList.find((s) => s.type === PT_GNU_STACK)

  const dynsym = reading('dynamic symbol table', () =>
    dynamicSymbols(elf, sectionList, segmentList, info)
  )
  const symtabSection = sectionList.find((s) => s.type === SHT_SYMTAB)
  const symtabStrings = symtabSection === undefined ? undefined : sectionList[symtabSection.link]
  const stringTables: Array<[Range | undefined, string]> = [
    [dynsym?.strings, 'dynamic string table'],
    [symtabStrings, 'symbol string table (.strtab)']
  ]
  // Lazily, table by table: a table that was not kept is read only when the answer depends on it.
  const anySymbol = (names: string[]): boolean =>
    stringTables.some(([table, what]) =>
      reading(what, () => names.some((name) => elf.contains(table, name)))
    )

  // checksec: names from `readelf --dyn-syms`, leading underscores and @VERSION removed.
  const dynamicNames = reading('dynamic symbol table', () => symbolNames(elf, dynsym)).map((name) =>
    name.replace(/^_*/, '')
  )
  const needed = reading('dynamic string table', () =>
    (info.tags.get(DT_NEEDED) ?? []).map((index) =>
      info.strtab === undefined ? '' : (elf.string(info.strtab, index) ?? '')
    )
  )
  const fortified = dynamicNames.filter((name) => CHECKED.has(name)).length
  const rpath = reading('dynamic string table', () => paths(elf, info, DT_RPATH))
  const runpath = reading('dynamic string table', () => paths(elf, info, DT_RUNPATH))
  // rustc records itself in `.comment` ("rustc version 1.x"), which stripping keeps.
  const rustc = (): boolean => {
    try {
      return reading('.comment section', () =>
        elf.contains(sectionNamed.get('.comment'), 'rustc version')
      )
    } catch (error) {
      // Rust runtime symbols settle it without `.comment`; nothing else does.
      if (error instanceof NotKept && anySymbol(RUST_SYMBOLS)) return true
      throw error
    }
  }
  const runtime = [...sectionNamed.keys()].some((name) => GO_SECTIONS.has(name))
    ? 'go'
    : rustc() || anySymbol(RUST_SYMBOLS)
      ? 'rust'
      : undefined
  return {
    bits,
    endian,
    type,
    relro,
    canary: anySymbol(CANARY_SYMBOLS),
    nx: stack !== undefined && (stack.flags & PF_RWX) !== PF_RWX,
    pie: pieVerdict(type, info),
    ...(rpath === undefined ? {} : { rpath }),
    ...(runpath === undefined ? {} : { runpath }),
    symbols: symtabSection !== undefined,
    fortifySource: dynamicNames.some((name) => name.endsWith('_chk')),
    fortified,
    fortifiable: fortified + dynamicNames.filter((name) => UNCHECKED.has(name)).length,
    glibc: needed.includes('libc.so.6'),
    ...(runtime === undefined ? {} : { runtime })
  }
}

/** checksec's verdicts for an ELF file, or undefined when `bytes` is not one we can read. */
export function checkElf(bytes: Buffer): ElfHardening | undefined {
  return analyse(KeptBytes.whole(bytes))
}

/** What one pass over a file gave: verdicts, or why a verdict could not be reached. */
export type ElfCheck = { elf: ElfHardening } | { unread: string } | undefined

/**
 * checksec's verdicts for a file seen once, as a stream of chunks in order, without holding it.
 * The ELF header names where the program and section headers are; the program headers name the
 * dynamic segment and the loaded segments. Those ranges are kept as they stream by, with the
 * first PT_LOAD segment (dynamic symbols and strings), the bytes just after the loaded segments
 * (`.comment`) and the end of the file (section headers, `.symtab`, `.strtab`, `.shstrtab`), up
 * to ElfWindows.budget in all. Section headers that come before the end name their tables early
 * enough to keep them. A verdict that needs bytes not kept is not given: `unread` says which.
 */
export class ElfStream {
  private readonly kept: KeptBytes
  private readonly windows: ElfWindows
  /** What to decide once the file has streamed up to `at`: headers name what to keep next. */
  private pending: Array<{ at: number; decide: (elf: ElfReader) => void }> = []

  constructor(size: number, windows: Partial<ElfWindows> = {}) {
    this.windows = { ...ELF_WINDOWS, ...windows }
    this.kept = new KeptBytes(size, this.windows.budget)
    this.kept.keep(0, this.windows.head)
    this.after(64, (elf) => this.planHeaders(elf))
  }

  /** Bytes held for this file. */
  get keptBytes(): number {
    return this.kept.used
  }

  write(chunk: Buffer): void {
    // Stop at each point where a header is complete, so that what it names is kept from there.
    let rest = chunk
    while (rest.length > 0) {
      const next = Math.min(...this.pending.map((plan) => plan.at))
      const take =
        next > this.kept.position ? Math.min(rest.length, next - this.kept.position) : rest.length
      this.kept.write(rest.subarray(0, take))
      rest = rest.subarray(take)
      this.plan()
    }
  }

  check(): ElfCheck {
    this.kept.finish()
    try {
      const elf = analyse(this.kept)
      return elf === undefined ? undefined : { elf }
    } catch (error) {
      if (!(error instanceof NotKept)) throw error
      const { budget, head, firstLoad, tail } = this.windows
      return {
        unread: `its ${error.what || 'data'} (${error.length} bytes at offset ${error.offset}) streamed past without being kept (one pass keeps the first ${head} bytes, the program and section headers, the dynamic segment and the tables it names, up to ${firstLoad} bytes of the first PT_LOAD segment and the last ${tail} bytes outside the loaded segments, at most ${budget} bytes in all)`
      }
    }
  }

  private after(at: number, decide: (elf: ElfReader) => void): void {
    this.pending.push({ at: Math.min(at, this.kept.size), decide })
  }

  private plan(): void {
    const due = this.pending.filter((plan) => plan.at <= this.kept.position)
    if (due.length === 0) return
    this.pending = this.pending.filter((plan) => plan.at > this.kept.position)
    for (const { decide } of due) {
      try {
        const elf = open(this.kept)
        if (elf !== undefined) decide(elf)
      } catch (error) {
        // Headers that were not kept: check() reports them if a verdict needs them.
        if (!(error instanceof NotKept)) throw error
      }
    }
    // Plans made now may be due already (a header inside the same bytes).
    this.plan()
  }

  private planHeaders(elf: ElfReader): void {
    const { wide } = elf
    const phoff = elf.word(wide ? 32 : 28)
    const shoff = elf.word(wide ? 40 : 32)
    const programEnd = phoff + elf.u16(wide ? 54 : 42) * elf.u16(wide ? 56 : 44)
    const sectionsEnd = shoff + elf.u16(wide ? 58 : 46) * elf.u16(wide ? 60 : 48)
    this.kept.keep(phoff, programEnd)
    if (shoff !== 0) this.kept.keep(shoff, sectionsEnd)
    if (programEnd > this.windows.head) {
      // Program headers come late (BOLT): what they will name may stream by first. Keep the start
      // of the file (dynamic symbols) and what precedes them (the original dynamic segment).
      this.kept.keep(0, this.windows.firstLoad)
      this.kept.keep(phoff - this.windows.beforeProgramHeaders, phoff)
    }
    this.after(programEnd, (reader) => this.planSegments(reader))
    if (shoff !== 0) this.after(sectionsEnd, (reader) => this.planSections(reader))
  }

  private planSegments(elf: ElfReader): void {
    const list = segments(elf)
    const { kept, windows } = this
    const dynamicSegment = list.find((s) => s.type === PT_DYNAMIC)
    if (dynamicSegment !== undefined) {
      const { offset, size } = dynamicSegment
      kept.keep(offset, offset + size)
      this.after(offset + size, (reader) => this.planDynamic(reader, list))
    }
    const loads = list.filter((s) => s.type === PT_LOAD)
    const gaps = unloaded(loads, kept.size)
    for (const [start, end] of gaps.slice(-AFTER_LOAD_GAPS)) {
      if (start > 0) kept.keep(start, Math.min(end, start + windows.afterLoad))
    }
    let tail = windows.tail
    for (const [start, end] of gaps.slice(-TAIL_GAPS).reverse()) {
      if (tail <= 0) break
      kept.keep(Math.max(start, end - tail), end)
      tail -= end - start
    }
    const first = loads[0]
    if (first !== undefined) {
      kept.keep(first.offset, first.offset + Math.min(first.size, windows.firstLoad))
    }
  }

  /** Tables the dynamic segment names that lie after it (patchelf appends `.dynstr`). */
  private planDynamic(elf: ElfReader, list: Segment[]): void {
    const { tags, strtab } = dynamic(elf, list, [])
    const loads = list.filter((s) => s.type === PT_LOAD)
    const ahead = (offset: number | undefined, size: number): void => {
      if (offset !== undefined && offset >= this.kept.position)
        this.kept.keep(offset, offset + size)
    }
    if (strtab !== undefined) ahead(strtab.offset, strtab.size)
    // DT_SYMTAB has no size: up to the end of the segment that maps it.
    const symtabAddress = tags.get(DT_SYMTAB)?.[0] ?? -1
    const load = loads.find((s) => symtabAddress >= s.vaddr && symtabAddress < s.vaddr + s.size)
    if (load !== undefined) {
      const size = load.vaddr + load.size - symtabAddress
      ahead(fileOffset(loads, symtabAddress), Math.min(size, this.windows.firstLoad))
    }
    ahead(fileOffset(loads, tags.get(DT_HASH)?.[0] ?? -1), 8)
  }

  /** Section headers before the end of the file: keep the tables they name that lie ahead. */
  private planSections(elf: ElfReader): void {
    if (this.kept.position >= this.kept.size) return
    const list = sections(elf)
    const named: Array<Section | undefined> = [list[elf.u16(elf.wide ? 62 : 50)]]
    for (const section of list) {
      if (section.type === SHT_SYMTAB || section.type === SHT_DYNSYM) {
        named.push(section, list[section.link])
      }
    }
    for (const section of named) {
      if (section !== undefined && section.offset >= this.kept.position) {
        this.kept.keep(section.offset, section.offset + section.size)
      }
    }
  }
}

/** The ranges of a file of `size` bytes outside every loaded segment, in file order. */
function unloaded(loads: Segment[], size: number): Array<[number, number]> {
  const gaps: Array<[number, number]> = []
  let cursor = 0
  for (const load of [...loads].sort((a, b) => a.offset - b.offset)) {
    if (load.offset > cursor) gaps.push([cursor, Math.min(load.offset, size)])
    cursor = Math.max(cursor, load.offset + load.size)
    if (cursor >= size) break
  }
  if (cursor < size) gaps.push([cursor, size])
  return gaps.filter(([start, end]) => end > start)
}
