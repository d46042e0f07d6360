/**
 * `container-gate sign IMAGE --key cosign.key`: signs the digest IMAGE points at now, in the
 * `.sig` layout `cosign verify --key` reads. The key's password comes from COSIGN_PASSWORD, as
 * with cosign. Without --key it signs keyless with the CI's OIDC token (Fulcio, Rekor).
 */
import { readFile } from 'node:fs/promises'
import { CIContextProvider } from '@sigstore/sign'
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
import { registryClient } from '../custody/image-signatures.js'
import { decryptCosignKey } from '../custody/keys.js'
import {
  DEFAULT_FULCIO_URL,
  DEFAULT_REKOR_URL,
  signImage,
  type ImageSigner
} from '../custody/sign.js'

const USAGE = 'container-gate sign IMAGE [--key cosign.key] [--fulcio-url URL] [--rekor-url URL]'

export async function signCommand(
  args: string[],
  env: NodeJS.ProcessEnv,
  io: CommandIo
): Promise<number> {
  return runCommand(io, async () => {
    const { values, positionals, help } = parseCommandArgs('sign', USAGE, args, {
      key: { type: 'string' },
      'fulcio-url': { type: 'string' },
      'rekor-url': { type: 'string' }
    })
    if (help) {
      io.stdout(commandHelp(USAGE))
      return 0
    }
    const { image, repository } = registryImageArg('sign', USAGE, positionals)
    const keyPath = stringFlag(values, 'key')
    let signer: ImageSigner
    if (keyPath !== undefined) {
      let pem: string
      try {
        pem = await readFile(keyPath, 'utf8')
      } catch {
        throw new ConfigurationError(`--key "${keyPath}" cannot be read; give the cosign.key file.`)
      }
      signer = {
        kind: 'key',
        key: decryptCosignKey(pem, env.COSIGN_PASSWORD ?? '', `--key "${keyPath}"`)
      }
    } else {
      signer = {
        kind: 'keyless',
        identityProvider: new CIContextProvider('sigstore'),
        fulcioUrl: stringFlag(values, 'fulcio-url') ?? DEFAULT_FULCIO_URL,
        rekorUrl: stringFlag(values, 'rekor-url') ?? DEFAULT_REKOR_URL
      }
    }
    const { digest, access, logger } = await resolveRegistryImage(image, values, env, io)
    const where = await signImage(
      registryClient(repository, access, logger),
      repository,
      digest,
      signer
    )
    io.stdout(`signed ${repository}@${digest}: ${where}\n`)
    return 0
  })
}
