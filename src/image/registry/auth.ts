/**
 * Registry authentication after a 401: the `WWW-Authenticate` challenge (RFC 9110 §11.6.1) and
 * Docker's token flow (distribution `docs/spec/auth/token.md`, `oauth.md`).
 */
import type { Logger } from '../../log.js'
import { ImageError } from '../../errors.js'
import { requestBytes, type BufferedResponse, type RetryPolicy } from '../http.js'
import type { HostCredentials } from './docker-config.js'
import { credentialsRejected, registryRequestError } from './errors.js'

export interface Challenge {
  /** Lowercase: `bearer`, `basic`. */
  scheme: string
  /** Parameter names lowercased, values unquoted: `realm`, `service`, `scope`. */
  params: Record<string, string>
}

const TOKEN = /[!#$%&'*+.^_`|~0-9A-Za-z-]+/y
const TOKEN68 = /[A-Za-z0-9._~+/-]+=*/y
const SPACE = /[ \t]*/y

function matchAt(pattern: RegExp, text: string, at: number): string | undefined {
  pattern.lastIndex = at
  return pattern.exec(text)?.[0]
}

/** Parses `WWW-Authenticate`, e.g. `Bearer realm="https://auth",service="r",scope="repository:a:pull,push"`. */
export function parseWwwAuthenticate(value: string): Challenge[] {
  const challenges: Challenge[] = []
  let at = 0
  while (at < value.length) {
    const char = value[at]
    if (char === ',' || char === ' ' || char === '\t') {
      at++
      continue
    }
    const name = matchAt(TOKEN, value, at)
    if (name === undefined) break
    at += name.length
    at += matchAt(SPACE, value, at)?.length ?? 0
    const current = challenges.at(-1)
    if (value[at] !== '=' || current === undefined) {
      challenges.push({ scheme: name.toLowerCase(), params: {} })
      continue
    }
    at++
    at += matchAt(SPACE, value, at)?.length ?? 0
    let param = ''
    if (value[at] === '"') {
      // quoted-string: backslash escapes the next character; commas inside are data.
      at++
      while (at < value.length && value[at] !== '"') {
        if (value[at] === '\\' && at + 1 < value.length) at++
        param += value[at]
        at++
      }
      at++
    } else {
      param = matchAt(TOKEN68, value, at) ?? ''
      at += param.length
    }
    current.params[name.toLowerCase()] = param
  }
  return challenges
}

export interface AuthenticatorOptions {
  /** Registry host as the user named it, for messages. */
  host: string
  /** The host its API answers on (`registry-1.docker.io` for `docker.io`); default `host`. */
  apiHost?: string
  /** Timeouts and retries of token requests, as the registry's own. */
  transfer?: { stallTimeoutMs?: number; retry?: Partial<RetryPolicy>; signal?: AbortSignal }
  repository: string
  /** Resolved on the first challenge, so anonymous pulls never run credential helpers. */
  credentials: () => Promise<HostCredentials | undefined>
  allowHttp: (url: URL) => boolean
  logger: Logger
}

interface CachedToken {
  value: string
  expiresAt: number
}

interface TokenResponse {
  token?: unknown
  access_token?: unknown
  expires_in?: unknown
}

/** The token spec's default and minimum lifetime. */
const DEFAULT_TOKEN_SECONDS = 60
/** Renew a little early so a token does not expire between our check and the registry's. */
const EXPIRY_MARGIN_MS = 5_000
const TOKEN_MAX_BYTES = 1 << 20

/** Holds what answers the registry's challenges for one repository: bearer tokens per scope, or Basic. */
export class RegistryAuthenticator {
  private readonly tokens = new Map<string, CachedToken>()
  private basic: string | undefined
  private credentials: Promise<HostCredentials | undefined> | undefined
  /** Token hosts already named in the log as receiving this registry's credentials. */
  private readonly announced = new Set<string>()

  constructor(private readonly options: AuthenticatorOptions) {}

  /** `pull` scope for the repository (token.md, "Requesting a Token"). */
  get pullScope(): string {
    return `repository:${this.options.repository}:pull`
  }

  /** The Authorization header to send, if a previous challenge told us one. */
  authorization(scope: string): string | undefined {
    const token = this.tokens.get(scope)
    if (token !== undefined && token.expiresAt > Date.now()) return `Bearer ${token.value}`
    return this.basic
  }

  /** Answers a 401: fetches a token for `scope` or prepares Basic credentials. */
  async respond(challengeHeader: string | undefined, scope: string): Promise<void> {
    const challenges = parseWwwAuthenticate(challengeHeader ?? '')
    const credentials = await this.resolveCredentials()
    const bearer = challenges.find((c) => c.scheme === 'bearer')
    if (bearer !== undefined && bearer.params.realm !== undefined) {
      this.tokens.set(scope, await this.fetchToken(bearer.params, scope, credentials))
      return
    }
    if (challenges.some((c) => c.scheme === 'basic') && credentials?.kind === 'basic') {
      const pair = `${credentials.username}:${credentials.password}`
      this.basic = `Basic ${Buffer.from(pair).toString('base64')}`
      return
    }
    throw credentialsRejected(this.options.host, this.options.repository, credentials)
  }

  /** The error for a 401 that followed our answer to the challenge. */
  async rejected(): Promise<ImageError> {
    return credentialsRejected(
      this.options.host,
      this.options.repository,
      await this.resolveCredentials()
    )
  }

  private resolveCredentials(): Promise<HostCredentials | undefined> {
    this.credentials ??= this.options.credentials()
    return this.credentials
  }

  /**
   * Docker's token flow lets a registry name any token service; the credentials go there. Said
   * once, so that a user can see where their registry password went.
   */
  private announce(realm: URL): void {
    const { host, apiHost, logger } = this.options
    const registryHosts = new Set([host, apiHost ?? host].map((name) => name.toLowerCase()))
    const tokenHost = realm.host.toLowerCase()
    if (registryHosts.has(tokenHost) || this.announced.has(tokenHost)) return
    this.announced.add(tokenHost)
    logger.info(
      `registry ${host}: sending its credentials to the token service ${realm.host} it names in its challenge.`
    )
  }

  private async fetchToken(
    params: Record<string, string>,
    scope: string,
    credentials: HostCredentials | undefined
  ): Promise<CachedToken> {
    const { host, repository, logger, allowHttp } = this.options
    let realm: URL
    try {
      realm = new URL(params.realm!)
    } catch {
      throw new ImageError(
        `registry ${host} sent a token realm that is not a URL ("${params.realm}"); the registry is misconfigured.`,
        'REGISTRY_ERROR'
      )
    }
    if (credentials !== undefined) this.announce(realm)
    const transfer = this.options.transfer ?? {}
    const timeouts = {
      ...(transfer.stallTimeoutMs !== undefined ? { stallTimeoutMs: transfer.stallTimeoutMs } : {}),
      ...(transfer.retry !== undefined ? { retry: transfer.retry } : {}),
      ...(transfer.signal !== undefined ? { signal: transfer.signal } : {})
    }
    const started = Date.now()
    let response: BufferedResponse
    try {
      if (credentials?.kind === 'identity-token') {
        // oauth.md: an identity token from `docker login` is an OAuth2 refresh token.
        const form = new URLSearchParams({
          grant_type: 'refresh_token',
          service: params.service ?? '',
          scope,
          client_id: 'container-gate',
          refresh_token: credentials.token
        })
        response = await requestBytes(realm, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: form.toString(),
          ...timeouts,
          allowHttp,
          logger,
          maxBytes: TOKEN_MAX_BYTES
        })
      } else {
        const url = new URL(realm)
        if (params.service !== undefined) url.searchParams.set('service', params.service)
        url.searchParams.set('scope', scope)
        const headers: Record<string, string> = {}
        if (credentials?.kind === 'basic') {
          const pair = `${credentials.username}:${credentials.password}`
          headers.authorization = `Basic ${Buffer.from(pair).toString('base64')}`
        }
        response = await requestBytes(url, {
          headers,
          ...timeouts,
          allowHttp,
          logger,
          maxBytes: TOKEN_MAX_BYTES
        })
      }
    } catch (error) {
      throw registryRequestError(`${host} (token service ${realm.host})`, error)
    }
    if (response.status === 401 || response.status === 403) {
      throw credentialsRejected(host, repository, credentials)
    }
    let body: TokenResponse | null = null
    try {
      body = JSON.parse(response.body.toString('utf8')) as TokenResponse | null
    } catch {
      // reported below as an answer without a token
    }
    // token.md: `token`, with `access_token` accepted as its OAuth2-compatible alias.
    const value = typeof body?.token === 'string' ? body.token : body?.access_token
    if (response.status !== 200 || typeof value !== 'string' || value === '') {
      throw new ImageError(
        `registry ${host}'s token service ${realm.host} answered ${response.status} without a token; check the registry or try again later.`,
        'REGISTRY_ERROR'
      )
    }
    const seconds =
      typeof body?.expires_in === 'number' && body.expires_in > 0
        ? body.expires_in
        : DEFAULT_TOKEN_SECONDS
    logger.debug(`registry ${host}: got a token for ${scope}`)
    return { value, expiresAt: started + seconds * 1000 - EXPIRY_MARGIN_MS }
  }
}
