/**
 * What the catalogers read of ELF files as they stream by (System V gABI, "ELF Header",
 * "Program Header", "Section Header"): the program headers in a file's first bytes, and the
 * section headers in its last bytes. Anything outside the bytes given is
 * left out, never read.
 */

export interface ElfSection {
  name: string
  offset: number
  size: number
}

export interface ElfSegment {
  type: number
  /** Where the segment's bytes are in the file, and how many. */
  offset: number
  fileSize: number
  vaddr: number
}

/** An ELF file's byte order, class and the program headers within its first bytes. */
export interface ElfHead {
  little: boolean
  wide: boolean
  segments: ElfSegment[]
}

const PT_LOAD = 1

/** Unsigned readers in a file's byte order; a word is 4 or 8 bytes, past 2^53 (none real) saturated. */
export function fields(little: boolean, wide: boolean) {
  const u16 = (b: Buffer, at: number): number => (little ? b.readUInt16LE(at) : b.readUInt16BE(at))
  const u32 = (b: Buffer, at: number): number => (little ? b.readUInt32LE(at) : b.readUInt32BE(at))
  const word = (b: Buffer, at: number): number => {
    if (!wide) return u32(b, at)
    const value = little ? b.readBigUInt64LE(at) : b.readBigUInt64BE(at)
    return value > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(value)
  }
  return { u16, u32, word }
}

/** Byte order and class from the ELF identification, or undefined when `ident` is no ELF header. */
function identify(ident: Buffer): { little: boolean; wide: boolean } | undefined {
  if (ident.length < 64 || ident.readUInt32BE(0) !== 0x7f454c46) return undefined
  if ((ident[4] !== 1 && ident[4] !== 2) || (ident[5] !== 1 && ident[5] !== 2)) return undefined
  return { little: ident[5] === 1, wide: ident[4] === 2 }
}

/** The program headers that lie within `prefix`, the file's first bytes. */
export function elfHead(prefix: Buffer): ElfHead | undefined {
  const id = identify(prefix)
  if (id === undefined) return undefined
  const { u16, u32, word } = fields(id.little, id.wide)
  const phoff = word(prefix, id.wide ? 0x20 : 0x1c)
  const entsize = u16(prefix, id.wide ? 0x36 : 0x2a)
  const count = u16(prefix, id.wide ? 0x38 : 0x2c)
  const segments: ElfSegment[] = []
  if (entsize < (id.wide ? 56 : 32)) return { ...id, segments }
  for (let i = 0; i < count && phoff + (i + 1) * entsize <= prefix.length; i++) {
    const at = phoff + i * entsize
    segments.push(
      id.wide
        ? {
            type: u32(prefix, at),
            offset: word(prefix, at + 8),
            vaddr: word(prefix, at + 16),
            fileSize: word(prefix, at + 32)
          }
        : {
            type: u32(prefix, at),
            offset: u32(prefix, at + 4),
            vaddr: u32(prefix, at + 8),
            fileSize: u32(prefix, at + 16)
          }
    )
  }
  return { ...id, segments }
}

/** The file offset of a virtual address, through the PT_LOAD segment that maps it from the file. */
export function loadedOffset(head: ElfHead, vaddr: number): number | undefined {
  const load = head.segments.find(
    (s) => s.type === PT_LOAD && vaddr >= s.vaddr && vaddr < s.vaddr + s.fileSize
  )
  return load === undefined ? undefined : load.offset + (vaddr - load.vaddr)
}

/**
 * The ELF sections whose headers and names lie within `tail`, the last bytes of a file of
 * `fileSize` bytes; `ident` is the file's first 64 bytes (the ELF header).
 */
export function elfSectionsInTail(ident: Buffer, tail: Buffer, fileSize: number): ElfSection[] {
  const id = identify(ident)
  if (id === undefined) return []
  const { u16, u32, word } = fields(id.little, id.wide)
  const is64 = id.wide
  const shoff = word(ident, is64 ? 0x28 : 0x20)
  const shentsize = u16(ident, is64 ? 0x3a : 0x2e)
  const shnum = u16(ident, is64 ? 0x3c : 0x30)
  const shstrndx = u16(ident, is64 ? 0x3e : 0x32)
  const tailStart = fileSize - tail.length
  const inTail = (offset: number, size: number): Buffer | undefined =>
    offset >= tailStart && offset + size <= fileSize
      ? tail.subarray(offset - tailStart, offset - tailStart + size)
      : undefined
  const table = inTail(shoff, shentsize * shnum)
  const entry = is64 ? 0x40 : 0x28
  if (table === undefined || shnum === 0 || shstrndx >= shnum || shentsize < entry) return []
  const raw = Array.from({ length: shnum }, (_, i) => {
    const at = i * shentsize
    return {
      nameOffset: u32(table, at),
      offset: word(table, at + (is64 ? 0x18 : 0x10)),
      size: word(table, at + (is64 ? 0x20 : 0x14))
    }
  })
  const names = inTail(raw[shstrndx]!.offset, raw[shstrndx]!.size)
  if (names === undefined) return []
  return raw.map((s) => {
    const end = names.indexOf(0, s.nameOffset)
    return {
      name: names.toString('latin1', s.nameOffset, end === -1 ? names.length : end),
      offset: s.offset,
      size: s.size
    }
  })
}
