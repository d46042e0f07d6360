/**
 * Hostile archives, class "bounded time reading an archive": while an oci-archive's reader waits
 * for a blob, it works out again which layers it needs only when a member at the waited-for path
 * arrives (the blob, or a link on from it), and each document is parsed once however often that
 * happens. Links elsewhere (docker save and skopeo link shared layers) cost nothing more: an
 * archive of thousands of links and a 16 MiB index.json once took hours.
 */
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  buildImage,
  tarFile,
  type BuiltImage,
  type FixtureEntry
} from '../../__fixtures__/image-builder.js'
import { ImageError } from '../../src/errors.js'
import { analyzeLayer } from '../../src/image/layer/analyze.js'
import type { AcquiredImage } from '../../src/image/source.js'
import { MEDIA_TYPES } from '../../src/image/types.js'
import { silentLogger } from '../../src/log.js'

// Every parse of an index.json goes through parseManifest, named "<what> index.json".
const manifestModule = await import('../../src/image/manifest.js')
const indexParses: string[] = []
jest.unstable_mockModule('../../src/image/manifest.js', () => ({
  ...manifestModule,
  parseManifest: (...args: Parameters<typeof manifestModule.parseManifest>) => {
    if (args[1].endsWith(' index.json')) indexParses.push(args[1])
    return manifestModule.parseManifest(...args)
  }
}))
const { dockerArchiveSource, ociArchiveSource } = await import('../../src/image/archive.js')

const LINKS = 2000
const MiB = 1024 * 1024

const hex = (digest: string): string => digest.slice('sha256:'.length)
const blob = (digest: string): string => `blobs/sha256/${hex(digest)}`

/** An index.json of about 2 MiB listing `descriptor`, its bulk in annotations as the audit's was. */
function largeIndex(descriptor: object): Buffer {
  const annotations: Record<string, string> = {}
  for (let i = 0; i < (2 * MiB) / 40; i++) annotations[`k${i}`] = 'v'.repeat(24)
  return Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MEDIA_TYPES.ociIndex,
      manifests: [{ ...descriptor, annotations }]
    })
  )
}

const LAYOUT: FixtureEntry = { path: 'oci-layout', content: '{"imageLayoutVersion":"1.0.0"}' }

/** `count` symlink members that lead nowhere the image is, like the audit's. */
function strayLinks(count: number): FixtureEntry[] {
  return Array.from({ length: count }, (_, i) => ({
    path: `l${i}`,
    type: 'symlink',
    linkTarget: 'x'
  }))
}

const image: BuiltImage = buildImage({
  layers: [
    { entries: [{ path: 'etc/' }, { path: 'etc/os-release', content: 'ID=links\n' }] },
    { compression: 'none', entries: [{ path: 'app/' }, { path: 'app/main', content: 'v1' }] }
  ]
})
const [base, app] = image.layers as [BuiltImage['layers'][0], BuiltImage['layers'][0]]

let work: string
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'cg-archive-links-'))
})
afterAll(() => {
  rmSync(work, { recursive: true, force: true })
})

/** Writes the archive of `entries` as `name` in the work directory; returns its path. */
function writeArchive(name: string, entries: FixtureEntry[]): string {
  const file = join(work, name)
  writeFileSync(file, tarFile(entries))
  return file
}

/**
 * Acquires `file` (an oci-archive unless `docker` is set), recording the layers analysed by their
 * names. index.json parses are recorded in `indexParses` from the start of the acquire.
 */
async function acquire(
  file: string,
  docker = false
): Promise<{ image: AcquiredImage; analysed: string[] }> {
  const source = docker
    ? dockerArchiveSource(`docker-archive:${file}`, file)
    : ociArchiveSource(`oci-archive:${file}`, file)
  const analysed: string[] = []
  indexParses.length = 0
  const acquired = await source.acquire({
    platform: { os: 'linux', architecture: 'amd64' },
    insecureRegistries: [],
    env: {},
    logger: silentLogger,
    analyzeLayer: (stream, layer) => {
      analysed.push(layer.name.slice(0, layer.name.indexOf(' in ')))
      return analyzeLayer(stream, { ...layer, requests: [], subscriptions: [] })
    }
  })
  return { image: acquired, analysed }
}

describe('an oci-archive of thousands of links and a large index.json', () => {
  it('reports the manifest it lacks, parsing index.json once while reading and once to resolve', async () => {
    const manifest = `sha256:${'a'.repeat(64)}`
    const entries: FixtureEntry[] = [
      LAYOUT,
      {
        path: 'index.json',
        content: largeIndex({ mediaType: MEDIA_TYPES.ociManifest, digest: manifest, size: 100 })
      },
      ...strayLinks(LINKS)
    ]
    const file = writeArchive('audit.tar', entries)
    const error = await acquire(file).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ImageError)
    expect(error).toMatchObject({
      code: 'MISSING_BLOB',
      message: `oci-archive:${file} is missing blob ${manifest} (manifest ${manifest}); the layout is incomplete, write it again.`
    })
    expect(indexParses).toHaveLength(2)
  })

  it('reads the image whose blobs come after the links, analysing only its layers', async () => {
    const file = writeArchive('shared.tar', [
      LAYOUT,
      { path: 'index.json', content: largeIndex(image.descriptor) },
      ...strayLinks(LINKS / 2),
      // Links to a layer blob, as skopeo and docker save write for shared layers.
      ...Array.from({ length: LINKS / 2 }, (_, i): FixtureEntry => ({
        path: `shared/${i}`,
        type: i % 2 === 0 ? 'symlink' : 'hardlink',
        linkTarget: i % 2 === 0 ? `../${blob(base.digest)}` : blob(base.digest)
      })),
      { path: blob(image.manifestDigest), content: image.manifestBytes },
      { path: blob(image.configDigest), content: image.configBytes },
      { path: blob(base.digest), content: base.blob },
      { path: 'not-a-layer', content: Buffer.from([0x1f, 0x8b, 0x08, 0x00]) },
      { path: blob(app.digest), content: app.blob }
    ])
    const { image: acquired, analysed } = await acquire(file)
    expect(acquired).toMatchObject({ digest: image.manifestDigest, config: image.config })
    expect(acquired.layers.map((l) => l.analysis.diffId)).toEqual([base.diffId, app.diffId])
    expect(analysed).toEqual([base.digest, app.digest])
    expect(indexParses).toHaveLength(2)
  })

  it('follows a chain of links to the manifest, one plan per link, parsing index.json once while reading', async () => {
    // Each link arrives at the path the reader waits for, so each makes it plan again.
    const chain = Array.from({ length: 15 }, (_, i) => `chain/${i}`)
    const file = writeArchive('chain.tar', [
      LAYOUT,
      { path: 'index.json', content: largeIndex(image.descriptor) },
      ...strayLinks(LINKS),
      ...[blob(image.manifestDigest), ...chain.slice(0, -1)].map((path, i): FixtureEntry => ({
        path,
        type: 'hardlink',
        linkTarget: chain[i]
      })),
      { path: chain.at(-1) as string, content: image.manifestBytes },
      { path: blob(image.configDigest), content: image.configBytes },
      { path: 'not-a-layer', content: Buffer.from([0x1f, 0x8b, 0x08, 0x00]) },
      { path: blob(base.digest), content: base.blob },
      { path: blob(app.digest), content: app.blob }
    ])
    const { image: acquired, analysed } = await acquire(file)
    expect(acquired).toMatchObject({ digest: image.manifestDigest, config: image.config })
    expect(analysed).toEqual([base.digest, app.digest])
    expect(indexParses).toHaveLength(2)
  })

  it('follows links that arrive after the plan to the layer they lead to, skipping other members', async () => {
    const file = writeArchive('late-links.tar', [
      LAYOUT,
      { path: 'index.json', content: largeIndex(image.descriptor) },
      { path: blob(image.manifestDigest), content: image.manifestBytes },
      { path: blob(image.configDigest), content: image.configBytes },
      // The layers are known from here on; the base layer's blob is a link, then a link on.
      { path: blob(base.digest), type: 'hardlink', linkTarget: 'chain/0' },
      ...strayLinks(LINKS),
      { path: 'chain/0', type: 'symlink', linkTarget: '1' },
      { path: 'not-a-layer', content: Buffer.from([0x1f, 0x8b, 0x08, 0x00]) },
      { path: 'chain/1', content: base.blob },
      { path: blob(app.digest), content: app.blob }
    ])
    const { image: acquired, analysed } = await acquire(file)
    expect(acquired.layers.map((l) => l.analysis.diffId)).toEqual([base.diffId, app.diffId])
    expect(analysed).toEqual(['chain/1', app.digest])
  })
})

it('reads a docker save archive whose shared layer is a link, among thousands of links', async () => {
  const shared = buildImage({
    layers: [
      {
        compression: 'none',
        entries: [{ path: 'etc/' }, { path: 'etc/os-release', content: 'ID=twice\n' }]
      },
      {
        compression: 'none',
        entries: [{ path: 'etc/' }, { path: 'etc/os-release', content: 'ID=twice\n' }]
      }
    ]
  })
  const [first] = shared.layers as [BuiltImage['layers'][0]]
  const config = `${hex(shared.configDigest)}.json`
  const file = writeArchive('docker-save.tar', [
    ...strayLinks(LINKS),
    { path: 'one/layer.tar', content: first.tar },
    // docker save writes a layer a second chain shares once, and links it.
    { path: 'two/layer.tar', type: 'symlink', linkTarget: '../one/layer.tar' },
    { path: config, content: shared.configBytes },
    {
      path: 'manifest.json',
      content: JSON.stringify([
        { Config: config, RepoTags: ['twice:latest'], Layers: ['one/layer.tar', 'two/layer.tar'] }
      ])
    }
  ])
  const { image: acquired, analysed } = await acquire(file, true)
  expect(acquired.configDigest).toBe(shared.configDigest)
  expect(acquired.layers.map((l) => l.analysis.diffId)).toEqual([first.diffId, first.diffId])
  expect(analysed).toEqual(['one/layer.tar'])
})
