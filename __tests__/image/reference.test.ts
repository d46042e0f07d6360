import { describe, expect, it } from '@jest/globals'
import { ConfigurationError } from '../../src/errors.js'
import {
  formatReference,
  manifestReference,
  parseReference,
  type ImageReference
} from '../../src/image/reference.js'

const DIGEST = `sha256:${'a'.repeat(64)}`

describe('parseReference', () => {
  const cases: Array<[string, Omit<ImageReference, 'original'>]> = [
    [
      'alpine',
      {
        domain: 'docker.io',
        apiHost: 'registry-1.docker.io',
        path: 'library/alpine',
        tag: 'latest'
      }
    ],
    [
      'alpine:3.20',
      { domain: 'docker.io', apiHost: 'registry-1.docker.io', path: 'library/alpine', tag: '3.20' }
    ],
    [
      'library/alpine',
      {
        domain: 'docker.io',
        apiHost: 'registry-1.docker.io',
        path: 'library/alpine',
        tag: 'latest'
      }
    ],
    [
      'org/app:1',
      { domain: 'docker.io', apiHost: 'registry-1.docker.io', path: 'org/app', tag: '1' }
    ],
    [
      'docker.io/alpine',
      {
        domain: 'docker.io',
        apiHost: 'registry-1.docker.io',
        path: 'library/alpine',
        tag: 'latest'
      }
    ],
    [
      'index.docker.io/library/alpine:edge',
      { domain: 'docker.io', apiHost: 'registry-1.docker.io', path: 'library/alpine', tag: 'edge' }
    ],
    [
      'ghcr.io/org/app:v1.2',
      { domain: 'ghcr.io', apiHost: 'ghcr.io', path: 'org/app', tag: 'v1.2' }
    ],
    ['localhost/app', { domain: 'localhost', apiHost: 'localhost', path: 'app', tag: 'latest' }],
    [
      'localhost:5000/app:1',
      { domain: 'localhost:5000', apiHost: 'localhost:5000', path: 'app', tag: '1' }
    ],
    [
      '127.0.0.1:5000/a/b/c:Tag_1',
      { domain: '127.0.0.1:5000', apiHost: '127.0.0.1:5000', path: 'a/b/c', tag: 'Tag_1' }
    ],
    ['[::1]:5000/app', { domain: '[::1]:5000', apiHost: '[::1]:5000', path: 'app', tag: 'latest' }],
    [
      'registry.example.com/a__b/c-d.e:1',
      {
        domain: 'registry.example.com',
        apiHost: 'registry.example.com',
        path: 'a__b/c-d.e',
        tag: '1'
      }
    ],
    [
      `host.example:5000/app@${DIGEST}`,
      { domain: 'host.example:5000', apiHost: 'host.example:5000', path: 'app', digest: DIGEST }
    ],
    [
      `app:1@${DIGEST}`,
      {
        domain: 'docker.io',
        apiHost: 'registry-1.docker.io',
        path: 'library/app',
        tag: '1',
        digest: DIGEST
      }
    ]
  ]
  it.each(cases)('parses %s', (reference, expected) => {
    expect(parseReference(reference)).toEqual({ original: reference, ...expected })
  })

  const malformed: Array<[string, string]> = [
    ['', 'is empty'],
    ['Alpine', 'has uppercase letters in its repository name'],
    ['ghcr.io/Org/app', 'has uppercase letters in its repository name'],
    ['app:', 'is malformed'],
    ['a//b', 'is malformed'],
    ['-app', 'is malformed'],
    ['app:tag with space', 'is malformed'],
    ['app@sha256:abc', 'is malformed'],
    [
      `app@sha512:${'b'.repeat(128)}`,
      'pins a sha512 digest, but only sha256 digests are supported'
    ],
    ['a'.repeat(64), 'is a bare image ID'],
    [`example.com/${'a'.repeat(250)}`, 'has a name longer than 255 characters']
  ]
  it.each(malformed)('rejects %j naming it and the expected form', (reference, problem) => {
    let error: unknown
    try {
      parseReference(reference)
    } catch (caught) {
      error = caught
    }
    expect(error).toBeInstanceOf(ConfigurationError)
    const message = (error as Error).message
    expect(message).toContain(`image reference "${reference}" ${problem}`)
    expect(message).toContain('expected [HOST[:PORT]/]NAME[:TAG][@sha256:DIGEST]')
  })
})

describe('manifestReference and formatReference', () => {
  it('asks for the digest when one is pinned, else the tag', () => {
    expect(manifestReference(parseReference(`app:1@${DIGEST}`))).toBe(DIGEST)
    expect(manifestReference(parseReference('app:1'))).toBe('1')
    expect(manifestReference(parseReference('app'))).toBe('latest')
  })

  it('writes the fully qualified form', () => {
    expect(formatReference(parseReference('alpine'))).toBe('docker.io/library/alpine:latest')
    expect(formatReference(parseReference(`localhost:5000/app:1@${DIGEST}`))).toBe(
      `localhost:5000/app:1@${DIGEST}`
    )
  })
})
