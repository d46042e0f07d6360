/**
 * The RPM header structure as stored in every rpmdb backend (rpm's lib/header.c, "Header
 * blob"): a big-endian index count and data length, then 16-byte index entries (tag, type,
 * offset, count) and the data store. rpmdbs store the blob without the lead and header magic.
 */

/** rpmtag.h */
export const RPMTAG = {
  name: 1000,
  version: 1001,
  release: 1002,
  epoch: 1003,
  license: 1014,
  vendor: 1011,
  arch: 1022,
  oldFilenames: 1027,
  sourceRpm: 1044,
  dirIndexes: 1116,
  baseNames: 1117,
  dirNames: 1118
} as const

const TYPE = { int32: 4, string: 6, stringArray: 8, i18nString: 9 } as const

export interface RpmHeader {
  name: string
  version: string
  release: string
  epoch?: number
  arch?: string
  license?: string
  vendor?: string
  /** e.g. `openssl-3.0.7-27.el9.src.rpm` */
  sourceRpm?: string
  /** Absolute paths of the files the package owns. */
  files: string[]
}

interface Entry {
  type: number
  offset: number
  count: number
}

/** Parses a header blob; undefined when it is not one (truncated, or no name/version). */
export function parseRpmHeader(blob: Buffer): RpmHeader | undefined {
  if (blob.length < 8) return undefined
  const indexCount = blob.readUInt32BE(0)
  const dataLength = blob.readUInt32BE(4)
  const storeStart = 8 + indexCount * 16
  if (storeStart + dataLength > blob.length) return undefined
  const store = blob.subarray(storeStart, storeStart + dataLength)
  const entries = new Map<number, Entry>()
  for (let i = 0; i < indexCount; i++) {
    const at = 8 + i * 16
    entries.set(blob.readUInt32BE(at), {
      type: blob.readUInt32BE(at + 4),
      offset: blob.readUInt32BE(at + 8),
      count: blob.readUInt32BE(at + 12)
    })
  }
  const strings = (tag: number): string[] => {
    const entry = entries.get(tag)
    if (entry === undefined) return []
    if (
      entry.type !== TYPE.string &&
      entry.type !== TYPE.stringArray &&
      entry.type !== TYPE.i18nString
    ) {
      return []
    }
    // STRING has count 1; I18NSTRING's first string is the C locale's.
    const count = entry.type === TYPE.stringArray ? entry.count : 1
    const result: string[] = []
    let at = entry.offset
    for (let i = 0; i < count && at < store.length; i++) {
      const end = store.indexOf(0, at)
      if (end === -1) break
      result.push(store.toString('utf8', at, end))
      at = end + 1
    }
    return result
  }
  const ints = (tag: number): number[] => {
    const entry = entries.get(tag)
    if (entry?.type !== TYPE.int32 || entry.offset + entry.count * 4 > store.length) return []
    return Array.from({ length: entry.count }, (_, i) => store.readInt32BE(entry.offset + i * 4))
  }
  const name = strings(RPMTAG.name)[0]
  const version = strings(RPMTAG.version)[0]
  if (name === undefined || version === undefined) return undefined
  const header: RpmHeader = {
    name,
    version,
    release: strings(RPMTAG.release)[0] ?? '',
    files: files(strings(RPMTAG.baseNames), strings(RPMTAG.dirNames), ints(RPMTAG.dirIndexes))
  }
  if (header.files.length === 0) header.files = strings(RPMTAG.oldFilenames)
  const epoch = ints(RPMTAG.epoch)[0]
  if (epoch !== undefined) header.epoch = epoch
  const optional = [
    ['arch', RPMTAG.arch],
    ['license', RPMTAG.license],
    ['vendor', RPMTAG.vendor],
    ['sourceRpm', RPMTAG.sourceRpm]
  ] as const
  for (const [key, tag] of optional) {
    const value = strings(tag)[0]
    if (value !== undefined && value !== '') header[key] = value
  }
  return header
}

/** Compressed file names (rpm >= 4.0): basename i lives in dirNames[dirIndexes[i]]. */
function files(baseNames: string[], dirNames: string[], dirIndexes: number[]): string[] {
  return baseNames.map((base, i) => `${dirNames[dirIndexes[i] ?? -1] ?? ''}${base}`)
}
