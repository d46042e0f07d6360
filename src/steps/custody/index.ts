/**
 * Step 6, signing and chain of custody: the digests that were verified while streaming, a
 * content manifest of every file, drift against an earlier stage's manifest, and the signatures
 * of the image and its base. Signing happens after the verdict (src/custody/after-gate.ts).
 */
import { readFile } from 'node:fs/promises'
import { ConfigurationError } from '../../errors.js'
import type { Finding } from '../../findings.js'
import {
  CONTENT_HASHES_SUBSCRIPTION,
  contentHashesSubscription,
  imageContentManifest,
  parseContentManifest
} from '../../custody/content-manifest.js'
import { compareManifests, driftFindings } from '../../custody/drift.js'
import {
  checkImageSignatures,
  registryRepository,
  resolveDigest,
  signaturePolicy,
  type SignerRequirement
} from '../../custody/image-signatures.js'
import type { ImageView, Step, StepContext, StepOutcome } from '../step.js'
import type { ContentManifest } from './model.js'
import type { CustodySettings } from './settings.js'

/** OCI image-spec annotations.md: the base image of a build (BuildKit and metadata-action set them). */
const BASE_NAME = 'org.opencontainers.image.base.name'
const BASE_DIGEST = 'org.opencontainers.image.base.digest'

async function driftFromBaseline(
  image: ImageView,
  manifest: ContentManifest,
  settings: CustodySettings
): Promise<{ findings: Finding[]; note: string }> {
  const path = settings.baselineManifest!
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (error) {
    throw new ConfigurationError(
      `baseline-manifest "${path}" cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'}); check the path.`,
      'INPUT_FILE_UNREADABLE'
    )
  }
  const baseline = parseContentManifest(text, `baseline-manifest "${path}"`)
  const changes = compareManifests(baseline, manifest, settings.driftExpected)
  const findings = driftFindings(changes, baseline.contentDigest).map((finding) => {
    const node = image.fs.get(finding.subject)
    const layerDigest = node === undefined ? undefined : image.layers[node.layer]?.digest
    return layerDigest === undefined
      ? finding
      : { ...finding, location: { ...finding.location, layerDigest } }
  })
  return {
    findings,
    note: `drift against ${baseline.contentDigest}: ${changes.length} unexpected change(s)`
  }
}

function unsignedFinding(
  rule: 'unsigned-image' | 'unsigned-base-image',
  subject: string,
  required: boolean,
  why: string
): Finding {
  const base = rule === 'unsigned-base-image'
  return {
    step: 'custody',
    rule: `custody/${rule}`,
    severity: required ? 'high' : 'medium',
    title: base
      ? `Base image ${subject} has no valid signature`
      : 'The image has no valid signature',
    detail: `${why} ${
      base
        ? 'Build FROM a signed base image pinned by digest, or fix base-verify-key/base-verify-identity.'
        : 'Sign the image digest where it is built (cosign sign, or sign: true on the gate of the previous stage) and check verify-key/verify-identity.'
    }`,
    subject,
    location: {}
  }
}

function summarize(found: number, rejected: string[]): string {
  if (found === 0 && rejected.length === 0)
    return 'No signature was found (neither a .sig tag nor a referrer).'
  const reasons = rejected.slice(0, 3).join('; ')
  const more = rejected.length > 3 ? `; and ${rejected.length - 3} more` : ''
  return `${found} signature(s) found, none valid: ${reasons}${more}.`
}

async function signatureFindings(
  context: StepContext,
  settings: CustodySettings,
  notes: string[]
): Promise<Finding[]> {
  const { image, logger } = context
  const access = context.registry ?? { insecureRegistries: [], env: {} }
  const findings: Finding[] = []
  const requirement: SignerRequirement = {
    ...(settings.verifyKey !== undefined ? { key: settings.verifyKey } : {}),
    ...(settings.verifyIdentity !== undefined ? { identity: settings.verifyIdentity } : {}),
    ...(settings.verifyIssuer !== undefined ? { issuer: settings.verifyIssuer } : {}),
    ...(settings.trustedRoot !== undefined ? { trustedRoot: settings.trustedRoot } : {})
  }
  const policy = await signaturePolicy(requirement)
  if (policy !== undefined) {
    const repository = settings.signatureRepository ?? registryRepository(image.reference)
    if (repository === undefined) {
      const why = `${image.reference} is not in a registry, so its signatures cannot be looked up; set signature-repository to where they are.`
      if (settings.requireSignature)
        findings.push(unsignedFinding('unsigned-image', 'image', true, why))
      else notes.push(`signature not checked: ${why}`)
    } else {
      const check = await checkImageSignatures(repository, image.digest, policy, access, logger)
      if (check.verified.length > 0) {
        notes.push(
          `signature verified: ${check.verified.map((v) => `${v.where} by ${v.signer}`).join(', ')}`
        )
      } else {
        findings.push(
          unsignedFinding(
            'unsigned-image',
            'image',
            settings.requireSignature,
            summarize(check.found, check.rejected)
          )
        )
      }
    }
  }

  const labels = image.config.config?.Labels ?? {}
  const baseName = settings.baseImage ?? image.annotations?.[BASE_NAME] ?? labels[BASE_NAME]
  const basePolicy = await signaturePolicy(
    {
      ...(settings.baseVerifyKey !== undefined ? { key: settings.baseVerifyKey } : {}),
      ...(settings.baseVerifyIdentity !== undefined
        ? { identity: settings.baseVerifyIdentity }
        : {}),
      ...(settings.baseVerifyIssuer !== undefined ? { issuer: settings.baseVerifyIssuer } : {}),
      ...(settings.trustedRoot !== undefined ? { trustedRoot: settings.trustedRoot } : {})
    },
    'base-'
  )
  if (baseName === undefined) {
    if (basePolicy !== undefined)
      notes.push('base image unknown: set base-image to verify its signature')
  } else if (basePolicy === undefined) {
    notes.push(
      `base image ${baseName} not verified: set base-verify-key or base-verify-identity/base-verify-issuer`
    )
  } else {
    const repository = registryRepository(baseName)
    if (repository === undefined)
      throw new ConfigurationError(
        `base-image "${baseName}" is not a registry reference; name it like docker.io/library/debian:12.`
      )
    const pinned =
      settings.baseImage === undefined
        ? (image.annotations?.[BASE_DIGEST] ?? labels[BASE_DIGEST])
        : undefined
    const digest = pinned ?? (await resolveDigest(baseName, access, logger))
    const check = await checkImageSignatures(repository, digest, basePolicy, access, logger)
    if (check.verified.length > 0) notes.push(`base image ${baseName}@${digest} signature verified`)
    else
      findings.push(
        unsignedFinding(
          'unsigned-base-image',
          baseName,
          settings.requireSignature,
          summarize(check.found, check.rejected)
        )
      )
  }
  return findings
}

async function run(context: StepContext): Promise<StepOutcome> {
  const { image, policy } = context
  const settings = policy.custody
  const notes = [
    `digests verified while streaming: manifest ${image.digest}, config ${image.configDigest}, ${image.layers.length} layer(s) by digest and diffID`
  ]
  const manifest = imageContentManifest(
    { reference: image.reference, digest: image.digest, configDigest: image.configDigest },
    image.fs,
    image.visits(CONTENT_HASHES_SUBSCRIPTION)
  )
  notes.push(`content manifest ${manifest.contentDigest} (${manifest.entries.length} paths)`)
  const findings: Finding[] = []
  if (settings.baselineManifest !== undefined) {
    const drift = await driftFromBaseline(image, manifest, settings)
    findings.push(...drift.findings)
    notes.push(drift.note)
  }
  findings.push(...(await signatureFindings(context, settings, notes)))
  return { findings, notes, artifacts: { contentManifest: manifest } }
}

export const custodyStep: Step = {
  id: 'custody',
  title: 'Signing and chain of custody',
  subscriptions: [contentHashesSubscription],
  run
}
