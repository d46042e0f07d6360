/**
 * Hostile rpmdbs: a header whose file list names far more than it stores (basenames sharing one
 * long dirname), and backends whose records share bytes (one stored header reached from many
 * slots, items or cells). Each is one bad record of an `input-not-analysed` finding, the other
 * packages are still read, and the work stays linear in the database's size. Every database is
 * built here, byte by byte, in the layout rpm and its backends write.
 */
import { describe, expect, it } from '@jest/globals'
import { ownedFiles } from '../../src/os/owned-files.js'
import {
  FileListBudget,
  HEADER_ARRAY_MAX,
  MAX_PATH_CHARACTERS_PER_HEADER_BYTE,
  RPMDB_MAX_PATH_CHARACTERS,
  parseRpmHeader
} from '../../src/os/rpm/header.js'
import { catalogImage } from '../steps/composition/catalog/catalog-image.js'

interface HeaderSpec {
  name: string
  dirNames?: string[]
  baseNames?: string[]
  /** Default: every basename in the first dirname. */
  dirIndexes?: number[]
  /** Pads the blob to this many bytes, as the per-file metadata of a real header would. */
  length?: number
}

/** rpm's tag types (rpmtag.h). */
const INT32 = 4
const STRING = 6
const BIN = 7
const STRING_ARRAY = 8
/** No tag rpm defines (rpm keeps unknown tags); its bytes stand for sizes, digests and owners. */
const PADDING_TAG = 6000

interface TagData {
  tag: number
  type: number
  count: number
  data: Buffer
}

/** An installed package's header blob (rpm's lib/header.c): index entries, then the data store. */
function rpmHeader({
  name,
  dirNames = [],
  baseNames = [],
  dirIndexes,
  length
}: HeaderSpec): Buffer {
  const strings = (values: string[]): Buffer => Buffer.from(values.map((v) => `${v}\0`).join(''))
  const tags: TagData[] = [
    { tag: 1000, type: STRING, count: 1, data: strings([name]) },
    { tag: 1001, type: STRING, count: 1, data: strings(['1.0']) },
    { tag: 1002, type: STRING, count: 1, data: strings(['1.el9']) }
  ]
  if (baseNames.length > 0) {
    const indexes = dirIndexes ?? baseNames.map(() => 0)
    const int32s = Buffer.alloc(indexes.length * 4)
    indexes.forEach((index, i) => int32s.writeInt32BE(index, i * 4))
    tags.push(
      { tag: 1118, type: STRING_ARRAY, count: dirNames.length, data: strings(dirNames) },
      { tag: 1117, type: STRING_ARRAY, count: baseNames.length, data: strings(baseNames) },
      { tag: 1116, type: INT32, count: indexes.length, data: int32s }
    )
  }
  const blob = headerBlob(tags)
  if (length === undefined) return blob
  const padding = length - blob.length - 16
  if (padding < 0)
    throw new Error(`the header needs ${blob.length + 16} bytes, more than ${length}`)
  const padded = { tag: PADDING_TAG, type: BIN, count: padding, data: Buffer.alloc(padding) }
  return headerBlob([...tags, padded])
}

function headerBlob(tags: TagData[]): Buffer {
  const index = Buffer.alloc(tags.length * 16)
  const store: Buffer[] = []
  let offset = 0
  tags.forEach(({ tag, type, count, data }, i) => {
    // INT32 data is aligned to 4 bytes in the store.
    const align = type === INT32 ? (4 - (offset % 4)) % 4 : 0
    store.push(Buffer.alloc(align), data)
    offset += align
    index.writeUInt32BE(tag, i * 16)
    index.writeUInt32BE(type, i * 16 + 4)
    index.writeUInt32BE(offset, i * 16 + 8)
    index.writeUInt32BE(count, i * 16 + 12)
    offset += data.length
  })
  const intro = Buffer.alloc(8)
  intro.writeUInt32BE(tags.length, 0)
  intro.writeUInt32BE(offset, 4)
  return Buffer.concat([intro, index, ...store])
}

/**
 * rpm's NDB Packages.db (lib/backend/ndb/rpmpkg.c): one page of 16-byte slots, then each blob in
 * 16-byte blocks. Slot s holds package s + 1 and points at `blobs[slots[s]]`.
 */
function ndbFile(blobs: Buffer[], slots = blobs.map((_, i) => i)): Buffer {
  const head = Buffer.alloc(4096)
  head.writeUInt32LE(0x506d7052, 0) // RpmP
  head.writeUInt32LE(1, 12)
  head.writeUInt32LE(slots.length + 1, 16)
  const stored: Buffer[] = []
  const firstBlock: number[] = []
  let block = 4096 / 16
  blobs.forEach((blob, i) => {
    const blocks = Math.ceil((16 + blob.length + 12) / 16)
    const bytes = Buffer.alloc(blocks * 16)
    bytes.writeUInt32LE(0x53626c42, 0) // BlbS
    bytes.writeUInt32LE(i + 1, 4)
    bytes.writeUInt32LE(1, 8)
    bytes.writeUInt32LE(blob.length, 12)
    blob.copy(bytes, 16)
    stored.push(bytes)
    firstBlock.push(block)
    block += blocks
  })
  for (let slot = 0; slot < (4096 - 32) / 16; slot++) {
    const at = 32 + slot * 16
    head.writeUInt32LE(0x746f6c53, at) // Slot
    const blob = slots[slot]
    if (blob === undefined) continue
    head.writeUInt32LE(slot + 1, at + 4)
    head.writeUInt32LE(firstBlock[blob]!, at + 8)
    head.writeUInt32LE(stored[blob]!.length / 16, at + 12)
  }
  return Buffer.concat([head, ...stored])
}

/**
 * rpm's BerkeleyDB hash Packages (Berkeley DB's dbinc/db_page.h), little-endian, 4096-byte pages:
 * page 0 the hash metadata, page 1 one hash page of key/value pairs whose values are off-page
 * (H_OFFPAGE) items, then each value's overflow chain. `{ sameChainAs: n }` is an item pointing
 * at value n's chain.
 */
function bdbFile(values: Array<Buffer | { sameChainAs: number }>): Buffer {
  const pageSize = 4096
  const pageHeader = 26
  const pages: Buffer[] = [Buffer.alloc(pageSize), Buffer.alloc(pageSize)]
  const chains = values.map((value) => {
    if (!Buffer.isBuffer(value)) return undefined
    const first = pages.length
    for (let at = 0; at < value.length; at += pageSize - pageHeader) {
      const page = Buffer.alloc(pageSize)
      const used = value.copy(page, pageHeader, at, at + pageSize - pageHeader)
      const last = at + used >= value.length
      page.writeUInt32LE(last ? 0 : pages.length + 1, 16) // next_pgno
      page.writeUInt16LE(used, 22) // hf_offset: the bytes used
      page[25] = 7 // P_OVERFLOW
      pages.push(page)
    }
    return { first, length: value.length }
  })
  const hash = pages[1]!
  hash[25] = 13 // P_HASH
  hash.writeUInt16LE(values.length * 2, 20)
  let end = pageSize
  values.forEach((value, i) => {
    const chain = Buffer.isBuffer(value) ? chains[i]! : chains[value.sameChainAs]!
    const key = Buffer.alloc(5)
    key[0] = 1 // H_KEYDATA
    key.writeUInt32LE(i + 1, 1)
    const item = Buffer.alloc(12)
    item[0] = 3 // H_OFFPAGE
    item.writeUInt32LE(chain.first, 4)
    item.writeUInt32LE(chain.length, 8)
    for (const [n, bytes] of [key, item].entries()) {
      end -= bytes.length
      bytes.copy(hash, end)
      hash.writeUInt16LE(end, pageHeader + (i * 2 + n) * 2)
    }
  })
  const meta = pages[0]!
  meta.writeUInt32LE(0x061561, 12) // hash magic
  meta.writeUInt32LE(pageSize, 20)
  meta.writeUInt32LE(pages.length - 1, 32) // last_pgno
  return Buffer.concat(pages)
}

/** sqlite.org/fileformat2.html §2.1 varint, for values below 2^53. */
function varint(value: number): Buffer {
  const bytes = [value % 128]
  for (let rest = Math.floor(value / 128); rest > 0; rest = Math.floor(rest / 128)) {
    bytes.unshift((rest % 128) | 0x80)
  }
  return Buffer.from(bytes)
}

/** A record (fileformat2 §2.1) of text, integer (below 128), NULL and blob values. */
function sqliteRecord(values: Array<string | number | null | Buffer>): Buffer {
  const types = values.map((value) => {
    if (value === null) return varint(0)
    if (typeof value === 'number') return varint(1)
    if (typeof value === 'string') return varint(13 + 2 * Buffer.byteLength(value))
    return varint(12 + 2 * value.length)
  })
  const body = values.map((value) => {
    if (value === null) return Buffer.alloc(0)
    if (typeof value === 'number') return Buffer.from([value])
    return Buffer.from(value)
  })
  const header = Buffer.concat(types)
  // The header's size counts itself; one byte while the header stays under 127 bytes.
  return Buffer.concat([varint(header.length + 1), header, ...body])
}

type SqliteCell = Buffer | { sameCellAs: number } | { blob: Buffer; sameChainAs: number }

/**
 * rpm's rpmdb.sqlite (fileformat2) with 65536-byte pages: page 1 the schema naming table Packages
 * at page 2, page 2 one table leaf holding a row (hnum, header blob) per cell, then the rows'
 * overflow pages. `{ sameCellAs: n }` is a cell pointer at cell n; `{ blob, sameChainAs: n }` is
 * a cell of its own whose payload continues in cell n's overflow chain.
 */
function sqliteFile(cells: SqliteCell[]): Buffer {
  const pageSize = 65536
  // §1.6: how much of a payload stays on a table leaf page.
  const maxLocal = pageSize - 35
  const minLocal = Math.floor(((pageSize - 12) * 32) / 255) - 23
  const localSize = (size: number): number => {
    if (size <= maxLocal) return size
    const k = minLocal + ((size - minLocal) % (pageSize - 4))
    return k <= maxLocal ? k : minLocal
  }
  const pages = [Buffer.alloc(pageSize), Buffer.alloc(pageSize)]
  const chainStart: number[] = []
  const cellAt: number[] = []
  const leaf = pages[1]!
  let end = pageSize
  cells.forEach((cell, i) => {
    if ('sameCellAs' in cell) {
      cellAt.push(cellAt[cell.sameCellAs]!)
      return
    }
    const payload = sqliteRecord([null, Buffer.isBuffer(cell) ? cell : cell.blob])
    const local = localSize(payload.length)
    const parts = [varint(payload.length), varint(i + 1), payload.subarray(0, local)]
    if (local < payload.length) {
      if (Buffer.isBuffer(cell)) {
        chainStart[i] = pages.length + 1
        for (let at = local; at < payload.length; at += pageSize - 4) {
          const page = Buffer.alloc(pageSize)
          payload.copy(page, 4, at, at + pageSize - 4)
          const last = at + pageSize - 4 >= payload.length
          page.writeUInt32BE(last ? 0 : pages.length + 2, 0)
          pages.push(page)
        }
      }
      const first = Buffer.alloc(4)
      first.writeUInt32BE(chainStart[Buffer.isBuffer(cell) ? i : cell.sameChainAs]!)
      parts.push(first)
    }
    const bytes = Buffer.concat(parts)
    end -= bytes.length
    bytes.copy(leaf, end)
    cellAt.push(end)
  })
  leaf[0] = 0x0d // table leaf
  leaf.writeUInt16BE(cells.length, 3)
  leaf.writeUInt16BE(end, 5)
  cellAt.forEach((at, i) => leaf.writeUInt16BE(at, 8 + i * 2))

  const schema = pages[0]!
  schema.write('SQLite format 3\0', 0, 'latin1')
  schema.writeUInt16BE(1, 16) // 65536
  schema[18] = 1
  schema[19] = 1
  schema.set([64, 32, 32], 21)
  const sql = 'CREATE TABLE Packages (hnum INTEGER PRIMARY KEY AUTOINCREMENT, blob BLOB NOT NULL)'
  const row = sqliteRecord(['table', 'Packages', 'Packages', 2, sql])
  const cell = Buffer.concat([varint(row.length), varint(1), row])
  cell.copy(schema, pageSize - cell.length)
  schema[100] = 0x0d
  schema.writeUInt16BE(1, 103)
  schema.writeUInt16BE(pageSize - cell.length, 105)
  schema.writeUInt16BE(pageSize - cell.length, 108)
  return Buffer.concat(pages)
}

async function catalogRpmdb(path: string, content: Buffer) {
  const { catalog, image, view } = await catalogImage({
    layers: [{ entries: [{ path, content }] }]
  })
  return {
    packages: catalog.packages.map((p) => `${p.name} ${p.version}`),
    unread: catalog.unread,
    owned: [...ownedFiles(view.fs)].sort(),
    layerDigest: image.layers[0]!.digest
  }
}

const unread = (path: string, layerDigest: string, reason: string) => [
  { path: `/${path}`, layerDigest, reason: `${reason}; those packages are not in the SBOM` }
]

const pathLength = (files: string[]): number => files.reduce((sum, file) => sum + file.length, 0)

describe('rpm headers whose file list names more than they hold', () => {
  const good = (name: string) =>
    rpmHeader({
      name,
      dirNames: ['/usr/bin/', `/usr/share/doc/${name}/`],
      baseNames: [name, 'README'],
      dirIndexes: [0, 1]
    })

  it.each([
    // The audit's headers: 256 KiB named 2^31 characters in 1.7 s; 1 MiB ran out of memory.
    ['64 KiB', 64 * 1024, 32768, 2147516416],
    ['256 KiB', 256 * 1024, 131072, 34359869440]
  ])(
    'reports a header whose basenames share one %s dirname, and reads the packages around it',
    async (_size, dirLength, files, characters) => {
      const crafted = rpmHeader({
        name: 'gate-crafted',
        dirNames: [`/${'d'.repeat(dirLength - 2)}/`],
        baseNames: Array.from({ length: files }, () => 'a')
      })
      const path = 'var/lib/rpm/Packages.db'
      const result = await catalogRpmdb(
        path,
        ndbFile([good('gate-before'), crafted, good('gate-after')])
      )
      expect(result.packages).toEqual(['gate-after 1.0-1.el9', 'gate-before 1.0-1.el9'])
      expect(result.unread).toEqual(
        unread(
          path,
          result.layerDigest,
          `1 package record could not be read (header 2: its file list is ${characters} characters (${files} paths), more than 64 per byte of the ${crafted.length}-byte header)`
        )
      )
      expect(result.owned).toEqual([
        '/usr/bin/gate-after',
        '/usr/bin/gate-before',
        '/usr/share/doc/gate-after/README',
        '/usr/share/doc/gate-before/README'
      ])
    }
  )

  /** 16384 paths of 4096 characters, 64 Mi in all, under one dirname: 1 MiB of header at most. */
  const deepHeader = (name: string, length: number) =>
    rpmHeader({
      name,
      dirNames: [`/${'d'.repeat(4090)}/`],
      baseNames: Array.from({ length: 16384 }, (_, i) => i.toString(36).padStart(4, '0')),
      length
    })
  const deepPaths = 16384 * 4096
  const fittingLength = deepPaths / MAX_PATH_CHARACTERS_PER_HEADER_BYTE

  it('reads a header whose paths are 64 characters per header byte, and refuses them in one byte less', () => {
    const files = parseRpmHeader(deepHeader('gate-deep', fittingLength)).files
    expect(files).toHaveLength(16384)
    expect(pathLength(files)).toBe(deepPaths)
    expect(files[16383]).toBe(`/${'d'.repeat(4090)}/0cn3`)
    expect(() => parseRpmHeader(deepHeader('gate-deep', fittingLength - 1))).toThrow(
      `its file list is ${deepPaths} characters (16384 paths), more than 64 per byte of the ${fittingLength - 1}-byte header`
    )
  })

  it('reads headers whose paths fill what an rpmdb may name, and refuses one path more', () => {
    const budget = new FileListBudget()
    for (let i = 0; i < RPMDB_MAX_PATH_CHARACTERS / deepPaths; i++) {
      const files = parseRpmHeader(deepHeader(`gate-deep-${i}`, fittingLength), budget).files
      expect(pathLength(files)).toBe(deepPaths)
    }
    const oneMore = rpmHeader({ name: 'gate-one-more', dirNames: ['/'], baseNames: ['a'] })
    expect(() => parseRpmHeader(oneMore, budget)).toThrow(
      `its file list is 2 characters, more than the 0 left of the ${RPMDB_MAX_PATH_CHARACTERS} all headers of an rpmdb may name`
    )
    expect(parseRpmHeader(oneMore).files).toEqual(['/a'])
  })

  it.each([
    [
      `reads a header of ${HEADER_ARRAY_MAX} basenames, rpm’s own limit`,
      HEADER_ARRAY_MAX,
      undefined
    ],
    [
      `refuses a header of ${HEADER_ARRAY_MAX + 1} basenames before reading them`,
      HEADER_ARRAY_MAX + 1,
      `its tag 1117 holds ${HEADER_ARRAY_MAX + 1} values, more than the ${HEADER_ARRAY_MAX} rpm allows`
    ]
  ])('%s', (_case, files, refusal) => {
    const header = rpmHeader({
      name: 'gate-many',
      dirNames: ['/'],
      baseNames: Array.from({ length: files }, () => 'a')
    })
    if (refusal === undefined) expect(parseRpmHeader(header).files).toHaveLength(files)
    else expect(() => parseRpmHeader(header)).toThrow(refusal)
  })
})

describe('rpmdb backends whose records share stored bytes', () => {
  const header = (name: string, length?: number) =>
    rpmHeader(length === undefined ? { name } : { name, length })

  it.each([
    [
      'NDB slots point at one blob',
      'var/lib/rpm/Packages.db',
      () => ndbFile([header('gate-one'), header('gate-two')], [0, 0, 0, 1]),
      "2 package records (the first: the blob of package 2 overlaps another package's blob) could not be read"
    ],
    [
      'BerkeleyDB values share one overflow chain',
      'var/lib/rpm/Packages',
      () => bdbFile([header('gate-one', 9000), { sameChainAs: 0 }, header('gate-two')]),
      '1 package record could not be read (item 3 of page 1: overflow page 2 is already part of an overflow chain)'
    ],
    [
      'sqlite payloads continue in one overflow chain',
      'var/lib/rpm/rpmdb.sqlite',
      () =>
        sqliteFile([
          header('gate-one', 80000),
          { blob: header('gate-twin', 80000), sameChainAs: 0 },
          header('gate-two')
        ]),
      '1 package record could not be read (row 2 of page 2: overflow page 3 is already part of an overflow chain)'
    ],
    [
      'sqlite cell pointers point at one cell',
      'var/lib/rpm/rpmdb.sqlite',
      () =>
        sqliteFile([header('gate-one'), { sameCellAs: 0 }, { sameCellAs: 0 }, header('gate-two')]),
      '2 package records (the first: row 2 of page 2: it overlaps another cell of its page) could not be read'
    ]
  ])(
    'reads each stored header once when %s, and reports the other records',
    async (_case, path, build, reason) => {
      const result = await catalogRpmdb(path, build())
      expect(result.packages).toEqual(['gate-one 1.0-1.el9', 'gate-two 1.0-1.el9'])
      expect(result.unread).toEqual(unread(path, result.layerDigest, reason))
    }
  )
})
