/**
 * `container-gate verify IMAGE --key cosign.pub` or `--certificate-identity ID
 * --certificate-oidc-issuer URL [--trusted-root FILE]`: exit 0 when a signature on the digest
 * IMAGE points at verifies, 1 when none does.
 */
import { ConfigurationError } from '../errors.js'
import {
  commandHelp,
  parseCommandArgs,
  registryImageArg,
  resolveRegistryImage,
  runCommand,
  stringFlag,
  type CommandIo
} from './command-io.js'
import { checkImageSignatures, signaturePolicy } from '../custody/image-signatures.js'

const USAGE =
  'container-gate verify IMAGE (--key cosign.pub | --certificate-identity ID --certificate-oidc-issuer URL [--trusted-root FILE])'

export async function verifyCommand(
  args: string[],
  env: NodeJS.ProcessEnv,
  io: CommandIo
): Promise<number> {
  return runCommand(io, async () => {
    const { values, positionals, help } = parseCommandArgs('verify', USAGE, args, {
      key: { type: 'string' },
      'certificate-identity': { type: 'string' },
      'certificate-oidc-issuer': { type: 'string' },
      'trusted-root': { type: 'string' }
    })
    if (help) {
      io.stdout(commandHelp(USAGE))
      return 0
    }
    const { image, repository } = registryImageArg('verify', USAGE, positionals)
    const key = stringFlag(values, 'key')
    const identity = stringFlag(values, 'certificate-identity')
    const issuer = stringFlag(values, 'certificate-oidc-issuer')
    const trustedRoot = stringFlag(values, 'trusted-root')
    if (
      (key === undefined) === (identity === undefined && issuer === undefined) ||
      (key === undefined && (identity === undefined || issuer === undefined))
    ) {
      throw new ConfigurationError(
        `verify needs --key, or --certificate-identity with --certificate-oidc-issuer; usage: ${USAGE}`
      )
    }
    const policy = await signaturePolicy(
      key !== undefined
        ? { key }
        : {
            identity: identity!,
            issuer: issuer!,
            ...(trustedRoot !== undefined ? { trustedRoot } : {})
          }
    )
    const { digest, access, logger } = await resolveRegistryImage(image, values, env, io)
    const check = await checkImageSignatures(repository, digest, policy!, access, logger)
    for (const verified of check.verified)
      io.stdout(`verified ${repository}@${digest}: ${verified.where} by ${verified.signer}\n`)
    if (check.verified.length > 0) return 0
    io.stdout(`no valid signature for ${repository}@${digest} (${check.found} found)\n`)
    for (const reason of check.rejected) io.stdout(`  ${reason}\n`)
    return 1
  })
}
