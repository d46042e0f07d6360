/**
 * The inputs every entry point shares. The action reads them with core.getInput, the CLI from
 * flags of the same names; both hand a lookup to `parseRunInputs`, so validation and defaults
 * live in one place and each bad value is one ConfigurationError naming the input.
 */
import { ConfigurationError } from './errors.js'
import { parsePlatform } from './image/manifest.js'
import type { RegistryCredentials } from './image/source.js'
import type { Platform } from './image/types.js'
import { parsePolicyInputs, POLICY_INPUTS, splitList } from './policy/inputs.js'
import type { Policy } from './policy/policy.js'
import { STEP_SETTINGS } from './policy/step-settings.js'

export interface InputSpec {
  name: string
  description: string
  default?: string
  required?: boolean
  /** Takes a list: newline- or comma-separated in the action, a repeatable flag in the CLI. */
  list?: boolean
  /** The action masks it and the CLI never echoes it. */
  secret?: boolean
}

export const IMAGE_INPUTS: InputSpec[] = [
  {
    name: 'image',
    required: true,
    description:
      'Image to gate, with a skopeo transport: REF or docker://REF (registry), docker-daemon:REF, docker-archive:PATH, oci-archive:PATH[:REF], oci:DIR[:REF].'
  },
  {
    name: 'platform',
    default: 'linux/amd64',
    description: 'Platform to choose from a multi-platform image, as os/arch[/variant].'
  },
  {
    name: 'insecure-registries',
    list: true,
    description:
      'Registries (host or host:port) that may be reached over plain HTTP. Loopback hosts always may.'
  },
  { name: 'registry-username', description: 'Username for the registry of `image`.' },
  {
    name: 'registry-password',
    secret: true,
    description:
      'Password or token for the registry of `image`. Without it, credentials come from the Docker config (docker/login-action) or, for ghcr.io, `github-token`.'
  },
  {
    name: 'github-token',
    secret: true,
    description:
      'Token used to pull from ghcr.io when no other credentials are given. The action defaults to the workflow token; the CLI reads GITHUB_TOKEN.'
  }
]

export const REPORT_INPUTS: InputSpec[] = [
  {
    name: 'report',
    description: 'Path of the JSON report to write. The action defaults to a file in RUNNER_TEMP.'
  }
]

export const ALL_INPUTS: InputSpec[] = [
  ...IMAGE_INPUTS,
  ...POLICY_INPUTS,
  ...Object.values(STEP_SETTINGS).flatMap((settings) => settings.inputs),
  ...REPORT_INPUTS
]

export type InputLookup = (name: string) => string | undefined

/** What the engine needs to reach the image, from the inputs and the environment. */
export function acquireSettings(inputs: RunInputs, env: NodeJS.ProcessEnv) {
  return {
    platform: inputs.platform,
    insecureRegistries: inputs.insecureRegistries,
    ...(inputs.credentials === undefined ? {} : { credentials: inputs.credentials }),
    env: inputs.githubToken === undefined ? env : { ...env, GITHUB_TOKEN: inputs.githubToken }
  }
}

export interface RunInputs {
  image: string
  platform: Platform
  insecureRegistries: string[]
  credentials?: RegistryCredentials
  githubToken?: string
  policy: Policy
  reportPath?: string
}

export function parseRunInputs(get: InputLookup): RunInputs {
  const image = get('image')?.trim()
  if (!image) {
    throw new ConfigurationError(
      'input "image" is required: name the image to gate, e.g. ghcr.io/org/app:1.0 or oci-archive:app.tar.'
    )
  }
  const username = get('registry-username')?.trim()
  const password = get('registry-password')
  if (Boolean(username) !== Boolean(password)) {
    throw new ConfigurationError(
      'inputs "registry-username" and "registry-password" go together; set both or neither.'
    )
  }
  const reportPath = get('report')?.trim()
  const githubToken = get('github-token')?.trim()
  return {
    image,
    platform: parsePlatform(get('platform')?.trim() || 'linux/amd64'),
    insecureRegistries: splitList(get('insecure-registries') ?? ''),
    ...(username && password ? { credentials: { username, password } } : {}),
    ...(githubToken ? { githubToken } : {}),
    policy: parsePolicyInputs(get),
    ...(reportPath ? { reportPath } : {})
  }
}
