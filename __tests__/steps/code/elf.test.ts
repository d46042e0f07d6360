import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { asChecksec, checksec } from '../../../__fixtures__/checksec.js'
import { missingTools, tempDir } from '../../../__fixtures__/registry.js'
import {
  checkElf,
  ElfStream,
  type ElfCheck,
  type ElfHardening,
  type ElfWindows
} from '../../../src/steps/code/elf.js'

/** `checksec --file` (Debian package `checksec`) is the reference for every verdict. */
const missing = missingTools(['checksec', 'gcc'])
const describeWithTools = missing === undefined ? describe : describe.skip
if (missing !== undefined) {
  console.warn(
    `code ELF parity tests ${missing.replace('checksec', 'checksec (apt-get install -y checksec gcc)')}`
  )
}

/** Windows far smaller than the defaults, so that files of a few hundred KiB are read in parts. */
const SMALL_WINDOWS: ElfWindows = {
  budget: 1024 * 1024,
  head: 4096,
  firstLoad: 256 * 1024,
  afterLoad: 1024,
  tail: 128 * 1024,
  beforeProgramHeaders: 4096
}

/** Feeds `bytes` to an ElfStream in chunks, as a layer streams a file. */
function streamed(
  bytes: Buffer,
  windows: Partial<ElfWindows>,
  chunk = 4096
): { check: ElfCheck; kept: number } {
  const stream = new ElfStream(bytes.length, windows)
  for (let at = 0; at < bytes.length; at += chunk) stream.write(bytes.subarray(at, at + chunk))
  return { check: stream.check(), kept: stream.keptBytes }
}

function ours(file: string): ElfHardening {
  const elf = checkElf(readFileSync(file))
  if (elf === undefined) throw new Error(`${file} is not an ELF file we read`)
  return elf
}

const PROGRAM = `#include <stdio.h>
#include <string.h>
int main(int argc, char **argv) {
  char buffer[32];
  strcpy(buffer, argv[0]);
  memcpy(buffer + 1, argv[0], strlen(argv[0]) % 8);
  printf("%s\\n", buffer);
  return 0;
}
`
const LIBRARY = `int answer(int x) { return x * 42; }\n`
/** Without libc, for the 32-bit case: gcc -m32 links only when no 32-bit libc is needed. */
const FREESTANDING = `void _start(void) { for (;;) {} }\n`

/** Name → gcc arguments; each is compiled once and judged by both. */
const BUILDS: Array<[string, string[]]> = [
  ['default', []],
  ['canary-fortify', ['-O2', '-D_FORTIFY_SOURCE=2', '-fstack-protector-all']],
  ['no-canary', ['-fno-stack-protector']],
  ['no-pie', ['-fno-pie', '-no-pie']],
  ['full-relro', ['-Wl,-z,relro,-z,now']],
  ['lazy-relro', ['-Wl,-z,relro,-z,lazy']],
  ['no-relro', ['-Wl,-z,norelro']],
  ['exec-stack', ['-Wl,-z,execstack']],
  ['rpath', ['-Wl,--disable-new-dtags,-rpath,/opt/app/lib:lib']],
  ['runpath', ['-Wl,--enable-new-dtags,-rpath,$ORIGIN/../lib']],
  ['static', ['-static']],
  ['stripped', ['-s', '-O2', '-D_FORTIFY_SOURCE=2']]
]

/** A few real, distribution-built binaries and libraries (whichever exist here). */
const SYSTEM_FILES = [
  '/usr/bin/ls',
  '/usr/bin/bash',
  '/usr/bin/gzip',
  '/usr/bin/openssl',
  '/usr/bin/skopeo',
  '/usr/lib/x86_64-linux-gnu/libc.so.6',
  '/usr/lib/x86_64-linux-gnu/libz.so.1'
].filter((file) => existsSync(file))

describeWithTools('ELF hardening has the verdicts of checksec --file', () => {
  let dir: string
  const built = new Map<string, string>()

  beforeAll(() => {
    dir = tempDir('elf')
    writeFileSync(join(dir, 'main.c'), PROGRAM)
    writeFileSync(join(dir, 'lib.c'), LIBRARY)
    writeFileSync(join(dir, 'start.c'), FREESTANDING)
    for (const [name, flags] of BUILDS) {
      const out = join(dir, name)
      execFileSync('gcc', [...flags, '-o', out, join(dir, 'main.c')])
      built.set(name, out)
    }
    const lib = join(dir, 'libanswer.so')
    execFileSync('gcc', ['-shared', '-fPIC', '-o', lib, join(dir, 'lib.c')])
    built.set('shared-library', lib)
    const object = join(dir, 'object.o')
    execFileSync('gcc', ['-c', '-o', object, join(dir, 'lib.c')])
    built.set('object', object)
    for (const [name, flags] of [
      ['i386-static', ['-m32', '-static', '-fno-pie', '-no-pie']],
      ['i386-pie', ['-m32', '-fpie', '-pie', '-Wl,-z,now']]
    ] as const) {
      const out = join(dir, name)
      try {
        execFileSync('gcc', [...flags, '-nostdlib', '-o', out, join(dir, 'start.c')], {
          stdio: 'ignore'
        })
        built.set(name, out)
      } catch {
        console.warn(`skipped ${name}: gcc -m32 cannot link here (apt-get install -y gcc-multilib)`)
      }
    }
  })

  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it.each([...BUILDS.map(([name]) => name), 'shared-library', 'object', 'i386-static', 'i386-pie'])(
    'gcc build %s',
    (name) => {
      const file = built.get(name)
      if (file === undefined) return
      expect(asChecksec(ours(file))).toEqual(checksec(file))
    }
  )

  it.each(SYSTEM_FILES)('system file %s', (file) => {
    expect(asChecksec(ours(file))).toEqual(checksec(file))
  })

  it('reads the compiler flags back as the verdicts they should give', () => {
    const verdict = (name: string): Partial<ElfHardening> => {
      const { relro, canary, nx, pie, rpath, runpath, fortifySource, bits } = ours(built.get(name)!)
      return { relro, canary, nx, pie, rpath, runpath, fortifySource, bits }
    }
    expect(verdict('no-pie')).toMatchObject({ pie: 'no' })
    expect(verdict('no-canary')).toMatchObject({ canary: false, fortifySource: false })
    expect(verdict('canary-fortify')).toMatchObject({ canary: true, fortifySource: true })
    expect(verdict('full-relro')).toMatchObject({ relro: 'full' })
    expect(verdict('lazy-relro')).toMatchObject({ relro: 'partial' })
    expect(verdict('no-relro')).toMatchObject({ relro: 'no' })
    expect(verdict('exec-stack')).toMatchObject({ nx: false })
    expect(verdict('rpath')).toMatchObject({ rpath: ['/opt/app/lib', 'lib'] })
    expect(verdict('runpath')).toMatchObject({ runpath: ['$ORIGIN/../lib'] })
    expect(verdict('shared-library')).toMatchObject({ pie: 'dso' })
    if (built.has('i386-pie'))
      expect(verdict('i386-pie')).toMatchObject({ bits: 32, pie: 'yes', relro: 'full' })
  })

  it('takes DF_1_NOW alone as full RELRO, where checksec 2.6 says partial', () => {
    // Clear DF_BIND_NOW from DT_FLAGS and drop DT_BIND_NOW, leaving only DT_FLAGS_1 NOW.
    const bytes = Buffer.from(readFileSync(built.get('full-relro')!))
    const dynamic = dynamicSection(bytes)
    let patched = 0
    for (let at = dynamic.offset; at < dynamic.offset + dynamic.size; at += 16) {
      const tag = Number(bytes.readBigUInt64LE(at))
      if (tag === 30) {
        bytes.writeBigUInt64LE(bytes.readBigUInt64LE(at + 8) & ~8n, at + 8)
        patched++
      }
      if (tag === 24) {
        bytes.writeBigUInt64LE(0x6ffffdffn, at) // an unused OS-specific tag
        patched++
      }
    }
    expect(patched).toBeGreaterThan(0)
    const file = join(dir, 'df1-now-only')
    writeFileSync(file, bytes)
    expect(ours(file).relro).toBe('full')
    expect(checksec(file).relro).toBe('partial')
  })

  it.each([...BUILDS.map(([name]) => name), 'shared-library', 'object', 'i386-static', 'i386-pie'])(
    'gives the same verdicts for gcc build %s streamed through small windows',
    (name) => {
      const file = built.get(name)
      if (file === undefined) return
      const bytes = readFileSync(file)
      expect(streamed(bytes, SMALL_WINDOWS).check).toEqual({ elf: checkElf(bytes) })
    }
  )

  it.each(SYSTEM_FILES)(
    'gives the same verdicts for %s streamed, keeping less than the file',
    (file) => {
      const bytes = readFileSync(file)
      const { check, kept } = streamed(bytes, SMALL_WINDOWS, 65536)
      expect(check).toEqual({ elf: checkElf(bytes) })
      if (bytes.length > SMALL_WINDOWS.budget) expect(kept).toBeLessThan(bytes.length / 2)
    }
  )

  it('names the table a verdict needed when it streamed past unkept', () => {
    // A static binary proves its canary only in .strtab, which a 4 KiB tail does not hold.
    const bytes = readFileSync(built.get('static')!)
    const strtab = sectionRange(bytes, '.strtab')
    expect(strtab.size).toBeGreaterThan(4096)
    expect(streamed(bytes, { ...SMALL_WINDOWS, tail: 4096 }).check).toEqual({
      unread: `its symbol string table (.strtab) (${strtab.size} bytes at offset ${strtab.offset}) streamed past without being kept (one pass keeps the first 4096 bytes, the program and section headers, the dynamic segment and the tables it names, up to 262144 bytes of the first PT_LOAD segment and the last 4096 bytes outside the loaded segments, at most 1048576 bytes in all)`
    })
    // The same file with the default windows is whole in memory.
    expect(streamed(bytes, {}).check).toEqual({ elf: checkElf(bytes) })
  })

  it('is not fooled by files that only look like ELF', () => {
    expect(checkElf(Buffer.from('\x7fELF'))).toBeUndefined()
    expect(checkElf(Buffer.alloc(64))).toBeUndefined()
    const truncated = readFileSync(built.get('default')!).subarray(0, 200)
    expect(checkElf(truncated)).toMatchObject({ bits: 64, type: 'dyn', relro: 'no', nx: false })
  })
})

/** A section of a little-endian ELF64 file, by name. */
function sectionRange(bytes: Buffer, name: string): { offset: number; size: number } {
  const shoff = Number(bytes.readBigUInt64LE(40))
  const count = bytes.readUInt16LE(60)
  const at = (index: number): number => shoff + index * 64
  const names = at(bytes.readUInt16LE(62))
  const namesOffset = Number(bytes.readBigUInt64LE(names + 24))
  for (let i = 0; i < count; i++) {
    const start = namesOffset + bytes.readUInt32LE(at(i))
    if (bytes.toString('latin1', start, bytes.indexOf(0, start)) === name) {
      return {
        offset: Number(bytes.readBigUInt64LE(at(i) + 24)),
        size: Number(bytes.readBigUInt64LE(at(i) + 32))
      }
    }
  }
  throw new Error(`no ${name} section`)
}

/** The PT_DYNAMIC segment of a little-endian ELF64 file. */
function dynamicSection(bytes: Buffer): { offset: number; size: number } {
  const phoff = Number(bytes.readBigUInt64LE(32))
  const count = bytes.readUInt16LE(56)
  for (let i = 0; i < count; i++) {
    const at = phoff + i * 56
    if (bytes.readUInt32LE(at) === 2) {
      return {
        offset: Number(bytes.readBigUInt64LE(at + 8)),
        size: Number(bytes.readBigUInt64LE(at + 32))
      }
    }
  }
  throw new Error('no PT_DYNAMIC')
}

interface HandMade {
  bits: 32 | 64
  endian: 'little' | 'big'
}

/**
 * A minimal ET_DYN file written field by field (gABI layouts): PT_LOAD, PT_DYNAMIC, PT_GNU_STACK
 * (RW), PT_GNU_RELRO; DT_NEEDED libc.so.6, DT_RUNPATH, DT_DEBUG, DT_FLAGS BIND_NOW; a .dynsym
 * importing __stack_chk_fail, __memcpy_chk, strcpy and printf. gcc here cannot emit big-endian.
 */
function handMadeElf({ bits, endian }: HandMade): Buffer {
  const wide = bits === 64
  const out = Buffer.alloc(0x800)
  const le = endian === 'little'
  const u16 = (at: number, v: number): number =>
    le ? out.writeUInt16LE(v, at) : out.writeUInt16BE(v, at)
  const u32 = (at: number, v: number): number =>
    le ? out.writeUInt32LE(v, at) : out.writeUInt32BE(v, at)
  const word = (at: number, v: number): number =>
    wide
      ? le
        ? out.writeBigUInt64LE(BigInt(v), at)
        : out.writeBigUInt64BE(BigInt(v), at)
      : u32(at, v)
  const strings = (at: number, names: string[]): Map<string, number> => {
    const offsets = new Map<string, number>()
    let cursor = 1
    for (const name of names) {
      offsets.set(name, cursor)
      cursor += out.write(`${name}\0`, at + cursor, 'latin1')
    }
    return offsets
  }
  const DYNSTR = 0x200
  const DYNSYM = 0x300
  const DYNAMIC = 0x400
  const SHSTRTAB = 0x500
  const SHDRS = 0x600
  const names = [
    'libc.so.6',
    '/opt/app/lib',
    '__stack_chk_fail',
    '__memcpy_chk',
    'strcpy',
    'printf'
  ]
  const dynstr = strings(DYNSTR, names)
  const symbols = names.slice(2)
  const symentsize = wide ? 24 : 16
  symbols.forEach((name, i) => u32(DYNSYM + (i + 1) * symentsize, dynstr.get(name)!))
  const dynentsize = wide ? 16 : 8
  const dyn: Array<[number, number]> = [
    [1, dynstr.get('libc.so.6')!],
    [5, DYNSTR],
    [10, 0x100],
    [6, DYNSYM],
    [29, dynstr.get('/opt/app/lib')!],
    [21, 0],
    [30, 0x8],
    [0, 0]
  ]
  dyn.forEach(([tag, value], i) => {
    word(DYNAMIC + i * dynentsize, tag)
    word(DYNAMIC + i * dynentsize + dynentsize / 2, value)
  })
  const sectionNames = strings(SHSTRTAB, ['.dynsym', '.dynstr', '.dynamic', '.shstrtab'])

  out.write('\x7fELF', 0, 'latin1')
  out[4] = wide ? 2 : 1
  out[5] = le ? 1 : 2
  out[6] = 1
  u16(16, 3) // ET_DYN
  u16(18, wide ? 21 : 20) // EM_PPC64 / EM_PPC
  u32(20, 1)
  const ehsize = wide ? 64 : 52
  const phentsize = wide ? 56 : 32
  const shentsize = wide ? 64 : 40
  word(wide ? 32 : 28, ehsize) // e_phoff
  word(wide ? 40 : 32, SHDRS) // e_shoff
  u16(wide ? 52 : 40, ehsize)
  u16(wide ? 54 : 42, phentsize)
  u16(wide ? 56 : 44, 4)
  u16(wide ? 58 : 46, shentsize)
  u16(wide ? 60 : 48, 5)
  u16(wide ? 62 : 50, 4) // .shstrtab
  const segments: Array<[type: number, flags: number, offset: number, size: number]> = [
    [1, 4, 0, out.length],
    [2, 6, DYNAMIC, dyn.length * dynentsize],
    [0x6474e551, 6, 0, 0],
    [0x6474e552, 4, DYNAMIC, dyn.length * dynentsize]
  ]
  segments.forEach(([type, flags, offset, size], i) => {
    const at = ehsize + i * phentsize
    u32(at, type)
    if (wide) {
      u32(at + 4, flags)
      for (const [field, value] of [
        [8, offset],
        [16, offset],
        [24, offset],
        [32, size],
        [40, size]
      ])
        word(at + field!, value!)
    } else {
      for (const [field, value] of [
        [4, offset],
        [8, offset],
        [12, offset],
        [16, size],
        [20, size],
        [24, flags]
      ])
        u32(at + field!, value!)
    }
  })
  const sections: Array<
    [name: string, type: number, offset: number, size: number, link: number, entsize: number]
  > = [
    ['.dynsym', 11, DYNSYM, (symbols.length + 1) * symentsize, 2, symentsize],
    ['.dynstr', 3, DYNSTR, 0x100, 0, 0],
    ['.dynamic', 6, DYNAMIC, dyn.length * dynentsize, 2, dynentsize],
    ['.shstrtab', 3, SHSTRTAB, 0x40, 0, 0]
  ]
  sections.forEach(([name, type, offset, size, link, entsize], i) => {
    const at = SHDRS + (i + 1) * shentsize
    u32(at, sectionNames.get(name)!)
    u32(at + 4, type)
    word(at + (wide ? 16 : 12), offset) // sh_addr: loaded at its file offset
    word(at + (wide ? 24 : 16), offset)
    word(at + (wide ? 32 : 20), size)
    u32(at + (wide ? 40 : 24), link)
    if (type === 11) u32(at + (wide ? 44 : 28), 1) // sh_info: first global symbol
    word(at + (wide ? 56 : 36), entsize)
  })
  return out
}

describeWithTools('ELF files of both classes and byte orders', () => {
  let dir: string
  beforeAll(() => {
    dir = tempDir('elf-endian')
  })
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it.each<HandMade>([
    { bits: 64, endian: 'big' },
    { bits: 32, endian: 'big' },
    { bits: 64, endian: 'little' },
    { bits: 32, endian: 'little' }
  ])('reads a $bits-bit $endian-endian file as checksec does', (spec) => {
    const file = join(dir, `${spec.bits}-${spec.endian}`)
    writeFileSync(file, handMadeElf(spec))
    const elf = ours(file)
    expect(elf).toMatchObject({
      ...spec,
      type: 'dyn',
      relro: 'full',
      canary: true,
      nx: true,
      pie: 'yes',
      runpath: ['/opt/app/lib'],
      fortified: 1,
      fortifiable: 3,
      glibc: true
    })
    expect(asChecksec(elf)).toEqual(checksec(file))
  })
})

const noRustc = missingTools(['rustc'])
const itWithRustc = noRustc === undefined && missing === undefined ? it : it.skip
if (noRustc !== undefined) console.warn(`Rust ELF test ${noRustc} (install a Rust toolchain)`)

describe('language runtimes without the C stack protector', () => {
  itWithRustc('knows a stripped rustc binary as Rust, though checksec sees no canary', () => {
    const dir = tempDir('elf-rust')
    try {
      writeFileSync(
        join(dir, 'main.rs'),
        'fn main() { println!("{}", std::env::args().count()); }\n'
      )
      const binary = join(dir, 'main')
      execFileSync('rustc', ['-O', '-C', 'strip=symbols', '-o', binary, join(dir, 'main.rs')])
      expect(ours(binary)).toMatchObject({ runtime: 'rust', canary: false, symbols: false })
      expect(asChecksec(ours(binary))).toEqual(checksec(binary))
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
