/** Settings of the `custody` step: signature verification, drift baseline and signing. */
import { parseBooleanInput, splitList } from '../../input-values.js'
import { ConfigurationError } from '../../errors.js'
import type { InputLookup, InputSpec } from '../../input-values.js'
import { DEFAULT_EXPECTED_CHANGES } from '../../custody/drift.js'
import { DEFAULT_FULCIO_URL, DEFAULT_REKOR_URL } from '../../custody/endpoints.js'
import type { StepSettings } from '../settings.js'

export interface CustodySettings {
  /** PEM public key file (cosign.pub) the image must be signed with. */
  verifyKey?: string
  /** Keyless: the certificate identity (SAN) and OIDC issuer the signature must carry. */
  verifyIdentity?: string
  verifyIssuer?: string
  /** No verified signature is high (blocking by default) instead of medium. */
  requireSignature: boolean
  /** trusted_root.json for keyless verification; the shipped public-good root when unset. */
  trustedRoot?: string
  /** Repository holding the signatures when the image is not read from a registry (cosign's COSIGN_REPOSITORY). */
  signatureRepository?: string
  /** The base image; default: the image's annotations, else the Dockerfile's final FROM. */
  baseImage?: string
  baseVerifyKey?: string
  baseVerifyIdentity?: string
  baseVerifyIssuer?: string
  /** Content manifest of an earlier stage to compare the image with. */
  baselineManifest?: string
  /** Globs of paths expected to change (drift is not reported there). */
  driftExpected: string[]
  /** Sign the image after the gate passed. */
  sign: boolean
  /** cosign.key content (or a path, for the CLI); keyless signing when unset. Secret. */
  signKey?: string
  /** Its password; COSIGN_PASSWORD when unset. Secret. */
  signKeyPassword?: string
  /** Attach a signed attestation of the gate's result when signing. */
  attest: boolean
  /** Attach the CycloneDX SBOM as a signed attestation when signing. */
  attestSbom: boolean
  fulcioUrl: string
  rekorUrl: string
}

const INPUTS: InputSpec[] = [
  {
    name: 'verify-key',
    description: 'Public key file (cosign.pub, PEM) the image must be signed with.'
  },
  {
    name: 'verify-identity',
    description:
      'Keyless: the certificate identity the signature must carry, e.g. https://github.com/ORG/REPO/.github/workflows/build.yml@refs/heads/main.'
  },
  {
    name: 'verify-issuer',
    description: 'Keyless: the OIDC issuer, e.g. https://token.actions.githubusercontent.com.'
  },
  {
    name: 'require-signature',
    default: 'false',
    description:
      'Fail (custody/unsigned-image, high) when no signature verifies with verify-key or verify-identity/verify-issuer.'
  },
  {
    name: 'trusted-root',
    description:
      'Sigstore trusted_root.json for keyless verification; default: the public-good root shipped with container-gate.'
  },
  {
    name: 'signature-repository',
    description:
      'Repository (HOST/PATH) holding signatures when the image is read from an archive or layout, as COSIGN_REPOSITORY.'
  },
  {
    name: 'base-image',
    description:
      "The base image (REF) whose signature base-verify-* checks; default: the image's org.opencontainers.image.base.name annotation, else the final stage's FROM of the dockerfile input."
  },
  { name: 'base-verify-key', description: 'Public key file the base image must be signed with.' },
  { name: 'base-verify-identity', description: 'Keyless certificate identity of the base image.' },
  { name: 'base-verify-issuer', description: 'Keyless OIDC issuer of the base image.' },
  {
    name: 'baseline-manifest',
    description:
      'Content manifest of an earlier stage (container-gate manifest IMAGE --output FILE); files added or changed since are reported.'
  },
  {
    name: 'drift-expected',
    list: true,
    default: DEFAULT_EXPECTED_CHANGES.join(','),
    description:
      'Globs of absolute paths expected to change, e.g. /var/log/**; drift there is not reported.'
  },
  {
    name: 'sign',
    default: 'false',
    description:
      'Sign the image digest after the gate passed (never when it failed): with sign-key, or keyless with the workflow OIDC token (id-token: write).'
  },
  {
    name: 'sign-key',
    secret: true,
    description:
      'cosign private key (the content of cosign.key, from a secret). Without it, signing is keyless.'
  },
  {
    name: 'sign-key-password',
    secret: true,
    description: 'Password of sign-key; default: the COSIGN_PASSWORD environment variable.'
  },
  {
    name: 'attest',
    default: 'true',
    description:
      "When signing, also attach a signed attestation of the gate's result (verification summary)."
  },
  {
    name: 'attest-sbom',
    default: 'false',
    description:
      'When signing, also attach the CycloneDX SBOM of the composition step as a signed attestation (predicate type https://cyclonedx.org/bom).'
  },
  { name: 'fulcio-url', default: DEFAULT_FULCIO_URL, description: 'Fulcio for keyless signing.' },
  { name: 'rekor-url', default: DEFAULT_REKOR_URL, description: 'Rekor for keyless signing.' }
]

function parseUrl(name: string, value: string): string {
  try {
    return new URL(value).toString().replace(/\/$/, '')
  } catch {
    throw new ConfigurationError(`input "${name}" is "${value}"; give an https:// URL.`)
  }
}

function pairOf(identity: string | undefined, issuer: string | undefined, prefix: string): void {
  if ((identity === undefined) !== (issuer === undefined)) {
    throw new ConfigurationError(
      `inputs "${prefix}verify-identity" and "${prefix}verify-issuer" go together; set both for keyless verification.`
    )
  }
}

export const custodySettings: StepSettings<CustodySettings> = {
  inputs: INPUTS,
  defaults: () => ({
    requireSignature: false,
    driftExpected: [...DEFAULT_EXPECTED_CHANGES],
    sign: false,
    attest: true,
    attestSbom: false,
    fulcioUrl: DEFAULT_FULCIO_URL,
    rekorUrl: DEFAULT_REKOR_URL
  }),
  parse(get: InputLookup, base: CustodySettings): CustodySettings {
    const read = (name: string): string | undefined => {
      const value = get(name)?.trim()
      return value === undefined || value === '' ? undefined : value
    }
    const optional = (name: string, current: string | undefined): { value?: string } => {
      const value = read(name) ?? current
      return value === undefined ? {} : { value }
    }
    const pick = <K extends keyof CustodySettings>(
      key: K,
      name: string
    ): Partial<CustodySettings> => {
      const value = optional(name, base[key] as string | undefined).value
      return value === undefined ? {} : { [key]: value }
    }
    const booleanOf = (name: string, current: boolean): boolean => {
      const value = read(name)
      return value === undefined ? current : parseBooleanInput(name, value)
    }
    const expected = read('drift-expected')
    const relative =
      expected === undefined ? undefined : splitList(expected).find((g) => !g.startsWith('/'))
    if (relative !== undefined) {
      throw new ConfigurationError(
        `input "drift-expected" has "${relative}"; use globs of absolute paths, e.g. /var/log/**.`
      )
    }
    // Secrets are taken as given: a password may well start or end with a space.
    const password = get('sign-key-password')
    const settings: CustodySettings = {
      ...pick('verifyKey', 'verify-key'),
      ...pick('verifyIdentity', 'verify-identity'),
      ...pick('verifyIssuer', 'verify-issuer'),
      requireSignature: booleanOf('require-signature', base.requireSignature),
      ...pick('trustedRoot', 'trusted-root'),
      ...pick('signatureRepository', 'signature-repository'),
      ...pick('baseImage', 'base-image'),
      ...pick('baseVerifyKey', 'base-verify-key'),
      ...pick('baseVerifyIdentity', 'base-verify-identity'),
      ...pick('baseVerifyIssuer', 'base-verify-issuer'),
      ...pick('baselineManifest', 'baseline-manifest'),
      driftExpected: expected === undefined ? base.driftExpected : splitList(expected),
      sign: booleanOf('sign', base.sign),
      ...pick('signKey', 'sign-key'),
      ...(password !== undefined && password !== ''
        ? { signKeyPassword: password }
        : base.signKeyPassword === undefined
          ? {}
          : { signKeyPassword: base.signKeyPassword }),
      attest: booleanOf('attest', base.attest),
      attestSbom: booleanOf('attest-sbom', base.attestSbom),
      fulcioUrl: parseUrl('fulcio-url', read('fulcio-url') ?? base.fulcioUrl),
      rekorUrl: parseUrl('rekor-url', read('rekor-url') ?? base.rekorUrl)
    }
    pairOf(settings.verifyIdentity, settings.verifyIssuer, '')
    pairOf(settings.baseVerifyIdentity, settings.baseVerifyIssuer, 'base-')
    if (
      settings.requireSignature &&
      settings.verifyKey === undefined &&
      settings.verifyIdentity === undefined
    ) {
      throw new ConfigurationError(
        'input "require-signature" is true but nothing says whose signature: set verify-key, or verify-identity and verify-issuer.'
      )
    }
    return settings
  }
}
