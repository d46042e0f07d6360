/**
 * A local Sigstore for tests: @sigstore/mock's Fulcio, Rekor and CT log behind one HTTP server on
 * 127.0.0.1, the trusted root that names them, and a signer that lays a keyless signature out in
 * the `.sig` layout exactly as cosign 2 does (cosign `pkg/oci/static`: signature, certificate,
 * chain and Rekor bundle annotations on a simple-signing layer).
 */
import { createHash, generateKeyPairSync, X509Certificate } from 'node:crypto'
import * as http from 'node:http'
import type { AddressInfo } from 'node:net'
import {
  fulcioHandler,
  initializeCA,
  initializeCTLog,
  initializeTLog,
  rekorHandler
} from '@sigstore/mock'
import { FulcioSigner, MessageSignatureBundleBuilder, RekorWitness } from '@sigstore/sign'
import {
  CERTIFICATE_ANNOTATION,
  CHAIN_ANNOTATION,
  REKOR_BUNDLE_ANNOTATION,
  SIGNATURE_ANNOTATION,
  SIMPLE_SIGNING_MEDIA_TYPE
} from '../../src/custody/cosign.js'
import type { PayloadLayer } from '../../src/custody/registry-store.js'

export const WORKFLOW = 'https://github.com/org/app/.github/workflows/build.yml@refs/heads/main'
export const ISSUER = 'https://token.actions.githubusercontent.com'

/** An unsigned JWT with the claims Fulcio puts into the certificate (the mock decodes, never verifies). */
export function oidcToken(claims: Record<string, string>): string {
  const part = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url')
  return `${part({ alg: 'none', typ: 'JWT' })}.${part(claims)}.`
}

export interface Sigstore {
  url: string
  trustedRoot: unknown
  /** PEM of the mock Fulcio CA, what cosign 2 writes into the chain annotation. */
  chain: string
  stop(): Promise<void>
}

const b64 = (bytes: ArrayBufferView | Buffer): string =>
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64')

/** Fulcio, Rekor and a CT log from @sigstore/mock behind one local HTTP server, and their trusted root. */
export async function startSigstore(): Promise<Sigstore> {
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
    chain: new X509Certificate(Buffer.from(b64(ca.rootCertificate), 'base64')).toString(),
    stop: () => new Promise<void>((resolve) => server.close(() => resolve()))
  }
}

/**
 * Signs `payload` keyless as `identity` (Fulcio certificate, hashedrekord entry in Rekor) and
 * returns the `.sig` layer cosign 2 would push for it.
 */
export async function cosign2KeylessLayer(
  sigstore: Sigstore,
  payload: Buffer,
  identity: { sub: string; iss: string }
): Promise<PayloadLayer> {
  const bundle = await new MessageSignatureBundleBuilder({
    signer: new FulcioSigner({
      identityProvider: { getToken: async () => oidcToken(identity) },
      fulcioBaseURL: sigstore.url
    }),
    witnesses: [new RekorWitness({ rekorBaseURL: sigstore.url })]
  }).create({ data: payload })
  const material = bundle.verificationMaterial.content
  const certificate =
    material.$case === 'certificate'
      ? material.certificate.rawBytes
      : material.$case === 'x509CertificateChain'
        ? material.x509CertificateChain.certificates[0]?.rawBytes
        : undefined
  const entry = bundle.verificationMaterial.tlogEntries[0]
  if (
    certificate === undefined ||
    bundle.content.$case !== 'messageSignature' ||
    entry?.inclusionPromise === undefined ||
    entry.logId === undefined
  ) {
    throw new Error('expected a certificate, a message signature and a Rekor entry with a SET')
  }
  // cosign `pkg/cosign/bundle/rekor.go`: Go marshals []byte as base64, the log ID is hex.
  const rekorBundle = {
    SignedEntryTimestamp: b64(entry.inclusionPromise.signedEntryTimestamp),
    Payload: {
      body: b64(entry.canonicalizedBody),
      integratedTime: Number(entry.integratedTime),
      logIndex: Number(entry.logIndex),
      logID: Buffer.from(entry.logId.keyId).toString('hex')
    }
  }
  return {
    bytes: payload,
    mediaType: SIMPLE_SIGNING_MEDIA_TYPE,
    annotations: {
      [SIGNATURE_ANNOTATION]: b64(bundle.content.messageSignature.signature),
      [CERTIFICATE_ANNOTATION]: new X509Certificate(
        Buffer.from(b64(certificate), 'base64')
      ).toString(),
      [CHAIN_ANNOTATION]: sigstore.chain,
      [REKOR_BUNDLE_ANNOTATION]: JSON.stringify(rekorBundle)
    }
  }
}
