/**
 * Hostile images, class "bounded memory and time in decompression and tar reading": every
 * inflate has an output budget, tar metadata has caps, zstd frames may not ask for huge windows.
 * Small versions of each case; scripts/hostile-decompression.ts writes the full-size ones.
 */
import { afterAll, describe, expect, it } from '@jest/globals'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import * as zlib from 'node:zlib'
import {
  deflatedMember,
  elfWithDepSection,
  storedMember,
  zipOf as zipOfMembers
} from '../../__fixtures__/hostile-files.js'
import { buildImage, tarFile, type FixtureEntry } from '../../__fixtures__/image-builder.js'
import { ACQUIRE, memorySource } from '../../__fixtures__/memory-source.js'
import { runGate } from '../../src/engine.js'
import { ImageError } from '../../src/errors.js'
import { analyzeLayer } from '../../src/image/layer/analyze.js'
import { Decompressor, ZstdFrameScanner } from '../../src/image/layer/compression.js'
import { readTar } from '../../src/image/layer/tar.js'
import type { TarEntry } from '../../src/image/types.js'
import { silentLogger } from '../../src/log.js'
import { defaultPolicy } from '../../src/policy/defaults.js'
import type { StepId } from '../../src/findings.js'
import {
  BINARIES_SUBSCRIPTION,
  MAX_BINARY_PACKAGES
} from '../../src/steps/composition/catalog/binaries.js'
import { readZipMembers } from '../../src/steps/composition/osv/zip.js'
import { NPM_OSV_DIR } from '../steps/composition/osv-data.js'

const MiB = 1024 * 1024
const BLOCK = 512

const LEFT_PAD: FixtureEntry = {
  path: 'usr/lib/node_modules/left-pad/package.json',
  content: '{"name":"left-pad","version":"1.3.0"}'
}

/** Composition only, on the npm OSV fixtures; returns its input-not-analysed findings and packages. */
/** A zip of members given by content: deflated, or stored when `store` is set. */
function zipOf(members: { name: string; content: Buffer; store?: boolean }[]): Buffer {
  return zipOfMembers(
    members.map((m) =>
      m.store === true ? storedMember(m.name, m.content) : deflatedMember(m.name, m.content)
    )
  )
}

async function composition(entries: FixtureEntry[]) {
  const image = buildImage({ layers: [{ entries: [LEFT_PAD, ...entries] }] })
  const policy = defaultPolicy()
  for (const id of Object.keys(policy.steps) as StepId[])
    policy.steps[id].enabled = id === 'composition'
  policy.composition.vulnDb = NPM_OSV_DIR
  // The fixtures hold npm records only; crates and Maven packages are catalogued, not matched.
  policy.composition.allowNoVulnData = true
  const { report, artifacts } = await runGate(
    { image: 'oci:test', policy, acquire: ACQUIRE },
    silentLogger,
    undefined,
    () => memorySource(image)
  )
  return {
    layerDigest: image.layers[0]!.digest,
    unread: report.findings
      .filter((finding) => finding.rule === 'composition/input-not-analysed')
      .map(({ severity, blocking, title, location }) => ({ severity, blocking, title, location })),
    packages: (artifacts.packages ?? []).map((p) => `${p.path} ${p.name}@${p.version}`)
  }
}

async function failureOf(promise: Promise<unknown>): Promise<Error> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught
  )
  if (!(error instanceof Error)) throw new Error(`expected an error, got ${String(error)}`)
  return error
}

describe('embedded and archived data over its inflate budget', () => {
  it('reports an ELF whose cargo-auditable section inflates past 8 MiB, and scans the rest', async () => {
    const section = zlib.deflateSync(Buffer.alloc(9 * MiB))
    const { unread, layerDigest, packages } = await composition([
      { path: 'usr/bin/app', content: elfWithDepSection(section), mode: 0o755 }
    ])
    expect(unread).toEqual([
      {
        severity: 'high',
        blocking: true,
        title:
          '/usr/bin/app was not analysed: its cargo-auditable .dep-v0 section inflates to more than 8.0 MiB',
        location: { path: '/usr/bin/app', layerDigest }
      }
    ])
    expect(packages).toEqual(['/usr/lib/node_modules/left-pad/package.json left-pad@1.3.0'])
  })

  it('still reads the crates of a cargo-auditable section within the budget', async () => {
    const json = JSON.stringify({
      packages: [{ name: 'smallvec', version: '1.6.0', source: 'crates.io' }]
    })
    const { unread, packages } = await composition([
      { path: 'usr/bin/app', content: elfWithDepSection(zlib.deflateSync(json)), mode: 0o755 }
    ])
    expect(unread).toEqual([])
    expect(packages).toContain('/usr/bin/app smallvec@1.6.0')
  })

  it('lists each crate of a binary once, and no more crates than any real binary holds', async () => {
    // A few kilobytes of compressed JSON listing one crate 120,000 times, and 12,000 distinct ones.
    const same = JSON.stringify({
      packages: Array(120_000).fill({ name: 'serde', version: '1.0.0', source: 'crates.io' })
    })
    const many = JSON.stringify({
      packages: Array.from({ length: 12_000 }, (_, i) => ({ name: `c${i}`, version: '1.0.0' }))
    })
    const { unread, packages } = await composition([
      { path: 'usr/bin/same', content: elfWithDepSection(zlib.deflateSync(same)), mode: 0o755 },
      { path: 'usr/bin/many', content: elfWithDepSection(zlib.deflateSync(many)), mode: 0o755 }
    ])
    expect(packages.filter((p) => p.startsWith('/usr/bin/same '))).toEqual([
      '/usr/bin/same serde@1.0.0'
    ])
    expect(packages.filter((p) => p.startsWith('/usr/bin/many '))).toHaveLength(MAX_BINARY_PACKAGES)
    expect(unread.map((f) => f.title)).toEqual([
      `/usr/bin/many was not analysed: it lists more than ${MAX_BINARY_PACKAGES} packages; the first are reported`
    ])
  })

  it('reports a jar whose manifest inflates past 1 MiB, keeping the packages of its pom.properties', async () => {
    const jar = zipOf([
      { name: 'META-INF/MANIFEST.MF', content: Buffer.alloc(2 * MiB, 'A') },
      {
        name: 'META-INF/maven/org.example/lib/pom.properties',
        content: Buffer.from('groupId=org.example\nartifactId=lib\nversion=1.0.0\n')
      }
    ])
    const { unread, packages, layerDigest } = await composition([
      { path: 'app/lib.jar', content: jar }
    ])
    expect(unread).toEqual([
      {
        severity: 'high',
        blocking: true,
        title:
          '/app/lib.jar was not analysed: its member META-INF/MANIFEST.MF inflates to more than 1.0 MiB',
        location: { path: '/app/lib.jar', layerDigest }
      }
    ])
    expect(packages).toContain('/app/lib.jar org.example:lib@1.0.0')
  })

  it('stops inflating jars nested in jars at 256 MiB for the whole archive', async () => {
    const zeros = Buffer.alloc(100 * MiB)
    const middle = zipOf([
      { name: 'lib/z0.jar', content: zeros },
      { name: 'lib/z1.jar', content: zeros }
    ])
    // Stored: the middle jars are views of the outer archive; their zeros are what inflates.
    const outer = zipOf([
      { name: 'WEB-INF/lib/m0.jar', content: middle, store: true },
      { name: 'WEB-INF/lib/m1.jar', content: middle, store: true }
    ])
    const { unread } = await composition([{ path: 'app/app.war', content: outer }])
    expect(unread.map((u) => u.title)).toEqual([
      '/app/app.war was not analysed: its members inflate to more than 256.0 MiB in all, passed at WEB-INF/lib/m1.jar:lib/z0.jar (and 1 more)'
    ])
  })

  it('reports a Java archive over the 128 MiB opened, without reading it', () => {
    const visitor = BINARIES_SUBSCRIPTION.createVisitor()
    const entry: TarEntry = {
      path: '/app/huge.jar',
      type: 'file',
      mode: 0o644,
      uid: 0,
      gid: 0,
      size: 129 * MiB,
      mtime: 0
    }
    expect(visitor.onEntry(entry)).toBeUndefined()
    expect(visitor.finish()).toEqual([
      {
        path: '/app/huge.jar',
        packages: [],
        unread: 'it is 129.0 MiB, over the 128.0 MiB of a Java archive this step opens'
      }
    ])
  })

  describe('OSV zip', () => {
    const dir = mkdtempSync(join(tmpdir(), 'osv-zip-'))
    afterAll(() => rmSync(dir, { recursive: true, force: true }))

    it('refuses a member that inflates past the record budget', async () => {
      const path = join(dir, 'bomb.zip')
      writeFileSync(
        path,
        zipOf([
          { name: 'a.json', content: Buffer.from('{}') },
          { name: 'b.json', content: Buffer.alloc(64 * 1024, ' ') }
        ])
      )
      const seen: string[] = []
      const error = await failureOf(
        readZipMembers(
          path,
          () => true,
          (name) => seen.push(name),
          16 * 1024
        )
      )
      expect(error.message).toBe('member b.json inflates to more than 16.0 KiB')
      expect(seen).toEqual(['a.json'])
    })

    it('refuses a member whose directory entry claims more bytes than the file has', async () => {
      const zip = zipOf([{ name: 'a.json', content: Buffer.from('{}') }])
      // Central directory compressed size (offset 20 of the record after the local member).
      const central = zip.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]))
      zip.writeUInt32LE(0xfffffff0, central + 20)
      const path = join(dir, 'liar.zip')
      writeFileSync(path, zip)
      const error = await failureOf(
        readZipMembers(
          path,
          () => true,
          () => undefined
        )
      )
      expect(error.message).toBe('member a.json is truncated')
    })
  })
})

/** Bytes of a tar: a header of `type` and `size`, its data padded to blocks. */
function rawEntry(name: string, type: string, data: Buffer): Buffer {
  const block = Buffer.alloc(BLOCK)
  block.write(name, 0, 100, 'utf8')
  block.write('0000644', 100, 'ascii')
  block.write('0000000', 108, 'ascii')
  block.write('0000000', 116, 'ascii')
  block.write(data.length.toString(8).padStart(11, '0'), 124, 'ascii')
  block.write('00000000000', 136, 'ascii')
  block.write(type, 156, 'ascii')
  block.write('ustar\u000000', 257, 'ascii')
  block.fill(0x20, 148, 156)
  let sum = 0
  for (const byte of block) sum += byte
  block.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 'ascii')
  return Buffer.concat([block, data, Buffer.alloc((BLOCK - (data.length % BLOCK)) % BLOCK)])
}

function paxRecords(records: [string, string | Buffer][]): Buffer {
  return Buffer.concat(
    records.map(([key, value]) => {
      const bytes = Buffer.from(value)
      const rest = Buffer.byteLength(key) + bytes.length + 3
      let length = rest + String(rest).length
      if (String(length).length !== String(rest).length) length = rest + String(length).length
      return Buffer.concat([Buffer.from(`${length} ${key}=`), bytes, Buffer.from('\n')])
    })
  )
}

const END = Buffer.alloc(BLOCK * 2)

async function entries(tar: Buffer): Promise<TarEntry[]> {
  const out: TarEntry[] = []
  for await (const { entry } of readTar(Readable.from([tar]), 'layer sha256:abc')) out.push(entry)
  return out
}

describe('tar metadata caps', () => {
  it.each([
    [
      'a GNU long name over 64 KiB',
      rawEntry('././@LongLink', 'L', Buffer.alloc(64 * 1024 + 1, 'a')),
      'layer sha256:abc: GNU long name at byte 0 (header name "././@LongLink") is 65537 bytes, over the 65536-byte limit'
    ],
    [
      'a GNU long link name over 64 KiB',
      rawEntry('././@LongLink', 'K', Buffer.alloc(100 * 1024, 'a')),
      'layer sha256:abc: GNU long link name at byte 0 (header name "././@LongLink") is 102400 bytes, over the 65536-byte limit'
    ],
    [
      'a pax path over 64 KiB',
      rawEntry('PaxHeaders/x', 'x', paxRecords([['path', 'a'.repeat(64 * 1024 + 1)]])),
      'layer sha256:abc: pax record "path" is 65537 bytes, over the 65536-byte limit in the pax extended header at byte 0'
    ],
    [
      'a pax extended header over 1 MiB',
      rawEntry('PaxHeaders/x', 'x', paxRecords([['comment', 'a'.repeat(MiB)]])),
      'layer sha256:abc: pax extended header at byte 0 (header name "PaxHeaders/x") is 1048593 bytes, over the 1048576-byte limit'
    ],
    [
      'a global pax header over 64 KiB',
      rawEntry('pax_global_header', 'g', paxRecords([['comment', 'a'.repeat(64 * 1024)]])),
      'layer sha256:abc: pax global header at byte 0 (header name "pax_global_header") is 65551 bytes, over the 65536-byte limit'
    ],
    [
      'global pax headers of more than 256 records',
      Buffer.concat([
        rawEntry('g1', 'g', paxRecords(Array.from({ length: 200 }, (_, i) => [`k${i}`, 'v']))),
        rawEntry('g2', 'g', paxRecords(Array.from({ length: 57 }, (_, i) => [`j${i}`, 'v'])))
      ]),
      'layer sha256:abc: global pax headers up to byte 2560 hold 257 records, over the 256 limit'
    ]
  ])('refuses %s, naming the layer and the entry', async (_, head, message) => {
    const error = await failureOf(
      entries(Buffer.concat([head, rawEntry('f', '0', Buffer.alloc(0)), END]))
    )
    expect(error).toBeInstanceOf(ImageError)
    expect(error.message).toBe(message)
  })

  it('accepts a long name of 4 KiB, longer than any real path', async () => {
    const name = `${'d/'.repeat(2047)}f`
    const tar = tarFile([{ path: name, content: 'x', longNameStyle: 'gnu' }])
    expect((await entries(tar)).map((e) => e.path)).toEqual([`/${name}`])
  })

  it('applies 256 global records to 2000 entries, an entry own record overriding them', async () => {
    const global = paxRecords([
      ['uid', '4242'],
      ['SCHILY.xattr.user.tag', 'global'],
      ...Array.from({ length: 254 }, (_, i): [string, string] => [`comment.k${i}`, 'v'])
    ])
    const files = Array.from({ length: 2000 }, (_, i) => rawEntry(`f${i}`, '0', Buffer.alloc(0)))
    const own = rawEntry(
      'PaxHeaders/last',
      'x',
      paxRecords([
        ['uid', '7'],
        ['SCHILY.xattr.user.tag', '']
      ])
    )
    const tar = Buffer.concat([
      rawEntry('pax_global_header', 'g', global),
      ...files,
      own,
      rawEntry('last', '0', Buffer.alloc(0)),
      END
    ])
    const read = await entries(tar)
    expect(read).toHaveLength(2001)
    expect(read[1999]).toMatchObject({
      path: '/f1999',
      uid: 4242,
      xattrs: { 'user.tag': Buffer.from('global') }
    })
    expect(read[2000]!.uid).toBe(7)
    expect(read[2000]!.xattrs).toBeUndefined()
  })
})

/** A zstd frame (RFC 8878 §3.1.1) of raw blocks, with the given Window_Descriptor byte. */
function zstdFrame(content: Buffer, windowDescriptor: number): Buffer {
  const parts: Buffer[] = [Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x00, windowDescriptor])]
  for (let at = 0; at < content.length; at += 128 * 1024) {
    const piece = content.subarray(at, at + 128 * 1024)
    const value = (piece.length << 3) | (at + piece.length >= content.length ? 1 : 0)
    parts.push(Buffer.from([value & 0xff, (value >> 8) & 0xff, value >> 16]), piece)
  }
  return Buffer.concat(parts)
}

/** A frame of `blocks` RLE blocks of 128 KiB zeros each: 4 bytes in, 128 KiB out per block. */
function zstdRleBomb(blocks: number): Buffer {
  const parts = [Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x00, (7 << 3) | 0])]
  for (let i = 0; i < blocks; i++) {
    const value = ((128 * 1024) << 3) | (1 << 1) | (i === blocks - 1 ? 1 : 0)
    parts.push(Buffer.from([value & 0xff, (value >> 8) & 0xff, value >> 16, 0]))
  }
  return Buffer.concat(parts)
}

describe('zstd windows', () => {
  const tar = tarFile([LEFT_PAD])

  it('refuses a layer whose zstd frame asks for a 1.9 GiB window', async () => {
    const blob = zstdFrame(tar, (20 << 3) | 7)
    const error = await failureOf(
      analyzeLayer(Readable.from([blob]), { name: 'sha256:abc', requests: [], subscriptions: [] })
    )
    expect(error).toBeInstanceOf(ImageError)
    expect(error.message).toBe(
      "layer sha256:abc: zstd frame at byte 0 asks for a 1.9 GiB window, over the 128.0 MiB this gate decompresses with (zstd's own default limit); recompress the layer without --long"
    )
  })

  it('reads a layer whose zstd frame window is 8 MiB', async () => {
    const analysis = await analyzeLayer(Readable.from([zstdFrame(tar, 13 << 3)]), {
      name: 'sha256:abc',
      requests: [],
      subscriptions: []
    })
    expect(analysis.compression).toBe('zstd')
    expect(analysis.entries.map((e) => e.path)).toEqual([
      '/usr/lib/node_modules/left-pad/package.json'
    ])
  })

  it.each([
    ['2^27 exactly', Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x00, 17 << 3]), []],
    [
      'a single-segment frame of 2^27 + 1 bytes (window = content size)',
      Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0xa0, 0x01, 0x00, 0x00, 0x08]),
      ['zstd frame at byte 0 asks for a 128.0 MiB window']
    ],
    [
      'a second frame after a skippable one',
      Buffer.concat([
        zstdFrame(Buffer.from('x'), 10 << 3),
        Buffer.from([0x50, 0x2a, 0x4d, 0x18, 2, 0, 0, 0, 9, 9]),
        Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x00, 18 << 3])
      ]),
      ['zstd frame at byte 20 asks for a 256.0 MiB window']
    ]
  ])('the frame scanner judges %s', (_, bytes, expected) => {
    // One byte at a time, so that every header spans chunks.
    const scanner = new ZstdFrameScanner()
    const errors: string[] = []
    try {
      for (const byte of bytes) scanner.scan(Buffer.from([byte]))
    } catch (error) {
      errors.push((error as Error).message)
    }
    expect(errors).toEqual(expected)
  })

  it('decompresses an RLE bomb a block at a time to its exact size', async () => {
    const decompressor = new Decompressor('layer sha256:abc')
    let total = 0
    const done = (async () => {
      for await (const chunk of decompressor as AsyncIterable<Buffer>) total += chunk.length
    })()
    decompressor.end(zstdRleBomb(2048))
    await done
    expect(total).toBe(2048 * 128 * 1024)
  })
})
