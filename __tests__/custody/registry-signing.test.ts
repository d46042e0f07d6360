/**
 * Signing and verifying against a real registry (Debian's docker-registry on 127.0.0.1), with
 * images pushed by skopeo; keyless through @sigstore/mock's Fulcio and Rekor served locally.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { execFile } from 'node:child_process'
import { generateKeyPairSync, type KeyObject } from 'node:crypto'
import { readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { buildImage, writeOciLayout, type BuiltImage } from '../../__fixtures__/image-builder.js'
import {
  missingTools,
  pushWithSkopeo,
  startRegistry,
  tempDir,
  type TestRegistry
} from '../../__fixtures__/registry.js'
import {
  CYCLONEDX_PREDICATE,
  signAfterGate,
  VERIFICATION_SUMMARY_PREDICATE
} from '../../src/custody/after-gate.js'
import {
  CERTIFICATE_ANNOTATION,
  CHAIN_ANNOTATION,
  cosignTag,
  REKOR_BUNDLE_ANNOTATION,
  SIGNATURE_ANNOTATION,
  SIMPLE_SIGNING_MEDIA_TYPE
} from '../../src/custody/cosign.js'
import {
  checkImageSignatures,
  registryClient,
  resolveDigest
} from '../../src/custody/image-signatures.js'
import { encryptCosignKey, publicKeyPem } from '../../src/custody/keys.js'
import { appendToCosignTag, findSignatures } from '../../src/custody/registry-store.js'
import { attestImage, signImage, type ImageSigner } from '../../src/custody/sign.js'
import { trustMaterialOf, type SignaturePolicy } from '../../src/custody/verify.js'
import type { GateResult } from '../../src/engine.js'
import { silentLogger } from '../../src/log.js'
import { defaultPolicy } from '../../src/policy/defaults.js'
import type { GateReport } from '../../src/report/model.js'
import type { Package } from '../../src/packages/model.js'
import {
  cosign2KeylessLayer,
  ISSUER,
  oidcToken,
  startSigstore,
  WORKFLOW,
  type Sigstore
} from './sigstore-mock.js'

const run = promisify(execFile)
const missing = missingTools(['docker-registry', 'skopeo', 'openssl'])
if (missing !== undefined) console.warn(`custody registry tests ${missing}`)
const describeWithRegistry = missing === undefined ? describe : describe.skip

function image(text: string): BuiltImage {
  return buildImage({ layers: [{ entries: [{ path: 'app.txt', content: text }] }] })
}

const first = image('first build\n')
const second = image('second build\n')
const keys = generateKeyPairSync('ec', { namedCurve: 'P-256' })
const otherKeys = generateKeyPairSync('ec', { namedCurve: 'P-256' })
const keyPolicy = (key: KeyObject): SignaturePolicy => ({ kind: 'key', key })

describeWithRegistry(missing ?? 'signing and verifying in a real registry', () => {
  let work: string
  let registry: TestRegistry
  let sigstore: Sigstore
  let repository: string
  let access: { insecureRegistries: string[]; env: NodeJS.ProcessEnv }

  const push = async (built: BuiltImage, tag: string): Promise<void> => {
    const layout = join(work, `layout-${built.manifestDigest.slice(7, 19)}`)
    writeOciLayout(layout, [{ image: built, ref: 'latest' }])
    await pushWithSkopeo(layout, 'latest', `${repository}:${tag}`)
  }
  const client = () => registryClient(repository, access, silentLogger)
  const check = (digest: string, policy: SignaturePolicy) =>
    checkImageSignatures(repository, digest, policy, access, silentLogger)

  beforeAll(async () => {
    work = tempDir('custody-registry')
    registry = await startRegistry()
    sigstore = await startSigstore()
    repository = `${registry.host}/org/app`
    access = { insecureRegistries: [], env: { PATH: process.env.PATH, HOME: work } }
    await push(first, '1.0')
    await push(second, 'other')
  })

  afterAll(async () => {
    await sigstore?.stop()
    await registry?.stop()
    if (work !== undefined) rmSync(work, { recursive: true, force: true })
  })

  it('signs in the .sig layout and verifies with the public key', async () => {
    const tag = await signImage(client(), repository, first.manifestDigest, {
      kind: 'key',
      key: keys.privateKey
    })
    expect(tag).toBe(cosignTag(first.manifestDigest, 'sig'))
    const result = await check(first.manifestDigest, keyPolicy(keys.publicKey))
    expect(result.rejected).toEqual([])
    expect(result.verified.map((v) => v.where)).toEqual([`${tag} layer 0`])
  })

  it('writes a payload and signature that openssl verifies (outside our code)', async () => {
    const { signatures } = await findSignatures(client(), first.manifestDigest)
    const found = signatures[0]
    if (found?.layout !== 'tag') throw new Error('expected a .sig signature')
    expect(JSON.parse(found.payload.toString())).toEqual({
      critical: {
        identity: { 'docker-reference': repository },
        image: { 'docker-manifest-digest': first.manifestDigest },
        type: 'cosign container image signature'
      },
      optional: null
    })
    writeFileSync(join(work, 'payload'), found.payload)
    writeFileSync(join(work, 'sig.der'), Buffer.from(found.signature, 'base64'))
    writeFileSync(join(work, 'pub.pem'), publicKeyPem(keys.publicKey))
    const { stdout } = await run('openssl', [
      'dgst',
      '-sha256',
      '-verify',
      join(work, 'pub.pem'),
      '-signature',
      join(work, 'sig.der'),
      join(work, 'payload')
    ])
    expect(stdout.trim()).toBe('Verified OK')
  })

  it('accepts a signature openssl made over the payload (cosign EXAMPLES.md "Sign With OpenSSL")', async () => {
    const keyFile = join(work, 'openssl.key')
    await run('openssl', ['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', keyFile])
    const { stdout: pub } = await run('openssl', ['ec', '-in', keyFile, '-pubout'])
    const payloadFile = join(work, 'openssl-payload.json')
    const payload = `{"critical":{"identity":{"docker-reference":"${repository}"},"image":{"Docker-manifest-digest":"${second.manifestDigest}"},"type":"cosign container image signature"},"optional":null}`
    writeFileSync(payloadFile, payload)
    await run('openssl', [
      'dgst',
      '-sha256',
      '-sign',
      keyFile,
      '-out',
      `${payloadFile}.sig`,
      payloadFile
    ])
    await appendToCosignTag(client(), second.manifestDigest, 'sig', {
      bytes: Buffer.from(payload),
      mediaType: SIMPLE_SIGNING_MEDIA_TYPE,
      annotations: {
        'dev.cosignproject.cosign/signature': readFileSync(`${payloadFile}.sig`).toString('base64')
      }
    })
    const { readPublicKey } = await import('../../src/custody/keys.js')
    const result = await check(second.manifestDigest, keyPolicy(readPublicKey(pub, 'openssl key')))
    expect(result.verified).toHaveLength(1)
  })

  it('rejects the signature under a wrong key', async () => {
    const result = await check(first.manifestDigest, keyPolicy(otherKeys.publicKey))
    expect(result.verified).toEqual([])
    expect(result.rejected).toEqual([
      `${cosignTag(first.manifestDigest, 'sig')} layer 0: the signature does not verify with the key`
    ])
  })

  it('fails when another manifest is pushed under the signed tag', async () => {
    expect(await resolveDigest(`${repository}:1.0`, access, silentLogger)).toBe(
      first.manifestDigest
    )
    await push(second, '1.0')
    const digest = await resolveDigest(`${repository}:1.0`, access, silentLogger)
    expect(digest).toBe(second.manifestDigest)
    const result = await check(digest, keyPolicy(keys.publicKey))
    expect(result.verified).toEqual([])
  })

  it('rejects a valid signature copied onto another digest', async () => {
    const copied = await client().findManifest(cosignTag(first.manifestDigest, 'sig'))
    const third = image('third build\n')
    await push(third, 'third')
    await client().pushManifest(
      cosignTag(third.manifestDigest, 'sig'),
      copied!.bytes,
      copied!.mediaType!
    )
    const result = await check(third.manifestDigest, keyPolicy(keys.publicKey))
    expect(result.verified).toEqual([])
    expect(result.rejected).toEqual([
      `${cosignTag(third.manifestDigest, 'sig')} layer 0: it signs ${first.manifestDigest}, not ${third.manifestDigest}`
    ])
  })

  it('signs keyless through Fulcio and Rekor and verifies identity and issuer against the trusted root', async () => {
    const signer: ImageSigner = {
      kind: 'keyless',
      identityProvider: { getToken: async () => oidcToken({ sub: WORKFLOW, iss: ISSUER }) },
      fulcioUrl: sigstore.url,
      rekorUrl: sigstore.url,
      // The mock Rekor logs a proposed entry as its body; only intoto's proposal is already canonical.
      rekorEntryType: 'intoto'
    }
    const referrer = await signImage(client(), repository, second.manifestDigest, signer)
    expect(referrer).toMatch(/^sha256:[a-f0-9]{64}$/)
    const trust = trustMaterialOf(sigstore.trustedRoot)
    const good = await check(second.manifestDigest, {
      kind: 'keyless',
      identity: WORKFLOW,
      issuer: ISSUER,
      trust
    })
    // The key signature openssl made earlier does not satisfy a keyless policy.
    expect(good.rejected).toEqual([
      `${cosignTag(second.manifestDigest, 'sig')} layer 0: signed with a key, but a keyless identity is required`
    ])
    expect(good.verified.map((v) => v.where)).toContain(`referrer ${referrer}`)
    const wrongIdentity = await check(second.manifestDigest, {
      kind: 'keyless',
      identity: 'https://github.com/evil/app/.github/workflows/build.yml@refs/heads/main',
      issuer: ISSUER,
      trust
    })
    expect(wrongIdentity.verified).toEqual([])
    expect(wrongIdentity.rejected.join('\n')).toContain(
      `referrer ${referrer}: Sigstore verification failed`
    )
    const shippedRoot = await check(second.manifestDigest, {
      kind: 'keyless',
      identity: WORKFLOW,
      issuer: ISSUER,
      trust: trustMaterialOf()
    })
    expect(shippedRoot.verified).toEqual([])
  })

  describe('cosign 2 keyless signatures in the .sig layout', () => {
    const signed = image('cosign 2 keyless\n')
    const other = image('cosign 2 keyless, another build\n')
    const mockTrust = () => trustMaterialOf(sigstore.trustedRoot)
    const keyless = (identity: string): Extract<SignaturePolicy, { kind: 'keyless' }> => ({
      kind: 'keyless',
      identity,
      issuer: ISSUER,
      trust: mockTrust()
    })
    const payloadFor = (digest: string): Buffer =>
      Buffer.from(
        `{"critical":{"identity":{"docker-reference":"${repository}"},"image":{"docker-manifest-digest":"${digest}"},"type":"cosign container image signature"},"optional":null}`
      )

    beforeAll(async () => {
      await push(signed, 'keyless-tag')
      await push(other, 'keyless-other')
      const layer = await cosign2KeylessLayer(sigstore, payloadFor(signed.manifestDigest), {
        sub: WORKFLOW,
        iss: ISSUER
      })
      await appendToCosignTag(client(), signed.manifestDigest, 'sig', layer)
      // The same certificate, signature and Rekor bundle over a payload naming another image.
      await appendToCosignTag(client(), other.manifestDigest, 'sig', {
        ...layer,
        bytes: payloadFor(other.manifestDigest)
      })
    })

    it('verifies certificate, SET, identity and issuer as cosign verify does', async () => {
      const result = await check(signed.manifestDigest, keyless(WORKFLOW))
      expect(result).toEqual({
        repository,
        digest: signed.manifestDigest,
        found: 1,
        verified: [
          {
            where: `${cosignTag(signed.manifestDigest, 'sig')} layer 0`,
            signer: `${WORKFLOW} (issuer ${ISSUER})`
          }
        ],
        rejected: []
      })
    })

    it('rejects it for another identity', async () => {
      const result = await check(
        signed.manifestDigest,
        keyless('https://github.com/evil/app/.github/workflows/build.yml@refs/heads/main')
      )
      expect(result.verified).toEqual([])
      expect(result.rejected).toEqual([
        expect.stringMatching(
          new RegExp(
            `^${cosignTag(signed.manifestDigest, 'sig')} layer 0: Sigstore verification failed: `
          )
        )
      ])
    })

    it('rejects the signature over a payload changed to name another image', async () => {
      const result = await check(other.manifestDigest, keyless(WORKFLOW))
      expect(result.verified).toEqual([])
      expect(result.rejected).toEqual([
        `${cosignTag(other.manifestDigest, 'sig')} layer 0: Sigstore verification failed: digest mismatch`
      ])
    })

    it('rejects it under the shipped public-good root, which does not trust the mock Fulcio', async () => {
      const result = await check(signed.manifestDigest, {
        ...keyless(WORKFLOW),
        trust: trustMaterialOf()
      })
      expect(result.verified).toEqual([])
      expect(result.rejected).toHaveLength(1)
    })

    it('verifies a signature cosign made with Sigstore public-good, laid out in the registry', async () => {
      const fixture = (name: string): string =>
        readFileSync(
          new URL(`./fixtures/containers-image-keyless/${name}`, import.meta.url),
          'utf8'
        )
      const digest = 'sha256:fa93b01658e3a5a1686dc3ae55f170d8de487006fb53a28efcd12ab0710a2e5f'
      await appendToCosignTag(client(), digest, 'sig', {
        bytes: Buffer.from(fixture('rekor-payload')),
        mediaType: SIMPLE_SIGNING_MEDIA_TYPE,
        annotations: {
          [SIGNATURE_ANNOTATION]: fixture('rekor-sig'),
          [CERTIFICATE_ANNOTATION]: fixture('fulcio-cert'),
          [CHAIN_ANNOTATION]: fixture('fulcio-chain'),
          [REKOR_BUNDLE_ANNOTATION]: fixture('rekor-set')
        }
      })
      const result = await check(digest, {
        kind: 'keyless',
        identity: 'mitr@redhat.com',
        issuer: 'https://github.com/login/oauth',
        trust: trustMaterialOf()
      })
      expect(result.rejected).toEqual([])
      expect(result.verified).toHaveLength(1)
    })
  })

  it('does not count an attestation as a signature', async () => {
    const third = image('attested only\n')
    await push(third, 'attested')
    await attestImage(
      client(),
      repository,
      third.manifestDigest,
      'https://example.com/p/v1',
      {},
      {
        kind: 'key',
        key: keys.privateKey
      }
    )
    const result = await check(third.manifestDigest, keyPolicy(keys.publicKey))
    expect(result.verified).toEqual([])
    expect(result.rejected).toEqual([
      expect.stringMatching(
        /^referrer sha256:[a-f0-9]{64}: it is an attestation \(https:\/\/example.com\/p\/v1\), not a signature$/
      )
    ])
  })

  describe('signAfterGate', () => {
    const password = 'correct horse'
    const report = (
      digest: string,
      verdict: 'pass' | 'fail',
      artifacts: GateResult['artifacts'] = {}
    ): Pick<GateResult, 'report' | 'artifacts'> => ({
      report: {
        verdict,
        tool: { name: 'container-gate', version: '0.0.0-test' },
        image: {
          reference: `${repository}:after`,
          digest,
          configDigest: `sha256:${'c'.repeat(64)}`,
          platform: 'linux/amd64',
          layers: []
        },
        steps: [{ id: 'identity', status: verdict }],
        summary: {
          counts: { critical: 0, high: verdict === 'fail' ? 1 : 0, medium: 0, low: 0, info: 0 },
          blocking: verdict === 'fail' ? 1 : 0,
          suppressed: 0
        }
      } as unknown as GateReport,
      artifacts
    })
    const policy = () => {
      const p = defaultPolicy()
      p.custody = {
        ...p.custody,
        sign: true,
        signKey: encryptCosignKey(keys.privateKey, password, { N: 1024, r: 8, p: 1 }),
        signKeyPassword: password
      }
      return p
    }

    it('never signs when the gate failed', async () => {
      const fourth = image('failed gate\n')
      await push(fourth, 'after')
      const receipt = await signAfterGate(report(fourth.manifestDigest, 'fail'), policy(), {
        registry: access,
        logger: silentLogger
      })
      expect(receipt).toBeUndefined()
      expect(await client().findManifest(cosignTag(fourth.manifestDigest, 'sig'))).toBeUndefined()
    })

    it('attaches the CycloneDX SBOM as a second attestation with attest-sbom', async () => {
      const sixth = image('passed gate with an SBOM\n')
      await push(sixth, 'after')
      const withSbom = policy()
      withSbom.custody.attestSbom = true
      const openssl: Package = {
        name: 'openssl',
        version: '3.0.15-1~deb12u1',
        ecosystem: 'Debian',
        purl: 'pkg:deb/debian/openssl@3.0.15-1~deb12u1?arch=amd64',
        path: '/var/lib/dpkg/status',
        licenses: [],
        kind: 'os'
      }
      const receipt = await signAfterGate(
        report(sixth.manifestDigest, 'pass', { packages: [openssl] }),
        withSbom,
        { registry: access, logger: silentLogger }
      )
      const att = cosignTag(sixth.manifestDigest, 'att')
      expect(receipt?.attestations).toEqual([
        expect.stringMatching(/^sha256:/),
        att,
        expect.stringMatching(/^sha256:/),
        att
      ])
      const layers = JSON.parse((await client().findManifest(att))!.bytes.toString()).layers as {
        digest: string
        annotations: Record<string, string>
      }[]
      expect(layers.map((l) => l.annotations.predicateType)).toEqual([
        VERIFICATION_SUMMARY_PREDICATE,
        CYCLONEDX_PREDICATE
      ])
      const envelope = JSON.parse((await client().getBlob(layers[1]!.digest)).toString())
      const statement = JSON.parse(Buffer.from(envelope.payload, 'base64').toString())
      expect(statement.subject).toEqual([
        { name: repository, digest: { sha256: sixth.manifestDigest.slice(7) } }
      ])
      expect(statement.predicateType).toBe(CYCLONEDX_PREDICATE)
      expect(statement.predicate.bomFormat).toBe('CycloneDX')
      expect(statement.predicate.metadata.component.version).toBe(sixth.manifestDigest)
      expect(statement.predicate.components.map((c: { purl: string }) => c.purl)).toEqual([
        openssl.purl
      ])
      const referrers = await client().listReferrers(sixth.manifestDigest)
      expect(
        referrers.map((r) => r.annotations?.['dev.sigstore.bundle.predicateType']).sort()
      ).toEqual([CYCLONEDX_PREDICATE, VERIFICATION_SUMMARY_PREDICATE].sort())
    })

    it('warns and attaches no SBOM when the composition step did not run', async () => {
      const seventh = image('passed gate without composition\n')
      await push(seventh, 'after')
      const withSbom = policy()
      withSbom.custody = { ...withSbom.custody, attestSbom: true, attest: false }
      const warnings: string[] = []
      const receipt = await signAfterGate(report(seventh.manifestDigest, 'pass'), withSbom, {
        registry: access,
        logger: { ...silentLogger, warning: (message) => warnings.push(message) }
      })
      expect(receipt?.attestations).toEqual([])
      expect(warnings).toEqual([
        'attest-sbom is true but the composition step did not run, so there is no SBOM to attest; enable the composition step.'
      ])
    })

    it('signs a passing image and attaches the verification summary as .att and as a referrer', async () => {
      const fifth = image('passed gate\n')
      await push(fifth, 'after')
      const receipt = await signAfterGate(report(fifth.manifestDigest, 'pass'), policy(), {
        registry: access,
        logger: silentLogger
      })
      expect(receipt?.signature).toBe(cosignTag(fifth.manifestDigest, 'sig'))
      expect(receipt?.attestations).toEqual([
        expect.stringMatching(/^sha256:/),
        cosignTag(fifth.manifestDigest, 'att')
      ])
      expect((await check(fifth.manifestDigest, keyPolicy(keys.publicKey))).verified).toHaveLength(
        1
      )
      const att = await client().findManifest(cosignTag(fifth.manifestDigest, 'att'))
      const layer = JSON.parse(att!.bytes.toString()).layers[0]
      expect(layer.mediaType).toBe('application/vnd.dsse.envelope.v1+json')
      expect(layer.annotations.predicateType).toBe(VERIFICATION_SUMMARY_PREDICATE)
      const envelope = JSON.parse((await client().getBlob(layer.digest)).toString())
      const statement = JSON.parse(Buffer.from(envelope.payload, 'base64').toString())
      expect(statement.subject).toEqual([
        { name: repository, digest: { sha256: fifth.manifestDigest.slice(7) } }
      ])
      expect(statement.predicate.verificationResult).toBe('PASSED')
      expect(statement.predicate.containerGate.steps).toEqual([{ id: 'identity', status: 'pass' }])
    })
  })
})
