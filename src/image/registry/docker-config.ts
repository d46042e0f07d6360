/**
 * Registry credentials as every container tool finds them: explicit inputs, then the Docker config
 * (`$DOCKER_CONFIG/config.json`, docker/cli `configfile`), its credential helpers
 * (docker-credential-helpers protocol), and finally GITHUB_TOKEN for ghcr.io.
 */
import { spawn } from 'node:child_process'
import { constants as fsConstants } from 'node:fs'
import { access, readFile } from 'node:fs/promises'
import { homedir } from 'node:os'
import { delimiter, join } from 'node:path'
import type { Logger } from '../../log.js'
import type { RegistryCredentials } from '../source.js'
import { DOCKER_HUB } from '../reference.js'

/** A username and password, or an OAuth2 refresh token (`identitytoken`) from `docker login`. */
export type HostCredentials =
  | { kind: 'basic'; username: string; password: string; source: string }
  | { kind: 'identity-token'; token: string; source: string }

export interface CredentialLookup {
  /** Explicit credentials (inputs registry-username/registry-password). */
  credentials?: RegistryCredentials
  env: NodeJS.ProcessEnv
  logger: Logger
}

interface DockerConfigFile {
  auths?: Record<
    string,
    { auth?: string; username?: string; password?: string; identitytoken?: string }
  >
  credHelpers?: Record<string, string>
  credsStore?: string
}

/** docker login stores Docker Hub under its v1 index URL; credential helpers expect it too. */
const DOCKER_HUB_SERVER = 'https://index.docker.io/v1/'
const DOCKER_HUB_ALIASES: ReadonlySet<string> = new Set([
  DOCKER_HUB,
  'index.docker.io',
  'registry-1.docker.io'
])
/** docker-credential-helpers answers `<token>` as the username when the secret is an identity token. */
const IDENTITY_TOKEN_USERNAME = '<token>'
const HELPER_TIMEOUT_MS = 30_000

export function dockerConfigPath(env: NodeJS.ProcessEnv): string {
  const dir = env.DOCKER_CONFIG ?? join(env.HOME ?? homedir(), '.docker')
  return join(dir, 'config.json')
}

/** `https://index.docker.io/v1/` → `index.docker.io` (docker/cli `ConvertToHostname`). */
function hostnameOf(key: string): string {
  const stripped = key.replace(/^https?:\/\//, '')
  return stripped.split('/')[0] ?? stripped
}

function sameRegistry(key: string, host: string): boolean {
  const name = hostnameOf(key)
  if (name === host) return true
  return DOCKER_HUB_ALIASES.has(host) && DOCKER_HUB_ALIASES.has(name)
}

async function readDockerConfig(
  file: string,
  logger: Logger
): Promise<DockerConfigFile | undefined> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch {
    return undefined
  }
  try {
    const value: unknown = JSON.parse(text)
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      return value as DockerConfigFile
    }
  } catch {
    // reported below
  }
  logger.warning(
    `Docker config ${file} is not a JSON object; ignoring it for registry credentials.`
  )
  return undefined
}

async function findOnPath(program: string, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (dir === '') continue
    const candidate = join(dir, program)
    try {
      await access(candidate, fsConstants.X_OK)
      return candidate
    } catch {
      // not in this directory
    }
  }
  return undefined
}

/** Runs `docker-credential-NAME get` with the server URL on stdin; undefined when it has nothing. */
async function fromHelper(
  helper: string,
  serverUrl: string,
  lookup: CredentialLookup
): Promise<HostCredentials | undefined> {
  const program = `docker-credential-${helper}`
  const path = await findOnPath(program, lookup.env)
  if (path === undefined) {
    lookup.logger.warning(
      `The Docker config names the credential helper "${helper}", but ${program} is not on PATH; continuing without its credentials.`
    )
    return undefined
  }
  const output = await new Promise<{ code: number | null; stdout: string }>((resolve, reject) => {
    const child = spawn(path, ['get'], {
      env: lookup.env,
      stdio: ['pipe', 'pipe', 'ignore'],
      timeout: HELPER_TIMEOUT_MS
    })
    let stdout = ''
    child.stdout.setEncoding('utf8')
    child.stdout.on('data', (chunk: string) => (stdout += chunk))
    child.once('error', reject)
    child.once('close', (code) => resolve({ code, stdout }))
    child.stdin.end(serverUrl)
  }).catch((error: unknown) => {
    lookup.logger.warning(
      `${program} could not be run (${error instanceof Error ? error.message : String(error)}); continuing without its credentials.`
    )
    return undefined
  })
  if (output === undefined) return undefined
  if (output.code !== 0) {
    // "credentials not found in native keychain" is the protocol's way of saying "none".
    lookup.logger.debug(`${program} has no credentials for ${serverUrl}`)
    return undefined
  }
  let answer: { Username?: unknown; Secret?: unknown }
  try {
    answer = JSON.parse(output.stdout) as { Username?: unknown; Secret?: unknown }
  } catch {
    lookup.logger.warning(`${program} answered with something that is not JSON; ignoring it.`)
    return undefined
  }
  if (typeof answer.Secret !== 'string' || answer.Secret === '') return undefined
  const source = `credential helper ${program}`
  if (answer.Username === IDENTITY_TOKEN_USERNAME) {
    return { kind: 'identity-token', token: answer.Secret, source }
  }
  if (typeof answer.Username !== 'string') return undefined
  return { kind: 'basic', username: answer.Username, password: answer.Secret, source }
}

function fromAuths(
  config: DockerConfigFile,
  host: string,
  file: string
): HostCredentials | undefined {
  const entries = Object.entries(config.auths ?? {})
  // An exact key wins over an alias (`docker.io` vs `https://index.docker.io/v1/`).
  const entry =
    entries.find(([key]) => hostnameOf(key) === host) ??
    entries.find(([key]) => sameRegistry(key, host))
  if (entry === undefined) return undefined
  const auth = entry[1]
  const source = `Docker config ${file}`
  if (typeof auth.identitytoken === 'string' && auth.identitytoken !== '') {
    return { kind: 'identity-token', token: auth.identitytoken, source }
  }
  if (typeof auth.auth === 'string' && auth.auth !== '') {
    const decoded = Buffer.from(auth.auth, 'base64').toString('utf8')
    const colon = decoded.indexOf(':')
    if (colon > 0) {
      return {
        kind: 'basic',
        username: decoded.slice(0, colon),
        password: decoded.slice(colon + 1),
        source
      }
    }
  }
  if (typeof auth.username === 'string' && typeof auth.password === 'string') {
    return { kind: 'basic', username: auth.username, password: auth.password, source }
  }
  return undefined
}

/**
 * Credentials for `host` (as named in the reference, e.g. `docker.io`, `ghcr.io`,
 * `127.0.0.1:5000`), or undefined for anonymous access.
 */
export async function resolveCredentials(
  host: string,
  lookup: CredentialLookup
): Promise<HostCredentials | undefined> {
  const explicit = lookup.credentials
  if (
    explicit !== undefined &&
    (explicit.host === undefined || sameRegistry(explicit.host, host))
  ) {
    return {
      kind: 'basic',
      username: explicit.username,
      password: explicit.password,
      source: 'inputs registry-username/registry-password'
    }
  }
  const file = dockerConfigPath(lookup.env)
  const config = await readDockerConfig(file, lookup.logger)
  if (config !== undefined) {
    const serverUrl = DOCKER_HUB_ALIASES.has(host) ? DOCKER_HUB_SERVER : host
    const helperEntry = Object.entries(config.credHelpers ?? {}).find(([key]) =>
      sameRegistry(key, host)
    )
    // docker/cli: a per-registry helper wins over the default store, which wins over `auths`.
    const helper = helperEntry?.[1] ?? config.credsStore
    if (helper !== undefined && helper !== '') {
      const found = await fromHelper(helper, serverUrl, lookup)
      if (found !== undefined) return found
    }
    const found = fromAuths(config, host, file)
    if (found !== undefined) return found
  }
  // GitHub Actions' token can read packages of the repository's owner (ghcr.io docs).
  const githubToken = lookup.env.GITHUB_TOKEN
  if (host === 'ghcr.io' && githubToken !== undefined && githubToken !== '') {
    return { kind: 'basic', username: 'token', password: githubToken, source: 'GITHUB_TOKEN' }
  }
  return undefined
}
