/**
 * The advisory index as a file, so it is built once per data version rather than once per scan
 * (docs/vulnerability-data.md, "The index"). Pure: bytes in, bytes out.
 *
 *   container-gate-osv-index 3 <sha256 of everything after this line>\n
 *   {"dataVersion", "advisories", "withdrawn", "ecosystems", "keys": [[key, offset, length]]}\n
 *   body: every advisory once, as JSON; then per key the JSON array of its entries,
 *         each [advisory offset, advisory length, affected]
 *
 * The digest covers the header too, so nothing in the file — counts, ecosystems, offsets — is
 * believed before the whole of it is verified. Loading then parses the header only; a key's
 * entries (and their advisories) are parsed the first time a package looks them up, so an image
 * with 200 packages reads 200 slices of a 10⁵-record index, not all of it.
 */
import { sha256 } from '../../../image/digest.js'
import {
  indexOf,
  type Advisory,
  type AdvisoryIndex,
  type AffectedEntry,
  type IndexContents
} from './index.js'
import type { OsvAffected } from './schema.js'

const SIGNATURE = 'container-gate-osv-index '
const FORMAT = '3'

/** The file is not an index this version wrote whole: it is rebuilt. */
export class IndexFileError extends Error {
  override readonly name = 'IndexFileError'
}

interface Header {
  dataVersion: string
  advisories: number
  withdrawn: number
  ecosystems: string[]
  keys: Array<[string, number, number]>
}

type StoredEntry = [number, number, OsvAffected]

export function encodeIndex(contents: IndexContents, dataVersion: string): Buffer {
  const slices: string[] = []
  let offset = 0
  const append = (value: unknown): [number, number] => {
    const slice = JSON.stringify(value)
    const length = Buffer.byteLength(slice)
    slices.push(slice)
    offset += length
    return [offset - length, length]
  }
  // A record affecting several packages is stored once, however many keys name it.
  const advisories = new Map<Advisory, [number, number]>()
  for (const entries of contents.entries.values()) {
    for (const { advisory } of entries) {
      if (!advisories.has(advisory)) advisories.set(advisory, append(advisory))
    }
  }
  const keys: Header['keys'] = []
  for (const [key, entries] of contents.entries) {
    const stored = entries.map(({ advisory, affected }): StoredEntry => [
      ...advisories.get(advisory)!,
      affected
    ])
    keys.push([key, ...append(stored)])
  }
  const header: Header = {
    dataVersion,
    advisories: contents.advisories,
    withdrawn: contents.withdrawn,
    ecosystems: [...contents.ecosystems].sort(),
    keys
  }
  const signed = Buffer.from(`${JSON.stringify(header)}\n${slices.join('')}`)
  return Buffer.concat([Buffer.from(`${SIGNATURE}${FORMAT} ${sha256(signed)}\n`), signed])
}

const isCount = (value: unknown): value is number =>
  Number.isSafeInteger(value) && (value as number) >= 0

function isHeader(value: unknown): value is Header {
  if (typeof value !== 'object' || value === null) return false
  const header = value as Partial<Header>
  return (
    typeof header.dataVersion === 'string' &&
    isCount(header.advisories) &&
    isCount(header.withdrawn) &&
    Array.isArray(header.ecosystems) &&
    header.ecosystems.every((e) => typeof e === 'string') &&
    Array.isArray(header.keys)
  )
}

/**
 * The header and body of a file whose digest matched, or undefined for an index in another
 * version's format (rebuilt without a warning: it is not damaged).
 */
function parseHeader(file: Buffer): { header: Header; body: Buffer } | undefined {
  if (file.toString('utf8', 0, SIGNATURE.length) !== SIGNATURE) {
    throw new IndexFileError('it does not start with the index signature')
  }
  const firstLine = file.indexOf(0x0a, SIGNATURE.length)
  if (firstLine === -1) throw new IndexFileError('its header is cut off')
  const [format, digest] = file.toString('utf8', SIGNATURE.length, firstLine).split(' ')
  if (format !== FORMAT) return undefined
  const signed = file.subarray(firstLine + 1)
  if (sha256(signed) !== digest) throw new IndexFileError('its contents do not match their digest')
  const end = signed.indexOf(0x0a)
  if (end === -1) throw new IndexFileError('its header is cut off')
  let header: unknown
  try {
    header = JSON.parse(signed.toString('utf8', 0, end))
  } catch (error) {
    throw new IndexFileError(`its header is not JSON (${(error as Error).message})`)
  }
  if (!isHeader(header)) throw new IndexFileError('its header lacks fields')
  return { header, body: signed.subarray(end + 1) }
}

/**
 * The index stored in `file`, or undefined when it was built from other data than
 * `dataVersion` or by another format version. Throws IndexFileError when the file is damaged
 * (the digest of everything after its first line tells).
 */
export function decodeIndex(file: Buffer, dataVersion: string): AdvisoryIndex | undefined {
  const stored = parseHeader(file)
  if (stored === undefined || stored.header.dataVersion !== dataVersion) return undefined
  const { header, body } = stored
  const slices = new Map<string, [number, number]>()
  for (const item of header.keys) {
    const [key, offset, length] = Array.isArray(item) ? item : []
    if (
      typeof key !== 'string' ||
      !isCount(offset) ||
      !isCount(length) ||
      offset + length > body.length
    ) {
      throw new IndexFileError('a key points outside the file')
    }
    slices.set(key, [offset, length])
  }
  // The digest matched, so every slice is the JSON encodeIndex wrote.
  const parse = (offset: number, length: number): unknown =>
    JSON.parse(body.toString('utf8', offset, offset + length))
  const advisories = new Map<number, Advisory>()
  const advisoryAt = (offset: number, length: number): Advisory => {
    let advisory = advisories.get(offset)
    if (advisory === undefined) {
      advisory = parse(offset, length) as Advisory
      advisories.set(offset, advisory)
    }
    return advisory
  }
  const parsed = new Map<string, AffectedEntry[]>()
  const entries = (key: string): AffectedEntry[] | undefined => {
    const known = parsed.get(key)
    if (known !== undefined) return known
    const slice = slices.get(key)
    if (slice === undefined) return undefined
    const value = (parse(...slice) as StoredEntry[]).map(([offset, length, affected]) => ({
      advisory: advisoryAt(offset, length),
      affected
    }))
    parsed.set(key, value)
    return value
  }
  return indexOf(
    {
      advisories: header.advisories,
      withdrawn: header.withdrawn,
      ecosystems: new Set(header.ecosystems)
    },
    entries
  )
}
