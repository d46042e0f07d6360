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

/** What a zip's headers say of a member; its data may lie elsewhere (crafted zips). */
export interface ZipRecord {
  name: string
  method: 0 | 8
  crc: number
  compressedSize: number
  /** Uncompressed size. */
  size: number
}

/** A member's local header and name (APPNOTE.TXT §4.3.7). */
export function zipLocalHeader(record: ZipRecord): Buffer {
  const name = Buffer.from(record.name)
  const header = Buffer.alloc(30)
  header.writeUInt32LE(0x04034b50, 0)
  header.writeUInt16LE(20, 4)
  header.writeUInt16LE(record.method, 8)
  header.writeUInt32LE(record.crc >>> 0, 14)
  header.writeUInt32LE(record.compressedSize, 18)
  header.writeUInt32LE(record.size, 22)
  header.writeUInt16LE(name.length, 26)
  return Buffer.concat([header, name])
}

/** A member's central directory entry and name (§4.3.12), pointing at `localOffset`. */
export function zipDirectoryEntry(record: ZipRecord, localOffset: number): Buffer {
  const name = Buffer.from(record.name)
  const entry = Buffer.alloc(46)
  entry.writeUInt32LE(0x02014b50, 0)
  entry.writeUInt16LE(20, 4)
  entry.writeUInt16LE(20, 6)
  entry.writeUInt16LE(record.method, 10)
  entry.writeUInt32LE(record.crc >>> 0, 16)
  entry.writeUInt32LE(record.compressedSize, 20)
  entry.writeUInt32LE(record.size, 24)
  entry.writeUInt16LE(name.length, 28)
  entry.writeUInt32LE(localOffset, 42)
  return Buffer.concat([entry, name])
}

/** `body` (local records and data), then a central directory of `entries`, then the end record (§4.3.16). */
export function zipWith(body: Buffer[], entries: Buffer[]): Buffer {
  const records = Buffer.concat(body)
  const directory = Buffer.concat(entries)
  const end = Buffer.alloc(22)
  end.writeUInt32LE(0x06054b50, 0)
  end.writeUInt16LE(entries.length, 8)
  end.writeUInt16LE(entries.length, 10)
  end.writeUInt32LE(directory.length, 12)
  end.writeUInt32LE(records.length, 16)
  return Buffer.concat([records, directory, end])
}

/** A zip (APPNOTE.TXT §4.3): local headers and data, the central directory, its end record. */
export function zipOf(members: ZipMember[]): Buffer {
  const body: Buffer[] = []
  const entries: Buffer[] = []
  let offset = 0
  for (const member of members) {
    const record = { ...member, compressedSize: member.data.length }
    const local = zipLocalHeader(record)
    entries.push(zipDirectoryEntry(record, offset))
    body.push(local, member.data)
    offset += local.length + member.data.length
  }
  return zipWith(body, entries)
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
