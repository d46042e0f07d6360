/**
 * A minimal ELF64 executable laid out as cmd/link lays out a Go 1.13–1.17 binary: Go's build-id
 * note in the first page, one PT_LOAD segment mapping the whole file, the strings in `.rodata`,
 * then the 16-byte aligned build info header holding the addresses of the two Go string
 * variables (runtime.buildVersion, runtime.modinfo), which follow it. Tests use it for layouts
 * released binaries do not have; `npm run test-binaries` fetches released ones.
 */
export interface LegacyGoBinary {
  /** runtime.buildVersion, e.g. `go1.16.15`. */
  version: string
  /** The module info as `go version -m` prints it; wrapped in runtime/debug's sentinels here. */
  modInfo: string
  /** Bytes placed in `.rodata` before the strings (e.g. decoys). */
  before?: Buffer
  /** Length the module info variable claims, instead of its own. */
  modInfoLength?: number
  /** Bytes placed 16-byte aligned just before the header (e.g. decoy headers). */
  headersBefore?: Buffer
}

const BASE = 0x400000
const RODATA = 0x8000
const START = Buffer.from('3077af0c9274080241e1c107e6d618e6', 'hex')
const END = Buffer.from('f932433186182072008242104116d8f2', 'hex')

export function legacyGoBinary(spec: LegacyGoBinary): Buffer {
  const version = Buffer.from(spec.version, 'latin1')
  const modInfo = Buffer.concat([START, Buffer.from(spec.modInfo, 'utf8'), END])
  const before = spec.before ?? Buffer.alloc(0)
  const versionAt = RODATA + before.length
  const modInfoAt = versionAt + version.length
  const decoys = Math.ceil((modInfoAt + modInfo.length) / 16) * 16 + 16
  const headersBefore = spec.headersBefore ?? Buffer.alloc(0)
  const header = decoys + Math.ceil(headersBefore.length / 16) * 16
  const variables = header + 32
  const size = variables + 32 + 64
  const file = Buffer.alloc(size)
  // ELF header: ELFCLASS64, little-endian, ET_EXEC, x86-64, two program headers at 64.
  file.write('\x7fELF', 0, 'latin1')
  file.set([2, 1, 1], 4)
  file.writeUInt16LE(2, 16)
  file.writeUInt16LE(62, 18)
  file.writeUInt32LE(1, 20)
  file.writeBigUInt64LE(64n, 32)
  file.writeUInt16LE(64, 52)
  file.writeUInt16LE(56, 54)
  file.writeUInt16LE(2, 56)
  const note = 176
  const programHeader = (at: number, type: number, offset: number, length: number): void => {
    file.writeUInt32LE(type, at)
    file.writeUInt32LE(4, at + 4)
    file.writeBigUInt64LE(BigInt(offset), at + 8)
    file.writeBigUInt64LE(BigInt(BASE + offset), at + 16)
    file.writeBigUInt64LE(BigInt(BASE + offset), at + 24)
    file.writeBigUInt64LE(BigInt(length), at + 32)
    file.writeBigUInt64LE(BigInt(length), at + 40)
    file.writeBigUInt64LE(0x1000n, at + 48)
  }
  programHeader(64, 4, note, 20)
  programHeader(120, 1, 0, size)
  // The build-id note: namesz 4 ("Go\0\0"), descsz 4, type 4.
  file.writeUInt32LE(4, note)
  file.writeUInt32LE(4, note + 4)
  file.writeUInt32LE(4, note + 8)
  file.write('Go\0\0abcd', note + 12, 'latin1')
  before.copy(file, RODATA)
  version.copy(file, versionAt)
  modInfo.copy(file, modInfoAt)
  headersBefore.copy(file, decoys)
  file.write('\xff Go buildinf:', header, 'latin1')
  file.set([8, 0], header + 14)
  file.writeBigUInt64LE(BigInt(BASE + variables), header + 16)
  file.writeBigUInt64LE(BigInt(BASE + variables + 16), header + 24)
  file.writeBigUInt64LE(BigInt(BASE + versionAt), variables)
  file.writeBigUInt64LE(BigInt(version.length), variables + 8)
  file.writeBigUInt64LE(BigInt(BASE + modInfoAt), variables + 16)
  file.writeBigUInt64LE(BigInt(spec.modInfoLength ?? modInfo.length), variables + 24)
  return file
}
