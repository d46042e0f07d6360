/**
 * ELF hardening verdicts with the semantics of checksec 2.6 (`checksec --file`, Debian package
 * `checksec`), read from the file's bytes (System V ABI gABI, "Object Files"; LSB for the GNU
 * extensions). 32- and 64-bit, little- and big-endian.
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

class ElfReader {
  constructor(
    readonly bytes: Buffer,
    readonly little: boolean,
    readonly wide: boolean
  ) {}

  fits(offset: number, length: number): boolean {
    return offset >= 0 && length >= 0 && offset + length <= this.bytes.length
  }

  u16(offset: number): number {
    return this.little ? this.bytes.readUInt16LE(offset) : this.bytes.readUInt16BE(offset)
  }

  u32(offset: number): number {
    return this.little ? this.bytes.readUInt32LE(offset) : this.bytes.readUInt32BE(offset)
  }

  /** An address, offset or size: 4 bytes in ELFCLASS32, 8 in ELFCLASS64. */
  word(offset: number): number {
    if (!this.wide) return this.u32(offset)
    const value = this.little
      ? this.bytes.readBigUInt64LE(offset)
      : this.bytes.readBigUInt64BE(offset)
    return value > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(value)
  }

  /** A NUL-terminated string inside `table`, or undefined when it runs out of it. */
  string(table: Range, index: number): string | undefined {
    const start = table.offset + index
    const end = table.offset + table.size
    if (index < 0 || start >= end || end > this.bytes.length) return undefined
    const nul = this.bytes.indexOf(0, start)
    return this.bytes.toString('latin1', start, nul === -1 || nul > end ? end : nul)
  }

  contains(table: Range | undefined, needle: string): boolean {
    if (table === undefined || !this.fits(table.offset, table.size)) return false
    return this.bytes
      .subarray(table.offset, table.offset + table.size)
      .includes(needle, 0, 'latin1')
  }
}

function segments(elf: ElfReader): Segment[] {
  const { wide } = elf
  const phoff = elf.word(wide ? 32 : 28)
  const entsize = elf.u16(wide ? 54 : 42)
  const count = elf.u16(wide ? 56 : 44)
  const list: Segment[] = []
  for (let i = 0; i < count; i++) {
    const at = phoff + i * entsize
    if (entsize < (wide ? 56 : 32) || !elf.fits(at, entsize)) break
    list.push(
      wide
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
    )
  }
  return list
}

function sections(elf: ElfReader): Section[] {
  const { wide } = elf
  const shoff = elf.word(wide ? 40 : 32)
  const entsize = elf.u16(wide ? 58 : 46)
  const count = elf.u16(wide ? 60 : 48)
  const list: Section[] = []
  if (shoff === 0) return list
  for (let i = 0; i < count; i++) {
    const at = shoff + i * entsize
    if (entsize < (wide ? 64 : 40) || !elf.fits(at, entsize)) break
    list.push({
      name: elf.u32(at),
      type: elf.u32(at + 4),
      offset: elf.word(at + (wide ? 24 : 16)),
      size: elf.word(at + (wide ? 32 : 20)),
      link: elf.u32(at + (wide ? 40 : 24)),
      entsize: elf.word(at + (wide ? 56 : 36))
    })
  }
  return list
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
    const tag = elf.wide ? Number(elf.word(at)) : elf.u32(at)
    if (tag === 0) break
    tags.set(tag, [...(tags.get(tag) ?? []), elf.word(at + entsize / 2)])
  }
  const strtabAddress = tags.get(DT_STRTAB)?.[0]
  const loads = segmentList.filter((s) => s.type === PT_LOAD)
  const offset = strtabAddress === undefined ? undefined : fileOffset(loads, strtabAddress)
  if (offset !== undefined) {
    const size = tags.get(DT_STRSZ)?.[0] ?? elf.bytes.length - offset
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
    const name = elf.string(strings, elf.u32(at))
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

/** checksec's verdicts for an ELF file, or undefined when `bytes` is not one we can read. */
export function checkElf(bytes: Buffer): ElfHardening | undefined {
  if (bytes.length < 52 || !bytes.subarray(0, 4).equals(ELF_MAGIC)) return undefined
  const bits = bytes[4] === 1 ? 32 : bytes[4] === 2 ? 64 : undefined
  const endian = bytes[5] === 1 ? 'little' : bytes[5] === 2 ? 'big' : undefined
  if (bits === undefined || endian === undefined || (bits === 64 && bytes.length < 64)) {
    return undefined
  }
  const elf = new ElfReader(bytes, endian === 'little', bits === 64)
  const type = ET[elf.u16(16) as keyof typeof ET] ?? 'other'
  const segmentList = segments(elf)
  const sectionList = sections(elf)
  const info = dynamic(elf, segmentList, sectionList)
  const shstrtab = sectionList[elf.u16(bits === 64 ? 62 : 50)]
  const sectionNamed = new Map(
    shstrtab === undefined ? [] : sectionList.map((s) => [elf.string(shstrtab, s.name) ?? '', s])
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

  const dynsym = dynamicSymbols(elf, sectionList, segmentList, info)
  const symtabSection = sectionList.find((s) => s.type === SHT_SYMTAB)
  const symtabStrings = symtabSection === undefined ? undefined : sectionList[symtabSection.link]
  const stringTables = [dynsym?.strings, symtabStrings]
  const anySymbol = (names: string[]): boolean =>
    stringTables.some((table) => names.some((name) => elf.contains(table, name)))

  // checksec: names from `readelf --dyn-syms`, leading underscores and @VERSION removed.
  const dynamicNames = symbolNames(elf, dynsym).map((name) => name.replace(/^_*/, ''))
  const needed = (info.tags.get(DT_NEEDED) ?? []).map((index) =>
    info.strtab === undefined ? '' : (elf.string(info.strtab, index) ?? '')
  )
  const fortified = dynamicNames.filter((name) => CHECKED.has(name)).length
  const rpath = paths(elf, info, DT_RPATH)
  const runpath = paths(elf, info, DT_RUNPATH)
  // rustc records itself in `.comment` ("rustc version 1.x"), which stripping keeps.
  const runtime = [...sectionNamed.keys()].some((name) => GO_SECTIONS.has(name))
    ? 'go'
    : elf.contains(sectionNamed.get('.comment'), 'rustc version') || anySymbol(RUST_SYMBOLS)
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
