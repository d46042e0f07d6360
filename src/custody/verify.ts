/**
 * Signature verification, key-based and keyless, over what `findSignatures` read. A signature
 * counts only when it verifies AND vouches for exactly the digest that was gated: a valid
 * signature on another digest (a moved tag, a copied `.sig`) is rejected.
 */
import type { KeyObject } from 'node:crypto'
import type { Bundle } from '@sigstore/bundle'
import { TrustedRoot } from '@sigstore/protobuf-specs'
import { toSignedEntity, toTrustMaterial, Verifier, type TrustMaterial } from '@sigstore/verify'
import { ConfigurationError } from '../errors.js'
import { COSIGN_SIGN_PREDICATE, signedDigest } from './cosign.js'
import { keyHint, verifyBytes } from './keys.js'
import { PUBLIC_GOOD_TRUSTED_ROOT } from './public-good-root.js'
import { rekorBundleOf } from './rekor-bundle.js'
import type { FoundSignature, ReferrerSignature, TagSignature } from './registry-store.js'
import { pae, statementCovers, statementOf } from './statement.js'

export type SignaturePolicy =
  | { kind: 'key'; key: KeyObject }
  | {
      kind: 'keyless'
      /** The certificate's SAN, e.g. `https://github.com/ORG/REPO/.github/workflows/build.yml@refs/heads/main`. */
      identity: string
      /** The OIDC issuer extension, e.g. `https://token.actions.githubusercontent.com`. */
      issuer: string
      trust: TrustMaterial
    }

export interface VerificationOutcome {
  /** Where each verified signature was found and who made it. */
  verified: Array<{ where: string; signer: string }>
  /** `where: why` for each signature that did not count. */
  rejected: string[]
}

/** Trust material from a trusted_root.json document (Sigstore protobuf-specs TrustedRoot JSON). */
export function trustMaterialOf(
  document: unknown = PUBLIC_GOOD_TRUSTED_ROOT,
  input = 'trusted-root'
): TrustMaterial {
  try {
    return toTrustMaterial(TrustedRoot.fromJSON(document))
  } catch (error) {
    throw new ConfigurationError(
      `${input} is not a Sigstore trusted root (${(error as Error).message}); give a trusted_root.json such as "cosign trusted-root create" writes.`,
      'BAD_TRUSTED_ROOT'
    )
  }
}

function describeSigner(policy: SignaturePolicy): string {
  return policy.kind === 'key'
    ? `key sha256:${keyHint(policy.key).slice(0, 16)}…`
    : `${policy.identity} (issuer ${policy.issuer})`
}

/** Sigstore verification of a bundle against the keyless policy; the artifact for message signatures. */
function sigstoreProblem(
  bundle: Bundle,
  policy: Extract<SignaturePolicy, { kind: 'keyless' }>,
  artifact?: Buffer
): string | undefined {
  try {
    new Verifier(policy.trust).verify(toSignedEntity(bundle, artifact), {
      subjectAlternativeName: policy.identity,
      extensions: { issuer: policy.issuer }
    })
    return undefined
  } catch (error) {
    return `Sigstore verification failed: ${(error as Error).message}`
  }
}

function checkTag(
  found: TagSignature,
  digest: string,
  policy: SignaturePolicy
): string | undefined {
  if (policy.kind === 'keyless') {
    if (found.certificate === undefined)
      return 'signed with a key, but a keyless identity is required'
    // cosign 2 keyless: Fulcio certificate and Rekor SET in annotations, checked as a v0.1 bundle.
    const converted = rekorBundleOf(found)
    if ('problem' in converted) return converted.problem
    const problem = sigstoreProblem(converted.bundle, policy, found.payload)
    if (problem !== undefined) return problem
  } else if (!verifyBytes(policy.key, found.payload, Buffer.from(found.signature, 'base64'))) {
    return 'the signature does not verify with the key'
  }
  const claim = signedDigest(found.payload)
  if ('problem' in claim) return claim.problem
  return claim.digest === digest ? undefined : `it signs ${claim.digest}, not ${digest}`
}

function checkBundle(
  found: ReferrerSignature,
  digest: string,
  policy: SignaturePolicy
): string | undefined {
  const bundle: Bundle = found.bundle
  if (bundle.content.$case !== 'dsseEnvelope') {
    return 'the bundle holds a message signature, not the DSSE statement cosign signs images with'
  }
  const envelope = bundle.content.dsseEnvelope
  if (policy.kind === 'key') {
    const signed = pae(envelope.payloadType, envelope.payload)
    if (!envelope.signatures.some((s) => verifyBytes(policy.key, signed, s.sig))) {
      return 'the signature does not verify with the key'
    }
  } else {
    const problem = sigstoreProblem(bundle, policy)
    if (problem !== undefined) return problem
  }
  const statement = statementOf(envelope.payloadType, envelope.payload)
  if (statement === undefined) return 'the envelope does not hold an in-toto statement'
  if (statement.predicateType !== COSIGN_SIGN_PREDICATE) {
    return `it is an attestation (${statement.predicateType}), not a signature`
  }
  return statementCovers(statement, digest) ? undefined : `its subject is not ${digest}`
}

export function verifySignatures(
  found: FoundSignature[],
  digest: string,
  policy: SignaturePolicy
): VerificationOutcome {
  const outcome: VerificationOutcome = { verified: [], rejected: [] }
  for (const signature of found) {
    const problem =
      signature.layout === 'tag'
        ? checkTag(signature, digest, policy)
        : checkBundle(signature, digest, policy)
    if (problem === undefined)
      outcome.verified.push({ where: signature.where, signer: describeSigner(policy) })
    else outcome.rejected.push(`${signature.where}: ${problem}`)
  }
  return outcome
}
