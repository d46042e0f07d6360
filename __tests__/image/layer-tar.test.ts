import { describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import {
  linkSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { tarFile, FIXTURE_MTIME, type FixtureEntry } from '../../__fixtures__/image-builder.js'
import { missingTools } from '../../__fixtures__/registry.js'
import { ImageError } from '../../src/errors.js'
import { normalizePath, readTar } from '../../src/image/layer/tar.js'
import type { TarEntry } from '../../src/image/types.js'

/** Feeds `bytes` in chunks of `size`, to cross every header and data boundary. */
function chunked(bytes: Buffer, size: number): Readable {
  const chunks: Buffer[] = []
  for (let i = 0; i < bytes.length; i += size) chunks.push(bytes.subarray(i, i + size))
  return Readable.from(chunks)
}

async function readAll(
  stream: Readable,
  name = 'test.tar'
): Promise<Array<{ entry: TarEntry; content: string }>> {
  const out: Array<{ entry: TarEntry; content: string }> = []
  for await (const { entry, content } of readTar(stream, name)) {
    const chunks: Buffer[] = []
    for await (const chunk of content as AsyncIterable<Buffer>) chunks.push(chunk)
    out.push({ entry, content: Buffer.concat(chunks).toString('utf8') })
  }
  return out
}

async function entriesOf(entries: FixtureEntry[], chunkSize = 64 * 1024): Promise<TarEntry[]> {
  return (await readAll(chunked(tarFile(entries), chunkSize))).map((item) => item.entry)
}

async function failureOf(promise: Promise<unknown>): Promise<ImageError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught
  )
  if (!(error instanceof ImageError))
    throw new Error(`expected an ImageError, got ${String(error)}`)
  return error
}

const capability = Buffer.from([
  0x01, 0x00, 0x00, 0x02, 0x00, 0x24, 0x00, 0x00, 0x0a, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
  0x00, 0x00, 0x00, 0x00
])

describe('normalizePath', () => {
  it.each([
    ['./etc/passwd', '/etc/passwd'],
    ['etc/', '/etc'],
    ['/blobs/sha256/abc', '/blobs/sha256/abc'],
    ['a//b/./c/', '/a/b/c'],
    ['../../etc/shadow', '/etc/shadow'],
    ['usr/../../../x', '/x'],
    ['./', '/'],
    ['.', '/']
  ])('normalises %j to %j', (input, expected) => {
    expect(normalizePath(input)).toBe(expected)
  })
})

describe('readTar', () => {
  it('reads every entry type with its header fields', async () => {
    const entries = await entriesOf([
      { path: './etc/', mode: 0o755 },
      { path: './etc/passwd', content: 'root:x:0:0::/root:/bin/sh\n', mode: 0o644, uid: 0, gid: 0 },
      { path: './usr/bin/sudo', content: 'ELF', mode: 0o4755, uid: 0, gid: 0 },
      { path: './etc/hosts.hard', type: 'hardlink', linkTarget: './etc/passwd' },
      { path: './etc/alt', type: 'symlink', linkTarget: '../usr/bin/sudo' },
      { path: './dev/null', type: 'char', mode: 0o666, devMajor: 1, devMinor: 3 },
      { path: './dev/sda', type: 'block', mode: 0o660, devMajor: 8, devMinor: 0, gid: 6 },
      { path: './run/fifo', type: 'fifo', mode: 0o600, uid: 1000, gid: 1000 }
    ])
    const mtime = FIXTURE_MTIME
    expect(entries).toEqual([
      { path: '/etc', type: 'dir', mode: 0o755, uid: 0, gid: 0, size: 0, mtime },
      { path: '/etc/passwd', type: 'file', mode: 0o644, uid: 0, gid: 0, size: 26, mtime },
      { path: '/usr/bin/sudo', type: 'file', mode: 0o4755, uid: 0, gid: 0, size: 3, mtime },
      {
        path: '/etc/hosts.hard',
        type: 'hardlink',
        mode: 0o644,
        uid: 0,
        gid: 0,
        size: 0,
        mtime,
        linkTarget: '/etc/passwd'
      },
      {
        path: '/etc/alt',
        type: 'symlink',
        mode: 0o777,
        uid: 0,
        gid: 0,
        size: 0,
        mtime,
        linkTarget: '../usr/bin/sudo'
      },
      {
        path: '/dev/null',
        type: 'char',
        mode: 0o666,
        uid: 0,
        gid: 0,
        size: 0,
        mtime,
        devMajor: 1,
        devMinor: 3
      },
      {
        path: '/dev/sda',
        type: 'block',
        mode: 0o660,
        uid: 0,
        gid: 6,
        size: 0,
        mtime,
        devMajor: 8,
        devMinor: 0
      },
      { path: '/run/fifo', type: 'fifo', mode: 0o600, uid: 1000, gid: 1000, size: 0, mtime }
    ])
  })

  it('hands out file content, also when the stream arrives a few bytes at a time', async () => {
    const content = 'x'.repeat(1500) + 'end'
    const tar = tarFile([
      { path: 'a.txt', content },
      { path: 'empty', content: '' },
      { path: 'b.txt', content: 'second' }
    ])
    for (const size of [1, 7, 511, 512, 513, tar.length]) {
      expect(await readAll(chunked(tar, size))).toEqual([
        { entry: expect.objectContaining({ path: '/a.txt', size: 1503 }), content },
        { entry: expect.objectContaining({ path: '/empty', size: 0 }), content: '' },
        { entry: expect.objectContaining({ path: '/b.txt', size: 6 }), content: 'second' }
      ])
    }
  })

  it('skips the content of entries the consumer does not read, or reads only in part', async () => {
    const tar = tarFile([
      { path: 'big', content: Buffer.alloc(100_000, 7) },
      { path: 'partly', content: Buffer.alloc(100_000, 8) },
      { path: 'small', content: 'hello' }
    ])
    const seen: string[] = []
    for await (const { entry, content } of readTar(chunked(tar, 4096), 'test.tar')) {
      seen.push(entry.path)
      if (entry.path === '/partly') {
        for await (const chunk of content as AsyncIterable<Buffer>) {
          expect(chunk[0]).toBe(8)
          break
        }
      }
      if (entry.path === '/small') {
        expect(Buffer.concat(await content.toArray()).toString()).toBe('hello')
      }
    }
    expect(seen).toEqual(['/big', '/partly', '/small'])
  })

  it('reads PAX long paths and link targets', async () => {
    const longPath = 'usr/share/' + 'deep/'.repeat(40) + 'file.txt'
    const longTarget = '/opt/' + 't'.repeat(150)
    const entries = await entriesOf([
      { path: longPath, content: 'pax' },
      { path: 'link', type: 'symlink', linkTarget: longTarget }
    ])
    expect(entries.map((entry) => [entry.path, entry.linkTarget])).toEqual([
      ['/' + longPath, undefined],
      ['/link', longTarget]
    ])
  })

  it('gives each entry the offset of its data in the archive, after PAX and GNU long-name headers', async () => {
    const files: FixtureEntry[] = [
      { path: 'a.txt', content: 'first' },
      { path: 'usr/share/' + 'deep/'.repeat(40) + 'pax.txt', content: 'after a pax header' },
      {
        path: 'var/lib/' + 'g'.repeat(200),
        content: 'after a GNU long name',
        longNameStyle: 'gnu'
      },
      { path: 'empty', content: '' },
      { path: 'z.txt', content: Buffer.alloc(3000, 7) }
    ]
    const tar = tarFile(files)
    const found: Array<[string, string]> = []
    // Chunks of 700 bytes: offsets must not depend on where the chunks break.
    for await (const { entry, dataOffset } of readTar(chunked(tar, 700), 'test.tar')) {
      found.push([entry.path, tar.subarray(dataOffset, dataOffset + entry.size).toString('latin1')])
    }
    expect(found).toEqual(
      files.map((file) => ['/' + file.path, Buffer.from(file.content ?? '').toString('latin1')])
    )
  })

  it('reads GNU long names, long link targets and base-256 numbers', async () => {
    const longPath = 'var/lib/' + 'g'.repeat(200)
    const longTarget = 'h'.repeat(120)
    const entries = await entriesOf([
      { path: longPath, content: 'gnu', uid: 3_000_000_000, gid: 2 ** 40, longNameStyle: 'gnu' },
      { path: 'var/link', type: 'hardlink', linkTarget: longTarget, longNameStyle: 'gnu' }
    ])
    expect(entries.map((entry) => [entry.path, entry.uid, entry.gid, entry.linkTarget])).toEqual([
      ['/' + longPath, 3_000_000_000, 2 ** 40, undefined],
      ['/var/link', 0, 0, '/' + longTarget]
    ])
  })

  it('reads large uids and gids from PAX records', async () => {
    const [entry] = await entriesOf([
      { path: 'f', content: 'x', uid: 4_000_000_000, gid: 70_000_000 }
    ])
    expect([entry!.uid, entry!.gid]).toEqual([4_000_000_000, 70_000_000])
  })

  it('joins the ustar prefix field and the name', async () => {
    const path = 'p'.repeat(120) + '/' + 'n'.repeat(90)
    const [entry] = await entriesOf([{ path, content: 'u', longNameStyle: 'ustar' }])
    expect(entry!.path).toBe('/' + path)
  })

  it('keeps binary xattrs such as security.capability byte for byte', async () => {
    const withNewlineAndNul = Buffer.from([0x00, 0x0a, 0x3d, 0x20, 0xff, 0x0a])
    const [entry] = await entriesOf([
      {
        path: 'usr/bin/ping',
        content: 'ELF',
        xattrs: { 'security.capability': capability, 'user.odd': withNewlineAndNul }
      }
    ])
    expect(entry!.xattrs).toEqual({
      'security.capability': capability,
      'user.odd': withNewlineAndNul
    })
    expect(entry!.path).toBe('/usr/bin/ping')
  })

  it('applies PAX global headers to every following entry', async () => {
    const record = (key: string, value: string): string => {
      const rest = key.length + value.length + 3
      const length = rest + String(rest + String(rest).length).length
      return `${length} ${key}=${value}\n`
    }
    const globalBody = Buffer.from(record('uid', '5000') + record('comment', 'made by git archive'))
    const header = tarFile([{ path: 'pax_global_header', content: globalBody }])
    // Turn the first header into a 'g' header and fix its checksum.
    header.write('g', 156)
    header.fill(0x20, 148, 156)
    let sum = 0
    for (const byte of header.subarray(0, 512)) sum += byte
    header.write(sum.toString(8).padStart(6, '0') + '\0 ', 148)
    const body = tarFile([
      { path: 'a', content: 'a' },
      { path: 'b', content: 'b', uid: 7 }
    ])
    const tar = Buffer.concat([header.subarray(0, 1024), body])
    const entries = (await readAll(Readable.from([tar]))).map(({ entry }) => [
      entry.path,
      entry.uid
    ])
    expect(entries).toEqual([
      ['/a', 5000],
      ['/b', 5000]
    ])
  })

  it('reads an archive without the end-of-archive marker, as GNU tar does', async () => {
    const tar = tarFile([{ path: 'a', content: 'a' }])
    const entries = await readAll(Readable.from([tar.subarray(0, tar.length - 1024)]))
    expect(entries.map(({ entry }) => entry.path)).toEqual(['/a'])
  })

  it('rejects bytes that are not a tar archive', async () => {
    const error = await failureOf(
      readAll(Readable.from([Buffer.alloc(2048, 'not a tar ')]), 'docker-archive app.tar')
    )
    expect(error.message).toBe(
      'docker-archive app.tar: not a tar archive (the first header has a bad checksum)'
    )
    expect(error.code).toBe('NOT_TAR')
  })

  it('rejects a file shorter than one tar header as not a tar archive', async () => {
    const error = await failureOf(
      readAll(Readable.from([Buffer.from('hello\n')]), 'oci-archive a.tar')
    )
    expect(error.message).toBe('oci-archive a.tar: not a tar archive (shorter than one tar header)')
    expect(error.code).toBe('NOT_TAR')
  })

  it('rejects a corrupt header after the first', async () => {
    const tar = tarFile([
      { path: 'a', content: 'a' },
      { path: 'b', content: 'b' }
    ])
    tar[1024 + 10] ^= 0xff
    const error = await failureOf(readAll(Readable.from([tar])))
    expect(error.message).toBe('test.tar: corrupt tar header at byte 1024 (bad checksum)')
  })

  it('rejects an archive that ends inside an entry', async () => {
    const tar = tarFile([{ path: 'a', content: Buffer.alloc(5000, 1) }])
    for (const cut of [512 + 100, 512 + 4096, 700]) {
      const error = await failureOf(readAll(chunked(tar.subarray(0, cut), 256), 'layer sha256:abc'))
      expect(error.message).toBe(
        `layer sha256:abc: tar stream is truncated (ended at byte ${cut} inside an entry)`
      )
      expect(error.code).toBe('TRUNCATED_TAR')
    }
  })

  it('rejects an archive that ends inside a header', async () => {
    const tar = tarFile([{ path: 'a', content: 'a' }])
    const error = await failureOf(readAll(Readable.from([tar.subarray(0, 300)])))
    expect(error.code).toBe('TRUNCATED_TAR')
  })

  it('rejects GNU sparse entries clearly', async () => {
    const tar = tarFile([{ path: 'sparse', content: 'x' }])
    tar.write('S', 156)
    tar.fill(0x20, 148, 156)
    let sum = 0
    for (const byte of tar.subarray(0, 512)) sum += byte
    tar.write(sum.toString(8).padStart(6, '0') + '\0 ', 148)
    const error = await failureOf(readAll(Readable.from([tar])))
    expect(error.code).toBe('UNSUPPORTED_TAR')
  })

  it('destroys the source when the consumer stops early', async () => {
    const source = chunked(
      tarFile([
        { path: 'a', content: 'a' },
        { path: 'b', content: 'b' }
      ]),
      512
    )
    for await (const { entry } of readTar(source, 'test.tar')) {
      expect(entry.path).toBe('/a')
      break
    }
    expect(source.destroyed).toBe(true)
  })
})

const noTar = missingTools(['tar'])
if (noTar !== undefined) console.warn(`GNU tar comparison ${noTar}`)

;(noTar === undefined ? describe : describe.skip)('readTar against GNU tar', () => {
  /** `tar -tv --numeric-owner` lines as [type letter, mode, uid/gid, size, path, link]. */
  function gnuListing(archive: string): string[][] {
    const listing = execFileSync('tar', ['--numeric-owner', '-tvf', archive], { encoding: 'utf8' })
    return listing
      .trim()
      .split('\n')
      .map((line) => {
        const match =
          /^(\S)(\S{9}) (\d+)\/(\d+)\s+(\S+) \S+ \S+ (.*?)(?: (?:->|link to) (.*))?$/.exec(line)
        if (match === null) throw new Error(`unexpected tar -tv line: ${line}`)
        const [, letter, , uid, gid, size, path, link] = match
        return [
          letter!,
          `${uid}/${gid}`,
          size!.includes(',') ? '0' : size!,
          normalizePath(path!),
          letter === 'h' ? normalizePath(link!) : (link ?? '')
        ]
      })
  }

  function ourListing(entries: TarEntry[]): string[][] {
    const letters: Record<TarEntry['type'], string> = {
      file: '-',
      dir: 'd',
      symlink: 'l',
      hardlink: 'h',
      char: 'c',
      block: 'b',
      fifo: 'p'
    }
    return entries.map((entry) => [
      letters[entry.type],
      `${entry.uid}/${entry.gid}`,
      String(entry.size),
      entry.path,
      entry.linkTarget ?? ''
    ])
  }

  it.each(['pax', 'gnu'])(
    'lists what tar --format=%s wrote exactly as GNU tar does',
    async (format) => {
      const dir = mkdtempSync(join(tmpdir(), 'tar-cross-'))
      try {
        const root = join(dir, 'root')
        const deep = join(root, 'd'.repeat(60), 'e'.repeat(60))
        mkdirSync(deep, { recursive: true })
        const longFile = join(deep, 'f'.repeat(30))
        writeFileSync(longFile, 'long name\n')
        writeFileSync(join(root, 'ping'), 'ELF')
        setxattrIfPossible(join(root, 'ping'), 'user.capability', capability)
        linkSync(join(root, 'ping'), join(root, 'ping-hard'))
        symlinkSync(
          'd'.repeat(60) + '/' + 'e'.repeat(60) + '/' + 'f'.repeat(30),
          join(root, 'to-long')
        )
        const archive = join(dir, 'out.tar')
        execFileSync('tar', [
          `--format=${format}`,
          ...(format === 'pax' ? ['--xattrs', '--xattrs-include=user.*'] : []),
          '--sort=name',
          '-cf',
          archive,
          '-C',
          root,
          '.'
        ])
        const entries = (await readAll(Readable.from([readFileSync(archive)]))).map(
          ({ entry }) => entry
        )
        expect(ourListing(entries)).toEqual(gnuListing(archive))
        expect(entries.some((entry) => entry.path.length > 150)).toBe(true)
        if (format === 'pax' && xattrsSupported) {
          expect(entries.find((entry) => entry.path === '/ping')?.xattrs).toEqual({
            'user.capability': capability
          })
        }
      } finally {
        rmSync(dir, { recursive: true, force: true })
      }
    }
  )
})

let xattrsSupported = true
/** Node has no xattr API; python's os.setxattr writes the raw bytes. */
function setxattrIfPossible(path: string, name: string, value: Buffer): void {
  try {
    execFileSync('python3', [
      '-c',
      'import os, sys; os.setxattr(sys.argv[1], sys.argv[2], bytes.fromhex(sys.argv[3]))',
      path,
      name,
      value.toString('hex')
    ])
  } catch {
    xattrsSupported = false
  }
}
