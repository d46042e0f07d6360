/**
 * A read-only reader for the one thing rpm's sqlite backend needs: every row of a rowid table
 * (https://www.sqlite.org/fileformat2.html, sections 1.3 "Database header", 1.6 "B-tree
 * pages", 2.1 "Record format"). Synchronous and dependency-free, so the catalog stays a pure
 * function; a WAL that was never checkpointed (`rpmdb.sqlite-wal`) is not read.
 */
import { Claims } from './claims.js'

const MAGIC = 'SQLite format 3\u0000'
const TABLE_INTERIOR = 0x05
const TABLE_LEAF = 0x0d

export type SqlValue = null | number | string | Buffer

/** Where a table leaf cell's payload is on its page (fileformat2 §1.6). */
interface LeafCell {
  payloadStart: number
  payloadSize: number
  /** Payload bytes on the page itself; the rest is in the overflow chain. */
  local: number
}

export class SqliteFile {
  private readonly pageSize: number
  private readonly usable: number

  constructor(private readonly bytes: Buffer) {
    if (bytes.length < 100 || bytes.toString('latin1', 0, 16) !== MAGIC) {
      throw new Error('not an SQLite 3 database')
    }
    const size = bytes.readUInt16BE(16)
    this.pageSize = size === 1 ? 65536 : size
    this.usable = this.pageSize - bytes[20]!
    // fileformat2 §1.3.2 and §1.3.4: a power of two from 512 to 65536, at least 480 usable.
    if (this.pageSize < 512 || (this.pageSize & (this.pageSize - 1)) !== 0 || this.usable < 480) {
      throw new Error(`its page size ${this.pageSize} is not an SQLite page size`)
    }
  }

  /**
   * Rows of the table named `table` (from sqlite_schema), each as its column values. A page or
   * row that cannot be read is skipped and named to `onBad`; the rest are still returned.
   */
  rows(table: string, onBad: (where: string) => void): SqlValue[][] {
    // Page numbers start at 1.
    const overflowPages = new Claims(Math.floor(this.bytes.length / this.pageSize) + 1)
    const problems: string[] = []
    const schema = this.tableRows(1, overflowPages, (where) => problems.push(where)).find(
      (row) => row[0] === 'table' && row[1] === table
    )
    const root = schema?.[3]
    if (typeof root !== 'number') {
      const why = problems[0] === undefined ? '' : ` (${problems[0]})`
      throw new Error(`it has no readable table ${table}${why}`)
    }
    problems.forEach(onBad)
    return this.tableRows(root, overflowPages, onBad)
  }

  private page(number: number): { data: Buffer; start: number } {
    const offset = (number - 1) * this.pageSize
    if (number < 1 || offset + this.pageSize > this.bytes.length) {
      throw new Error(`page ${number} is outside the file`)
    }
    // Page 1 carries the 100-byte database header before its b-tree header.
    return {
      data: this.bytes.subarray(offset, offset + this.pageSize),
      start: number === 1 ? 100 : 0
    }
  }

  private tableRows(
    root: number,
    overflowPages: Claims,
    onBad: (where: string) => void
  ): SqlValue[][] {
    const rows: SqlValue[][] = []
    const pending = [root]
    // Each page is queued once, so a hostile b-tree that points back at itself ends.
    const queued = new Set<number>(pending)
    const queue = (child: number): void => {
      if (queued.has(child)) onBad(`page ${child} is referenced twice`)
      else {
        queued.add(child)
        pending.push(child)
      }
    }
    for (let number = pending.pop(); number !== undefined; number = pending.pop()) {
      try {
        const { data, start } = this.page(number)
        const type = data[start]
        const cells = data.readUInt16BE(start + 3)
        if (type === TABLE_INTERIOR) {
          // Visit children left to right: push the right-most first, so it pops last.
          const children = [data.readUInt32BE(start + 8)]
          for (let i = cells - 1; i >= 0; i--) {
            children.push(data.readUInt32BE(data.readUInt16BE(start + 12 + i * 2)))
          }
          children.forEach(queue)
        } else if (type === TABLE_LEAF) {
          const cellBytes = new Claims(data.length)
          for (let i = 0; i < cells; i++) {
            try {
              const cell = this.leafCell(data, data.readUInt16BE(start + 8 + i * 2), cellBytes)
              rows.push(record(this.payload(data, cell, overflowPages)))
            } catch (error) {
              onBad(`row ${i + 1} of page ${number}: ${message(error)}`)
            }
          }
        } else {
          throw new Error('it is not a table b-tree page')
        }
      } catch (error) {
        onBad(`page ${number} and the rows under it: ${message(error)}`)
      }
    }
    return rows
  }

  /** The cell at `offset`, its bytes taken from `cellBytes`. */
  private leafCell(page: Buffer, offset: number, cellBytes: Claims): LeafCell {
    const [payloadSize, afterSize] = varint(page, offset)
    const [, payloadStart] = varint(page, afterSize)
    const size = Number(payloadSize)
    if (size > this.bytes.length)
      throw new Error(`its payload of ${size} bytes is larger than the file`)
    const local = this.localPayload(size)
    // The first overflow page's number follows the local payload.
    const end = payloadStart + local + (local === size ? 0 : 4)
    if (end > page.length) throw new Error('it runs past the end of its page')
    // Cell pointers that share cell bytes would have one payload read once per pointer.
    if (!cellBytes.claim(offset, end)) throw new Error('it overlaps another cell of its page')
    return { payloadStart, payloadSize: size, local }
  }

  /** A cell's payload, its overflow pages taken from `overflowPages`. */
  private payload(page: Buffer, cell: LeafCell, overflowPages: Claims): Buffer {
    const { payloadStart, payloadSize, local } = cell
    if (local === payloadSize) return page.subarray(payloadStart, payloadStart + local)
    const parts = [page.subarray(payloadStart, payloadStart + local)]
    let remaining = payloadSize - local
    let overflow = page.readUInt32BE(payloadStart + local)
    while (remaining > 0 && overflow !== 0) {
      const { data } = this.page(overflow)
      // A chain that loops, or that another cell's chain joins, would be copied again and again.
      if (!overflowPages.claim(overflow, overflow + 1)) {
        throw new Error(`overflow page ${overflow} is already part of an overflow chain`)
      }
      const take = Math.min(remaining, this.usable - 4)
      parts.push(data.subarray(4, 4 + take))
      remaining -= take
      overflow = data.readUInt32BE(0)
    }
    if (remaining > 0) throw new Error(`its overflow chain ends ${remaining} bytes short`)
    return Buffer.concat(parts)
  }

  /** Bytes of a table leaf cell's payload stored on the page itself (fileformat2 §1.6). */
  private localPayload(size: number): number {
    const maxLocal = this.usable - 35
    if (size <= maxLocal) return size
    const minLocal = Math.floor(((this.usable - 12) * 32) / 255) - 23
    const k = minLocal + ((size - minLocal) % (this.usable - 4))
    return k <= maxLocal ? k : minLocal
  }
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

function varint(bytes: Buffer, offset: number): [bigint, number] {
  let value = 0n
  for (let i = 0; i < 9; i++) {
    const byte = bytes[offset + i]!
    if (i === 8) return [(value << 8n) | BigInt(byte), offset + 9]
    value = (value << 7n) | BigInt(byte & 0x7f)
    if ((byte & 0x80) === 0) return [value, offset + i + 1]
  }
  return [value, offset + 9]
}

const INT_SIZES = [0, 1, 2, 3, 4, 6, 8]

function record(payload: Buffer): SqlValue[] {
  const [headerSize, afterHeaderSize] = varint(payload, 0)
  if (headerSize > BigInt(payload.length)) throw new Error('its record header is longer than it')
  const types: number[] = []
  for (let at = afterHeaderSize; at < Number(headerSize);) {
    const [type, next] = varint(payload, at)
    types.push(Number(type))
    at = next
  }
  let at = Number(headerSize)
  return types.map((type): SqlValue => {
    if (type === 0) return null
    if (type >= 1 && type <= 6) {
      const size = INT_SIZES[type]!
      const value = size === 8 ? Number(payload.readBigInt64BE(at)) : payload.readIntBE(at, size)
      at += size
      return value
    }
    if (type === 7) {
      const value = payload.readDoubleBE(at)
      at += 8
      return value
    }
    if (type === 8 || type === 9) return type - 8
    const size = Math.floor((type - 12) / 2)
    const bytes = payload.subarray(at, at + size)
    at += size
    return type % 2 === 0 ? Buffer.from(bytes) : bytes.toString('utf8')
  })
}
