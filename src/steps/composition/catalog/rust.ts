/**
 * Rust dependencies recorded by cargo-auditable (https://github.com/rust-secure-code/cargo-auditable,
 * "format"): zlib-compressed JSON in the `.dep-v0` ELF section, `{ packages: [{ name, version,
 * source, kind?, root? }] }`. The section sits among the non-loaded sections near the file's end.
 */
import { inflateSync } from 'node:zlib'
import type { Draft } from './go.js'
import { purl } from '../../../packages/purl.js'

const SECTION = '.dep-v0'

interface ElfSection {
  name: string
  offset: number
  size: number
}

/**
 * The ELF sections whose headers and names lie within `tail`, the last bytes of a file of
 * `fileSize` bytes; `ident` is the file's first 64 bytes (the ELF header).
 */
export function elfSectionsInTail(ident: Buffer, tail: Buffer, fileSize: number): ElfSection[] {
  if (ident.length < 64 || ident.readUInt32BE(0) !== 0x7f454c46) return []
  const is64 = ident[4] === 2
  const le = ident[5] === 1
  const u16 = (b: Buffer, at: number): number => (le ? b.readUInt16LE(at) : b.readUInt16BE(at))
  const u32 = (b: Buffer, at: number): number => (le ? b.readUInt32LE(at) : b.readUInt32BE(at))
  const addr = (b: Buffer, at: number): number =>
    is64 ? Number(le ? b.readBigUInt64LE(at) : b.readBigUInt64BE(at)) : u32(b, at)
  const shoff = addr(ident, is64 ? 0x28 : 0x20)
  const shentsize = u16(ident, is64 ? 0x3a : 0x2e)
  const shnum = u16(ident, is64 ? 0x3c : 0x30)
  const shstrndx = u16(ident, is64 ? 0x3e : 0x32)
  const tailStart = fileSize - tail.length
  const inTail = (offset: number, size: number): Buffer | undefined =>
    offset >= tailStart && offset + size <= fileSize
      ? tail.subarray(offset - tailStart, offset - tailStart + size)
      : undefined
  const table = inTail(shoff, shentsize * shnum)
  if (table === undefined || shnum === 0 || shstrndx >= shnum) return []
  const raw = Array.from({ length: shnum }, (_, i) => {
    const at = i * shentsize
    return {
      nameOffset: u32(table, at),
      offset: addr(table, at + (is64 ? 0x18 : 0x10)),
      size: addr(table, at + (is64 ? 0x20 : 0x14))
    }
  })
  const names = inTail(raw[shstrndx]!.offset, raw[shstrndx]!.size)
  if (names === undefined) return []
  return raw.map((s) => {
    const end = names.indexOf(0, s.nameOffset)
    return {
      name: names.toString('latin1', s.nameOffset, end === -1 ? names.length : end),
      offset: s.offset,
      size: s.size
    }
  })
}

/** The `.dep-v0` section's bytes, when it lies within `tail`. */
export function depSection(ident: Buffer, tail: Buffer, fileSize: number): Buffer | undefined {
  const section = elfSectionsInTail(ident, tail, fileSize).find((s) => s.name === SECTION)
  const tailStart = fileSize - tail.length
  if (section === undefined || section.offset < tailStart) return undefined
  return tail.subarray(section.offset - tailStart, section.offset - tailStart + section.size)
}

/** Throws when the section inflates past `maxBytes` (ERR_BUFFER_TOO_LARGE) or is not JSON. */
export function rustPackages(compressed: Buffer, maxBytes: number): Draft[] {
  const json: unknown = JSON.parse(
    inflateSync(compressed, { maxOutputLength: maxBytes }).toString('utf8')
  )
  const packages =
    typeof json === 'object' && json !== null && 'packages' in json ? json.packages : undefined
  if (!Array.isArray(packages)) return []
  return packages.flatMap((p: unknown): Draft[] => {
    if (typeof p !== 'object' || p === null) return []
    const { name, version, kind } = p as Record<string, unknown>
    // Build dependencies run at compile time and are not in the binary.
    if (typeof name !== 'string' || typeof version !== 'string' || kind === 'build') return []
    return [
      {
        name,
        version,
        ecosystem: 'crates.io',
        purl: purl('cargo', undefined, name, version),
        licenses: []
      }
    ]
  })
}
