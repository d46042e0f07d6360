/**
 * The zip format (PKWARE APPNOTE.TXT) as the composition step reads it: the central directory
 * (§4.3.12, ZIP64 §4.3.14) names every member, each member is inflated on its own with an output
 * budget. Used for OSV data on disk (osv/zip.ts) and Java archives in memory (catalog/java.ts).
 */
import { inflateRawSync } from 'node:zlib'
import { formatBytes } from '../../units.js'

const EOCD = 0x06054b50
const EOCD64_LOCATOR = 0x07064b50
const EOCD64 = 0x06064b50
const CENTRAL = 0x02014b50
const LOCAL = 0x04034b50
/** The end record is 22 bytes plus a comment of at most 65535, after a 20-byte ZIP64 locator. */
export const ZIP_TAIL_BYTES = 22 + 65535 + 20
const LOCAL_HEADER_BYTES = 30

export class ZipFormatError extends Error {
  override readonly name = 'ZipFormatError'
}

/** A member inflates past the bytes its reader allowed it; inflation stopped there. */
export class ZipBudgetError extends Error {
  override readonly name = 'ZipBudgetError'
  constructor(
    readonly member: string,
    readonly budget: number
  ) {
    super(`member ${member} inflates to more than ${formatBytes(budget)}`)
  }
}

export interface ZipMember {
  name: string
  method: number
  compressedSize: number
  localOffset: number
}

/**
 * Where the central directory is, from the archive's last ZIP_TAIL_BYTES; `zip64` is the position
 * of a ZIP64 end record (56 bytes) to read and pass to `zip64Directory`, when the classic record
 * says so.
 */
export function endOfCentralDirectory(tail: Buffer): {
  offset: number
  length: number
  zip64?: number
  /** Entries the record declares (§4.3.16); absent when the count is in the ZIP64 record. */
  entries?: number
} {
  let at = -1
  for (let i = tail.length - 22; i >= 0; i--) {
    if (tail.readUInt32LE(i) === EOCD) {
      at = i
      break
    }
  }
  if (at === -1) throw new ZipFormatError('no end of central directory record')
  const offset = tail.readUInt32LE(at + 16)
  const length = tail.readUInt32LE(at + 12)
  const declared = tail.readUInt16LE(at + 10)
  const entries = declared === 0xffff ? {} : { entries: declared }
  if (
    (offset === 0xffffffff || length === 0xffffffff) &&
    at >= 20 &&
    tail.readUInt32LE(at - 20) === EOCD64_LOCATOR
  ) {
    return { offset, length, zip64: Number(tail.readBigUInt64LE(at - 20 + 8)), ...entries }
  }
  return { offset, length, ...entries }
}

export function zip64Directory(record: Buffer): { offset: number; length: number } {
  if (record.length < 56 || record.readUInt32LE(0) !== EOCD64) {
    throw new ZipFormatError('bad ZIP64 end record')
  }
  return { length: Number(record.readBigUInt64LE(40)), offset: Number(record.readBigUInt64LE(48)) }
}

/**
 * The members the central directory lists whose name passes `wanted`, in its order; only those
 * are kept, so a directory of millions of entries costs no more memory than its bytes.
 */
export function centralDirectoryMembers(
  directory: Buffer,
  wanted: (name: string) => boolean
): ZipMember[] {
  const list: ZipMember[] = []
  let at = 0
  while (at + 46 <= directory.length && directory.readUInt32LE(at) === CENTRAL) {
    const method = directory.readUInt16LE(at + 10)
    let compressedSize = directory.readUInt32LE(at + 20)
    const uncompressed = directory.readUInt32LE(at + 24)
    const nameLength = directory.readUInt16LE(at + 28)
    const extraLength = directory.readUInt16LE(at + 30)
    const commentLength = directory.readUInt16LE(at + 32)
    let localOffset = directory.readUInt32LE(at + 42)
    const name = directory.toString('utf8', at + 46, at + 46 + nameLength)
    // ZIP64 extended information (§4.5.3): the 64-bit values present, in this order.
    let extra = at + 46 + nameLength
    const extraEnd = Math.min(extra + extraLength, directory.length)
    while (extra + 4 <= extraEnd) {
      const id = directory.readUInt16LE(extra)
      const size = directory.readUInt16LE(extra + 2)
      if (id === 0x0001) {
        let field = extra + 4
        if (uncompressed === 0xffffffff) field += 8
        if (compressedSize === 0xffffffff && field + 8 <= extraEnd) {
          compressedSize = Number(directory.readBigUInt64LE(field))
          field += 8
        }
        if (localOffset === 0xffffffff && field + 8 <= extraEnd) {
          localOffset = Number(directory.readBigUInt64LE(field))
        }
      }
      extra += 4 + size
    }
    if (wanted(name)) list.push({ name, method, compressedSize, localOffset })
    at = at + 46 + nameLength + extraLength + commentLength
  }
  return list
}

/**
 * Where a member's data starts, from its local header at `local` in `bytes` (name and extra
 * lengths there may differ from the central directory's).
 */
export function memberDataStart(bytes: Buffer, local: number, member: ZipMember): number {
  const start = dataStartAfter(bytes, local)
  if (start === undefined) throw new ZipFormatError(`member ${member.name} has no local header`)
  return start
}

/** Where the data after the local header at `local` starts; undefined when there is no header. */
function dataStartAfter(bytes: Buffer, local: number): number | undefined {
  if (local + LOCAL_HEADER_BYTES > bytes.length || bytes.readUInt32LE(local) !== LOCAL) {
    return undefined
  }
  return (
    local + LOCAL_HEADER_BYTES + bytes.readUInt16LE(local + 26) + bytes.readUInt16LE(local + 28)
  )
}

/**
 * The members of `members` whose bytes, local header to end of data, begin inside those of a
 * member before them in the archive, each with that member; of members at one offset, the first
 * listed is kept. No zip writer makes them: a zip bomb does, to have the same bytes read as many
 * members (Fifield, "A better zip bomb", WOOT 2019, "overlapping files"). Members whose header or
 * data is not in the archive are left for their read to refuse. The members kept hold, together,
 * at most the archive's bytes.
 */
export function overlappingMembers(
  archive: Buffer,
  members: ZipMember[]
): Map<ZipMember, ZipMember> {
  const extents: { member: ZipMember; end: number }[] = []
  for (const member of members) {
    const start = dataStartAfter(archive, member.localOffset)
    if (start === undefined || start + member.compressedSize > archive.length) continue
    extents.push({ member, end: start + member.compressedSize })
  }
  // Stable: at one offset, directory order.
  extents.sort((a, b) => a.member.localOffset - b.member.localOffset)
  const overlapping = new Map<ZipMember, ZipMember>()
  let kept: { member: ZipMember; end: number } | undefined
  for (const extent of extents) {
    if (kept !== undefined && extent.member.localOffset < kept.end) {
      overlapping.set(extent.member, kept.member)
    } else {
      kept = extent
    }
  }
  return overlapping
}

/**
 * A member's content from its compressed bytes: inflation stops once the output passes
 * `maxBytes` (ZipBudgetError), so a member of zeros cannot inflate a thousandfold into memory.
 */
export function inflateMember(member: ZipMember, data: Buffer, maxBytes: number): Buffer {
  if (data.length !== member.compressedSize)
    throw new ZipFormatError(`member ${member.name} is truncated`)
  if (member.method === 0) {
    if (data.length > maxBytes) throw new ZipBudgetError(member.name, maxBytes)
    return data
  }
  if (member.method !== 8)
    throw new ZipFormatError(`member ${member.name} uses compression method ${member.method}`)
  try {
    return inflateRawSync(data, { maxOutputLength: Math.max(1, maxBytes) })
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new ZipBudgetError(member.name, maxBytes)
    }
    throw new ZipFormatError(`member ${member.name} does not inflate (${(error as Error).message})`)
  }
}

/** The members of a zip held in memory whose name passes `wanted`. */
export function zipMembers(archive: Buffer, wanted: (name: string) => boolean): ZipMember[] {
  let directory = endOfCentralDirectory(
    archive.subarray(Math.max(0, archive.length - ZIP_TAIL_BYTES))
  )
  if (directory.zip64 !== undefined) {
    directory = zip64Directory(archive.subarray(directory.zip64, directory.zip64 + 56))
  }
  if (directory.offset + directory.length > archive.length) {
    throw new ZipFormatError('central directory lies outside the file')
  }
  return centralDirectoryMembers(
    archive.subarray(directory.offset, directory.offset + directory.length),
    wanted
  )
}

/** A member's compressed bytes in a zip held in memory (a view, not a copy). */
export function memberData(archive: Buffer, member: ZipMember): Buffer {
  const start = memberDataStart(archive, member.localOffset, member)
  if (start + member.compressedSize > archive.length) {
    throw new ZipFormatError(`member ${member.name} is truncated`)
  }
  return archive.subarray(start, start + member.compressedSize)
}
