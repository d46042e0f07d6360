/**
 * Pulls from a real registry (Debian's docker-registry, distribution 2.8) that skopeo pushed
 * fixture images to: anonymous, htpasswd (Basic) and token auth, pins, indexes, corruption.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import type { Readable } from 'node:stream'
import { buildImage, writeOciLayout, type BuiltImage } from '../../__fixtures__/image-builder.js'
import { recordingLogger } from '../../__fixtures__/recording-logger.js'
import {
  blobDataPath,
  freePort,
  missingTools,
  pushWithSkopeo,
  startRegistry,
  startTokenIssuer,
  tempDir,
  type TestRegistry,
  type TokenIssuer
} from '../../__fixtures__/registry.js'
import { ConfigurationError, ImageError } from '../../src/errors.js'
import { analyzeLayer } from '../../src/image/layer/analyze.js'
import { registrySource } from '../../src/image/registry/source.js'
import type { AcquiredImage, AcquireOptions } from '../../src/image/source.js'

const missing = missingTools(['docker-registry', 'skopeo', 'openssl', 'htpasswd'])
if (missing !== undefined) console.warn(`registry tests ${missing}`)
const describeWithRegistry = missing === undefined ? describe : describe.skip

const USER = { username: 'alice', password: 'correct horse' }

const app = buildImage({
  layers: [
    {
      entries: [{ path: 'etc/' }, { path: 'etc/os-release', content: 'ID=fixture\n' }],
      compression: 'gzip'
    },
    {
      entries: [{ path: 'app/' }, { path: 'app/run.sh', content: '#!/bin/sh\n', mode: 0o755 }],
      compression: 'zstd'
    }
  ],
  config: { User: '10001' }
})
const arm = buildImage({
  layers: [{ entries: [{ path: 'arm.txt', content: 'arm64\n' }], compression: 'gzip' }],
  platform: { os: 'linux', architecture: 'arm64' }
})
/** Its layer is stored uncompressed and shared with nothing, so corrupting it touches only it. */
const corruptible = buildImage({
  layers: [{ entries: [{ path: 'data.txt', content: 'x'.repeat(4096) }], compression: 'none' }]
})

let home: string

function acquireOptions(overrides: Partial<AcquireOptions> = {}): AcquireOptions {
  return {
    platform: { os: 'linux', architecture: 'amd64' },
    insecureRegistries: [],
    // An empty HOME so that the machine's own ~/.docker/config.json is never read.
    env: { PATH: process.env.PATH, HOME: home },
    logger: recordingLogger(),
    analyzeLayer: (blob: Readable, layer) =>
      analyzeLayer(blob, { ...layer, requests: [], subscriptions: [] }),
    ...overrides
  }
}

function expectImage(acquired: AcquiredImage, image: BuiltImage): void {
  expect(acquired.digest).toBe(image.manifestDigest)
  expect(acquired.configDigest).toBe(image.configDigest)
  expect(acquired.config).toEqual(image.config)
  expect(acquired.manifest).toEqual(image.manifest)
  expect(acquired.platform).toEqual(image.platform)
  expect(
    acquired.layers.map(({ descriptor, analysis }) => [
      descriptor.digest,
      analysis.digest,
      analysis.diffId,
      analysis.compression
    ])
  ).toEqual(
    image.layers.map((layer) => [layer.digest, layer.digest, layer.diffId, layer.compression])
  )
}

async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise
  } catch (error) {
    return error as Error
  }
  throw new Error('expected a rejection')
}

describe('missingTools', () => {
  it('names a missing tool and how to install it', () => {
    const withoutPath = process.env.PATH
    try {
      // A PATH holding only node's directory: node is found, the other tool is not.
      process.env.PATH = dirname(process.execPath)
      expect(missingTools(['docker-registry-not-here', 'node'])).toBe(
        'skipped: docker-registry-not-here not on PATH (install docker-registry-not-here)'
      )
      process.env.PATH = ''
      expect(missingTools(['docker-registry', 'skopeo'])).toBe(
        'skipped: docker-registry, skopeo not on PATH (apt-get install -y docker-registry skopeo)'
      )
    } finally {
      process.env.PATH = withoutPath
    }
  })
})

describeWithRegistry(missing ?? 'pulling from a real registry', () => {
  let work: string
  let open: TestRegistry
  let basic: TestRegistry
  let issuer: TokenIssuer
  let token: TestRegistry
  let layoutIndexDigest: string

  beforeAll(async () => {
    work = tempDir('registry-test')
    home = join(work, 'home')
    mkdirSync(home)
    const single = join(work, 'single')
    writeOciLayout(single, [
      { image: app, ref: 'app' },
      { image: corruptible, ref: 'corruptible' }
    ])
    const multi = join(work, 'multi')
    layoutIndexDigest = writeOciLayout(multi, [{ image: app }, { image: arm }], {
      index: { ref: 'multi' }
    }).indexDigest!

    issuer = await startTokenIssuer({ ...USER, identityToken: 'refresh-me' })
    ;[open, basic, token] = await Promise.all([
      startRegistry(),
      startRegistry({ htpasswd: USER }),
      startRegistry({
        token: {
          realm: issuer.realm,
          service: issuer.service,
          issuer: issuer.issuer,
          rootCertBundle: issuer.certificate
        }
      })
    ])
    const credentials = `${USER.username}:${USER.password}`
    await Promise.all([
      pushWithSkopeo(single, 'app', `${open.host}/app:1`),
      pushWithSkopeo(single, 'corruptible', `${open.host}/corruptible:1`),
      pushWithSkopeo(multi, 'multi', `${open.host}/multi:1`, { multiArch: true }),
      pushWithSkopeo(single, 'app', `${basic.host}/private/app:1`, { credentials }),
      pushWithSkopeo(single, 'app', `${token.host}/team/app:1`, { credentials })
    ])
  })

  afterAll(async () => {
    await Promise.all([open?.stop(), basic?.stop(), token?.stop(), issuer?.stop()])
    if (work !== undefined) rmSync(work, { recursive: true, force: true })
  })

  describe('anonymous', () => {
    it('pulls an image by tag, verifying and analysing every layer in manifest order', async () => {
      const acquired = await registrySource(`${open.host}/app:1`).acquire(acquireOptions())
      expectImage(acquired, app)
      expect(acquired.reference).toBe(`${open.host}/app:1`)
      expect(acquired.indexDigest).toBeUndefined()
      expect(acquired.layers[1]!.analysis.entries.map((entry) => entry.path)).toEqual([
        '/app',
        '/app/run.sh'
      ])
    })

    it('accepts the docker:// prefix', async () => {
      const acquired = await registrySource(`docker://${open.host}/app:1`).acquire(acquireOptions())
      expect(acquired.digest).toBe(app.manifestDigest)
    })

    it('pulls an image pinned by digest, with or without a tag', async () => {
      for (const reference of [
        `${open.host}/app@${app.manifestDigest}`,
        `${open.host}/app:1@${app.manifestDigest}`
      ]) {
        const acquired = await registrySource(reference).acquire(acquireOptions())
        expectImage(acquired, app)
      }
    })

    it('selects linux/arm64 from a two-platform index', async () => {
      const acquired = await registrySource(`${open.host}/multi:1`).acquire(
        acquireOptions({ platform: { os: 'linux', architecture: 'arm64' } })
      )
      expectImage(acquired, arm)
      expect(acquired.indexDigest).toBe(layoutIndexDigest)
    })

    it('says which platforms an index offers when none matches', async () => {
      const error = await failure(
        registrySource(`${open.host}/multi:1`).acquire(
          acquireOptions({ platform: { os: 'linux', architecture: 's390x' } })
        )
      )
      expect(error).toBeInstanceOf(ConfigurationError)
      expect(error.message).toBe(
        `image index of ${open.host}/multi:1 has no image for platform linux/s390x; it offers linux/amd64, linux/arm64. Choose one with --platform (input "platform").`
      )
    })

    it('refuses a single-platform image that is not the requested platform, as local sources do', async () => {
      const error = await failure(
        registrySource(`${open.host}/app:1`).acquire(
          acquireOptions({ platform: { os: 'linux', architecture: 'arm64' } })
        )
      )
      expect(error).toBeInstanceOf(ConfigurationError)
      expect(error.message).toBe(
        `image ${open.host}/app:1 has no image for platform linux/arm64; it offers linux/amd64. Choose one with --platform (input "platform").`
      )
    })

    it('reports an image that does not exist', async () => {
      const error = await failure(
        registrySource(`${open.host}/nothing:1`).acquire(acquireOptions())
      )
      expect(error).toBeInstanceOf(ImageError)
      expect(error.message).toBe(
        `image ${open.host}/nothing:1 not found in ${open.host}; check the repository name and tag.`
      )
    })

    it('reports an unreachable registry', async () => {
      const host = `127.0.0.1:${await freePort()}`
      const error = await failure(registrySource(`${host}/app:1`).acquire(acquireOptions()))
      expect(error).toBeInstanceOf(ImageError)
      expect((error as ImageError).code).toBe('REGISTRY_UNREACHABLE')
      expect(error.message).toMatch(
        new RegExp(
          `^registry ${host} is unreachable: http://${host}/v2/app/manifests/1 failed: .*ECONNREFUSED`
        )
      )
    })

    it('rejects a layer whose bytes in the registry do not match its digest', async () => {
      const layer = corruptible.layers[0]!
      const path = blobDataPath(open.storage, layer.digest)
      const bytes = readFileSync(path)
      expect(bytes.equals(layer.blob)).toBe(true)
      // Same length, one byte of file content changed: only the digest can tell.
      bytes[1024] = 'y'.charCodeAt(0)
      writeFileSync(path, bytes)
      const error = await failure(
        registrySource(`${open.host}/corruptible:1`).acquire(acquireOptions())
      )
      expect(error).toBeInstanceOf(ImageError)
      expect((error as ImageError).code).toBe('DIGEST_MISMATCH')
      // The layer is named once ("layer sha256:…"), not "layer layer sha256:…".
      const named = `layer ${layer.digest} does not match its digest`
      expect(error.message.slice(0, named.length)).toBe(named)
    })
  })

  describe('basic auth (htpasswd)', () => {
    const reference = (): string => `${basic.host}/private/app:1`

    it('pulls with explicit credentials', async () => {
      const acquired = await registrySource(reference()).acquire(
        acquireOptions({ credentials: USER })
      )
      expectImage(acquired, app)
    })

    it('pulls with credentials from $DOCKER_CONFIG/config.json', async () => {
      const config = join(work, 'docker-config-basic')
      mkdirSync(config, { recursive: true })
      const auth = Buffer.from(`${USER.username}:${USER.password}`).toString('base64')
      writeFileSync(
        join(config, 'config.json'),
        JSON.stringify({ auths: { [basic.host]: { auth } } })
      )
      const acquired = await registrySource(reference()).acquire(
        acquireOptions({ env: { PATH: process.env.PATH, HOME: home, DOCKER_CONFIG: config } })
      )
      expectImage(acquired, app)
    })

    it('reports rejected credentials without printing them', async () => {
      const error = await failure(
        registrySource(reference()).acquire(
          acquireOptions({ credentials: { username: 'alice', password: 'wrong-secret' } })
        )
      )
      expect(error).toBeInstanceOf(ImageError)
      expect(error.message).toBe(
        `registry ${basic.host} rejected the credentials for private/app (401); check registry-username/registry-password or docker login (they came from inputs registry-username/registry-password).`
      )
      expect(error.message).not.toContain('wrong-secret')
    })

    it('asks for credentials when there are none', async () => {
      const error = await failure(registrySource(reference()).acquire(acquireOptions()))
      expect(error.message).toBe(
        `registry ${basic.host} requires authentication to pull private/app (401); set registry-username/registry-password or run docker login.`
      )
    })
  })

  describe('token auth', () => {
    const reference = (): string => `${token.host}/team/app:1`

    it('gets a pull token with Basic credentials and reuses it for every request', async () => {
      issuer.requests.length = 0
      const acquired = await registrySource(reference()).acquire(
        acquireOptions({ credentials: USER })
      )
      expectImage(acquired, app)
      expect(issuer.requests).toEqual([
        {
          method: 'GET',
          service: 'container-gate-test',
          scopes: ['repository:team/app:pull'],
          user: 'alice'
        }
      ])
    })

    it('exchanges an identitytoken from the Docker config for a token (OAuth2 refresh)', async () => {
      const config = join(work, 'docker-config-token')
      mkdirSync(config, { recursive: true })
      writeFileSync(
        join(config, 'config.json'),
        JSON.stringify({ auths: { [token.host]: { identitytoken: 'refresh-me' } } })
      )
      issuer.requests.length = 0
      const acquired = await registrySource(reference()).acquire(
        acquireOptions({ env: { PATH: process.env.PATH, HOME: home, DOCKER_CONFIG: config } })
      )
      expectImage(acquired, app)
      expect(issuer.requests).toEqual([
        {
          method: 'POST',
          service: 'container-gate-test',
          scopes: ['repository:team/app:pull'],
          grantType: 'refresh_token'
        }
      ])
    })

    it('reports credentials the token service rejects', async () => {
      const error = await failure(
        registrySource(reference()).acquire(
          acquireOptions({ credentials: { username: 'alice', password: 'nope' } })
        )
      )
      expect(error).toBeInstanceOf(ImageError)
      expect(error.message).toMatch(
        new RegExp(`^registry ${token.host} rejected the credentials for team/app \\(401\\)`)
      )
    })

    it('reports that an anonymous token does not grant the pull', async () => {
      const error = await failure(registrySource(reference()).acquire(acquireOptions()))
      expect(error.message).toMatch(
        new RegExp(`^registry ${token.host} requires authentication to pull team/app \\(401\\)`)
      )
    })
  })
})
