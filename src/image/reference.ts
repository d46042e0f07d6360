/**
 * Docker image references, parsed like distribution/reference (`reference.go`, `normalize.go`):
 * `[HOST[:PORT]/]PATH[:TAG][@DIGEST]`, with Docker Hub's defaults filled in.
 */
import { ConfigurationError } from '../errors.js'

export const DOCKER_HUB = 'docker.io'
/** Docker Hub's registry API host; `docker.io` itself serves no distribution API. */
export const DOCKER_HUB_API = 'registry-1.docker.io'

export interface ImageReference {
  /** The reference as the user gave it (without a transport prefix). */
  original: string
  /** Registry host as named in the reference, with its port: `docker.io`, `ghcr.io`, `127.0.0.1:5000`. */
  domain: string
  /** Host (and port) that serves the distribution API: `registry-1.docker.io` for `docker.io`. */
  apiHost: string
  /** Repository path in the registry: `library/alpine`, `org/app`. */
  path: string
  /** `latest` when the reference has neither a tag nor a digest. */
  tag?: string
  digest?: string
}

// Grammar from distribution/reference regexp.go.
const ALPHANUMERIC = '[a-z0-9]+'
const SEPARATOR = '(?:[._]|__|[-]+)'
const PATH_COMPONENT = `${ALPHANUMERIC}(?:${SEPARATOR}${ALPHANUMERIC})*`
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])'
const DOMAIN_NAME = `${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*`
const IPV6 = '\\[(?:[a-fA-F0-9:]+)\\]'
const DOMAIN = `(?:${DOMAIN_NAME}|${IPV6})(?::[0-9]+)?`
const TAG = '[\\w][\\w.-]{0,127}'
const DIGEST = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}'
const NAME = `(?:${DOMAIN}/)?${PATH_COMPONENT}(?:/${PATH_COMPONENT})*`
const REFERENCE = new RegExp(`^(${NAME})(?::(${TAG}))?(?:@(${DIGEST}))?$`)
const ANCHORED_DOMAIN = new RegExp(`^${DOMAIN}$`)
const IDENTIFIER = /^[a-f0-9]{64}$/
const SHA256 = /^sha256:[a-f0-9]{64}$/
const NAME_TOTAL_LENGTH_MAX = 255

const EXPECTED_FORM =
  'expected [HOST[:PORT]/]NAME[:TAG][@sha256:DIGEST] with a lowercase NAME, e.g. alpine:3.20 or ghcr.io/org/app:1.0'

function invalid(reference: string, problem: string): ConfigurationError {
  return new ConfigurationError(
    `image reference "${reference}" ${problem}; ${EXPECTED_FORM}.`,
    'INVALID_REFERENCE'
  )
}

/**
 * Splits the first component off as the domain when it looks like a host (has a `.` or `:`, is
 * `localhost`, or has uppercase letters), as distribution's `splitDockerDomain` does.
 */
function splitDomain(name: string): { domain: string; path: string } {
  const slash = name.indexOf('/')
  const first = slash === -1 ? '' : name.slice(0, slash)
  if (
    slash === -1 ||
    (!/[.:]/.test(first) && first !== 'localhost' && first.toLowerCase() === first)
  ) {
    return { domain: DOCKER_HUB, path: name }
  }
  const domain = first === 'index.docker.io' ? DOCKER_HUB : first
  return { domain, path: name.slice(slash + 1) }
}

/** Parses a registry image reference (no transport prefix); malformed input is a ConfigurationError. */
export function parseReference(reference: string): ImageReference {
  if (reference === '') throw invalid(reference, 'is empty')
  if (IDENTIFIER.test(reference)) {
    throw invalid(reference, 'is a bare image ID, not a repository name')
  }
  const split = splitDomain(reference)
  const name = split.path.split(/[:@]/, 1)[0] ?? ''
  if (name.toLowerCase() !== name) {
    throw invalid(reference, 'has uppercase letters in its repository name')
  }
  if (!ANCHORED_DOMAIN.test(split.domain)) throw invalid(reference, 'has an invalid registry host')
  const match = REFERENCE.exec(`${split.domain}/${split.path}`)
  if (match === null) throw invalid(reference, 'is malformed')
  const [, fullName, tag, digest] = match as unknown as [string, string, string?, string?]
  if (fullName.length > NAME_TOTAL_LENGTH_MAX) {
    throw invalid(reference, `has a name longer than ${NAME_TOTAL_LENGTH_MAX} characters`)
  }
  let path = fullName.slice(split.domain.length + 1)
  // Docker Hub's official images live under `library/` (normalize.go).
  if (split.domain === DOCKER_HUB && !path.includes('/')) path = `library/${path}`
  if (digest !== undefined && !SHA256.test(digest)) {
    const algorithm = digest.split(':')[0]
    throw invalid(reference, `pins a ${algorithm} digest, but only sha256 digests are supported`)
  }
  return {
    original: reference,
    domain: split.domain,
    apiHost: split.domain === DOCKER_HUB ? DOCKER_HUB_API : split.domain,
    path,
    ...(tag !== undefined ? { tag } : digest === undefined ? { tag: 'latest' } : {}),
    ...(digest !== undefined ? { digest } : {})
  }
}

/** What to ask the manifests endpoint for: the digest when pinned (it wins over the tag), else the tag. */
export function manifestReference(reference: ImageReference): string {
  return reference.digest ?? reference.tag ?? 'latest'
}

/** The fully qualified form: `docker.io/library/alpine:latest`, `host/app:1@sha256:…`. */
export function formatReference(reference: ImageReference): string {
  const tag = reference.tag !== undefined ? `:${reference.tag}` : ''
  const digest = reference.digest !== undefined ? `@${reference.digest}` : ''
  return `${reference.domain}/${reference.path}${tag}${digest}`
}
