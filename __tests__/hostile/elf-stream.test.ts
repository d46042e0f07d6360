/**
 * Hostile ELF files read in one pass (ElfStream): headers that name absurd ranges or counts cost
 * bounded memory and work, a stream that ends early is judged on the bytes that came (never on
 * unwritten memory), and a verdict that needs bytes that were not kept is not given.
 */
import { describe, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
import { checkElf, ElfStream, type ElfWindows } from '../../src/steps/code/elf.js'

const ls = readFileSync('/usr/bin/ls')

const SMALL: Partial<ElfWindows> = {
  budget: 256 * 1024,
  head: 4096,
  firstLoad: 64 * 1024,
  afterLoad: 1024,
  tail: 32 * 1024,
  beforeProgramHeaders: 4096
}

function stream(bytes: Buffer, declared: number, windows: Partial<ElfWindows>): ElfStream {
  const elf = new ElfStream(declared, windows)
  for (let at = 0; at < bytes.length; at += 1000) elf.write(bytes.subarray(at, at + 1000))
  return elf
}

/** An ELF64 little-endian ET_EXEC header with `phnum` program headers right after it. */
function header(phnum: number): Buffer {
  const out = Buffer.alloc(64)
  out.write('\x7fELF', 0, 'latin1')
  out[4] = 2
  out[5] = 1
  out[6] = 1
  out.writeUInt16LE(2, 16)
  out.writeBigUInt64LE(64n, 32) // e_phoff
  out.writeUInt16LE(64, 52)
  out.writeUInt16LE(56, 54)
  out.writeUInt16LE(phnum, 56)
  return out
}

describe('ELF files read in one pass, hostile', () => {
  it('judges a stream that ends before its declared size on the bytes that came', () => {
    const half = ls.subarray(0, ls.length >> 1)
    expect(stream(half, ls.length, SMALL).check()).toEqual({ elf: checkElf(half) })
  })

  it('keeps its budget when 65535 loaded segments leave 65535 gaps', () => {
    const count = 65535
    const table = Buffer.alloc(count * 56)
    for (let i = 0; i < count; i++) {
      table.writeUInt32LE(1, i * 56) // PT_LOAD
      table.writeBigUInt64LE(BigInt(64 + i * 2), i * 56 + 8) // p_offset: one byte, then a gap
      table.writeBigUInt64LE(1n, i * 56 + 32) // p_filesz
    }
    const bytes = Buffer.concat([header(count), table])
    const elf = stream(bytes, bytes.length, {})
    expect(elf.check()).toEqual({ elf: checkElf(bytes) })
    expect(elf.keptBytes).toBeLessThanOrEqual(bytes.length)
  }, 20_000)

  it('does not give a verdict when its budget cannot hold the headers it needs', () => {
    // A budget of the 4 KiB head alone: ls's section headers, at its end, are not kept.
    const shoff = Number(ls.readBigUInt64LE(40))
    const shsize = ls.readUInt16LE(58) * ls.readUInt16LE(60)
    expect(stream(ls, ls.length, { ...SMALL, budget: 4096 }).check()).toEqual({
      unread: `its section headers (${shsize} bytes at offset ${shoff}) streamed past without being kept (one pass keeps the first 4096 bytes, the program and section headers, the dynamic segment and the tables it names, up to 65536 bytes of the first PT_LOAD segment and the last 32768 bytes outside the loaded segments, at most 4096 bytes in all)`
    })
  })
})
