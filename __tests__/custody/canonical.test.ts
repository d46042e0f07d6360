import { describe, expect, it } from '@jest/globals'
import { canonicalDigest, canonicalJson } from '../../src/custody/canonical.js'
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
