/**
 * Signing and verifying against a real registry (Debian's docker-registry on 127.0.0.1), with
 * images pushed by skopeo; keyless through @sigstore/mock's Fulcio and Rekor served locally.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { execFile } from 'node:child_process'
import { generateKeyPairSync, type KeyObject } from 'node:crypto'
import { readFileSync, rmSync, writeFileSync } from 'node:fs'
import * as http from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { promisify } from 'node:util'
import {
  fulcioHandler,
  initializeCA,
  initializeCTLog,
  initializeTLog,
  rekorHandler
} from '@sigstore/mock'
import { buildImage, writeOciLayout, type BuiltImage } from '../../__fixtures__/image-builder.js'
import {
  missingTools,
  pushWithSkopeo,
  startRegistry,
  tempDir,
  type TestRegistry
} from '../../__fixtures__/registry.js'
import { signAfterGate, VERIFICATION_SUMMARY_PREDICATE } from '../../src/custody/after-gate.js'
import { cosignTag, SIMPLE_SIGNING_MEDIA_TYPE } from '../../src/custody/cosign.js'
import {
  checkImageSignatures,
  registryClient,
  resolveDigest
} from '../../src/custody/image-signatures.js'
import { encryptCosignKey, publicKeyPem } from '../../src/custody/keys.js'
import { findSignatures } from '../../src/custody/registry-store.js'
import { attestImage, signImage, type ImageSigner } from '../../src/custody/sign.js'
import { trustMaterialOf, type SignaturePolicy } from '../../src/custody/verify.js'
import type { GateResult } from '../../src/engine.js'
import { silentLogger } from '../../src/log.js'
import { defaultPolicy } from '../../src/policy/defaults.js'
import type { GateReport } from '../../src/report/model.js'

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

/** An unsigned JWT with the claims Fulcio puts into the certificate (the mock decodes, never verifies). */
function oidcToken(claims: Record<string, string>): string {
  const part = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url')
  return `${part({ alg: 'none', typ: 'JWT' })}.${part(claims)}.`
}

const WORKFLOW = 'https://github.com/org/app/.github/workflows/build.yml@refs/heads/main'
const ISSUER = 'https://token.actions.githubusercontent.com'

interface Sigstore {
  url: string
  trustedRoot: unknown
  stop(): Promise<void>
}

/** Fulcio, Rekor and a CT log from @sigstore/mock behind one local HTTP server, and their trusted root. */
async function startSigstore(): Promise<Sigstore> {
  const keyPair = () => generateKeyPairSync('ec', { namedCurve: 'P-256' })
  const server = http.createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const ctLog = await initializeCTLog(keyPair())
  const ca = await initializeCA(keyPair(), ctLog)
  const tlog = await initializeTLog(url, keyPair())
  const handlers = [fulcioHandler(ca), rekorHandler(tlog)]
  server.on('request', (req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      const handler = handlers.find((h) => req.url?.startsWith(h.path))
      if (handler === undefined) {
        res.writeHead(404).end()
        return
      }
      void handler.fn(Buffer.concat(chunks).toString()).then((result) => {
        res.writeHead(result.statusCode, {
          'content-type': result.contentType ?? 'application/json'
        })
        res.end(result.response)
      })
    })
  })
  const b64 = (bytes: ArrayBufferView | Buffer): string =>
    Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64')
  const { createHash } = await import('node:crypto')
  const since = { start: '2020-01-01T00:00:00Z' }
  const trustedRoot = {
    mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
    tlogs: [
      {
        baseUrl: url,
        hashAlgorithm: 'SHA2_256',
        publicKey: {
          rawBytes: b64(tlog.publicKey),
          keyDetails: 'PKIX_ECDSA_P256_SHA_256',
          validFor: since
        },
        logId: { keyId: createHash('sha256').update(tlog.publicKey).digest('base64') }
      }
    ],
    certificateAuthorities: [
      {
        subject: { organization: 'sigstore.mock', commonName: 'sigstore' },
        uri: url,
        certChain: { certificates: [{ rawBytes: b64(ca.rootCertificate) }] },
        validFor: since
      }
    ],
    ctlogs: [
      {
        baseUrl: url,
        hashAlgorithm: 'SHA2_256',
        publicKey: {
          rawBytes: b64(ctLog.publicKey),
          keyDetails: 'PKIX_ECDSA_P256_SHA_256',
          validFor: since
        },
        logId: { keyId: b64(ctLog.logID) }
      }
    ],
    timestampAuthorities: []
  }
  return {
    url,
    trustedRoot,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve()))
  }
}

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
    const { appendToCosignTag } = await import('../../src/custody/registry-store.js')
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
    const report = (digest: string, verdict: 'pass' | 'fail'): GateResult => ({
      report: {
        verdict,
        image: { reference: `${repository}:after`, digest },
        steps: [{ id: 'identity', status: verdict }],
        summary: {
          counts: { critical: 0, high: verdict === 'fail' ? 1 : 0, medium: 0, low: 0, info: 0 },
          blocking: verdict === 'fail' ? 1 : 0,
          suppressed: 0
        }
      } as unknown as GateReport,
      artifacts: {}
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
