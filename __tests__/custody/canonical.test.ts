import { describe, expect, it } from '@jest/globals'
import { canonicalDigest, canonicalJson } from '../../src/custody/canonical.js'
import { entryJson } from '../../src/custody/content-manifest.js'
import type { ContentEntry } from '../../src/custody/model.js'
import { sha256 } from '../../src/image/digest.js'

describe('canonicalDigest', () => {
  it.each([
    [
      'an array of objects',
      [
        { b: 1, a: 'x' },
        { path: '/etc', mode: '0755' }
      ]
    ],
    ['an empty array', []],
    ['an array holding undefined', [1, undefined, 'z']],
    ['an object', { z: [1, 2], a: { d: undefined, c: true } }]
  ])('hashes %s item by item to the digest of its canonical JSON', (_name, value) => {
    expect(canonicalDigest(value)).toBe(sha256(canonicalJson(value)))
  })

  it('sorts keys by code point and drops undefined members', () => {
    expect(canonicalJson({ b: 1, a: undefined, A: [{ y: 2, x: 1 }] })).toBe(
      '{"A":[{"x":1,"y":2}],"b":1}'
    )
  })
})

describe('entryJson', () => {
  it('writes every kind of content entry exactly as canonicalJson does', () => {
    const names = [
      '/etc/passwd',
      '/a "quoted"/\\back',
      '/ünïcödé/日本',
      '/ctl\u0001\u001f',
      '/x\u2028y'
    ]
    const entries: ContentEntry[] = []
    for (const path of names) {
      entries.push(
        {
          path,
          type: 'file',
          mode: '0644',
          uid: 0,
          gid: 0,
          size: 12,
          sha256: `sha256:${'a'.repeat(64)}`
        },
        { path, type: 'file', mode: '4755', uid: 3_000_000_000, gid: 2 ** 40, size: 0 },
        { path, type: 'dir', mode: '0755', uid: 10001, gid: 10001 },
        { path, type: 'symlink', mode: '0777', uid: 0, gid: 0, linkTarget: `../${path}"` },
        { path, type: 'char', mode: '0666', uid: 0, gid: 0, device: '1,3' },
        { path, type: 'fifo', mode: '0600', uid: 1, gid: 2 }
      )
    }
    for (const entry of entries) expect(entryJson(entry)).toBe(canonicalJson(entry))
    expect(canonicalDigest(entries, entryJson)).toBe(canonicalDigest(entries))
  })
})
