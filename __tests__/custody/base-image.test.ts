/**
 * The base image from the Dockerfile's final FROM, and its signature verified in the gate when
 * the image's annotations do not name it.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { generateKeyPairSync } from 'node:crypto'
import { rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import {
  buildImage,
  writeOciArchive,
  writeOciLayout,
  type BuiltImage
} from '../../__fixtures__/image-builder.js'
import {
  missingTools,
  pushWithSkopeo,
  startRegistry,
  tempDir,
  type TestRegistry
} from '../../__fixtures__/registry.js'
import { dockerfileBaseImage } from '../../src/custody/base-image.js'
import { registryClient } from '../../src/custody/image-signatures.js'
import { publicKeyPem } from '../../src/custody/keys.js'
import { signImage } from '../../src/custody/sign.js'
import { runGate } from '../../src/engine.js'
import { ImageError } from '../../src/errors.js'
import { silentLogger } from '../../src/log.js'
import { defaultPolicy } from '../../src/policy/defaults.js'
import { custodyStep } from '../../src/steps/custody/index.js'

describe("the final stage's FROM", () => {
  const digest = `sha256:${'a'.repeat(64)}`
  it.each([
    ['a single stage', 'FROM debian:12\nUSER 10001\n', { reference: 'debian:12', line: 1 }],
    [
      'the last of several stages',
      `FROM golang:1.22 AS build\nRUN go build\nFROM gcr.io/distroless/static@${digest}\nCOPY --from=build /app /app\n`,
      { reference: `gcr.io/distroless/static@${digest}`, line: 3 }
    ],
    [
      'an earlier stage it builds on, followed to its image',
      'FROM alpine:3.20 AS base\nFROM base AS final\nUSER 1\nFROM final\n',
      { reference: 'alpine:3.20', line: 1 }
    ],
    [
      'a stage named in another case',
      'FROM alpine:3.20 AS Build\nFROM build\n',
      { reference: 'alpine:3.20', line: 1 }
    ],
    [
      'a name that is only a later stage, which is an image',
      'FROM base AS first\nFROM debian:12 AS base\nFROM first\n',
      { reference: 'base', line: 1 }
    ],
    [
      'global build arguments, one built from another',
      'ARG REGISTRY=docker.io\nARG BASE=${REGISTRY}/library/debian:12\nFROM $BASE\n',
      { reference: 'docker.io/library/debian:12', line: 3 }
    ],
    [
      'a default in the FROM itself',
      'ARG VERSION\nFROM debian:${VERSION:-12}-slim\n',
      { reference: 'debian:12-slim', line: 2 }
    ],
    [
      'a build argument without a default',
      'ARG BASE\nFROM ${BASE}\n',
      { unresolved: '${BASE}', line: 2 }
    ],
    ['scratch', 'FROM golang AS build\nFROM scratch\n', { scratch: true, line: 2 }]
  ])('is read from %s', (_case, dockerfile, expected) => {
    expect(dockerfileBaseImage(dockerfile)).toEqual(expected)
  })

  it('is undefined without a FROM', () => {
    expect(dockerfileBaseImage('# nothing here\n')).toBeUndefined()
  })
})

const missing = missingTools(['docker-registry', 'skopeo'])
if (missing !== undefined) console.warn(`base image signature tests ${missing}`)
const describeWithRegistry = missing === undefined ? describe : describe.skip

describeWithRegistry(missing ?? "the base image's signature, from the Dockerfile", () => {
  const keys = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  const signedBase = buildImage({
    layers: [{ entries: [{ path: 'etc/os-release', content: 'ID=base\n' }] }]
  })
  const unsignedBase = buildImage({
    layers: [{ entries: [{ path: 'etc/os-release', content: 'ID=unsigned\n' }] }]
  })
  const app = buildImage({
    layers: [
      { entries: [{ path: 'etc/os-release', content: 'ID=base\n' }] },
      { entries: [{ path: 'app/run', content: 'run', mode: 0o755 }] }
    ],
    config: { User: '10001' }
  })
  let work: string
  let registry: TestRegistry
  let archive: string
  let publicKey: string

  const push = async (built: BuiltImage, reference: string): Promise<void> => {
    const layout = join(work, `layout-${built.manifestDigest.slice(7, 19)}`)
    writeOciLayout(layout, [{ image: built, ref: 'latest' }])
    await pushWithSkopeo(layout, 'latest', `${registry.host}/${reference}`)
  }

  let dockerfiles = 0
  const gate = (dockerfile: string) => {
    const file = join(work, `Dockerfile.${++dockerfiles}`)
    writeFileSync(file, dockerfile)
    const policy = defaultPolicy()
    policy.custody = { ...policy.custody, baseVerifyKey: publicKey }
    return {
      file,
      result: runGate(
        {
          image: archive,
          policy,
          dockerfile: file,
          acquire: {
            platform: { os: 'linux', architecture: 'amd64' },
            insecureRegistries: [],
            env: { HOME: work }
          }
        },
        silentLogger,
        [custodyStep]
      )
    }
  }

  beforeAll(async () => {
    work = tempDir('custody-base')
    registry = await startRegistry()
    await push(signedBase, 'org/base:1')
    await push(unsignedBase, 'org/unsigned:1')
    const repository = `${registry.host}/org/base`
    await signImage(
      registryClient(repository, { insecureRegistries: [], env: {} }, silentLogger),
      repository,
      signedBase.manifestDigest,
      { kind: 'key', key: keys.privateKey }
    )
    publicKey = join(work, 'base.pub')
    writeFileSync(publicKey, publicKeyPem(keys.publicKey))
    archive = join(work, 'app.tar')
    writeOciArchive(archive, [{ image: app, ref: 'latest' }])
    archive = `oci-archive:${archive}`
  })

  afterAll(async () => {
    await registry?.stop()
    if (work !== undefined) rmSync(work, { recursive: true, force: true })
  })

  it('verifies the base named by a build argument through a build stage', async () => {
    const { file, result } = gate(
      `ARG BASE=${registry.host}/org/base:1\nFROM \${BASE} AS runtime\nFROM runtime\nUSER 10001\n`
    )
    const { report } = await result
    expect(report.findings).toEqual([])
    expect(report.steps.find((s) => s.id === 'custody')?.notes).toContain(
      `base image ${registry.host}/org/base:1@${signedBase.manifestDigest} (FROM at ${file}:2) signature verified`
    )
  })

  it('reports an unsigned base image pinned by digest in the FROM', async () => {
    const reference = `${registry.host}/org/unsigned@${unsignedBase.manifestDigest}`
    const { file, result } = gate(`FROM ${reference}\nUSER 10001\n`)
    const { report } = await result
    expect(
      report.findings.map(({ rule, severity, subject, detail }) => ({
        rule,
        severity,
        subject,
        detail
      }))
    ).toEqual([
      {
        rule: 'custody/unsigned-base-image',
        severity: 'medium',
        subject: reference,
        detail: `The base image comes from FROM at ${file}:1. No signature was found (neither a .sig tag nor a referrer). Build FROM a signed base image pinned by digest, or fix base-verify-key/base-verify-identity.`
      }
    ])
  })
})

describe('a base image in a registry that needs a login', () => {
  it('says it is the base image and how to give it credentials, not registry-username', async () => {
    // A registry that answers every request with a Basic challenge (Distribution spec: 401).
    const server = createServer((_request, response) => {
      response.writeHead(401, { 'www-authenticate': 'Basic realm="private"' }).end()
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const host = `127.0.0.1:${(server.address() as AddressInfo).port}`
    const work = tempDir('custody-base-login')
    try {
      const key = join(work, 'base.pub')
      writeFileSync(key, publicKeyPem(generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey))
      const dockerfile = join(work, 'Dockerfile')
      writeFileSync(dockerfile, `FROM ${host}/org/base:1\nUSER 10001\n`)
      const archive = join(work, 'app.tar')
      writeOciArchive(archive, [
        {
          image: buildImage({
            layers: [{ entries: [{ path: 'app/' }] }],
            config: { User: '10001' }
          }),
          ref: 'latest'
        }
      ])
      const policy = defaultPolicy()
      policy.custody = { ...policy.custody, baseVerifyKey: key }
      const failure = await runGate(
        {
          image: `oci-archive:${archive}`,
          policy,
          dockerfile,
          acquire: {
            platform: { os: 'linux', architecture: 'amd64' },
            insecureRegistries: [],
            env: { HOME: work }
          }
        },
        silentLogger,
        [custodyStep]
      ).then(
        () => undefined,
        (error: unknown) => error
      )
      expect(failure).toBeInstanceOf(ImageError)
      expect((failure as ImageError).message).toBe(
        `base image ${host}/org/base:1 (from FROM at ${dockerfile}:1): registry ${host} requires authentication to pull org/base (401); registry-username/registry-password are only sent to the scanned image's registry, so log in to the base image's registry in the Docker config (docker login, docker/login-action), or leave base-verify-key and base-verify-identity empty to skip verifying the base image.`
      )
    } finally {
      server.close()
      rmSync(work, { recursive: true, force: true })
    }
  })
})
