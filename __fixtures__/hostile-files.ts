/**
 * Small hand-made files for hostile-input tests and the giant cases of scripts/: zips whose
 * members' data is given as stored, and ELF executables carrying a cargo-auditable section.
 */
import * as zlib from 'node:zlib'

/** A zip member as written: stored (method 0) or raw deflate (method 8) data, with its CRC and size. */
export interface ZipMember {
  name: string
  data: Buffer
  method: 0 | 8
  crc: number
  /** Uncompressed size. */
  size: number
}

export function deflatedMember(name: string, content: Buffer): ZipMember {
  return {
    name,
    data: zlib.deflateRawSync(content, { level: 9 }),
    method: 8,
    crc: zlib.crc32(content),
    size: content.length
  }
}

export function storedMember(name: string, content: Buffer): ZipMember {
  return { name, data: content, method: 0, crc: zlib.crc32(content), size: content.length }
}

/** A zip (APPNOTE.TXT §4.3): local headers and data, the central directory, its end record. */
export function zipOf(members: ZipMember[]): Buffer {
  const locals: Buffer[] = []
  const centrals: Buffer[] = []
  let offset = 0
  for (const member of members) {
    const name = Buffer.from(member.name)
    const local = Buffer.alloc(30)
    local.writeUInt32LE(0x04034b50, 0)
    local.writeUInt16LE(20, 4)
    local.writeUInt16LE(member.method, 8)
    local.writeUInt32LE(member.crc >>> 0, 14)
    local.writeUInt32LE(member.data.length, 18)
    local.writeUInt32LE(member.size, 22)
    local.writeUInt16LE(name.length, 26)
    const central = Buffer.alloc(46)
    central.writeUInt32LE(0x02014b50, 0)
    central.writeUInt16LE(20, 4)
    central.writeUInt16LE(20, 6)
    central.writeUInt16LE(member.method, 10)
    central.writeUInt32LE(member.crc >>> 0, 16)
    central.writeUInt32LE(member.data.length, 20)
    central.writeUInt32LE(member.size, 24)
    central.writeUInt16LE(name.length, 28)
    central.writeUInt32LE(offset, 42)
    locals.push(local, name, member.data)
    centrals.push(central, name)
    offset += 30 + name.length + member.data.length
  }
  const directory = Buffer.concat(centrals)
  const end = Buffer.alloc(22)
  end.writeUInt32LE(0x06054b50, 0)
  end.writeUInt16LE(members.length, 8)
  end.writeUInt16LE(members.length, 10)
  end.writeUInt32LE(directory.length, 12)
  end.writeUInt32LE(offset, 16)
  return Buffer.concat([...locals, directory, end])
}

/**
 * An ELF64 executable whose `.dep-v0` section (cargo-auditable) is `section`, with its section
 * headers after it, padded past the 1 KiB under which a file is not taken for an executable.
 */
export function elfWithDepSection(section: Buffer): Buffer {
  const names = Buffer.from('\0.dep-v0\0.shstrtab\0')
  const sectionOffset = 64
  const namesOffset = sectionOffset + section.length
  const shoff = namesOffset + names.length
  const ident = Buffer.alloc(64)
  ident.writeUInt32BE(0x7f454c46, 0)
  ident[4] = 2
  ident[5] = 1
  ident[6] = 1
  ident.writeUInt16LE(2, 16)
  ident.writeUInt16LE(0x3e, 18)
  ident.writeBigUInt64LE(BigInt(shoff), 0x28)
  ident.writeUInt16LE(64, 0x34)
  ident.writeUInt16LE(64, 0x3a)
  ident.writeUInt16LE(3, 0x3c)
  ident.writeUInt16LE(2, 0x3e)
  const table = Buffer.alloc(64 * 3)
  const entry = (i: number, name: number, type: number, offset: number, size: number): void => {
    table.writeUInt32LE(name, i * 64)
    table.writeUInt32LE(type, i * 64 + 4)
    table.writeBigUInt64LE(BigInt(offset), i * 64 + 0x18)
    table.writeBigUInt64LE(BigInt(size), i * 64 + 0x20)
  }
  entry(1, 1, 1, sectionOffset, section.length)
  entry(2, 9, 3, namesOffset, names.length)
  return Buffer.concat([ident, section, names, table, Buffer.alloc(1024)])
}
