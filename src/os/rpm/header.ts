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

/**
 * The most values one tag may hold: rpm >= 4.18 refuses a header with a longer array (lib/header.c
 * HEADER_ARRAY_MAX, "mainly to put a cap on number of files").
 */
export const HEADER_ARRAY_MAX = 0xfffff

/**
 * A path is a DIRNAMES entry joined to a BASENAMES entry, and any number of basenames may share
 * one dirname: a 256 KiB header could name 2^31 characters of paths. A real header also stores
 * about 60 bytes per file besides its name (size, mode, digest, owner, …), so its paths are a few
 * characters per header byte (3.9 for rpmbuild's header of 4,000 files 950 characters deep); 64
 * needs nearly every path as long as PATH_MAX (4096).
 */
export const MAX_PATH_CHARACTERS_PER_HEADER_BYTE = 64

/**
 * What the file lists of all headers of one rpmdb may hold together. A real rpmdb names a few
 * hundred thousand files in tens of MB: the caps are ten times that, and no more characters than
 * the rpmdb cap has bytes.
 */
export const RPMDB_MAX_FILES = 4 * 1024 * 1024
export const RPMDB_MAX_PATH_CHARACTERS = 256 * 1024 * 1024

/** What is left for the file lists of one rpmdb; each header read takes its share. */
export class FileListBudget {
  private files = RPMDB_MAX_FILES
  private characters = RPMDB_MAX_PATH_CHARACTERS

  /**
   * Takes the share of a `headerBytes`-byte header naming `files` paths of `characters` in all,
   * or throws (taking nothing) when the header or what is left of the rpmdb's cannot hold them.
   */
  take(headerBytes: number, files: number, characters: number): void {
    if (characters > MAX_PATH_CHARACTERS_PER_HEADER_BYTE * headerBytes) {
      throw new Error(
        `its file list is ${characters} characters (${files} paths), more than ${MAX_PATH_CHARACTERS_PER_HEADER_BYTE} per byte of the ${headerBytes}-byte header`
      )
    }
    if (files > this.files) {
      throw new Error(
        `its file list is ${files} paths, more than the ${this.files} left of the ${RPMDB_MAX_FILES} all headers of an rpmdb may name`
      )
    }
    if (characters > this.characters) {
      throw new Error(
        `its file list is ${characters} characters, more than the ${this.characters} left of the ${RPMDB_MAX_PATH_CHARACTERS} all headers of an rpmdb may name`
      )
    }
    this.files -= files
    this.characters -= characters
  }
}

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

/**
 * Parses a header blob, its file list taken from `budget` (the rpmdb's, by default a whole one).
 * Throws when the blob is not a header (truncated, no name or version) or is over a limit.
 */
export function parseRpmHeader(blob: Buffer, budget = new FileListBudget()): RpmHeader {
  if (blob.length < 8) throw new Error('it is truncated')
  const indexCount = blob.readUInt32BE(0)
  const dataLength = blob.readUInt32BE(4)
  const storeStart = 8 + indexCount * 16
  if (storeStart + dataLength > blob.length) throw new Error('it is truncated')
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
  // Checked before any value is read: a count is the header's own claim.
  const arrayLength = (tag: number, entry: Entry): number => {
    if (entry.count > HEADER_ARRAY_MAX) {
      throw new Error(
        `its tag ${tag} holds ${entry.count} values, more than the ${HEADER_ARRAY_MAX} rpm allows`
      )
    }
    return entry.count
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
    const count = entry.type === TYPE.stringArray ? arrayLength(tag, entry) : 1
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
    const length = arrayLength(tag, entry)
    return Array.from({ length }, (_, i) => store.readInt32BE(entry.offset + i * 4))
  }
  /** Compressed file names (rpm >= 4.0): basename i lives in dirNames[dirIndexes[i]]. */
  const files = (baseNames: string[], dirNames: string[], dirIndexes: number[]): string[] => {
    const dirOf = (i: number): string => dirNames[dirIndexes[i] ?? -1] ?? ''
    // Counted before any path is joined.
    let characters = 0
    baseNames.forEach((base, i) => (characters += dirOf(i).length + base.length))
    budget.take(blob.length, baseNames.length, characters)
    return baseNames.map((base, i) => `${dirOf(i)}${base}`)
  }
  const name = strings(RPMTAG.name)[0]
  const version = strings(RPMTAG.version)[0]
  if (name === undefined || version === undefined) throw new Error('it names no package')
  const header: RpmHeader = {
    name,
    version,
    release: strings(RPMTAG.release)[0] ?? '',
    files: files(strings(RPMTAG.baseNames), strings(RPMTAG.dirNames), ints(RPMTAG.dirIndexes))
  }
  // rpm 3's OLDFILENAMES are whole paths, with no directory to join.
  if (header.files.length === 0) header.files = files(strings(RPMTAG.oldFilenames), [], [])
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
