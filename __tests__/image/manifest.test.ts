import { describe, expect, it } from '@jest/globals'
import { ConfigurationError, ImageError } from '../../src/errors.js'
import { parseConfig, parseManifest, selectPlatform } from '../../src/image/manifest.js'
import {
  MEDIA_TYPES,
  type Descriptor,
  type ImageIndex,
  type Platform
} from '../../src/image/types.js'

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

describe('parseConfig validates the config into its typed shape', () => {
  const config = (fields: Record<string, unknown>): Buffer =>
    Buffer.from(
      JSON.stringify({
        architecture: 'amd64',
        os: 'linux',
        rootfs: { type: 'layers', diff_ids: [`sha256:${'a'.repeat(64)}`] },
        ...fields
      })
    )
  const what = `config sha256:${'c'.repeat(64)} of registry.example/app:1`

  it('names the registry image, the config and the field of the wrong type', () => {
    expect(() => parseConfig(config({ config: { User: 0 } }), what)).toThrow(
      new ImageError(
        `${what}: field config.User is a number, expected a string; the image config is malformed.`
      )
    )
  })

  it('reads null as absent, a string Cmd as a list of one, and drops fields it does not know', () => {
    const parsed = parseConfig(
      config({
        config: {
          User: null,
          Cmd: '/app/run',
          Entrypoint: null,
          Env: ['A=1', null],
          Labels: { a: 'b', c: null },
          ExposedPorts: { '80/tcp': null },
          OnBuild: ['RUN x']
        },
        history: [null, { created_by: 'RUN x', empty_layer: false }],
        container_config: { Cmd: 5 }
      }),
      what
    )
    expect(parsed).toEqual({
      architecture: 'amd64',
      os: 'linux',
      config: {
        Cmd: ['/app/run'],
        Env: ['A=1', ''],
        Labels: { a: 'b', c: '' },
        ExposedPorts: { '80/tcp': {} }
      },
      rootfs: { type: 'layers', diff_ids: [`sha256:${'a'.repeat(64)}`] },
      history: [{}, { created_by: 'RUN x', empty_layer: false }]
    })
  })
})

describe('parseManifest validates manifests and indexes', () => {
  const digest = `sha256:${'d'.repeat(64)}`

  it('keeps the artifactType of a referrer, which cosign and the referrers API need', () => {
    const bytes = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.index.v1+json',
        manifests: [
          {
            mediaType: 'application/vnd.oci.image.manifest.v1+json',
            digest,
            size: 10,
            artifactType: 'application/vnd.dev.sigstore.bundle.v0.3+json'
          }
        ]
      })
    )
    expect(parseManifest(bytes, 'referrers index')).toEqual({
      kind: 'index',
      mediaType: 'application/vnd.oci.image.index.v1+json',
      index: {
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.index.v1+json',
        manifests: [
          {
            mediaType: 'application/vnd.oci.image.manifest.v1+json',
            digest,
            size: 10,
            artifactType: 'application/vnd.dev.sigstore.bundle.v0.3+json'
          }
        ]
      }
    })
  })

  it('refuses a layer size beyond what a JSON number holds exactly', () => {
    const bytes = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest, size: 2 },
        layers: [{ mediaType: 'x', digest, size: 2 ** 60 }]
      })
    )
    expect(() => parseManifest(bytes, 'manifest of app:1')).toThrow(
      new ImageError(
        'manifest of app:1: field layers[0].size is 1152921504606847000, expected a non-negative integer; the manifest is malformed.'
      )
    )
  })
})

describe('selectPlatform', () => {
  it('names a few of the platforms of a large index and counts the rest', () => {
    const manifests = Array.from({ length: 500 }, (_, i) => ({
      mediaType: MEDIA_TYPES.ociManifest,
      digest: `sha256:${String(i).padStart(64, '0')}`,
      size: 1,
      platform: { os: 'linux', architecture: `arch${i}` }
    }))
    expect(() =>
      selectPlatform(
        { schemaVersion: 2, manifests },
        { os: 'linux', architecture: 'amd64' },
        'index X'
      )
    ).toThrow(
      'index X has no image for platform linux/amd64; it offers linux/arch0, linux/arch1, linux/arch2, linux/arch3, linux/arch4, linux/arch5, linux/arch6, linux/arch7 and 492 more (500 in all). Choose one with --platform (input "platform").'
    )
  })
})
