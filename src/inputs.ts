/**
 * The inputs every entry point shares. The action reads them with core.getInput, the CLI from
 * flags of the same names; both hand a lookup to `parseRunInputs`, so validation and defaults
 * live in one place and each bad value is one ConfigurationError naming the input.
 */
import { parseBooleanInput, parseDurationInput, parseSizeInput } from './input-values.js'
import { layerCacheDir } from './cache-dirs.js'
import { existsSync } from 'node:fs'
import type { GateRequest } from './engine.js'
import { ConfigurationError } from './errors.js'
import { parsePlatform } from './image/manifest.js'
import { parseReference } from './image/reference.js'
import { parseSourceSpec } from './image/sources.js'
import type { RegistryCredentials } from './image/source.js'
import type { Platform } from './image/types.js'
import { readPolicyFile } from './policy/file.js'
import { defaultPolicy } from './policy/defaults.js'
import { parsePolicyInputs, POLICY_INPUTS, splitList } from './policy/inputs.js'
import type { Policy } from './policy/policy.js'
import { STEP_SETTINGS } from './policy/step-settings.js'
import type { Ignore } from './policy/suppress.js'
import type { Mode } from './report/model.js'
import type { InputLookup, InputSpec } from './input-values.js'

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

/** How the policy is read and enforced besides its thresholds. */
export const GATE_INPUTS: InputSpec[] = [
  {
    name: 'config',
    description:
      'Policy file (YAML, schema/policy.schema.json, docs/policy.md) with the same keys as these inputs, per step, plus ignores with a reason and an expiry date. Default `.container-gate.yml` when present. An input that is set overrides the file; an input left at its default does not.'
  },
  {
    name: 'mode',
    default: 'enforce',
    description:
      '`enforce` fails the run when the verdict is fail; `warn` reports everything the same way (comment, annotations, a neutral check run, the verdict in the report) and never fails: the CLI exits 0.'
  },
  {
    name: 'baseline',
    description:
      "A previous JSON report (e.g. the base branch's, restored from a cache or artifact) or the reference of an image built from the base branch, scanned in the same run. Findings are compared by fingerprint: new, unchanged, fixed. A report file that does not exist yet means every finding is new."
  },
  {
    name: 'fail-on-new-only',
    default: 'false',
    description:
      'With `baseline`: findings already in the baseline are reported but do not block, so a pull request fails only for what it introduced.'
  },
  {
    name: 'dockerfile',
    description:
      'The Dockerfile that built the image (multi-stage aware), to put each finding on the instruction that caused it. Default `Dockerfile` when present.'
  },
  {
    name: 'timeout',
    default: '30m',
    description:
      'Deadline for the whole scan (reading the image and a baseline image, and the six steps): `90s`, `30m`, `1h` or plain seconds, at most `24h`. When it passes, the gate stops with exit 2 naming what was still running (the image, the layer being read, or the step). It cannot be switched off.'
  },
  {
    name: 'layer-cache',
    default: 'true',
    description:
      "Keep each layer's analysis between runs, keyed by the layer's digest and the version and settings of every analysis, so a re-gated image whose base did not change reads only its new layers, and from a registry downloads only those (a layer read from a file is still checked against its digest). The action keeps the directory with the Actions cache; the CLI in `$CONTAINER_GATE_CACHE_DIR/layers`, else `$XDG_CACHE_HOME/container-gate/layers` or `~/.cache/container-gate/layers`. A damaged or partly written entry is removed and the layer read again. `false` reads every layer."
  },
  {
    name: 'layer-cache-size',
    default: '2GiB',
    description:
      'Bound of the layer cache directory, e.g. `500MB` or `2GiB`; past it, the least recently used entries are removed at the end of a scan.'
  }
]

/** The longest `timeout` accepted: a day, far beyond any real scan, well inside setTimeout's range. */
export const MAX_TIMEOUT_MS = 24 * 3_600_000

export const REPORT_INPUTS: InputSpec[] = [
  {
    name: 'report',
    description: 'Path of the JSON report to write. The action defaults to a file in RUNNER_TEMP.'
  },
  {
    name: 'sarif',
    description:
      'Path of the SARIF 2.1.0 file to write, for github/codeql-action/upload-sarif. The action defaults to a file in RUNNER_TEMP.'
  },
  {
    name: 'sbom',
    description:
      'Path of the SBOM to write (every package the composition step found), in `sbom-format`. Needs the composition step.'
  },
  {
    name: 'sbom-format',
    default: 'cyclonedx',
    description:
      'Format of the `sbom` file: `cyclonedx` (CycloneDX 1.6 JSON) or `spdx` (SPDX 2.3 JSON).'
  },
  {
    name: 'junit',
    description: 'Path of the JUnit XML file to write with the results of the security unit tests.'
  },
  {
    name: 'comment',
    default: 'true',
    description:
      'Action only: keep one sticky comment per image and job on the pull request, updated on each push (needs `pull-requests: write`; skipped with a notice on pull requests from forks).'
  },
  {
    name: 'check-run',
    default: 'true',
    description:
      'Action only: create a check run with every finding as an annotation and the verdict as its conclusion (needs `checks: write`; without it, one warning).'
  }
]

export const ALL_INPUTS: InputSpec[] = [
  ...IMAGE_INPUTS,
  ...POLICY_INPUTS,
  ...Object.values(STEP_SETTINGS).flatMap((settings) => settings.inputs),
  ...GATE_INPUTS,
  ...REPORT_INPUTS
]

/** What the engine needs to reach the image, from the inputs and the environment. */
export function acquireSettings(inputs: RunInputs, env: NodeJS.ProcessEnv) {
  return {
    platform: inputs.platform,
    insecureRegistries: inputs.insecureRegistries,
    ...(inputs.credentials === undefined ? {} : { credentials: inputs.credentials }),
    env: inputs.githubToken === undefined ? env : { ...env, GITHUB_TOKEN: inputs.githubToken }
  }
}

/** The engine's request for these inputs. */
export function gateRequest(inputs: RunInputs, env: NodeJS.ProcessEnv): GateRequest {
  return {
    image: inputs.image,
    policy: inputs.policy,
    acquire: acquireSettings(inputs, env),
    ignores: inputs.ignores,
    mode: inputs.mode,
    failOnNewOnly: inputs.failOnNewOnly,
    timeoutMs: inputs.timeoutMs,
    ...layerCacheOf(inputs, env),
    ...(inputs.baseline === undefined ? {} : { baseline: inputs.baseline }),
    ...(inputs.dockerfile === undefined ? {} : { dockerfile: inputs.dockerfile })
  }
}

/** The layer cache of these inputs, unless switched off or the environment names no place for it. */
export function layerCacheOf(
  inputs: RunInputs,
  env: NodeJS.ProcessEnv
): { layerCache?: { dir: string; maxBytes: number } } {
  const dir = inputs.layerCache ? layerCacheDir(env) : undefined
  return dir === undefined ? {} : { layerCache: { dir, maxBytes: inputs.layerCacheBytes } }
}

export interface RunInputs {
  image: string
  platform: Platform
  insecureRegistries: string[]
  credentials?: RegistryCredentials
  githubToken?: string
  policy: Policy
  ignores: Ignore[]
  /** The policy file that was read, if any. */
  configPath?: string
  mode: Mode
  /** A report file or an image reference. */
  baseline?: string
  failOnNewOnly: boolean
  /** The Dockerfile to map findings onto, when given or present. */
  dockerfile?: string
  /** The whole scan's deadline (input "timeout"). */
  timeoutMs: number
  /** Inputs "layer-cache" and "layer-cache-size". */
  layerCache: boolean
  layerCacheBytes: number
  reportPath?: string
  sarifPath?: string
  sbomPath?: string
  sbomFormat: SbomFormat
  junitPath?: string
  comment: boolean
  checkRun: boolean
}

/** A boolean input, or `fallback` when it is blank. */
function parseBoolean(name: string, value: string | undefined, fallback: boolean): boolean {
  const text = value?.trim() ?? ''
  return text === '' ? fallback : parseBooleanInput(name, text)
}

/** A size above zero: a cache of no bytes would write every entry and remove it again. */
function parseLayerCacheSize(value: string | undefined): number {
  const text = value?.trim() || '2GiB'
  const bytes = parseSizeInput('layer-cache-size', text)
  if (bytes === 0) {
    throw new ConfigurationError(
      `input "layer-cache-size" is "${text}"; give a size above zero such as 500MB, or set layer-cache to false to keep nothing.`
    )
  }
  return bytes
}

export const SBOM_FORMATS = ['cyclonedx', 'spdx'] as const
export type SbomFormat = (typeof SBOM_FORMATS)[number]

function parseSbomFormat(value: string | undefined): SbomFormat {
  const text = value?.trim().toLowerCase() ?? ''
  if (text === '') return 'cyclonedx'
  const known = SBOM_FORMATS.find((format) => format === text)
  if (known === undefined) {
    throw new ConfigurationError(
      `input "sbom-format" is "${value?.trim()}"; use one of ${SBOM_FORMATS.join(', ')}.`
    )
  }
  return known
}

function parseMode(value: string | undefined, fallback: Mode): Mode {
  const text = value?.trim().toLowerCase() ?? ''
  if (text === '') return fallback
  if (text === 'enforce' || text === 'warn') return text
  throw new ConfigurationError(`input "mode" is "${value?.trim()}"; use enforce or warn.`)
}

/** `dockerfile` must exist when given; without it, `Dockerfile` is used when present. */
function parseDockerfile(value: string | undefined, cwd: string): string | undefined {
  const given = value?.trim()
  const full = (path: string): string => (path.startsWith('/') ? path : `${cwd}/${path}`)
  if (given) {
    if (!existsSync(full(given))) {
      throw new ConfigurationError(
        `input "dockerfile" ${given} does not exist; name the Dockerfile that built the image, relative to ${cwd}, or leave it empty.`
      )
    }
    return given
  }
  return existsSync(full('Dockerfile')) ? 'Dockerfile' : undefined
}

/** The registry host of an image argument, or undefined when it is not in a registry. */
function registryOf(spec: string | undefined): string | undefined {
  if (spec === undefined) return undefined
  const source = parseSourceSpec(spec)
  return source.transport === 'docker' ? parseReference(source.reference).domain : undefined
}

/** Signing pushes to a registry: say so before the scan, not after it. */
function checkSigning(image: string, policy: Policy): void {
  if (
    policy.custody.sign &&
    registryOf(image) === undefined &&
    policy.custody.signatureRepository === undefined
  ) {
    throw new ConfigurationError(
      `input "sign" is true but ${image} is not in a registry; gate the pushed image, or set signature-repository.`
    )
  }
  if (policy.custody.sign && policy.custody.attestSbom) {
    requireComposition(
      policy,
      'input "attest-sbom" asks to attest the SBOM',
      'add composition to "steps" or set attest-sbom to false'
    )
  }
}

/**
 * Refuses what needs the SBOM when the composition step that catalogs the packages is not run:
 * an SBOM of a scan that catalogued nothing would read downstream as "no packages".
 */
export function requireComposition(policy: Policy, asks: string, fix: string): void {
  if (policy.steps.composition.enabled) return
  throw new ConfigurationError(
    `${asks}, but the composition step that catalogs the packages is not run; ${fix}.`
  )
}

/**
 * Binds registry-username/registry-password to the registry of `image` (or, for an image that is
 * not in a registry, of `signature-repository`), so that a base-image label or another setting
 * naming a different host never receives them.
 */
function credentialsFor(
  image: string,
  policy: Policy,
  credentials: { username: string; password: string }
): { credentials?: RegistryCredentials } {
  const host = registryOf(image) ?? registryOf(policy.custody.signatureRepository)
  if (host === undefined) {
    throw new ConfigurationError(
      `inputs "registry-username" and "registry-password" are set, but ${image} is not in a registry and no signature-repository is set; leave them empty.`
    )
  }
  return { credentials: { ...credentials, host } }
}

/**
 * Reads every input. The policy file (`config`, default `.container-gate.yml` when present) lays
 * under the inputs: an input that is set overrides it. `cwd` is where relative paths start.
 */
export function parseRunInputs(get: InputLookup, cwd = '.'): RunInputs {
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
  const sarifPath = get('sarif')?.trim()
  const sbomPath = get('sbom')?.trim()
  const junitPath = get('junit')?.trim()
  const githubToken = get('github-token')?.trim()
  const baseline = get('baseline')?.trim()
  const file = readPolicyFile(get('config')?.trim(), cwd)
  const policy = parsePolicyInputs(
    get,
    file === undefined ? undefined : file.apply(defaultPolicy())
  )
  const dockerfile = parseDockerfile(get('dockerfile'), cwd)
  checkSigning(image, policy)
  if (sbomPath) {
    requireComposition(
      policy,
      'input "sbom" asks for the SBOM',
      'add composition to "steps" or leave "sbom" empty'
    )
  }
  return {
    image,
    platform: parsePlatform(get('platform')?.trim() || 'linux/amd64'),
    insecureRegistries: splitList(get('insecure-registries') ?? ''),
    ...(username && password ? credentialsFor(image, policy, { username, password }) : {}),
    ...(githubToken ? { githubToken } : {}),
    policy,
    ignores: file?.ignores ?? [],
    ...(file === undefined ? {} : { configPath: file.path }),
    mode: parseMode(get('mode'), file?.mode ?? 'enforce'),
    ...(baseline ? { baseline } : {}),
    failOnNewOnly: parseBoolean(
      'fail-on-new-only',
      get('fail-on-new-only'),
      file?.failOnNewOnly ?? false
    ),
    ...(dockerfile === undefined ? {} : { dockerfile }),
    timeoutMs: parseDurationInput('timeout', get('timeout')?.trim() || '30m', MAX_TIMEOUT_MS),
    layerCache: parseBoolean('layer-cache', get('layer-cache'), true),
    layerCacheBytes: parseLayerCacheSize(get('layer-cache-size')),
    ...(reportPath ? { reportPath } : {}),
    ...(sarifPath ? { sarifPath } : {}),
    ...(sbomPath ? { sbomPath } : {}),
    sbomFormat: parseSbomFormat(get('sbom-format')),
    ...(junitPath ? { junitPath } : {}),
    comment: parseBoolean('comment', get('comment'), true),
    checkRun: parseBoolean('check-run', get('check-run'), true)
  }
}

/** Inputs that are set but change nothing, as warnings: nothing fails, but the user meant something. */
export function idleInputs(inputs: RunInputs): string[] {
  return inputs.failOnNewOnly && inputs.baseline === undefined
    ? ['"fail-on-new-only" is set but no "baseline" is given: every finding counts as new.']
    : []
}
