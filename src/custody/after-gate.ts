/**
 * Signing after the verdict: only a passing gate signs the image digest, and the attestation
 * records what was verified (SLSA verification summary, slsa.dev/spec/v1.0/verification_summary)
 * so the next stage can require both; optionally the SBOM is attested too (CycloneDX predicate).
 */
import { readFile } from 'node:fs/promises'
import type { IdentityProvider } from '@sigstore/sign'
import type { GateResult } from '../engine.js'
import { ConfigurationError } from '../errors.js'
import type { Logger } from '../log.js'
import type { Policy } from '../policy/policy.js'
import type { GateReport } from '../report/model.js'
import { renderSbom } from '../report/sbom.js'
import type { RegistryAccess } from '../image/source.js'
import { VERSION } from '../version.js'
import { canonicalDigest } from './canonical.js'
import { registryClient, registryRepository } from './image-signatures.js'
import { decryptCosignKey } from './keys.js'
import type { ImageSigner, SignatureReceipt } from './sign.js'

export const VERIFICATION_SUMMARY_PREDICATE = 'https://slsa.dev/verification_summary/v1'
/** in-toto attestation predicate registry: a CycloneDX BOM (in-toto/attestation `spec/predicates`). */
export const CYCLONEDX_PREDICATE = 'https://cyclonedx.org/bom'

/** The policy as it decided, without the signing secrets. */
export function policyDigest(policy: Policy): string {
  return canonicalDigest({
    ...policy,
    custody: { ...policy.custody, signKey: undefined, signKeyPassword: undefined }
  })
}

/**
 * A VSA about the gated image. Fields beyond the VSA schema go under `containerGate` (consumers
 * ignore fields they do not know, as the in-toto spec requires).
 */
export function gateVerificationSummary(
  report: GateReport,
  policy: Policy,
  contentManifestDigest: string | undefined,
  now: Date = new Date()
) {
  return {
    verifier: { id: 'https://github.com/container-gate', version: { 'container-gate': VERSION } },
    timeVerified: now.toISOString(),
    resourceUri: report.image.reference,
    policy: { digest: { sha256: policyDigest(policy).slice('sha256:'.length) } },
    verificationResult: report.verdict === 'pass' ? 'PASSED' : 'FAILED',
    verifiedLevels: [],
    containerGate: {
      verdict: report.verdict,
      steps: report.steps.map(({ id, status }) => ({ id, status })),
      counts: report.summary.counts,
      blocking: report.summary.blocking,
      suppressed: report.summary.suppressed,
      ...(contentManifestDigest === undefined ? {} : { contentManifestDigest })
    }
  }
}

export interface AfterGateOptions {
  registry: RegistryAccess
  logger: Logger
  /** Keyless signing's token source; default: the CI's (GitHub Actions `id-token: write`). */
  identityProvider?: IdentityProvider
}

async function signer(
  policy: Policy,
  env: NodeJS.ProcessEnv,
  options: AfterGateOptions
): Promise<ImageSigner> {
  const { signKey, signKeyPassword, fulcioUrl, rekorUrl } = policy.custody
  if (signKey === undefined) {
    return {
      kind: 'keyless',
      identityProvider:
        options.identityProvider ??
        new (await import('@sigstore/sign')).CIContextProvider('sigstore'),
      fulcioUrl,
      rekorUrl
    }
  }
  let pem = signKey
  if (!signKey.startsWith('-----BEGIN')) {
    try {
      pem = await readFile(signKey, 'utf8')
    } catch {
      throw new ConfigurationError(
        'input "sign-key" is neither a PEM cosign key nor a readable file; pass the content of cosign.key from a secret.',
        'BAD_SIGNING_KEY'
      )
    }
  }
  return {
    kind: 'key',
    key: decryptCosignKey(pem, signKeyPassword ?? env.COSIGN_PASSWORD ?? '', 'input "sign-key"')
  }
}

/**
 * Call after `runGate` when the gate ran: signs and attests a passing image when `sign` is set.
 * Returns undefined when signing is off or the gate failed (it never signs a failing image).
 */
export async function signAfterGate(
  result: Pick<GateResult, 'report' | 'artifacts'>,
  policy: Policy,
  options: AfterGateOptions
): Promise<SignatureReceipt | undefined> {
  const settings = policy.custody
  if (!settings.sign) return undefined
  const { report } = result
  if (report.verdict !== 'pass') {
    options.logger.warning(`not signing ${report.image.reference}: the gate failed.`)
    return undefined
  }
  const repository = settings.signatureRepository ?? registryRepository(report.image.reference)
  if (repository === undefined) {
    throw new ConfigurationError(
      `input "sign" is true but ${report.image.reference} is not in a registry; gate the pushed image, or set signature-repository.`
    )
  }
  // Loaded only to sign: sigstore's client and its HTTP stack are large, and most scans never sign.
  const { attestImage, signImage } = await import('./sign.js')
  const imageSigner = await signer(policy, options.registry.env, options)
  const client = registryClient(repository, options.registry, options.logger)
  const digest = report.image.digest
  const signature = await signImage(client, repository, digest, imageSigner)
  const attestations = settings.attest
    ? await attestImage(
        client,
        repository,
        digest,
        VERIFICATION_SUMMARY_PREDICATE,
        gateVerificationSummary(report, policy, result.artifacts.contentManifest?.contentDigest),
        imageSigner
      )
    : []
  if (settings.attestSbom) {
    if (result.artifacts.packages === undefined) {
      options.logger.warning(
        'attest-sbom is true but the composition step did not run, so there is no SBOM to attest; enable the composition step.'
      )
    } else {
      const bom: unknown = JSON.parse(renderSbom(result, 'cyclonedx'))
      attestations.push(
        ...(await attestImage(client, repository, digest, CYCLONEDX_PREDICATE, bom, imageSigner))
      )
    }
  }
  options.logger.info(
    `signed ${repository}@${digest} (${signature}${attestations.length > 0 ? `; attestation ${attestations.join(', ')}` : ''}).`
  )
  return { digest, signature, attestations }
}
