/**
 * rpm's BerkeleyDB `Packages` (RHEL/CentOS 7 and 8): a Berkeley DB hash database keyed by
 * package number whose values are header blobs. Header blobs are larger than a page, so each
 * value is an off-page item (H_OFFPAGE) pointing at a chain of overflow pages (Berkeley DB's
 * dbinc/db_page.h). Pages are read in file order; keys are not needed.
 */
import { Claims } from './claims.js'

const HASH_MAGIC = 0x061561
const PAGE_HEADER_SIZE = 26
const P_HASH_UNSORTED = 2
const P_HASH = 13
const H_OFFPAGE = 3

type Reader = { u16: (at: number) => number; u32: (at: number) => number }

function reader(bytes: Buffer, littleEndian: boolean): Reader {
  return littleEndian
    ? { u16: (at) => bytes.readUInt16LE(at), u32: (at) => bytes.readUInt32LE(at) }
    : { u16: (at) => bytes.readUInt16BE(at), u32: (at) => bytes.readUInt32BE(at) }
}

export function isBdbHash(bytes: Buffer): boolean {
  return (
    bytes.length >= 512 &&
    (bytes.readUInt32LE(12) === HASH_MAGIC || bytes.readUInt32BE(12) === HASH_MAGIC)
  )
}

/** Every off-page value (header blob); a damaged page or item is skipped and named to `onBad`. */
export function bdbBlobs(bytes: Buffer, onBad: (where: string) => void): Buffer[] {
  // The metadata page says which byte order the database was written in.
  const read = reader(bytes, bytes.readUInt32LE(12) === HASH_MAGIC)
  const pageSize = read.u32(20)
  // Berkeley DB pages are a power of two from 512 bytes to 64 KiB (db_page.h); anything else
  // would make the page loop below meaningless.
  if (pageSize < 512 || pageSize > 65536 || (pageSize & (pageSize - 1)) !== 0) {
    throw new Error(`its page size ${pageSize} is not a Berkeley DB page size`)
  }
  const lastPage = read.u32(32)
  const overflowPages = new Claims(Math.floor(bytes.length / pageSize))
  const blobs: Buffer[] = []
  for (let page = 1; page <= lastPage && (page + 1) * pageSize <= bytes.length; page++) {
    const start = page * pageSize
    const type = bytes[start + 25]
    if (type !== P_HASH && type !== P_HASH_UNSORTED) continue
    const entries = read.u16(start + 20)
    // Items alternate key, value; their offsets follow the page header, within the page.
    for (let i = 1; i < entries && PAGE_HEADER_SIZE + i * 2 + 2 <= pageSize; i += 2) {
      const item = start + read.u16(start + PAGE_HEADER_SIZE + i * 2)
      if (bytes[item] !== H_OFFPAGE) continue
      try {
        blobs.push(
          overflow(bytes, read, pageSize, overflowPages, read.u32(item + 4), read.u32(item + 8))
        )
      } catch (error) {
        onBad(
          `item ${i} of page ${page}: ${error instanceof Error ? error.message : String(error)}`
        )
      }
    }
  }
  return blobs
}

/** The value stored from page `first` on; each page is taken from `overflowPages`. */
function overflow(
  bytes: Buffer,
  read: Reader,
  pageSize: number,
  overflowPages: Claims,
  first: number,
  length: number
): Buffer {
  const parts: Buffer[] = []
  let remaining = length
  for (let page = first; page !== 0 && remaining > 0;) {
    const start = page * pageSize
    if (start + pageSize > bytes.length) {
      throw new Error(`overflow page ${page} is outside the file`)
    }
    // A chain that loops, or that another item's chain joins, would be copied again and again.
    if (!overflowPages.claim(page, page + 1)) {
      throw new Error(`overflow page ${page} is already part of an overflow chain`)
    }
    // An overflow page's hf_offset field holds the bytes used on it.
    const used = Math.min(read.u16(start + 22), pageSize - PAGE_HEADER_SIZE, remaining)
    parts.push(bytes.subarray(start + PAGE_HEADER_SIZE, start + PAGE_HEADER_SIZE + used))
    remaining -= used
    page = read.u32(start + 16)
  }
  if (remaining > 0) throw new Error(`its overflow chain ends ${remaining} bytes short`)
  return Buffer.concat(parts)
}
