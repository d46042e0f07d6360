/** What the custody commands (manifest, drift, sign, verify) share: flags, registry access, errors. */
import { parseArgs, type ParseArgsConfig } from 'node:util'
import { ConfigurationError, isUserError } from '../errors.js'
import { parsePlatform } from '../image/manifest.js'
import type { Platform } from '../image/types.js'
import type { Logger } from '../log.js'
import { splitList } from '../policy/inputs.js'
import type { RegistryAccess } from '../steps/step.js'
import { registryRepository, resolveDigest } from './image-signatures.js'

export interface CommandIo {
  stdout(text: string): void
  stderr(text: string): void
}

type Options = NonNullable<ParseArgsConfig['options']>

/** The scan command's registry flags, with the same names. */
export const REGISTRY_FLAGS: Options = {
  platform: { type: 'string' },
  'insecure-registry': { type: 'string', multiple: true },
  'insecure-registries': { type: 'string', multiple: true },
  'registry-username': { type: 'string' },
  'registry-password': { type: 'string' },
  verbose: { type: 'boolean' }
}

export type FlagValues = Record<string, string | boolean | Array<string | boolean> | undefined>

export function parseCommandArgs(
  command: string,
  usage: string,
  args: string[],
  options: Options
): { values: FlagValues; positionals: string[] } {
  try {
    const { values, positionals } = parseArgs({
      args,
      options: { ...REGISTRY_FLAGS, ...options },
      allowPositionals: true,
      strict: true
    })
    return { values: values as FlagValues, positionals }
  } catch (error) {
    throw new ConfigurationError(`${command}: ${(error as Error).message}; usage: ${usage}`)
  }
}

export function stringFlag(values: FlagValues, name: string): string | undefined {
  const value = values[name]
  return typeof value === 'string' && value !== '' ? value : undefined
}

export function listFlag(values: FlagValues, name: string): string[] {
  const value = values[name]
  return Array.isArray(value) ? value.flatMap((item) => splitList(String(item))) : []
}

/** Registry settings from the flags and the environment (DOCKER_CONFIG, HOME, GITHUB_TOKEN). */
export function registryAccess(values: FlagValues, env: NodeJS.ProcessEnv): RegistryAccess {
  const username = stringFlag(values, 'registry-username')
  const password = stringFlag(values, 'registry-password')
  if (Boolean(username) !== Boolean(password)) {
    throw new ConfigurationError(
      '--registry-username and --registry-password go together; set both or neither.'
    )
  }
  return {
    insecureRegistries: [
      ...listFlag(values, 'insecure-registry'),
      ...listFlag(values, 'insecure-registries')
    ],
    env,
    ...(username && password ? { credentials: { username, password } } : {})
  }
}

/** Registry settings and the --platform to read an image for (manifest, drift). */
export function imageAccess(
  values: FlagValues,
  env: NodeJS.ProcessEnv
): RegistryAccess & { platform: Platform } {
  return {
    ...registryAccess(values, env),
    platform: parsePlatform(stringFlag(values, 'platform') ?? 'linux/amd64')
  }
}

/** The one registry IMAGE that sign and verify take, and its repository. */
export function registryImageArg(
  command: string,
  usage: string,
  positionals: string[]
): { image: string; repository: string } {
  const image = positionals[0]
  const repository =
    image === undefined || positionals.length !== 1 ? undefined : registryRepository(image)
  if (image === undefined || repository === undefined) {
    throw new ConfigurationError(
      `${command} takes one registry IMAGE (REF or docker://REF); usage: ${usage}`
    )
  }
  return { image, repository }
}

/** The digest `image` points at now, with the registry settings and logger to use with it. */
export async function resolveRegistryImage(
  image: string,
  values: FlagValues,
  env: NodeJS.ProcessEnv,
  io: CommandIo
): Promise<{ digest: string; access: RegistryAccess; logger: Logger }> {
  const logger = commandLogger(io, values.verbose === true)
  const access = registryAccess(values, env)
  return { digest: await resolveDigest(image, access, logger), access, logger }
}

export function commandLogger(io: CommandIo, verbose: boolean): Logger {
  return {
    debug: () => undefined,
    info: (message) => {
      if (verbose) io.stderr(`${message}\n`)
    },
    warning: (message) => io.stderr(`warning: ${message}\n`),
    error: (message) => io.stderr(`error: ${message}\n`),
    group: (_name, fn) => fn()
  }
}

/** Runs a command body: user errors are one line and exit 2, bugs keep their stack. */
export async function runCommand(io: CommandIo, body: () => Promise<number>): Promise<number> {
  try {
    return await body()
  } catch (error) {
    if (isUserError(error)) io.stderr(`container-gate: ${error.message}\n`)
    else
      io.stderr(
        `container-gate: internal error, please report it: ${(error as Error).stack ?? String(error)}\n`
      )
    return 2
  }
}
