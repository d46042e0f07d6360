import { describe, expect, it } from '@jest/globals'
import { Readable } from 'node:stream'
import { gzipSync } from 'node:zlib'
import {
  buildImage,
  compress,
  dockerArchive,
  ociArchive,
  tarFile,
  type FixtureEntry
} from '../../__fixtures__/image-builder.js'
import { ImageError } from '../../src/errors.js'
import type { EntrySink, LayerSubscription } from '../../src/image/analysis.js'
import { sha256 } from '../../src/image/digest.js'
import { analyzeLayer, CaptureBudget, whiteoutOf } from '../../src/image/layer/analyze.js'
import { Decompressor, detectCompression } from '../../src/image/layer/compression.js'
import { readTar } from '../../src/image/layer/tar.js'
import type { TarEntry } from '../../src/image/types.js'

function chunked(bytes: Buffer, size: number): Readable {
  const chunks: Buffer[] = []
  for (let i = 0; i < bytes.length; i += size) chunks.push(bytes.subarray(i, i + size))
  return Readable.from(chunks)
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

const layerEntries: FixtureEntry[] = [
  { path: 'etc/' },
  { path: 'etc/passwd', content: 'root:x:0:0:root:/root:/bin/sh\n' },
  { path: 'etc/shadow', content: 'root:*:19000::::::\n', mode: 0o640 },
  { path: 'usr/bin/tool', content: Buffer.alloc(3000, 0x41), mode: 0o755 },
  { path: 'usr/share/doc/big.txt', content: 'b'.repeat(5000) }
]

describe('detectCompression', () => {
  it.each([
    [[0x1f, 0x8b, 0x08, 0x00], 'gzip'],
    [[0x28, 0xb5, 0x2f, 0xfd], 'zstd'],
    [[0x2e, 0x2f, 0x00, 0x00], 'none'],
    [[0x1f], 'none'],
    [[], 'none']
  ])('reads magic bytes %j as %s', (bytes, expected) => {
    expect(detectCompression(Buffer.from(bytes))).toBe(expected)
  })
})

describe('Decompressor', () => {
  it.each(['gzip', 'zstd', 'none'] as const)(
    'restores the %s stream fed one odd-sized chunk at a time',
    async (kind) => {
      const original = Buffer.from(Array.from({ length: 200_000 }, (_, i) => (i * 7919) % 251))
      const decompressor = new Decompressor('layer test')
      const out = Buffer.concat(
        await chunked(compress(original, kind), 3).pipe(decompressor).toArray()
      )
      expect(out.equals(original)).toBe(true)
      expect(decompressor.compression).toBe(kind)
    }
  )
})

describe('analyzeLayer', () => {
  const tar = tarFile(layerEntries)

  it.each(['gzip', 'zstd', 'none'] as const)(
    'detects %s by its bytes and computes digest and diffID in one pass',
    async (kind) => {
      const blob = compress(tar, kind)
      const analysis = await analyzeLayer(chunked(blob, 1000), {
        name: 'sha256:test',
        expectedDigest: sha256(blob),
        requests: [],
        subscriptions: []
      })
      expect(analysis).toEqual({
        diffId: sha256(tar),
        digest: sha256(blob),
        compressedSize: blob.length,
        uncompressedSize: tar.length,
        compression: kind,
        entries: expect.any(Array),
        whiteouts: [],
        contents: new Map(),
        unread: new Map(),
        visits: new Map(),
        budgetLimited: false
      })
      expect(analysis.entries.map((entry) => entry.path)).toEqual([
        '/etc',
        '/etc/passwd',
        '/etc/shadow',
        '/usr/bin/tool',
        '/usr/share/doc/big.txt'
      ])
    }
  )

  it('rejects a blob that does not match its digest, naming the layer, and destroys the source', async () => {
    const blob = compress(tar, 'gzip')
    const source = chunked(blob, 4096)
    const wrong = sha256('something else')
    const error = await failureOf(
      analyzeLayer(source, {
        name: 'sha256:abc',
        expectedDigest: wrong,
        requests: [],
        subscriptions: []
      })
    )
    expect(error.code).toBe('DIGEST_MISMATCH')
    expect(error.message).toBe(
      `layer sha256:abc does not match its digest: expected ${wrong}, got ${sha256(blob)}; the image is corrupt or was tampered with.`
    )
    expect(source.destroyed).toBe(true)
  })

  it.each(['gzip', 'zstd'] as const)(
    'rejects a truncated %s layer with an ImageError naming it',
    async (kind) => {
      const blob = compress(tar, kind)
      const error = await failureOf(
        analyzeLayer(Readable.from([blob.subarray(0, blob.length - 20)]), {
          name: 'sha256:abc',
          requests: [],
          subscriptions: []
        })
      )
      expect(error.message).toMatch(
        new RegExp(`^layer sha256:abc: ${kind} stream is truncated or corrupt`)
      )
      expect(error.code).toBe('CORRUPT_LAYER')
    }
  )

  it('rejects corrupt gzip data with an ImageError naming the layer', async () => {
    const blob = Buffer.from(compress(tar, 'gzip'))
    blob.fill(0x55, 20, 60)
    const error = await failureOf(
      analyzeLayer(Readable.from([blob]), { name: 'sha256:abc', requests: [], subscriptions: [] })
    )
    expect(error.message).toMatch(/^layer sha256:abc: gzip stream is truncated or corrupt/)
  })

  it('rejects a compressed blob that holds no tar archive', async () => {
    const error = await failureOf(
      analyzeLayer(Readable.from([gzipSync(Buffer.alloc(4096, 'hello world '))]), {
        name: 'sha256:abc',
        requests: [],
        subscriptions: []
      })
    )
    expect(error.message).toBe(
      'layer sha256:abc: not a tar archive (the first header has a bad checksum)'
    )
  })

  it('classifies whiteouts and opaque markers and keeps them out of the entries', async () => {
    const analysis = await analyzeLayer(
      Readable.from([
        tarFile([
          { path: 'etc/.wh.shadow' },
          { path: 'var/cache/.wh..wh..opq' },
          { path: 'var/cache/kept', content: 'k' },
          { path: '.wh.opt' },
          { path: 'usr/.wh..wh.plnk' }
        ])
      ]),
      { name: 'sha256:abc', requests: [], subscriptions: [] }
    )
    expect(analysis.whiteouts).toEqual([
      { path: '/etc/shadow', opaque: false },
      { path: '/var/cache', opaque: true },
      { path: '/opt', opaque: false }
    ])
    expect(analysis.entries.map((entry) => entry.path)).toEqual(['/var/cache/kept'])
  })

  it.each([
    ['/etc/.wh.shadow', { path: '/etc/shadow', opaque: false }],
    ['/.wh..wh..opq', { path: '/', opaque: true }],
    ['/a/.wh..wh..opq', { path: '/a', opaque: true }],
    ['/a/.wh..wh.aufs', null],
    ['/a/.whatever', undefined],
    ['/a/x.wh.y', undefined]
  ])('reads %s as whiteout %j', (path, expected) => {
    expect(whiteoutOf(path)).toEqual(expected)
  })

  it('captures only files matched by a request and not larger than its maxBytes', async () => {
    const analysis = await analyzeLayer(Readable.from([compress(tar, 'gzip')]), {
      name: 'sha256:abc',
      requests: [
        { globs: ['/etc/*'], maxBytes: 1024 },
        { match: (entry) => (entry.mode & 0o111) !== 0, matchKey: 'executables@1', maxBytes: 2000 },
        { globs: ['/usr/share/**'], maxBytes: 4999 }
      ],
      subscriptions: []
    })
    expect([...analysis.contents]).toEqual([
      ['/etc/passwd', Buffer.from('root:x:0:0:root:/root:/bin/sh\n')],
      ['/etc/shadow', Buffer.from('root:*:19000::::::\n')]
    ])
    // /usr/bin/tool (3000 B) is over the executable request's 2000; big.txt over 4999.
    expect([...analysis.unread]).toEqual([
      ['/usr/bin/tool', 'it is 2.9 KiB, over the 2.0 KiB read of such a file'],
      ['/usr/share/doc/big.txt', 'it is 5000 bytes, over the 4999 bytes read of such a file']
    ])
    expect(analysis.budgetLimited).toBe(false)
  })

  it("records files over the scan's capture budget as unread, and gives back what a replaced entry held", async () => {
    const budget = new CaptureBudget(250)
    const analysis = await analyzeLayer(
      Readable.from([
        tarFile([
          { path: 'a', content: 'a'.repeat(100) },
          { path: 'a', content: 'a'.repeat(120) },
          { path: 'b', content: 'b'.repeat(100) },
          { path: 'c', content: 'c'.repeat(100) }
        ])
      ]),
      {
        name: 'l',
        requests: [{ globs: ['/*'], maxBytes: 1000 }],
        subscriptions: [],
        captureBudget: budget
      }
    )
    expect([...analysis.contents.keys()]).toEqual(['/a', '/b'])
    expect([...analysis.unread]).toEqual([
      ['/c', "the scan's budget of 250 B for file contents was used up before it"]
    ])
    // What it kept depends on the other layers of the scan: never a layer cache entry.
    expect(analysis.budgetLimited).toBe(true)
  })

  it('stops with an error naming the limit when a scan passes its number of entries', async () => {
    const budget = new CaptureBudget(1024, 3)
    const layer = (names: string[]) =>
      Readable.from([tarFile(names.map((path) => ({ path, content: '' })))])
    await analyzeLayer(layer(['a', 'b']), {
      name: 'l1',
      requests: [],
      subscriptions: [],
      captureBudget: budget
    })
    const error = await failureOf(
      analyzeLayer(layer(['c', 'd']), {
        name: 'l2',
        requests: [],
        subscriptions: [],
        captureBudget: budget
      })
    )
    expect(error.code).toBe('TOO_MANY_ENTRIES')
    expect(error.message).toBe(
      'layer l2: the image has more than 3 files, directories and links across its layers, more than the gate indexes in one scan (docs/limits.md); a hostile or unusually large image.'
    )
  })

  it('names a digest mismatch as the cause when a tampered layer fails to parse', async () => {
    const blob = tarFile([{ path: 'etc/passwd', content: 'root' }])
    const tampered = Buffer.from(blob)
    tampered.fill(0x41, 100, 150)
    const error = await failureOf(
      analyzeLayer(chunked(tampered, 64), {
        name: 'sha256:abc',
        expectedDigest: sha256(blob),
        requests: [],
        subscriptions: []
      })
    )
    expect(error.code).toBe('DIGEST_MISMATCH')
    expect(error.message).toBe(
      `layer sha256:abc does not match its digest: expected ${sha256(blob)}, got ${sha256(tampered)}; the image is corrupt or was tampered with.`
    )
  })

  it('says a layer that fails to parse matches its digest, so it was built that way', async () => {
    const blob = gzipSync(Buffer.alloc(4096, 'hello world '))
    const error = await failureOf(
      analyzeLayer(chunked(blob, 64), {
        name: 'sha256:abc',
        expectedDigest: sha256(blob),
        requests: [],
        subscriptions: []
      })
    )
    expect(error.message).toBe(
      "layer sha256:abc: not a tar archive (the first header has a bad checksum); the layer's bytes match its digest, so it was built this way, not damaged in transit."
    )
  })

  it('matches dot files with globs', async () => {
    const analysis = await analyzeLayer(
      Readable.from([tarFile([{ path: 'root/.aws/credentials', content: 'secret' }])]),
      {
        name: 'l',
        requests: [{ globs: ['/root/**/credentials'], maxBytes: 100 }],
        subscriptions: []
      }
    )
    expect(analysis.contents.get('/root/.aws/credentials')?.toString()).toBe('secret')
  })

  it('drops content captured for a path that a later entry of the same layer replaces', async () => {
    const analysis = await analyzeLayer(
      Readable.from([
        tarFile([
          { path: 'app/config', content: 'old' },
          { path: 'app/config', content: 'x'.repeat(200) }
        ])
      ]),
      { name: 'l', requests: [{ globs: ['/app/config'], maxBytes: 100 }], subscriptions: [] }
    )
    expect(analysis.contents.has('/app/config')).toBe(false)
    expect(analysis.entries.map((entry) => entry.size)).toEqual([3, 200])
  })

  it('feeds every entry to one fresh visitor per subscription and fans content out once read', async () => {
    const created: string[] = []
    const recorder = (
      id: string,
      wants: (entry: TarEntry) => boolean
    ): LayerSubscription<string[]> => ({
      id,
      version: 1,
      settings: '',
      createVisitor: () => {
        created.push(id)
        const seen: string[] = []
        return {
          onEntry(entry): EntrySink | undefined {
            seen.push(`${entry.type} ${entry.path}`)
            if (!wants(entry)) return undefined
            const chunks: Buffer[] = []
            return {
              write: (chunk) => chunks.push(Buffer.from(chunk)),
              end: () => seen.push(`${entry.path}=${Buffer.concat(chunks).toString().slice(0, 8)}`)
            }
          },
          finish: () => seen
        }
      }
    })
    const analysis = await analyzeLayer(chunked(compress(tar, 'zstd'), 512), {
      name: 'l',
      requests: [{ globs: ['/etc/passwd'], maxBytes: 100 }],
      subscriptions: [
        recorder('secrets', (entry) => entry.path.startsWith('/etc/')),
        recorder(
          'binaries',
          (entry) => entry.path === '/usr/bin/tool' || entry.path === '/etc/passwd'
        )
      ]
    })
    expect(created).toEqual(['secrets', 'binaries'])
    expect(analysis.visits).toEqual(
      new Map([
        [
          'secrets@1',
          [
            'dir /etc',
            'file /etc/passwd',
            '/etc/passwd=root:x:0',
            'file /etc/shadow',
            '/etc/shadow=root:*:1',
            'file /usr/bin/tool',
            'file /usr/share/doc/big.txt'
          ]
        ],
        [
          'binaries@1',
          [
            'dir /etc',
            'file /etc/passwd',
            '/etc/passwd=root:x:0',
            'file /etc/shadow',
            'file /usr/bin/tool',
            '/usr/bin/tool=AAAAAAAA',
            'file /usr/share/doc/big.txt'
          ]
        ]
      ])
    )
    expect(analysis.contents.get('/etc/passwd')?.toString()).toBe('root:x:0:0:root:/root:/bin/sh\n')
  })

  it('rejects when a visitor throws, and destroys the source', async () => {
    const source = chunked(compress(tar, 'gzip'), 256)
    const failure = new Error('visitor bug')
    const promise = analyzeLayer(source, {
      name: 'l',
      requests: [],
      subscriptions: [
        {
          id: 'broken',
          version: 1,
          settings: '',
          createVisitor: () => ({
            onEntry: () => {
              throw failure
            },
            finish: () => undefined
          })
        }
      ]
    })
    await expect(promise).rejects.toBe(failure)
    expect(source.destroyed).toBe(true)
  })

  it('reads a gzip layer followed by zero bytes, as gzip does', async () => {
    const tar = tarFile(layerEntries)
    // zlib ends at the end of the gzip data; the padding after it must not stall the pass.
    const blob = Buffer.concat([compress(tar, 'gzip'), Buffer.alloc(3 * 1024 * 1024)])
    const analysis = await analyzeLayer(chunked(blob, 65_536), {
      name: 'l',
      expectedDigest: sha256(blob),
      requests: [],
      subscriptions: []
    })
    expect(analysis.diffId).toBe(sha256(tar))
    expect(analysis.digest).toBe(sha256(blob))
    expect(analysis.entries.map((entry) => entry.path)).toContain('/etc/passwd')
  })

  it('reads a highly compressed layer without holding it in memory', async () => {
    // 256 MiB of zeros gzip to about 256 KiB; the pass must stream, not buffer.
    const big = tarFile([{ path: 'zeros', content: Buffer.alloc(256 * 1024 * 1024) }])
    const blob = compress(big, 'gzip')
    const before = process.memoryUsage().rss
    let peak = before
    const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5)
    try {
      const analysis = await analyzeLayer(Readable.from([blob]), {
        name: 'l',
        requests: [],
        subscriptions: []
      })
      expect(analysis.uncompressedSize).toBe(big.length)
    } finally {
      clearInterval(timer)
    }
    expect(peak - before).toBeLessThan(64 * 1024 * 1024)
  })
})

describe('analyzeLayer on layers inside outer archives', () => {
  const image = buildImage({
    layers: [
      { entries: layerEntries, compression: 'zstd' },
      { entries: [{ path: 'etc/.wh.shadow' }, { path: 'app/run', content: 'go' }] }
    ]
  })

  it('analyses each layer.tar of a docker save archive straight from the outer stream', async () => {
    const diffIds: string[] = []
    let manifest: unknown
    for await (const { entry, content } of readTar(
      chunked(dockerArchive(image, ['app:1']), 8192),
      'docker-archive'
    )) {
      if (entry.path === '/manifest.json')
        manifest = JSON.parse(Buffer.concat(await content.toArray()).toString())
      if (entry.path.endsWith('/layer.tar')) {
        const analysis = await analyzeLayer(content, {
          name: entry.path,
          requests: [],
          subscriptions: []
        })
        diffIds.push(analysis.diffId)
      }
    }
    expect(diffIds).toEqual(image.config.rootfs.diff_ids)
    expect(manifest).toEqual([
      {
        Config: `${image.configDigest.slice(7)}.json`,
        RepoTags: ['app:1'],
        Layers: expect.arrayContaining([expect.stringMatching(/^[a-f0-9]{64}\/layer\.tar$/)])
      }
    ])
  })

  it('verifies every layer blob of an oci-archive against its digest', async () => {
    const seen: string[] = []
    for await (const { entry, content } of readTar(
      chunked(ociArchive([{ image, ref: 'v1' }]), 3000),
      'oci-archive'
    )) {
      const digest = `sha256:${entry.path.slice('/blobs/sha256/'.length)}`
      const layer = image.layers.find((candidate) => candidate.digest === digest)
      if (layer === undefined) continue
      const analysis = await analyzeLayer(content, {
        name: digest,
        expectedDigest: digest,
        requests: [],
        subscriptions: []
      })
      seen.push(`${analysis.compression} ${analysis.diffId === layer.diffId}`)
    }
    expect(seen.sort()).toEqual(['gzip true', 'zstd true'])
  })
})
