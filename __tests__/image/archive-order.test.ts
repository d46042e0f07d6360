import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  buildImage,
  ociLayout,
  tarFile,
  writeDockerArchive,
  writeOciArchive,
  type BuiltImage,
  type FixtureEntry
} from '../../__fixtures__/image-builder.js'
import { ConfigurationError } from '../../src/errors.js'
import { analyzeLayer } from '../../src/image/layer/analyze.js'
import type { AcquiredImage } from '../../src/image/source.js'
import { openSource } from '../../src/image/sources.js'
import { silentLogger } from '../../src/log.js'
import type { Platform } from '../../src/image/types.js'

/** Acquires `spec`, recording the name of every member the archive reader analysed as a layer. */
async function acquireCounting(
  spec: string,
  platform: Platform = { os: 'linux', architecture: 'amd64' }
): Promise<{ image: AcquiredImage; analysed: string[] }> {
  const analysed: string[] = []
  const image = await openSource(spec).acquire({
    platform,
    insecureRegistries: [],
    env: process.env,
    logger: silentLogger,
    analyzeLayer: (blob, layer) => {
      analysed.push(layer.name)
      return analyzeLayer(blob, { ...layer, requests: [], subscriptions: [] })
    }
  })
  return { image, analysed }
}

function platformImage(architecture: string, content: string): BuiltImage {
  return buildImage({
    platform: { os: 'linux', architecture },
    layers: [
      { entries: [{ path: 'etc/' }, { path: 'etc/os-release', content: `ID=${architecture}\n` }] },
      {
        compression: 'zstd',
        entries: [{ path: 'app/' }, { path: 'app/main', content, mode: 0o755 }]
      },
      { compression: 'none', entries: [{ path: 'app/data', content: `${architecture} data` }] }
    ]
  })
}

const amd64 = platformImage('amd64', 'x86-64 binary')
const arm64 = platformImage('arm64', 'aarch64 binary')

const layerNames = (image: BuiltImage, file: string): string[] =>
  image.layers.map((layer) => `${layer.digest} in oci-archive:${file}`)

let work: string
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'cg-archive-order-'))
})
afterAll(() => {
  rmSync(work, { recursive: true, force: true })
})

describe('an oci-archive of a multi-platform image', () => {
  const images = [{ image: amd64 }, { image: arm64 }]
  let first: string
  let last: string
  beforeAll(() => {
    first = join(work, 'documents-first.oci.tar')
    last = join(work, 'documents-last.oci.tar')
    writeOciArchive(first, images, { index: { ref: 'multi' }, documents: 'first' })
    writeOciArchive(last, images, { index: { ref: 'multi' }, documents: 'last' })
  })

  it.each([
    ['amd64', amd64],
    ['arm64', arm64]
  ] as const)(
    'analyses only the %s layers when index.json and the manifests come before the blobs',
    async (architecture, image) => {
      const { image: acquired, analysed } = await acquireCounting(`oci-archive:${first}`, {
        os: 'linux',
        architecture
      })
      expect(analysed.sort()).toEqual(layerNames(image, first).sort())
      expect(acquired).toMatchObject({
        digest: image.manifestDigest,
        configDigest: image.configDigest,
        config: image.config
      })
      expect(acquired.layers.map((l) => l.analysis.digest)).toEqual(
        image.layers.map((l) => l.digest)
      )
      expect(acquired.layers.map((l) => l.analysis.diffId)).toEqual(
        image.layers.map((l) => l.diffId)
      )
    }
  )

  it('analyses every layer when the documents come last, with the same result', async () => {
    const early = await acquireCounting(`oci-archive:${first}`)
    const late = await acquireCounting(`oci-archive:${last}`)
    expect(late.analysed.sort()).toEqual(
      [...layerNames(amd64, last), ...layerNames(arm64, last)].sort()
    )
    // The same image, but for the file each was read from.
    expect({ ...early.image, reference: last }).toEqual({ ...late.image, reference: last })
    expect(late.image.layers.map((l) => l.descriptor)).toEqual(amd64.manifest.layers)
  })

  it.each(['first', 'last'] as const)(
    'reports no image for the platform with the documents %s, as before',
    async (order) => {
      const file = order === 'first' ? first : last
      const { indexDigest } = ociLayout(images, { index: { ref: 'multi' } })
      const error = await acquireCounting(`oci-archive:${file}`, {
        os: 'linux',
        architecture: 's390x'
      }).catch((e: unknown) => e)
      expect(error).toEqual(
        new ConfigurationError(
          `oci-archive:${file} image index ${indexDigest} has no image for platform linux/s390x; it offers linux/amd64, linux/arm64. Choose one with --platform (input "platform").`
        )
      )
    }
  )
})

describe('a docker save archive whose manifest.json comes first', () => {
  it('analyses only the layers manifest.json lists, with the same result', async () => {
    const early = join(work, 'manifest-first.tar')
    const late = join(work, 'manifest-last.tar')
    writeDockerArchive(early, amd64, ['app:1'], { manifestFirst: true })
    writeDockerArchive(late, amd64, ['app:1'])
    const first = await acquireCounting(`docker-archive:${early}`)
    const last = await acquireCounting(`docker-archive:${late}`)
    const members = (analysed: string[]): string[] =>
      analysed.map((name) => name.replace(/^\w+\/| in .*$/g, ''))
    // Read last, manifest.json cannot say which members are layers: the v1 VERSION files are tried too.
    expect(members(last.analysed)).toEqual([
      'VERSION',
      'layer.tar',
      'VERSION',
      'layer.tar',
      'VERSION',
      'layer.tar'
    ])
    expect(members(first.analysed)).toEqual(['layer.tar', 'layer.tar', 'layer.tar'])
    expect({ ...first.image, reference: late }).toEqual({ ...last.image, reference: late })
    expect(first.image.layers.map((l) => l.analysis.diffId)).toEqual(
      amd64.layers.map((l) => l.diffId)
    )
  })

  it('analyses only the chosen image of several', async () => {
    const hex = (digest: string): string => digest.slice('sha256:'.length)
    const members: FixtureEntry[] = [
      {
        path: 'manifest.json',
        content: JSON.stringify(
          [
            { image: amd64, tags: ['app:amd64'] },
            { image: arm64, tags: ['app:arm64'] }
          ].map(({ image, tags }) => ({
            Config: `${hex(image.configDigest)}.json`,
            RepoTags: tags,
            Layers: image.layers.map((layer) => `${hex(layer.diffId)}/layer.tar`)
          }))
        )
      },
      ...[amd64, arm64].flatMap((image): FixtureEntry[] => [
        { path: `${hex(image.configDigest)}.json`, content: image.configBytes },
        ...image.layers.map((layer): FixtureEntry => ({
          path: `${hex(layer.diffId)}/layer.tar`,
          content: layer.tar
        }))
      ])
    ]
    const file = join(work, 'two-images.tar')
    writeFileSync(file, tarFile(members))
    const { image, analysed } = await acquireCounting(`docker-archive:${file}:app:arm64`, {
      os: 'linux',
      architecture: 'arm64'
    })
    expect(analysed).toEqual(
      arm64.layers.map((layer) => `${hex(layer.diffId)}/layer.tar in docker-archive:${file}`)
    )
    expect(image.configDigest).toBe(arm64.configDigest)
    expect(image.layers.map((l) => l.analysis.diffId)).toEqual(arm64.layers.map((l) => l.diffId))
  })
})
