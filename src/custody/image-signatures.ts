/** Finding and verifying the signatures of one image digest in its registry. */
import { ConfigurationError } from '../errors.js'
import { readInputFile } from '../files.js'
import { sha256 } from '../image/digest.js'
import { RegistryClient } from '../image/registry/client.js'
import { parseReference } from '../image/reference.js'
import { parseSourceSpec } from '../image/sources.js'
import type { Logger } from '../log.js'
import type { RegistryAccess } from '../image/source.js'
import { readPublicKey } from './keys.js'
// The Sigstore verifier and the signature store are loaded when a signature is checked: a scan
// that checks none does not compile them (start-up time on every run).
import type { SignaturePolicy, VerificationOutcome } from './verify.js'

export interface SignerRequirement {
  key?: string
  identity?: string
  issuer?: string
  trustedRoot?: string
}

function readInput(path: string, input: string): Promise<string> {
  return readInputFile(path, {
    subject: `${input} "${path}"`,
    fix: 'check the path.',
    code: 'INPUT_FILE_UNREADABLE'
  })
}

/** The policy for `requirement`, reading the key or trusted root file; undefined when nothing is required. */
export async function signaturePolicy(
  requirement: SignerRequirement,
  inputPrefix = ''
): Promise<SignaturePolicy | undefined> {
  if (requirement.key !== undefined) {
    const input = `${inputPrefix}verify-key`
    return {
      kind: 'key',
      key: readPublicKey(await readInput(requirement.key, input), `${input} "${requirement.key}"`)
    }
  }
  if (requirement.identity === undefined || requirement.issuer === undefined) return undefined
  let root: unknown
  if (requirement.trustedRoot !== undefined) {
    const text = await readInput(requirement.trustedRoot, 'trusted-root')
    try {
      root = JSON.parse(text)
    } catch {
      throw new ConfigurationError(
        `trusted-root "${requirement.trustedRoot}" is not JSON; give a Sigstore trusted_root.json.`,
        'BAD_TRUSTED_ROOT'
      )
    }
  }
  const { trustMaterialOf } = await import('./verify.js')
  return {
    kind: 'keyless',
    identity: requirement.identity,
    issuer: requirement.issuer,
    trust: trustMaterialOf(root, `trusted-root "${requirement.trustedRoot ?? '(shipped)'}"`)
  }
}

/** `host/path` of a registry image argument (`REF`, `docker://REF`), or undefined for other transports. */
export function registryRepository(image: string): string | undefined {
  const spec = parseSourceSpec(image)
  if (spec.transport !== 'docker') return undefined
  const reference = parseReference(spec.reference)
  return `${reference.domain}/${reference.path}`
}

export function registryClient(
  repository: string,
  access: RegistryAccess,
  logger: Logger
): RegistryClient {
  return new RegistryClient(parseReference(repository), { ...access, logger })
}

export interface SignatureCheck extends VerificationOutcome {
  repository: string
  digest: string
  /** Signatures found, verified or not. */
  found: number
}

export async function checkImageSignatures(
  repository: string,
  digest: string,
  policy: SignaturePolicy,
  access: RegistryAccess,
  logger: Logger
): Promise<SignatureCheck> {
  const [{ findSignatures }, { verifySignatures }] = await Promise.all([
    import('./registry-store.js'),
    import('./verify.js')
  ])
  const client = registryClient(repository, access, logger)
  const search = await findSignatures(client, digest)
  const outcome = verifySignatures(search.signatures, digest, policy)
  return {
    repository,
    digest,
    found: search.signatures.length,
    verified: outcome.verified,
    rejected: [...outcome.rejected, ...search.problems]
  }
}

/** A digest for a reference: the pinned one, else what the tag points at now (sha256 of the manifest bytes). */
export async function resolveDigest(
  reference: string,
  access: RegistryAccess,
  logger: Logger
): Promise<string> {
  const parsed = parseReference(reference.replace(/^docker:\/\//, ''))
  if (parsed.digest !== undefined) return parsed.digest
  const client = new RegistryClient(parsed, { ...access, logger })
  return sha256((await client.getManifest(parsed.tag ?? 'latest')).bytes)
}
