import { describe, expect, it } from '@jest/globals'
import { Readable } from 'node:stream'
import { buildImage, type FixtureEntry } from '../../__fixtures__/image-builder.js'
import type { FileRequest, LayerAnalysis, LayerSubscription } from '../../src/image/analysis.js'
import { combineLayers, comparePaths } from '../../src/image/filesystem.js'
import { analyzeLayer } from '../../src/image/layer/analyze.js'
import type { FileSystem, TarEntry } from '../../src/image/types.js'

async function analyze(
  layers: FixtureEntry[][],
  requests: FileRequest[] = [],
  subscriptions: LayerSubscription[] = []
): Promise<LayerAnalysis[]> {
  const image = buildImage({ layers: layers.map((entries) => ({ entries })) })
  return Promise.all(
    image.layers.map((layer) =>
      analyzeLayer(Readable.from([layer.blob]), {
        name: layer.digest,
        expectedDigest: layer.digest,
        requests,
        subscriptions
      })
    )
  )
}

async function imageOf(
  layers: FixtureEntry[][],
  requests: FileRequest[] = []
): Promise<FileSystem> {
  return combineLayers(await analyze(layers, requests))
}

function listing(fs: FileSystem): string[] {
  return [...fs.entries()].map((node) => `${node.path} ${node.type} @${node.layer}`)
}

const everything: FileRequest[] = [{ globs: ['/**'], maxBytes: 1024 }]

function fileEntry(path: string): TarEntry {
  return { path, type: 'file', mode: 0o644, uid: 0, gid: 0, size: 0 }
}

describe('combineLayers', () => {
  it('lets the last layer that writes a path win and records that layer', async () => {
    const fs = await imageOf(
      [
        [
          { path: 'etc/' },
          { path: 'etc/motd', content: 'v1' },
          { path: 'etc/hosts', content: 'h' }
        ],
        [{ path: 'etc/motd', content: 'v2', mode: 0o600 }]
      ],
      everything
    )
    expect(listing(fs)).toEqual(['/etc dir @0', '/etc/hosts file @0', '/etc/motd file @1'])
    expect(fs.get('/etc/motd')).toEqual(expect.objectContaining({ mode: 0o600, size: 2, layer: 1 }))
    expect(fs.read('/etc/motd')?.toString()).toBe('v2')
    expect(fs.size).toBe(3)
  })

  it('removes a whited-out file and everything below a whited-out directory', async () => {
    const fs = await imageOf([
      [
        { path: 'app/' },
        { path: 'app/lib/' },
        { path: 'app/lib/a.so', content: 'a' },
        { path: 'app/main', content: 'm' },
        { path: 'etc/secret', content: 's' }
      ],
      [{ path: 'app/.wh.lib' }, { path: 'etc/.wh.secret' }]
    ])
    expect(listing(fs)).toEqual(['/app dir @0', '/app/main file @0'])
  })

  it('clears the lower layers below an opaque directory but keeps what the same layer adds', async () => {
    const fs = await imageOf([
      [
        { path: 'var/' },
        { path: 'var/cache/' },
        { path: 'var/cache/apt/' },
        { path: 'var/cache/apt/pkg', content: 'p' }
      ],
      // The marker comes after the new entry in tar order: order within the layer does not matter.
      [
        { path: 'var/cache/' },
        { path: 'var/cache/fresh', content: 'f' },
        { path: 'var/cache/.wh..wh..opq' }
      ]
    ])
    expect(listing(fs)).toEqual(['/var dir @0', '/var/cache dir @1', '/var/cache/fresh file @1'])
  })

  it('does not let a whiteout delete an entry of its own layer', async () => {
    const fs = await imageOf([
      [{ path: 'tmp/x', content: '0' }],
      [{ path: 'tmp/x', content: '1' }, { path: 'tmp/.wh.x' }]
    ])
    expect(listing(fs)).toEqual(['/tmp/x file @1'])
  })

  it('hides the contents of a directory that a later layer replaces with a file, and the reverse', async () => {
    const fs = await imageOf([
      [
        { path: 'opt/' },
        { path: 'opt/tool/' },
        { path: 'opt/tool/bin', content: 'b' },
        { path: 'srv', content: 'file' }
      ],
      [
        { path: 'opt/tool', type: 'symlink', linkTarget: '/usr/bin' },
        { path: 'srv/' },
        { path: 'srv/index.html', content: 'i' }
      ]
    ])
    expect(listing(fs)).toEqual([
      '/opt dir @0',
      '/opt/tool symlink @1',
      '/srv dir @1',
      '/srv/index.html file @1'
    ])
  })

  it('removes files under a whited-out directory that no layer declared', async () => {
    const fs = await imageOf([
      [
        { path: 'a/b/c/d', content: 'd' },
        { path: 'a/x', content: 'x' }
      ],
      [{ path: 'a/.wh.b' }]
    ])
    expect(listing(fs)).toEqual(['/a/x file @0'])
  })

  it('does not return content captured in a lower layer for a file a later layer rewrote without capture', async () => {
    const fs = await imageOf(
      [
        [{ path: 'etc/shadow', content: 'root:secret' }],
        [{ path: 'etc/shadow', content: 'x'.repeat(2000) }]
      ],
      everything
    )
    expect(fs.get('/etc/shadow')?.layer).toBe(1)
    expect(fs.read('/etc/shadow')).toBeUndefined()
  })

  it('does not return content of a deleted file', async () => {
    const fs = await imageOf(
      [[{ path: 'key.pem', content: 'PRIVATE' }], [{ path: '.wh.key.pem' }]],
      everything
    )
    expect(fs.get('/key.pem')).toBeUndefined()
    expect(fs.read('/key.pem')).toBeUndefined()
    expect(fs.size).toBe(0)
  })

  it('reads a hardlink through to its target', async () => {
    const fs = await imageOf(
      [
        [
          { path: 'bin/busybox', content: 'BB' },
          { path: 'bin/sh', type: 'hardlink', linkTarget: './bin/busybox' }
        ]
      ],
      [{ globs: ['/bin/busybox'], maxBytes: 10 }]
    )
    expect(fs.read('/bin/sh')?.toString()).toBe('BB')
    expect(fs.read('bin/sh/')?.toString()).toBe('BB')
  })

  it("keeps a hardlink as a file of its own, with the shared inode's mode, when its first name is deleted", async () => {
    const fs = await imageOf(
      [
        [
          { path: 'usr/bin/sux', content: 'SUID', mode: 0o4755 },
          { path: 'usr/bin/keep', type: 'hardlink', linkTarget: 'usr/bin/sux', mode: 0o644 }
        ],
        [{ path: 'usr/bin/.wh.sux' }]
      ],
      [{ globs: ['/usr/bin/sux'], maxBytes: 10 }]
    )
    expect(fs.get('/usr/bin/sux')).toBeUndefined()
    expect(fs.get('/usr/bin/keep')).toMatchObject({
      path: '/usr/bin/keep',
      type: 'file',
      mode: 0o4755,
      size: 4,
      layer: 0
    })
    expect(fs.read('/usr/bin/keep')?.toString()).toBe('SUID')
  })

  describe('resolve', () => {
    const layers: FixtureEntry[][] = [
      [
        { path: 'usr/' },
        { path: 'usr/lib/' },
        { path: 'usr/lib/libc.so.6', content: 'libc' },
        { path: 'usr/bin/' },
        { path: 'usr/bin/python3.12', content: 'py' },
        { path: 'lib', type: 'symlink', linkTarget: 'usr/lib' },
        { path: 'usr/bin/python3', type: 'symlink', linkTarget: 'python3.12' },
        { path: 'usr/bin/python', type: 'symlink', linkTarget: '/usr/bin/python3' },
        { path: 'usr/bin/escape', type: 'symlink', linkTarget: '../../../../usr/lib/libc.so.6' },
        { path: 'loop/a', type: 'symlink', linkTarget: 'b' },
        { path: 'loop/b', type: 'symlink', linkTarget: 'a' },
        { path: 'dangling', type: 'symlink', linkTarget: '/nowhere' },
        { path: 'etc/passwd', content: 'root' }
      ]
    ]

    it.each([
      ['/usr/bin/python', '/usr/bin/python3.12'],
      ['/lib/libc.so.6', '/usr/lib/libc.so.6'],
      // '..' applies to where the symlink led (POSIX path resolution), not to /lib's parent.
      ['lib/../bin/python3', '/usr/bin/python3.12'],
      ['/usr/bin/escape', '/usr/lib/libc.so.6'],
      ['/../../lib/libc.so.6', '/usr/lib/libc.so.6'],
      ['/lib', '/usr/lib'],
      ['/etc/passwd', '/etc/passwd']
    ])('resolves %s to %s', async (path, expected) => {
      const fs = await imageOf(layers)
      expect(fs.resolve(path)?.path).toBe(expected)
    })

    it.each([['/loop/a'], ['/dangling'], ['/etc/passwd/x'], ['/missing']])(
      'resolves %s to nothing',
      async (path) => {
        const fs = await imageOf(layers)
        expect(fs.resolve(path)).toBeUndefined()
      }
    )
  })

  it('lists entries depth first in name order', async () => {
    const fs = await imageOf([
      [
        { path: 'a.b', content: '' },
        { path: 'a/z', content: '' },
        { path: 'a/' },
        { path: 'a-c', content: '' },
        { path: 'B', content: '' }
      ]
    ])
    expect([...fs.entries()].map((node) => node.path)).toEqual(['/B', '/a', '/a/z', '/a-c', '/a.b'])
  })

  it('lists entries in the order of their paths with / sorting first, across layers and deletions', () => {
    // Names that are prefixes of each other and characters on both sides of '/' (0x2f).
    const names = ['a', 'a.b', 'a-c', 'a0', 'B', 'b', 'ab', 'a b', '.x', 'z']
    let seed = 7
    const pick = (): string => names[(seed = (seed * 48271) % 2147483647) % names.length]!
    const entriesOf = (count: number): TarEntry[] =>
      Array.from({ length: count }, () => {
        const depth = 1 + (seed % 4)
        return fileEntry('/' + Array.from({ length: depth }, pick).join('/'))
      })
    const fs = combineLayers([
      { entries: entriesOf(400), whiteouts: [], contents: new Map() },
      {
        entries: entriesOf(200),
        whiteouts: [{ path: '/a', opaque: true }, { path: '/b/ab' }].map((w) => ({
          opaque: false,
          ...w
        })),
        contents: new Map()
      }
    ])
    const paths = [...fs.entries()].map((node) => node.path)
    const bySortKey = [...paths].sort((x, y) => {
      const [kx, ky] = [x.replaceAll('/', '\0'), y.replaceAll('/', '\0')]
      return kx < ky ? -1 : kx > ky ? 1 : 0
    })
    expect(paths.length).toBe(fs.size)
    expect(paths).toEqual(bySortKey)
    expect([...paths].sort(comparePaths)).toEqual(bySortKey)

    // Every directory's subtree, and paths that are not in the image, against a filter of all.
    const asked = [...paths, '/', '/a/', '/a//b', '/nothing', '/a/zz', '/a.b/x']
    for (const path of asked) {
      const dir = path.replace(/\/+$/, '').replace(/\/+/g, '/') || '/'
      const expected = paths.filter(
        (other) => dir === '/' || other === dir || other.startsWith(`${dir}/`)
      )
      expect([...fs.entriesUnder(path)].map((node) => node.path)).toEqual(expected)
    }
  })

  it('lists the entries of a directory with more children than a call takes arguments', () => {
    const many = Array.from({ length: 200_000 }, (_, i) => fileEntry(`/d/f${i}`))
    const fs = combineLayers([{ entries: many, whiteouts: [], contents: new Map() }])
    const paths = [...fs.entries()].map((node) => node.path)
    expect(paths).toHaveLength(200_000)
    expect(paths.slice(0, 3)).toEqual(['/d/f0', '/d/f1', '/d/f10'])
  })

  it('lets a visitor see a file that a later layer deletes', async () => {
    const seen: string[] = []
    const secrets: LayerSubscription<string[]> = {
      id: 'secrets',
      version: 1,
      settings: '',
      createVisitor: () => {
        const found: string[] = []
        return {
          onEntry: (entry: TarEntry) => {
            if (!entry.path.endsWith('.pem')) return undefined
            const chunks: Buffer[] = []
            return {
              write: (chunk) => chunks.push(chunk),
              end: () => found.push(`${entry.path}: ${Buffer.concat(chunks).toString()}`)
            }
          },
          finish: () => {
            seen.push(...found)
            return found
          }
        }
      }
    }
    const layers = await analyze(
      [[{ path: 'root/key.pem', content: 'BEGIN PRIVATE KEY' }], [{ path: 'root/.wh.key.pem' }]],
      [],
      [secrets]
    )
    expect(layers.map((layer) => layer.visits.get('secrets@1'))).toEqual([
      ['/root/key.pem: BEGIN PRIVATE KEY'],
      []
    ])
    expect(combineLayers(layers).get('/root/key.pem')).toBeUndefined()
  })

  it('applies thousands of whiteouts over a hundred thousand files without rescanning', () => {
    const file = (path: string): TarEntry => ({
      path,
      type: 'file',
      mode: 0o644,
      uid: 0,
      gid: 0,
      size: 0
    })
    const lower: TarEntry[] = []
    for (let d = 0; d < 1000; d++)
      for (let f = 0; f < 100; f++) lower.push(file(`/data/d${d}/f${f}`))
    const whiteouts = Array.from({ length: 999 }, (_, d) => ({
      path: `/data/d${d}`,
      opaque: d % 2 === 0
    }))
    const fs = combineLayers([
      { entries: lower, whiteouts: [], contents: new Map() },
      { entries: [], whiteouts, contents: new Map() }
    ])
    expect(fs.size).toBe(100)
    expect(fs.get('/data/d999/f99')?.layer).toBe(0)
  })
})
