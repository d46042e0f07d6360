/** What the custody commands (manifest, drift, sign, verify) share: flags, registry access, errors. */
import { parseArgs, type ParseArgsConfig } from 'node:util'
import { ConfigurationError, isUserError } from '../errors.js'
import { parsePlatform } from '../image/manifest.js'
import type { Logger } from '../log.js'
import { splitList } from '../policy/inputs.js'
import type { RegistryAccess } from '../steps/step.js'

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

export function platformOf(values: FlagValues) {
  return parsePlatform(stringFlag(values, 'platform') ?? 'linux/amd64')
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
