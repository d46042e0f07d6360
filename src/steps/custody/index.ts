/**
 * Step 6, signing and chain of custody: the digests that were verified while streaming, a
 * content manifest of every file, drift against an earlier stage's manifest, and the signatures
 * of the image and its base. Signing happens after the verdict (src/custody/after-gate.ts).
 */
import { ConfigurationError, ImageError } from '../../errors.js'
import { readInputFile } from '../../files.js'
import type { Finding } from '../../findings.js'
import {
  contentHashesSubscription,
  manifestOfImage,
  parseContentManifest
} from '../../custody/content-manifest.js'
import { compareManifests, driftFindings } from '../../custody/drift.js'
import { dockerfileBaseImage } from '../../custody/base-image.js'
import {
  checkImageSignatures,
  registryRepository,
  resolveDigest,
  signaturePolicy,
  type SignerRequirement
} from '../../custody/image-signatures.js'
import type { ImageView, Step, StepContext, StepOutcome } from '../step.js'
import type { ContentManifest } from '../../custody/model.js'
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
  const text = await readInputFile(path, {
    subject: `baseline-manifest "${path}"`,
    fix: 'check the path.',
    code: 'INPUT_FILE_UNREADABLE'
  })
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

type BaseImage =
  | { name: string; digest?: string; source: string }
  /** Why the base image is not known. */
  | { unknown: string }

/**
 * The base image to verify: the base-image input, else the OCI annotations (or labels) BuildKit
 * writes, else the final stage's FROM of the Dockerfile the gate was given.
 */
function baseImageOf(context: StepContext, settings: CustodySettings): BaseImage {
  if (settings.baseImage !== undefined) return { name: settings.baseImage, source: 'base-image' }
  const { image, dockerfile } = context
  const labels = image.config.config?.Labels ?? {}
  const annotated = image.annotations?.[BASE_NAME] ?? labels[BASE_NAME]
  if (annotated !== undefined) {
    const digest = image.annotations?.[BASE_DIGEST] ?? labels[BASE_DIGEST]
    return { name: annotated, source: BASE_NAME, ...(digest === undefined ? {} : { digest }) }
  }
  if (dockerfile === undefined) return { unknown: 'set base-image to verify its signature' }
  const from = dockerfileBaseImage(dockerfile.text)
  if (from === undefined) return { unknown: `${dockerfile.file} has no FROM; set base-image` }
  if ('scratch' in from) return { unknown: `${dockerfile.file} builds FROM scratch` }
  if ('unresolved' in from) {
    return {
      unknown: `the FROM at ${dockerfile.file}:${from.line} ("${from.unresolved}") uses a build argument without a default; set base-image`
    }
  }
  return { name: from.reference, source: `FROM at ${dockerfile.file}:${from.line}` }
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

  const base = baseImageOf(context, settings)
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
  if ('unknown' in base) {
    if (basePolicy !== undefined) notes.push(`base image unknown: ${base.unknown}`)
  } else if (basePolicy === undefined) {
    notes.push(
      `base image ${base.name} not verified: set base-verify-key or base-verify-identity/base-verify-issuer`
    )
  } else {
    const repository = registryRepository(base.name)
    if (repository === undefined)
      throw new ConfigurationError(
        `base image "${base.name}" (from ${base.source}) is not a registry reference; set base-image to one, like docker.io/library/debian:12.`
      )
    let digest: string
    let check: Awaited<ReturnType<typeof checkImageSignatures>>
    try {
      digest = base.digest ?? (await resolveDigest(base.name, access, logger))
      check = await checkImageSignatures(repository, digest, basePolicy, access, logger)
    } catch (error) {
      throw baseImageError(error, base.name, base.source)
    }
    if (check.verified.length > 0)
      notes.push(`base image ${base.name}@${digest} (${base.source}) signature verified`)
    else
      findings.push(
        unsignedFinding(
          'unsigned-base-image',
          base.name,
          settings.requireSignature,
          `The base image comes from ${base.source}. ${summarize(check.found, check.rejected)}`
        )
      )
  }
  return findings
}

/**
 * A base image whose registry needs a login: registry-username/registry-password are bound to
 * the scanned image's registry and never sent to the base image's, so the advice differs.
 */
function baseImageError(error: unknown, name: string, source: string): unknown {
  if (!(error instanceof ImageError) || error.code !== 'REGISTRY_UNAUTHORIZED') return error
  const what = error.message.split(';')[0]
  return new ImageError(
    `base image ${name} (from ${source}): ${what}; registry-username/registry-password are only sent to the scanned image's registry, so log in to the base image's registry in the Docker config (docker login, docker/login-action), or leave base-verify-key and base-verify-identity empty to skip verifying the base image.`,
    error.code,
    { cause: error }
  )
}

async function run(context: StepContext): Promise<StepOutcome> {
  const { image, policy } = context
  const settings = policy.custody
  const notes = [
    `digests verified while streaming: manifest ${image.digest}, config ${image.configDigest}, ${image.layers.length} layer(s) by digest and diffID`
  ]
  const manifest = manifestOfImage(image)
  notes.push(`content manifest ${manifest.contentDigest} (${manifest.entries.length} paths)`)
  const findings: Finding[] = []
  if (settings.baselineManifest !== undefined) {
    const drift = await driftFromBaseline(image, manifest, settings)
    // A loop, not push(...): a drifted image may change more files than a call has arguments.
    for (const finding of drift.findings) findings.push(finding)
    notes.push(drift.note)
  }
  findings.push(...(await signatureFindings(context, settings, notes)))
  return { findings, notes, artifacts: { contentManifest: manifest } }
}

export const custodyStep: Step = {
  id: 'custody',
  title: 'Signing and chain of custody',
  needs: () => ({ subscriptions: [contentHashesSubscription] }),
  run
}
