/**
 * A read-only reader for the one thing rpm's sqlite backend needs: every row of a rowid table
 * (https://www.sqlite.org/fileformat2.html, sections 1.3 "Database header", 1.6 "B-tree
 * pages", 2.1 "Record format"). Synchronous and dependency-free, so the catalog stays a pure
 * function; a WAL that was never checkpointed (`rpmdb.sqlite-wal`) is not read.
 */

const MAGIC = 'SQLite format 3\u0000'
const TABLE_INTERIOR = 0x05
const TABLE_LEAF = 0x0d

export type SqlValue = null | number | string | Buffer

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
  }

  /** Rows of the table named `table` (from sqlite_schema), each as its column values. */
  rows(table: string): SqlValue[][] {
    const schema = this.tableRows(1).find((row) => row[0] === 'table' && row[1] === table)
    const root = schema?.[3]
    if (typeof root !== 'number') throw new Error(`no table ${table}`)
    return this.tableRows(root)
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

  private tableRows(root: number): SqlValue[][] {
    const rows: SqlValue[][] = []
    const pending = [root]
    const seen = new Set<number>()
    for (let number = pending.pop(); number !== undefined; number = pending.pop()) {
      if (seen.has(number)) throw new Error('b-tree loop')
      seen.add(number)
      const { data, start } = this.page(number)
      const type = data[start]
      const cells = data.readUInt16BE(start + 3)
      if (type === TABLE_INTERIOR) {
        // Visit children left to right: push the right-most first, so it pops last.
        pending.push(data.readUInt32BE(start + 8))
        for (let i = cells - 1; i >= 0; i--) {
          pending.push(data.readUInt32BE(data.readUInt16BE(start + 12 + i * 2)))
        }
      } else if (type === TABLE_LEAF) {
        for (let i = 0; i < cells; i++)
          rows.push(this.leafCell(data, data.readUInt16BE(start + 8 + i * 2)))
      } else {
        throw new Error(`page ${number} is not a table b-tree page`)
      }
    }
    return rows
  }

  private leafCell(page: Buffer, offset: number): SqlValue[] {
    const [payloadSize, afterSize] = varint(page, offset)
    const [, afterRowid] = varint(page, afterSize)
    const size = Number(payloadSize)
    const local = this.localPayload(size)
    if (local === size) return record(page.subarray(afterRowid, afterRowid + size))
    const parts = [page.subarray(afterRowid, afterRowid + local)]
    let remaining = size - local
    let overflow = page.readUInt32BE(afterRowid + local)
    while (remaining > 0 && overflow !== 0) {
      const { data } = this.page(overflow)
      const take = Math.min(remaining, this.usable - 4)
      parts.push(data.subarray(4, 4 + take))
      remaining -= take
      overflow = data.readUInt32BE(0)
    }
    return record(Buffer.concat(parts))
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
