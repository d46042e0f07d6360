import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { installDockerStandIn } from '../../__fixtures__/docker-stand-in.js'
import { missingTools } from '../../__fixtures__/registry.js'
import {
  buildImage,
  writeDockerArchive,
  writeOciArchive,
  writeOciLayout,
  type ImageSpec
} from '../../__fixtures__/image-builder.js'
import { ConfigurationError, ImageError } from '../../src/errors.js'
import { sha256 } from '../../src/image/digest.js'
import { analyzeLayer } from '../../src/image/layer/analyze.js'
import type { AcquiredImage } from '../../src/image/source.js'
import { openSource, parseSourceSpec, type SourceSpec } from '../../src/image/sources.js'
import type { Platform } from '../../src/image/types.js'
import { silentLogger } from '../../src/log.js'

const AMD64: Platform = { os: 'linux', architecture: 'amd64' }

function acquire(
  spec: string,
  platform: Platform = AMD64,
  env: NodeJS.ProcessEnv = process.env
): Promise<AcquiredImage> {
  return openSource(spec).acquire({
    platform,
    insecureRegistries: [],
    env,
    logger: silentLogger,
    analyzeLayer: (blob, layer) => analyzeLayer(blob, { ...layer, requests: [], subscriptions: [] })
  })
}

/** Three layers, one per compression, with a whiteout and an opaque directory. */
const SPEC: ImageSpec = {
  layers: [
    {
      compression: 'gzip',
      entries: [
        { path: 'etc/' },
        { path: 'etc/passwd', content: 'app:x:10001:10001::/app:/bin/false\n' },
        { path: 'etc/secret.key', content: '-----BEGIN PRIVATE KEY-----\n' },
        { path: 'usr/bin/' },
        { path: 'usr/bin/tool', content: '#!/bin/sh\n', mode: 0o755 }
      ]
    },
    {
      compression: 'zstd',
      entries: [
        { path: 'etc/.wh.secret.key' },
        { path: 'usr/bin/.wh..wh..opq' },
        { path: 'usr/bin/tool2', content: 'x', mode: 0o4755 }
      ]
    },
    {
      compression: 'none',
      entries: [
        { path: 'app/' },
        { path: 'app/run.sh', content: 'echo hi\n', mode: 0o755, uid: 10001 },
        { path: 'app/current', type: 'symlink', linkTarget: 'run.sh' }
      ]
    }
  ],
  config: { User: '10001', Env: ['PATH=/usr/bin'] }
}
const image = buildImage(SPEC)

/** What every source must agree on, whatever the transport stored. */
function contentOf(acquired: AcquiredImage): unknown {
  return {
    config: acquired.config,
    configDigest: acquired.configDigest,
    platform: acquired.platform,
    layers: acquired.layers.map(({ analysis }) => ({
      diffId: analysis.diffId,
      entries: analysis.entries.map((entry) => [entry.path, entry.type, entry.mode, entry.uid]),
      whiteouts: analysis.whiteouts
    }))
  }
}

const EXPECTED_CONTENT = {
  config: image.config,
  configDigest: image.configDigest,
  platform: AMD64,
  layers: [
    {
      diffId: image.layers[0]!.diffId,
      entries: [
        ['/etc', 'dir', 0o755, 0],
        ['/etc/passwd', 'file', 0o644, 0],
        ['/etc/secret.key', 'file', 0o644, 0],
        ['/usr/bin', 'dir', 0o755, 0],
        ['/usr/bin/tool', 'file', 0o755, 0]
      ],
      whiteouts: []
    },
    {
      diffId: image.layers[1]!.diffId,
      entries: [['/usr/bin/tool2', 'file', 0o4755, 0]],
      whiteouts: [
        { path: '/etc/secret.key', opaque: false },
        { path: '/usr/bin', opaque: true }
      ]
    },
    {
      diffId: image.layers[2]!.diffId,
      entries: [
        ['/app', 'dir', 0o755, 0],
        ['/app/run.sh', 'file', 0o755, 10001],
        ['/app/current', 'symlink', 0o777, 0]
      ],
      whiteouts: []
    }
  ]
}

let work: string
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'cg-sources-'))
})
afterAll(() => {
  rmSync(work, { recursive: true, force: true })
})

describe('parseSourceSpec', () => {
  it.each<[string, SourceSpec]>([
    ['alpine:3.20', { transport: 'docker', reference: 'alpine:3.20' }],
    ['docker://ghcr.io/org/app:1', { transport: 'docker', reference: 'ghcr.io/org/app:1' }],
    ['localhost:5000/app', { transport: 'docker', reference: 'localhost:5000/app' }],
    [
      'registry.local:5000/team/app@sha256:' + 'a'.repeat(64),
      { transport: 'docker', reference: 'registry.local:5000/team/app@sha256:' + 'a'.repeat(64) }
    ],
    ['docker-daemon:app:1', { transport: 'docker-daemon', reference: 'app:1' }],
    ['docker-archive:app.tar', { transport: 'docker-archive', path: 'app.tar' }],
    [
      'docker-archive:out/app.tar:app:1',
      { transport: 'docker-archive', path: 'out/app.tar', ref: 'app:1' }
    ],
    ['oci-archive:app.tar:v1', { transport: 'oci-archive', path: 'app.tar', ref: 'v1' }],
    ['oci:./layout', { transport: 'oci', path: './layout' }],
    [
      'oci:/tmp/layout:ghcr.io/org/app:1',
      { transport: 'oci', path: '/tmp/layout', ref: 'ghcr.io/org/app:1' }
    ]
  ])('reads %s', (spec, expected) => {
    expect(parseSourceSpec(spec)).toEqual(expected)
  })

  it.each([
    [
      'foo:bar/baz',
      'image "foo:bar/baz" uses the transport "foo", which container-gate does not read; use one of docker://REF (or a bare REF), docker-daemon:REF, docker-archive:PATH[:REF], oci-archive:PATH[:REF], oci:DIR[:REF].'
    ],
    [
      'dir:layout',
      'image "dir:layout" uses the transport "dir", which container-gate does not read; use one of docker://REF (or a bare REF), docker-daemon:REF, docker-archive:PATH[:REF], oci-archive:PATH[:REF], oci:DIR[:REF].'
    ],
    ['oci-archive:', 'image "oci-archive:" has an empty path; write oci-archive:PATH[:REF].'],
    ['oci::latest', 'image "oci::latest" has an empty path; write oci:DIR[:REF].'],
    [
      'docker-daemon:',
      'image "docker-daemon:" names no image; write docker-daemon:REF, e.g. docker-daemon:app:1.0.'
    ]
  ])('rejects %s with a ConfigurationError', (spec, message) => {
    expect(() => openSource(spec)).toThrow(new ConfigurationError(message))
    expect(() => openSource(spec)).toThrow(ConfigurationError)
  })

  it.each([
    ['alpine', 'docker'],
    ['docker://alpine', 'docker'],
    ['docker-daemon:alpine', 'docker-daemon'],
    ['docker-archive:a.tar', 'docker-archive'],
    ['oci-archive:a.tar', 'oci-archive'],
    ['oci:dir', 'oci']
  ])('opens %s with the %s transport and keeps the reference as given', (spec, transport) => {
    const source = openSource(spec)
    expect(source.transport).toBe(transport)
    expect(source.reference).toBe(spec)
  })
})

describe('a bare reference that names something here', () => {
  it('says which transport reads a file or an OCI layout, and docker:// still means the registry', () => {
    const file = join(work, 'local', 'app.tar')
    const layout = join(work, 'local', 'layout')
    writeOciArchive(file, [{ image, ref: 'app' }])
    writeOciLayout(layout, [{ image, ref: 'app' }])
    expect(() => openSource(file)).toThrow(
      new ConfigurationError(
        `image "${file}" names a file here, not a registry image; read it as oci-archive:${file} (an OCI layout in a tar) or docker-archive:${file} (docker save), or write docker://${file} for the registry.`
      )
    )
    expect(() => openSource(layout)).toThrow(
      new ConfigurationError(
        `image "${layout}" names an OCI layout directory here, not a registry image; read it as oci:${layout}, or write docker://${layout} for the registry.`
      )
    )
    // A directory that is no layout, and a name that is nothing here, stay registry references.
    expect(() => openSource(join(work, 'local'))).not.toThrow(/here/)
    expect(openSource('nothing-here/app:1').transport).toBe('docker')
  })
})

describe('every source reads the same image', () => {
  let paths: { layout: string; ociArchive: string; dockerArchive: string; bin: string }
  beforeAll(() => {
    paths = {
      layout: join(work, 'same', 'layout'),
      ociArchive: join(work, 'same', 'app.oci.tar'),
      dockerArchive: join(work, 'same', 'app.docker.tar'),
      bin: join(work, 'same', 'bin')
    }
    writeOciLayout(paths.layout, [{ image, ref: 'app' }])
    writeOciArchive(paths.ociArchive, [{ image, ref: 'app' }])
    writeDockerArchive(paths.dockerArchive, image, ['app:1'])
    installDockerStandIn(paths.bin, { 'app:1': paths.dockerArchive })
  })

  it('oci:DIR verifies every blob and reports the manifest digest', async () => {
    const acquired = await acquire(`oci:${paths.layout}`)
    expect(contentOf(acquired)).toEqual(EXPECTED_CONTENT)
    expect(acquired).toMatchObject({
      reference: `oci:${paths.layout}`,
      digest: image.manifestDigest,
      manifest: image.manifest
    })
    expect(acquired.indexDigest).toBeUndefined()
    expect(acquired.layers.map((l) => l.descriptor)).toEqual(image.manifest.layers)
    expect(acquired.layers.map((l) => [l.analysis.digest, l.analysis.compression])).toEqual([
      [image.layers[0]!.digest, 'gzip'],
      [image.layers[1]!.digest, 'zstd'],
      [image.layers[2]!.digest, 'none']
    ])
  })

  it('oci-archive:PATH reads the same image in one pass over the tar', async () => {
    const acquired = await acquire(`oci-archive:${paths.ociArchive}:app`)
    expect(contentOf(acquired)).toEqual(EXPECTED_CONTENT)
    expect(acquired.digest).toBe(image.manifestDigest)
    expect(acquired.layers.map((l) => l.descriptor)).toEqual(image.manifest.layers)
  })

  it('docker-archive:PATH reads the same image and reports the image ID (config digest)', async () => {
    const acquired = await acquire(`docker-archive:${paths.dockerArchive}`)
    expect(contentOf(acquired)).toEqual(EXPECTED_CONTENT)
    expect(acquired.digest).toBe(image.configDigest)
    // docker save stores layers uncompressed, so the layer digest is the diffID.
    expect(acquired.layers.map((l) => l.descriptor)).toEqual(
      image.layers.map((layer) => ({
        mediaType: 'application/vnd.docker.image.rootfs.diff.tar',
        digest: layer.diffId,
        size: layer.tar.length
      }))
    )
    expect(acquired.manifest).toEqual({
      schemaVersion: 2,
      mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
      config: {
        mediaType: 'application/vnd.docker.container.image.v1+json',
        digest: image.configDigest,
        size: image.configBytes.length
      },
      layers: acquired.layers.map((l) => l.descriptor)
    })
  })

  // The docker stand-in is a shell script that cats the archive.
  ;(missingTools(['sh', 'cat']) === undefined ? it : it.skip)(
    'docker-daemon:REF streams `docker save REF` and reads it like a docker-archive',
    async () => {
      const env = { ...process.env, PATH: `${paths.bin}:${process.env.PATH ?? ''}` }
      const acquired = await acquire('docker-daemon:app:1', AMD64, env)
      expect(contentOf(acquired)).toEqual(EXPECTED_CONTENT)
      expect(acquired.reference).toBe('docker-daemon:app:1')
      expect(acquired.digest).toBe(image.configDigest)
    }
  )
})

describe('oci:DIR chooses an image', () => {
  const other = buildImage({
    layers: [{ entries: [{ path: 'srv/' }, { path: 'srv/b.txt', content: 'b' }] }]
  })
  const arm64 = buildImage({
    layers: [{ entries: [{ path: 'arm/' }] }],
    platform: { os: 'linux', architecture: 'arm64', variant: 'v8' }
  })

  it('selects by org.opencontainers.image.ref.name', async () => {
    const dir = join(work, 'two-refs')
    writeOciLayout(dir, [
      { image, ref: 'a' },
      { image: other, ref: 'b' }
    ])
    await expect(acquire(`oci:${dir}:b`)).resolves.toMatchObject({ digest: other.manifestDigest })
    await expect(acquire(`oci:${dir}:a`)).resolves.toMatchObject({ digest: image.manifestDigest })
    await expect(acquire(`oci:${dir}:c`)).rejects.toThrow(
      new ConfigurationError(
        `oci:${dir} has no image named "c"; it holds "a", "b". Write oci:${dir}:NAME with one of them.`
      )
    )
    await expect(acquire(`oci:${dir}`)).rejects.toThrow(
      new ConfigurationError(
        `oci:${dir} holds several images ("a", "b"); choose one with oci:${dir}:REF.`
      )
    )
  })

  it('treats unnamed manifests for different platforms as one multi-platform image', async () => {
    const dir = join(work, 'flat-multi')
    writeOciLayout(dir, [{ image }, { image: arm64 }])
    const arm = { os: 'linux', architecture: 'arm64' }
    await expect(acquire(`oci:${dir}`, arm)).resolves.toMatchObject({
      digest: arm64.manifestDigest
    })
    await expect(acquire(`oci:${dir}`)).resolves.toMatchObject({ digest: image.manifestDigest })
  })

  it('lists unnamed images by digest and accepts a digest as REF', async () => {
    const dir = join(work, 'unnamed')
    writeOciLayout(dir, [{ image }, { image: other }])
    await expect(acquire(`oci:${dir}`)).rejects.toThrow(
      new ConfigurationError(
        `oci:${dir} holds several images (${image.manifestDigest} (linux/amd64), ${other.manifestDigest} (linux/amd64)); choose one with oci:${dir}:REF.`
      )
    )
    await expect(acquire(`oci:${dir}:${other.manifestDigest}`)).resolves.toMatchObject({
      digest: other.manifestDigest
    })
  })

  it('takes the only image when no REF is given', async () => {
    const dir = join(work, 'one-image')
    writeOciLayout(dir, [{ image: other }])
    await expect(acquire(`oci:${dir}`)).resolves.toMatchObject({ digest: other.manifestDigest })
  })

  it('follows a nested image index to the wanted platform, in a directory and in an archive', async () => {
    const dir = join(work, 'multi')
    const file = join(work, 'multi.tar')
    const layout = writeOciLayout(dir, [{ image }, { image: arm64 }], { index: { ref: 'multi' } })
    writeOciArchive(file, [{ image }, { image: arm64 }], { index: { ref: 'multi' } })
    const arm = { os: 'linux', architecture: 'arm64' }
    for (const spec of [`oci:${dir}:multi`, `oci-archive:${file}`]) {
      const acquired = await acquire(spec, arm)
      expect(acquired).toMatchObject({
        digest: arm64.manifestDigest,
        indexDigest: layout.indexDigest,
        platform: { os: 'linux', architecture: 'arm64', variant: 'v8' },
        configDigest: arm64.configDigest
      })
      expect(acquired.layers.map((l) => l.analysis.diffId)).toEqual([arm64.layers[0]!.diffId])
      await expect(acquire(spec)).resolves.toMatchObject({ digest: image.manifestDigest })
    }
    await expect(acquire(`oci:${dir}`, { os: 'linux', architecture: 's390x' })).rejects.toThrow(
      new ConfigurationError(
        `oci:${dir} image index ${layout.indexDigest} has no image for platform linux/s390x; it offers linux/amd64, linux/arm64/v8. Choose one with --platform (input "platform").`
      )
    )
  })

  it('checks the config platform of an image chosen without an index', async () => {
    const dir = join(work, 'arm-only')
    writeOciLayout(dir, [{ image: arm64, ref: 'arm' }])
    await expect(acquire(`oci:${dir}`)).rejects.toThrow(
      new ConfigurationError(
        `oci:${dir} has no image for platform linux/amd64; it offers linux/arm64/v8. Choose one with --platform (input "platform").`
      )
    )
  })
})

describe('oci:DIR refuses a broken layout', () => {
  it('names a layer blob that does not match its digest', async () => {
    const dir = join(work, 'tampered')
    writeOciLayout(dir, [{ image }])
    const layer = image.layers[2]!
    const blob = join(dir, 'blobs', 'sha256', layer.digest.slice('sha256:'.length))
    // A byte of file content (app/run.sh, after two 512-byte headers), so the tar still parses.
    const tampered = Buffer.from(readFileSync(blob))
    tampered[1024] = tampered[1024]! ^ 0x01
    writeFileSync(blob, tampered)
    const error = await acquire(`oci:${dir}`).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ImageError)
    expect((error as ImageError).message).toMatch(
      new RegExp(
        `^layer ${layer.digest} does not match its digest: expected ${layer.digest}, got sha256:[a-f0-9]{64}; the image is corrupt or was tampered with\\.$`
      )
    )
  })

  it('names a missing layer blob before reading any layer', async () => {
    const dir = join(work, 'missing-blob')
    writeOciLayout(dir, [{ image }])
    const layer = image.layers[1]!
    rmSync(join(dir, 'blobs', 'sha256', layer.digest.slice('sha256:'.length)))
    await expect(acquire(`oci:${dir}`)).rejects.toThrow(
      new ImageError(
        `oci:${dir} is missing blob ${layer.digest} (layer 2 of 3); the layout is incomplete, write it again.`
      )
    )
  })

  it('rejects a manifest of an unknown media type listed in index.json', async () => {
    const dir = join(work, 'unknown-type')
    writeOciLayout(dir, [{ image }])
    const doc = Buffer.from(
      JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.acme.rocket.v1+json' })
    )
    const digest = sha256(doc)
    writeFileSync(join(dir, 'blobs', 'sha256', digest.slice('sha256:'.length)), doc)
    writeFileSync(
      join(dir, 'index.json'),
      JSON.stringify({
        schemaVersion: 2,
        manifests: [{ mediaType: 'application/vnd.acme.rocket.v1+json', digest, size: doc.length }]
      })
    )
    await expect(acquire(`oci:${dir}`)).rejects.toThrow(
      new ImageError(
        `oci:${dir} manifest ${digest} has the unsupported media type "application/vnd.acme.rocket.v1+json"; container-gate reads OCI and Docker v2 manifests and indexes.`
      )
    )
  })

  it.each([
    [
      'a missing directory',
      (dir: string) => dir,
      (dir: string) => `oci directory ${dir} does not exist; check the path.`
    ],
    [
      'a directory without an oci-layout file',
      (dir: string) => {
        writeOciLayout(dir, [{ image }])
        rmSync(join(dir, 'oci-layout'))
        return dir
      },
      (dir: string) =>
        `oci:${dir} is not an OCI image layout: its oci-layout file is missing or does not declare imageLayoutVersion 1.x.`
    ]
  ])('rejects %s', async (_case, make, message) => {
    const dir = make(join(work, `broken-${_case.replaceAll(' ', '-')}`))
    await expect(acquire(`oci:${dir}`)).rejects.toThrow(new ImageError(message(dir)))
  })
})

const hasSkopeo = spawnSync('skopeo', ['--version']).status === 0
if (!hasSkopeo) {
  console.warn('skopeo interop tests skipped: skopeo is not installed (apt-get install -y skopeo).')
}

describe('reads what an independent producer (skopeo) wrote', () => {
  const skopeoIt = hasSkopeo ? it : it.skip
  let layout: string
  beforeAll(() => {
    layout = join(work, 'skopeo-src')
    writeOciLayout(layout, [{ image, ref: 'app' }])
  })

  function skopeoCopy(from: string, to: string): void {
    const run = spawnSync('skopeo', ['--insecure-policy', 'copy', '--quiet', from, to], {
      encoding: 'utf8'
    })
    if (run.status !== 0) throw new Error(`skopeo copy ${from} ${to} failed: ${run.stderr}`)
  }

  skopeoIt(
    'docker-archive:FILE written by `skopeo copy … docker-archive:FILE:name:tag`',
    async () => {
      // Docker archives cannot hold zstd layers (skopeo refuses), so that layer is gzip here; the
      // diffIDs and hence the config are the same.
      const gzipOnly = buildImage({
        ...SPEC,
        layers: SPEC.layers.map((layer) => ({
          ...layer,
          compression: layer.compression === 'zstd' ? 'gzip' : layer.compression
        }))
      })
      const dir = join(work, 'skopeo-src-gzip')
      writeOciLayout(dir, [{ image: gzipOnly, ref: 'app' }])
      const file = join(work, 'skopeo.docker.tar')
      skopeoCopy(`oci:${dir}:app`, `docker-archive:${file}:example.com/team/app:1.0`)
      for (const spec of [
        `docker-archive:${file}`,
        `docker-archive:${file}:example.com/team/app:1.0`
      ]) {
        const acquired = await acquire(spec)
        expect(contentOf(acquired)).toEqual(EXPECTED_CONTENT)
        expect(acquired.digest).toBe(image.configDigest)
      }
      await expect(acquire(`docker-archive:${file}:app:2`)).rejects.toThrow(
        new ConfigurationError(
          `docker-archive:${file} has no image tagged "app:2"; it holds example.com/team/app:1.0. Write docker-archive:${file}:REF with one of them.`
        )
      )
    }
  )

  skopeoIt('oci-archive:FILE written by `skopeo copy … oci-archive:FILE`', async () => {
    const file = join(work, 'skopeo.oci.tar')
    skopeoCopy(`oci:${layout}:app`, `oci-archive:${file}:app`)
    const acquired = await acquire(`oci-archive:${file}`)
    expect(contentOf(acquired)).toEqual(EXPECTED_CONTENT)
    expect(acquired.layers.map((l) => l.analysis.digest)).toEqual(
      acquired.manifest.layers.map((d) => d.digest)
    )
  })
})
