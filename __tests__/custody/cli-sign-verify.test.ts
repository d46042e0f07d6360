/**
 * `container-gate sign` and `verify` through the CLI entry point, against a real registry on
 * 127.0.0.1; keyless verification of a cosign 2 `.sig` signature made with @sigstore/mock.
 */
import {
  afterAll,
  afterEach,
  beforeAll,
  beforeEach,
  describe,
  expect,
  it,
  jest
} from '@jest/globals'
import { generateKeyPairSync } from 'node:crypto'
import { rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { captureOutput, type CapturedOutput } from '../../__fixtures__/capture.js'
import { buildImage, writeOciLayout, type BuiltImage } from '../../__fixtures__/image-builder.js'
import {
  missingTools,
  pushWithSkopeo,
  startRegistry,
  tempDir,
  type TestRegistry
} from '../../__fixtures__/registry.js'
import { main } from '../../src/cli.js'
import { cosignTag } from '../../src/custody/cosign.js'
import { registryClient } from '../../src/custody/image-signatures.js'
import { encryptCosignKey, keyHint, publicKeyPem } from '../../src/custody/keys.js'
import { appendToCosignTag } from '../../src/custody/registry-store.js'
import { silentLogger } from '../../src/log.js'
import {
  cosign2KeylessLayer,
  ISSUER,
  startSigstore,
  WORKFLOW,
  type Sigstore
} from './sigstore-mock.js'

const missing = missingTools(['docker-registry', 'skopeo'])
if (missing !== undefined) console.warn(`CLI sign/verify tests ${missing}`)
const describeWithRegistry = missing === undefined ? describe : describe.skip

describeWithRegistry(missing ?? 'container-gate sign and verify', () => {
  const password = 'correct horse'
  const keys = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  const otherKeys = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  const keyImage = buildImage({ layers: [{ entries: [{ path: 'app.txt', content: 'key\n' }] }] })
  const keylessImage = buildImage({
    layers: [{ entries: [{ path: 'app.txt', content: 'keyless\n' }] }]
  })
  let work: string
  let registry: TestRegistry
  let sigstore: Sigstore
  let repository: string
  let env: NodeJS.ProcessEnv
  let output: CapturedOutput
  const file = (name: string, content: string): string => {
    const path = join(work, name)
    writeFileSync(path, content)
    return path
  }

  const push = async (built: BuiltImage, tag: string): Promise<void> => {
    const layout = join(work, `layout-${tag}`)
    writeOciLayout(layout, [{ image: built, ref: 'latest' }])
    await pushWithSkopeo(layout, 'latest', `${repository}:${tag}`)
  }

  beforeAll(async () => {
    work = tempDir('custody-cli')
    registry = await startRegistry()
    sigstore = await startSigstore()
    repository = `${registry.host}/org/cli`
    env = { PATH: process.env.PATH, HOME: work }
    await push(keyImage, 'key')
    await push(keylessImage, 'keyless')
    const payload = Buffer.from(
      `{"critical":{"identity":{"docker-reference":"${repository}"},"image":{"docker-manifest-digest":"${keylessImage.manifestDigest}"},"type":"cosign container image signature"},"optional":null}`
    )
    await appendToCosignTag(
      registryClient(repository, { insecureRegistries: [], env }, silentLogger),
      keylessImage.manifestDigest,
      'sig',
      await cosign2KeylessLayer(sigstore, payload, { sub: WORKFLOW, iss: ISSUER })
    )
    file('cosign.key', encryptCosignKey(keys.privateKey, password, { N: 1024, r: 8, p: 1 }))
    file('cosign.pub', publicKeyPem(keys.publicKey))
    file('other.pub', publicKeyPem(otherKeys.publicKey))
    file('trusted_root.json', JSON.stringify(sigstore.trustedRoot))
  })

  afterAll(async () => {
    await sigstore?.stop()
    await registry?.stop()
    if (work !== undefined) rmSync(work, { recursive: true, force: true })
  })

  beforeEach(() => {
    output = captureOutput()
  })

  afterEach(() => {
    jest.restoreAllMocks()
  })

  const sigTag = () => cosignTag(keyImage.manifestDigest, 'sig')

  it('signs the digest a tag points at with a cosign key file and COSIGN_PASSWORD', async () => {
    const status = await main(['sign', `${repository}:key`, '--key', join(work, 'cosign.key')], {
      ...env,
      COSIGN_PASSWORD: password
    })
    expect({ status, ...output }).toEqual({
      status: 0,
      stdout: `signed ${repository}@${keyImage.manifestDigest}: ${sigTag()}\n`,
      stderr: ''
    })
  })

  it('verifies that signature with the public key (exit 0)', async () => {
    const status = await main(
      ['verify', `${repository}:key`, '--key', join(work, 'cosign.pub')],
      env
    )
    expect({ status, ...output }).toEqual({
      status: 0,
      stdout: `verified ${repository}@${keyImage.manifestDigest}: ${sigTag()} layer 0 by key sha256:${keyHint(keys.publicKey).slice(0, 16)}…\n`,
      stderr: ''
    })
  })

  it('exits 1 and says why under another key', async () => {
    const status = await main(
      ['verify', `${repository}:key`, '--key', join(work, 'other.pub')],
      env
    )
    expect({ status, ...output }).toEqual({
      status: 1,
      stdout: `no valid signature for ${repository}@${keyImage.manifestDigest} (1 found)\n  ${sigTag()} layer 0: the signature does not verify with the key\n`,
      stderr: ''
    })
  })

  it('verifies a cosign 2 keyless signature by identity and issuer against a trusted root file', async () => {
    const status = await main(
      [
        'verify',
        `${repository}:keyless`,
        '--certificate-identity',
        WORKFLOW,
        '--certificate-oidc-issuer',
        ISSUER,
        '--trusted-root',
        join(work, 'trusted_root.json')
      ],
      env
    )
    expect({ status, stderr: output.stderr }).toEqual({ status: 0, stderr: '' })
    expect(output.stdout).toBe(
      `verified ${repository}@${keylessImage.manifestDigest}: ${cosignTag(keylessImage.manifestDigest, 'sig')} layer 0 by ${WORKFLOW} (issuer ${ISSUER})\n`
    )
  })

  it('exits 1 for a keyless signature by another identity', async () => {
    const status = await main(
      [
        'verify',
        `${repository}:keyless`,
        '--certificate-identity',
        'https://github.com/evil/app/.github/workflows/build.yml@refs/heads/main',
        '--certificate-oidc-issuer',
        ISSUER,
        '--trusted-root',
        join(work, 'trusted_root.json')
      ],
      env
    )
    expect(status).toBe(1)
    expect(output.stdout).toMatch(
      new RegExp(
        `^no valid signature for ${repository}@${keylessImage.manifestDigest} \\(1 found\\)\\n  ${cosignTag(keylessImage.manifestDigest, 'sig')} layer 0: Sigstore verification failed: `
      )
    )
  })

  it.each([
    [
      'a wrong COSIGN_PASSWORD',
      () => ['sign', `${repository}:key`, '--key', join(work, 'cosign.key')],
      { COSIGN_PASSWORD: 'wrong' },
      () =>
        `container-gate: --key "${join(work, 'cosign.key')}" could not be decrypted: the password is wrong; set COSIGN_PASSWORD (or the sign-key-password input) to the key's password.\n`
    ],
    [
      'an image that is not in a registry',
      () => ['sign', 'oci-archive:app.tar', '--key', join(work, 'cosign.key')],
      {},
      () =>
        'container-gate: sign takes one registry IMAGE (REF or docker://REF); usage: container-gate sign IMAGE [--key cosign.key] [--fulcio-url URL] [--rekor-url URL]\n'
    ],
    [
      'verify without a key or an identity',
      () => ['verify', `${repository}:key`],
      {},
      () =>
        'container-gate: verify needs --key, or --certificate-identity with --certificate-oidc-issuer; usage: container-gate verify IMAGE (--key cosign.pub | --certificate-identity ID --certificate-oidc-issuer URL [--trusted-root FILE])\n'
    ]
  ])('exits 2 with one sentence for %s', async (_case, argv, extraEnv, message) => {
    const status = await main(argv(), { ...env, ...extraEnv })
    expect({ status, ...output }).toEqual({ status: 2, stdout: '', stderr: message() })
  })
})
