import { describe, expect, it } from '@jest/globals'
import { ConfigurationError } from '../../src/errors.js'
import { selectPlatform } from '../../src/image/manifest.js'
import type { Descriptor, ImageIndex, Platform } from '../../src/image/types.js'

function entry(digest: string, platform: Platform): Descriptor {
  return { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest, size: 1, platform }
}

const index: ImageIndex = {
  schemaVersion: 2,
  manifests: [
    entry('v3', { os: 'linux', architecture: 'amd64', variant: 'v3' }),
    entry('base', { os: 'linux', architecture: 'amd64' }),
    entry('arm64', { os: 'linux', architecture: 'arm64', variant: 'v8' }),
    entry('arm', { os: 'linux', architecture: 'arm', variant: 'v6' }),
    entry('attestation', { os: 'unknown', architecture: 'unknown' })
  ]
}

describe('selectPlatform', () => {
  it.each([
    [{ os: 'linux', architecture: 'amd64' }, 'base'],
    [{ os: 'linux', architecture: 'amd64', variant: 'v3' }, 'v3'],
    [{ os: 'linux', architecture: 'arm64' }, 'arm64'],
    [{ os: 'linux', architecture: 'arm64', variant: 'v8' }, 'arm64'],
    [{ os: 'linux', architecture: 'arm', variant: 'v6' }, 'arm']
  ] as Array<[Platform, string]>)('chooses %j as %s', (wanted, digest) => {
    expect(selectPlatform(index, wanted, 'index').digest).toBe(digest)
  })

  it('lists what the index offers when nothing matches, never an attestation', () => {
    expect(() => selectPlatform(index, { os: 'linux', architecture: 'arm' }, 'index')).toThrow(
      new ConfigurationError(
        'index has no image for platform linux/arm; it offers linux/amd64/v3, linux/amd64, linux/arm64/v8, linux/arm/v6. Choose one with --platform (input "platform").'
      )
    )
  })
})
