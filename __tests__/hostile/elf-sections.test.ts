/**
 * Hostile images, class "never a step error": the section headers the Rust cataloger reads from
 * an ELF file's last bytes are whatever the file says; entries too small to hold a section
 * header mean no sections, not a read past the table.
 */
import { describe, expect, it } from '@jest/globals'
import { elfSectionsInTail } from '../../src/steps/composition/catalog/elf.js'

/** An ELF64 header whose section header table (3 entries of `entsize`) starts at `shoff`. */
function ident(shoff: number, entsize: number): Buffer {
  const header = Buffer.alloc(64)
  header.write('\x7fELF', 0, 'latin1')
  header.set([2, 1, 1], 4)
  header.writeBigUInt64LE(BigInt(shoff), 0x28)
  header.writeUInt16LE(entsize, 0x3a)
  header.writeUInt16LE(3, 0x3c)
  header.writeUInt16LE(2, 0x3e)
  return header
}

describe('ELF section headers in a file tail', () => {
  it.each([1, 8, 0x3f])('reads no sections from entries of %i bytes', (entsize) => {
    const tail = Buffer.alloc(4096, 0xff)
    expect(elfSectionsInTail(ident(8192, entsize), tail, 8192 + 4096)).toEqual([])
  })

  it('reads the sections of a well-formed table', () => {
    const size = 8192
    const tail = Buffer.alloc(1024)
    const names = Buffer.from('\0.dep-v0\0.shstrtab\0', 'latin1')
    const namesAt = 3 * 64
    names.copy(tail, namesAt)
    // Section 1: `.dep-v0` at offset 100, 20 bytes; section 2: the names.
    tail.writeUInt32LE(1, 64)
    tail.writeBigUInt64LE(100n, 64 + 0x18)
    tail.writeBigUInt64LE(20n, 64 + 0x20)
    tail.writeUInt32LE(9, 128)
    tail.writeBigUInt64LE(BigInt(size - 1024 + namesAt), 128 + 0x18)
    tail.writeBigUInt64LE(BigInt(names.length), 128 + 0x20)
    expect(elfSectionsInTail(ident(size - 1024, 64), tail, size)).toEqual([
      { name: '', offset: 0, size: 0 },
      { name: '.dep-v0', offset: 100, size: 20 },
      { name: '.shstrtab', offset: size - 1024 + namesAt, size: names.length }
    ])
  })
})
