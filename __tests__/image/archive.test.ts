import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { installDockerStandIn } from '../../__fixtures__/docker-stand-in.js'
import {
  buildImage,
  ociLayout,
  tarFile,
  writeDockerArchive,
  writeOciArchive,
  type BuiltImage,
  type FixtureEntry
} from '../../__fixtures__/image-builder.js'
import { ConfigurationError, ImageError } from '../../src/errors.js'
import { sha256 } from '../../src/image/digest.js'
import { analyzeLayer } from '../../src/image/layer/analyze.js'
import type { AcquiredImage } from '../../src/image/source.js'
import { openSource } from '../../src/image/sources.js'
import { silentLogger } from '../../src/log.js'

function acquire(spec: string, env: NodeJS.ProcessEnv = process.env): Promise<AcquiredImage> {
  return openSource(spec).acquire({
    platform: { os: 'linux', architecture: 'amd64' },
    insecureRegistries: [],
    env,
    logger: silentLogger,
    analyzeLayer: (blob, layer) => analyzeLayer(blob, { ...layer, requests: [], subscriptions: [] })
  })
}

const app = buildImage({
  layers: [
    { entries: [{ path: 'etc/' }, { path: 'etc/os-release', content: 'ID=test\n' }] },
    {
      compression: 'none',
      entries: [{ path: 'app/' }, { path: 'app/main', content: 'v1', mode: 0o755 }]
    }
  ]
})
const worker = buildImage({
  layers: [{ entries: [{ path: 'srv/' }, { path: 'srv/worker', content: 'w', mode: 0o755 }] }]
})

const hex = (digest: string): string => digest.slice('sha256:'.length)

/** Files → a tar, with the directories docker save writes before its members. */
function archive(files: Array<[string, Buffer | string]>): Buffer {
  const dirs = new Set(
    files.flatMap(([path]) =>
      path.includes('/') ? [path.slice(0, path.lastIndexOf('/') + 1)] : []
    )
  )
  return tarFile([
    ...[...dirs].map((path): FixtureEntry => ({ path })),
    ...files.map(([path, content]): FixtureEntry => ({ path, content }))
  ])
}

/** A classic `docker save` of several images: `<hex>.json` configs, `<diffId>/layer.tar`, layers first. */
function classicDockerSave(images: Array<{ image: BuiltImage; tags: string[] }>): Buffer {
  const files: Array<[string, Buffer | string]> = []
  for (const { image } of images) {
    for (const layer of image.layers) files.push([`${hex(layer.diffId)}/layer.tar`, layer.tar])
    files.push([`${hex(image.configDigest)}.json`, image.configBytes])
  }
  const manifest = images.map(({ image, tags }) => ({
    Config: `${hex(image.configDigest)}.json`,
    RepoTags: tags,
    Layers: image.layers.map((layer) => `${hex(layer.diffId)}/layer.tar`)
  }))
  files.push(['manifest.json', JSON.stringify(manifest)])
  return archive(files)
}

/** Docker ≥25 `docker save`: an OCI image layout with manifest.json beside index.json. */
function dockerSave25(image: BuiltImage, tag: string): Buffer {
  const layout = ociLayout([{ image, ref: tag.split(':').pop() }])
  const manifest = [
    {
      Config: `blobs/sha256/${hex(image.configDigest)}`,
      RepoTags: [tag],
      Layers: image.layers.map((layer) => `blobs/sha256/${hex(layer.digest)}`)
    }
  ]
  return archive([...layout.files, ['manifest.json', JSON.stringify(manifest)]])
}

let work: string
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'cg-archive-'))
})
afterAll(() => {
  rmSync(work, { recursive: true, force: true })
})

function write(name: string, bytes: Buffer | string): string {
  const file = join(work, name)
  writeFileSync(file, bytes)
  return file
}

describe('docker-archive and oci-archive', () => {
  it('chooses among several images by tag, as Docker compares tags, or by @INDEX', async () => {
    const file = write(
      'two.tar',
      classicDockerSave([
        { image: app, tags: ['app:1', 'registry.local:5000/app:1'] },
        { image: worker, tags: ['worker:latest'] }
      ])
    )
    for (const [ref, image] of [
      ['app:1', app],
      ['registry.local:5000/app:1', app],
      ['worker', worker],
      ['docker.io/library/worker:latest', worker],
      ['@1', worker]
    ] as const) {
      const acquired = await acquire(`docker-archive:${file}:${ref}`)
      expect(acquired.configDigest).toBe(image.configDigest)
      expect(acquired.layers.map((l) => l.analysis.diffId)).toEqual(
        image.layers.map((l) => l.diffId)
      )
    }
    await expect(acquire(`docker-archive:${file}`)).rejects.toThrow(
      new ConfigurationError(
        `docker-archive:${file} holds 2 images (app:1, registry.local:5000/app:1; worker:latest); choose one with docker-archive:${file}:REF, where REF is a tag or @INDEX.`
      )
    )
    await expect(acquire(`docker-archive:${file}:app:2`)).rejects.toThrow(
      new ConfigurationError(
        `docker-archive:${file} has no image tagged "app:2"; it holds app:1, registry.local:5000/app:1; worker:latest. Write docker-archive:${file}:REF with one of them.`
      )
    )
  })

  it('reads a Docker ≥25 save through its OCI manifest and reports the manifest digest', async () => {
    const file = write('save25.tar', dockerSave25(app, 'app:1'))
    const acquired = await acquire(`docker-archive:${file}`)
    expect(acquired).toMatchObject({
      digest: app.manifestDigest,
      configDigest: app.configDigest,
      manifest: app.manifest,
      config: app.config
    })
    expect(acquired.layers.map((l) => l.descriptor)).toEqual(app.manifest.layers)
    expect(acquired.layers.map((l) => l.analysis.digest)).toEqual(app.layers.map((l) => l.digest))
    // The same file is an OCI layout too.
    await expect(acquire(`oci-archive:${file}:1`)).resolves.toMatchObject({
      digest: app.manifestDigest
    })
  })

  it('reads an oci-archive whose index.json and manifest come after the layers', async () => {
    const files = [...ociLayout([{ image: app, ref: 'app' }]).files].reverse()
    const file = write('reversed.oci.tar', archive(files))
    const acquired = await acquire(`oci-archive:${file}:app`)
    expect(acquired.digest).toBe(app.manifestDigest)
    expect(acquired.layers.map((l) => l.analysis.digest)).toEqual(app.layers.map((l) => l.digest))
  })

  it('analyses from memory a layer whose first bytes look like JSON', async () => {
    const odd = buildImage({
      layers: [{ compression: 'none', entries: [{ path: '{odd}.json', content: '{}' }] }]
    })
    const file = join(work, 'odd.tar')
    writeDockerArchive(file, odd, ['odd:1'])
    const acquired = await acquire(`docker-archive:${file}`)
    expect(acquired.layers.map((l) => l.analysis.entries.map((e) => e.path))).toEqual([
      ['/{odd}.json']
    ])
    expect(acquired.layers[0]!.analysis.diffId).toBe(odd.layers[0]!.diffId)
  })
})

describe('docker-daemon', () => {
  let env: NodeJS.ProcessEnv
  beforeAll(() => {
    const saved = join(work, 'daemon-app.tar')
    writeDockerArchive(saved, app, ['app:1'])
    const bin = installDockerStandIn(join(work, 'bin'), { 'app:1': saved })
    env = { ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}` }
  })

  it('reads the image `docker save` streams', async () => {
    const acquired = await acquire('docker-daemon:app:1', env)
    expect(acquired).toMatchObject({ reference: 'docker-daemon:app:1', digest: app.configDigest })
    expect(acquired.layers.map((l) => l.analysis.diffId)).toEqual(app.layers.map((l) => l.diffId))
  })

  it('reports docker save failing with the first line docker wrote', async () => {
    await expect(acquire('docker-daemon:nope:1', env)).rejects.toThrow(
      new ImageError(
        'docker save nope:1 failed: Error response from daemon: No such image: nope:1; check the image name with docker image ls and that the engine is running.'
      )
    )
  })

  it('says the docker CLI is needed when there is none on PATH', async () => {
    const empty = join(work, 'empty-bin')
    mkdirSync(empty, { recursive: true })
    const error = await acquire('docker-daemon:app:1', { PATH: empty }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ImageError)
    expect(error).toMatchObject({
      code: 'DOCKER_NOT_FOUND',
      message:
        'docker-daemon: needs the docker CLI and a running engine; "docker" was not found on PATH. Install Docker, or read a saved image with docker-archive:PATH.'
    })
  })
})

describe('archives refuse bad input with a clear message', () => {
  /** A classic archive of `app` with its members changed. */
  function classicWith(change: (files: Map<string, Buffer | string>) => void): Buffer {
    const files = new Map<string, Buffer | string>()
    app.layers.forEach((layer) => files.set(`${hex(layer.diffId)}/layer.tar`, layer.tar))
    files.set(`${hex(app.configDigest)}.json`, app.configBytes)
    files.set(
      'manifest.json',
      JSON.stringify([
        {
          Config: `${hex(app.configDigest)}.json`,
          RepoTags: ['app:1'],
          Layers: app.layers.map((layer) => `${hex(layer.diffId)}/layer.tar`)
        }
      ])
    )
    change(files)
    return archive([...files])
  }

  const firstLayer = `${hex(app.layers[0]!.diffId)}/layer.tar`
  const gzipped = gzipSync(app.layers[0]!.tar)

  it.each<[string, (name: string) => string, (file: string) => Error]>([
    [
      'a missing file',
      (name) => join(work, name),
      (file) => new ImageError(`docker-archive file ${file} does not exist; check the path.`)
    ],
    [
      'a text file',
      (name) => write(name, 'These are release notes, not an image.\n'.repeat(20)),
      (file) =>
        new ImageError(
          `docker-archive:${file}: not a tar archive (the first header has a bad checksum)`
        )
    ],
    [
      'a truncated gzip layer',
      (name) =>
        write(
          name,
          classicWith((files) => files.set(firstLayer, gzipped.subarray(0, gzipped.length - 20)))
        ),
      (file) =>
        new ImageError(
          `layer ${firstLayer} in docker-archive:${file}: gzip stream is truncated or corrupt (unexpected end of file)`
        )
    ],
    [
      'a manifest.json that is not JSON',
      (name) =>
        write(
          name,
          classicWith((files) => files.set('manifest.json', 'garbage\n'))
        ),
      (file) =>
        new ImageError(
          `docker-archive:${file} has a manifest.json that is not a docker save manifest (a JSON list of {Config, RepoTags, Layers}); the archive is corrupt.`
        )
    ],
    [
      'a layer listed in manifest.json but absent',
      (name) =>
        write(
          name,
          classicWith((files) => files.delete(firstLayer))
        ),
      (file) =>
        new ImageError(
          `docker-archive:${file} has no member ${firstLayer}, which manifest.json lists as layer 1 of 2; the archive is incomplete.`
        )
    ],
    [
      'a config that does not match the digest in its name',
      (name) =>
        write(
          name,
          classicWith((files) =>
            files.set(
              `${hex(app.configDigest)}.json`,
              app.configBytes.toString().replace('amd64', 'arm64')
            )
          )
        ),
      (file) =>
        new ImageError(
          `docker-archive:${file} config ${hex(app.configDigest)}.json does not match its digest: expected ${app.configDigest}, got ${sha256(app.configBytes.toString().replace('amd64', 'arm64'))}; the image is corrupt or was tampered with.`
        )
    ],
    [
      'an OCI archive, which has no manifest.json',
      (name) => {
        const file = join(work, name)
        writeOciArchive(file, [{ image: app }])
        return file
      },
      (file) =>
        new ImageError(
          `docker-archive:${file} is not a docker save archive: it has no manifest.json. It is an OCI image layout: read it as oci-archive:${file}.`
        )
    ]
  ])('docker-archive: %s', async (_case, make, expected) => {
    const file = make(`bad-${_case.replaceAll(/\W+/g, '-')}.tar`)
    const error = await acquire(`docker-archive:${file}`).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(expected(file).constructor)
    expect((error as Error).message).toBe(expected(file).message)
  })

  it('oci-archive: names a layer blob that does not match its digest', async () => {
    const layer = app.layers[1]!
    const files = ociLayout([{ image: app }]).files
    const path = `blobs/sha256/${hex(layer.digest)}`
    // A byte of file content (app/main, after two 512-byte headers), so the tar still parses.
    const tampered = Buffer.from(files.get(path)!)
    tampered[1024] = tampered[1024]! ^ 0x01
    files.set(path, tampered)
    const file = write('tampered.oci.tar', archive([...files]))
    await expect(acquire(`oci-archive:${file}`)).rejects.toThrow(
      new ImageError(
        `layer ${layer.digest} in oci-archive:${file} does not match its digest: expected ${layer.digest}, got ${sha256(tampered)}; the image is corrupt or was tampered with.`
      )
    )
  })

  it('oci-archive: points a docker save archive to docker-archive', async () => {
    const file = join(work, 'classic-as-oci.tar')
    writeDockerArchive(file, app, ['app:1'])
    await expect(acquire(`oci-archive:${file}`)).rejects.toThrow(
      new ImageError(
        `oci-archive:${file} is not an OCI image layout: it has no index.json. It was written by docker save: read it as docker-archive:${file}.`
      )
    )
  })

  it('oci-archive: reports REF not found with the refs it holds', async () => {
    const file = join(work, 'refs.oci.tar')
    writeOciArchive(file, [
      { image: app, ref: 'app' },
      { image: worker, ref: 'worker' }
    ])
    await expect(acquire(`oci-archive:${file}:nope`)).rejects.toThrow(
      new ConfigurationError(
        `oci-archive:${file} has no image named "nope"; it holds "app", "worker". Write oci-archive:${file}:NAME with one of them.`
      )
    )
  })
})
