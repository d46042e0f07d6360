/**
 * What the CLI's commands share: the flag parser (scan's too), and for the custody commands
 * (manifest, drift, sign, verify) registry access, output and errors.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util'
import { ConfigurationError, isUserError } from '../errors.js'
import { booleanWord, closestName, splitList } from '../input-values.js'
import { parsePlatform } from '../image/manifest.js'
import type { Platform } from '../image/types.js'
import type { Logger } from '../log.js'
import type { RegistryAccess } from '../image/source.js'
import { registryRepository, resolveDigest } from '../custody/image-signatures.js'

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

/**
 * Parses `args` against `options` (parseArgs's shapes; `--help`/`-h` is always known). Boolean
 * flags work bare and also take `=true`/`=false` (or a following `true`/`false`), so every
 * boolean action input reads the same way as a flag. Every mistake is one ConfigurationError
 * sentence of ours, never Node's parser wording: an unknown flag names the closest known one.
 */
export function parseFlags(
  args: string[],
  options: Options,
  helpCommand: string
): { values: FlagValues; positionals: string[]; help: boolean } {
  const known: Options = { ...options, help: { type: 'boolean', short: 'h' } }
  const { tokens } = parseArgs({
    args,
    options: known,
    allowPositionals: true,
    strict: false,
    tokens: true
  })
  const values: FlagValues = {}
  const positionals: string[] = []
  let previousBoolean: string | undefined
  for (const token of tokens) {
    if (token.kind === 'positional') {
      const word = booleanWord(token.value)
      if (previousBoolean !== undefined && word !== undefined) values[previousBoolean] = word
      else positionals.push(token.value)
      previousBoolean = undefined
      continue
    }
    previousBoolean = undefined
    if (token.kind !== 'option') continue
    const spec = Object.hasOwn(known, token.name) ? known[token.name] : undefined
    if (spec === undefined) {
      const suggestion = closestName(token.name, Object.keys(known))
      throw new ConfigurationError(
        suggestion === undefined
          ? `unknown option ${token.rawName}; run "${helpCommand} --help" for the options.`
          : `unknown option ${token.rawName}; did you mean --${suggestion}?`
      )
    }
    const flag = `--${token.name}`
    if (spec.type === 'boolean') {
      let value = true
      if (token.inlineValue === true) {
        const word = booleanWord(token.value ?? '')
        if (word === undefined) {
          throw new ConfigurationError(
            `${flag} is "${token.value ?? ''}"; write ${flag} alone, ${flag}=true or ${flag}=false.`
          )
        }
        value = word
      } else {
        previousBoolean = token.name
      }
      values[token.name] = value
      continue
    }
    // parseArgs takes the next argument as the value even when it is another flag.
    if (token.value === undefined || (token.inlineValue !== true && token.value.startsWith('-'))) {
      throw new ConfigurationError(
        `${flag} needs a value: write ${flag} VALUE, or ${flag}=VALUE when the value starts with "-".`
      )
    }
    if (spec.multiple === true) {
      const list = values[token.name]
      values[token.name] = [...(Array.isArray(list) ? list : []), token.value]
    } else {
      values[token.name] = token.value
    }
  }
  return { values, positionals, help: values.help === true }
}

/** The custody commands' flags: the registry flags plus `options`; an error shows the usage. */
export function parseCommandArgs(
  command: string,
  usage: string,
  args: string[],
  options: Options
): { values: FlagValues; positionals: string[]; help: boolean } {
  if (args.length === 0) throw new ConfigurationError(`${command} needs arguments; usage: ${usage}`)
  return parseFlags(args, { ...REGISTRY_FLAGS, ...options }, `container-gate ${command}`)
}

/** What `COMMAND --help` prints: the usage line and the registry flags every command takes. */
export function commandHelp(usage: string): string {
  return `Usage: ${usage}

Registry options (as for scan):
  --platform OS/ARCH                  platform of a multi-platform image (default linux/amd64)
  --insecure-registry HOST[:PORT]     may be reached over plain HTTP (repeatable)
  --registry-username, --registry-password   credentials for the image's registry
  --verbose                           progress messages on standard error
`
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
