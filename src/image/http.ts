/**
 * The one HTTP client of the project: retries with backoff, connect/handshake/stall timeouts,
 * manual redirects and streamed bodies. Registry pulls and data downloads both go through it.
 */
import type * as http from 'node:http'
import type * as https from 'node:https'
import { createRequire } from 'node:module'
import { PassThrough, type Readable } from 'node:stream'
import { setTimeout as sleep } from 'node:timers/promises'
import type { Logger } from '../log.js'

/** A request that could not be completed. Callers turn it into a user-facing error naming their input. */
export class HttpError extends Error {
  override readonly name = 'HttpError'
  constructor(
    message: string,
    /** `ECONNREFUSED`, `ENOTFOUND`, `STALL`, `TOO_LARGE`, `TOO_MANY_REDIRECTS`, `INSECURE`, `BAD_JSON`… */
    readonly code: string,
    /** Origin and path only: query strings of pre-signed blob URLs are credentials. */
    readonly url: string,
    options?: { cause?: unknown }
  ) {
    super(message, options)
  }
}

export interface RetryPolicy {
  /** Total attempts, the first one included. */
  attempts: number
  baseDelayMs: number
  maxDelayMs: number
  /** Longest `Retry-After` we wait for at once; a registry asking for more fails the request now. */
  maxRetryAfterMs: number
  /** Total time one request may spend waiting between its attempts (backoff and `Retry-After`). */
  maxTotalWaitMs: number
}

export interface HttpRequestOptions {
  method?: 'GET' | 'HEAD' | 'POST' | 'PUT'
  headers?: Record<string, string>
  body?: Buffer | string
  /** Plain `http:` is refused unless this returns true for the URL (checked on redirects too). */
  allowHttp?: (url: URL) => boolean
  /**
   * Abort when the connection, the TLS handshake, the response headers or the next body bytes
   * take longer than this (time our reader applies back-pressure does not count). Default 30 s.
   */
  stallTimeoutMs?: number
  retry?: Partial<RetryPolicy>
  /** Default 5. */
  maxRedirects?: number
  logger?: Logger
  /**
   * Ends the request, its retries and its body at once, failing them with `signal.reason` (the
   * whole-scan deadline's error) as it is.
   */
  signal?: AbortSignal
}

export interface HttpResponse {
  status: number
  headers: http.IncomingHttpHeaders
  /** The URL that answered, after redirects. */
  url: URL
  /** Streamed; read it or destroy it. */
  body: Readable
}

export interface BufferedResponse extends Omit<HttpResponse, 'body'> {
  body: Buffer
}

const DEFAULT_RETRY: RetryPolicy = {
  attempts: 4,
  baseDelayMs: 500,
  maxDelayMs: 10_000,
  maxRetryAfterMs: 60_000,
  // A job held longer than this by one request is better told to try again later (issue 14).
  maxTotalWaitMs: 90_000
}
export const DEFAULT_STALL_MS = 30_000
const DEFAULT_MAX_REDIRECTS = 5
const REDIRECTS: ReadonlySet<number> = new Set([301, 302, 303, 307, 308])
/** Failures where the same request may well succeed a moment later. */
const RETRYABLE_CODES: ReadonlySet<string> = new Set([
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ECONNABORTED',
  'EAI_AGAIN',
  'STALL'
])

/** The error an aborted signal ends requests with: its reason when that is an Error. */
export function abortReason(signal: AbortSignal): Error {
  const reason: unknown = signal.reason
  return reason instanceof Error ? reason : new Error(String(reason))
}

/** Waits `ms`, or rejects with the signal's reason as soon as it is aborted. */
export async function pause(ms: number, signal?: AbortSignal): Promise<void> {
  try {
    await sleep(ms, undefined, signal !== undefined ? { signal } : {})
  } catch (error) {
    if (signal?.aborted === true) throw abortReason(signal)
    throw error
  }
}

/** Whether a failed request (or body) may well succeed if tried again. */
export function isRetryable(error: unknown): boolean {
  const code = errorCode(error)
  return code !== undefined && RETRYABLE_CODES.has(code)
}

/** The first value of a response header. */
export function header(headers: http.IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name.toLowerCase()]
  return Array.isArray(value) ? value[0] : value
}

/** `Retry-After` (RFC 9110 §10.2.3): delay-seconds or an HTTP-date, as milliseconds from `now`. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (value === undefined) return undefined
  const trimmed = value.trim()
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000
  const date = Date.parse(trimmed)
  return Number.isNaN(date) ? undefined : Math.max(0, date - now)
}

function describe(url: URL): string {
  return `${url.origin}${url.pathname}`
}

function errorCode(error: unknown): string | undefined {
  if (error instanceof HttpError) return error.code
  const code = (error as NodeJS.ErrnoException | undefined)?.code
  return typeof code === 'string' ? code : undefined
}

/** Exponential backoff with jitter (half fixed, half random) so clients do not retry in step. */
export function backoff(attempt: number, retry: Partial<RetryPolicy> = {}): number {
  const policy: RetryPolicy = { ...DEFAULT_RETRY, ...retry }
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1))
  return ceiling / 2 + Math.random() * (ceiling / 2)
}

function isRetryableStatus(status: number): boolean {
  return status === 429 || (status >= 500 && status <= 599)
}

interface Exchange {
  request: http.ClientRequest
  response: http.IncomingMessage
}

/**
 * node:http and node:https, loaded with `require` on first use: importing node:http as a module
 * also loads Node 24's fetch implementation (undici, for the module's exports), which a scan of a
 * file never needs and every scan paid for at start-up.
 */
const load = createRequire(import.meta.url)
let transports: { http: typeof http; https: typeof https } | undefined

function transportFor(url: URL): typeof http | typeof https {
  transports ??= {
    http: load('node:http') as typeof http,
    https: load('node:https') as typeof https
  }
  return url.protocol === 'https:' ? transports.https : transports.http
}

/**
 * One request/response exchange; rejects on network errors and when connecting, the TLS
 * handshake or the response headers take longer than `stallMs` (each phase has its own timer).
 */
function send(
  url: URL,
  method: string,
  headers: Record<string, string>,
  body: Buffer | undefined,
  stallMs: number,
  signal: AbortSignal | undefined
): Promise<Exchange> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted === true) {
      reject(abortReason(signal))
      return
    }
    const secure = url.protocol === 'https:'
    const request = transportFor(url).request(url, {
      method,
      headers: body !== undefined ? { ...headers, 'content-length': String(body.length) } : headers
    })
    const limit = stallMs / 1000
    let phase: 'connect' | 'tls' | 'response' = 'connect'
    let timer: NodeJS.Timeout | undefined
    const timedOut = (): HttpError => {
      if (phase === 'response') {
        return new HttpError(
          `${describe(url)} sent no response for ${limit} s`,
          'STALL',
          describe(url)
        )
      }
      // ETIMEDOUT, as the system's own connect timeout: retried, and reported as unreachable.
      const what = phase === 'tls' ? 'TLS handshake with' : 'connection to'
      return new HttpError(
        `${what} ${url.host} did not complete in ${limit} s`,
        'ETIMEDOUT',
        describe(url)
      )
    }
    const enter = (next: typeof phase): void => {
      phase = next
      clearTimeout(timer)
      timer = setTimeout(() => request.destroy(timedOut()), stallMs)
    }
    enter('connect')
    const abort = (): void => {
      request.destroy(abortReason(signal!))
    }
    signal?.addEventListener('abort', abort, { once: true })
    request.once('close', () => signal?.removeEventListener('abort', abort))
    request.once('socket', (socket) => {
      // A kept-alive socket is connected (and through TLS) already.
      if (!socket.connecting) {
        enter('response')
        return
      }
      socket.once('connect', () => enter(secure ? 'tls' : 'response'))
      if (secure) socket.once('secureConnect', () => enter('response'))
    })
    // Kept for the whole exchange: errors after the response are reported through the body.
    request.on('error', (error) => {
      clearTimeout(timer)
      reject(error)
    })
    request.once('close', () => clearTimeout(timer))
    request.once('response', (response) => {
      // From here on the body guard watches for stalls.
      clearTimeout(timer)
      resolve({ request, response })
    })
    request.end(body)
  })
}

/**
 * Forwards the body, aborting when the server sends nothing for `stallMs` while we wait for it.
 * While our reader applies back-pressure no timer runs (a paused socket is not an active handle),
 * so a body nobody reads any more does not hold the process open (issue 14).
 */
function guardBody(
  exchange: Exchange,
  url: URL,
  stallMs: number,
  signal: AbortSignal | undefined
): Readable {
  const { request, response } = exchange
  const body = new PassThrough()
  let timer: NodeJS.Timeout | undefined
  const fail = (error: Error): void => {
    clearTimeout(timer)
    request.destroy()
    body.destroy(error)
  }
  const abort = (): void => fail(abortReason(signal!))
  signal?.addEventListener('abort', abort, { once: true })
  const lost = (cause?: Error): HttpError =>
    new HttpError(
      `${describe(url)} closed the connection before the body was complete`,
      'ECONNRESET',
      describe(url),
      cause !== undefined ? { cause } : undefined
    )
  const arm = (): void => {
    clearTimeout(timer)
    timer = setTimeout(() => {
      fail(
        new HttpError(
          `${describe(url)} sent no data for ${stallMs / 1000} s`,
          'STALL',
          describe(url)
        )
      )
    }, stallMs)
  }
  response.on('data', (chunk: Buffer) => {
    if (body.destroyed) return
    if (body.write(chunk)) {
      arm()
      return
    }
    clearTimeout(timer)
    response.pause()
    body.once('drain', () => {
      response.resume()
      arm()
    })
  })
  response.once('end', () => {
    clearTimeout(timer)
    body.end()
  })
  response.once('close', () => {
    if (!response.complete) fail(lost())
  })
  // `aborted` and socket errors mid-body: one retryable error naming the URL, never a raw Error.
  response.on('error', (error) => fail(lost(error)))
  body.once('close', () => {
    clearTimeout(timer)
    signal?.removeEventListener('abort', abort)
    if (!response.complete) request.destroy()
  })
  arm()
  return body
}

function assertAllowed(url: URL, allowHttp: ((url: URL) => boolean) | undefined): void {
  if (url.protocol === 'https:') return
  if (url.protocol === 'http:' && allowHttp?.(url) === true) return
  throw new HttpError(
    `refusing to fetch ${describe(url)} over ${url.protocol.replace(':', '')}; only https is allowed for this host`,
    'INSECURE',
    describe(url)
  )
}

/** Follows redirects by hand so that credentials never leave the host they were meant for. */
async function followRedirects(
  start: URL,
  options: HttpRequestOptions,
  stallMs: number
): Promise<Exchange & { url: URL }> {
  let url = start
  let method = options.method ?? 'GET'
  let body = typeof options.body === 'string' ? Buffer.from(options.body) : options.body
  let headers: Record<string, string> = { 'user-agent': 'container-gate', ...options.headers }
  const maxRedirects = options.maxRedirects ?? DEFAULT_MAX_REDIRECTS
  for (let redirects = 0; ; redirects++) {
    assertAllowed(url, options.allowHttp)
    const exchange = await send(url, method, headers, body, stallMs, options.signal)
    const status = exchange.response.statusCode ?? 0
    const location = header(exchange.response.headers, 'location')
    if (!REDIRECTS.has(status) || location === undefined) return { ...exchange, url }
    exchange.response.resume()
    if (redirects >= maxRedirects) {
      throw new HttpError(
        `${describe(start)} redirected more than ${maxRedirects} times`,
        'TOO_MANY_REDIRECTS',
        describe(start)
      )
    }
    const next = new URL(location, url)
    // Registries redirect blob downloads to storage on another host (distribution-spec "Pulling
    // blobs"); that host gets a pre-signed URL, never our registry credentials.
    if (next.origin !== url.origin) {
      headers = Object.fromEntries(
        Object.entries(headers).filter(([name]) => name.toLowerCase() !== 'authorization')
      )
    }
    // RFC 9110 §15.4: 303 (and, by practice, 301/302 after POST) continue as GET without a body.
    if (status === 303 || ((status === 301 || status === 302) && method === 'POST')) {
      method = 'GET'
      body = undefined
    }
    url = next
  }
}

/** A wait for messages: `86400 s`, `0.5 s`. */
function seconds(ms: number): string {
  return `${ms < 10_000 ? Math.round(ms / 100) / 10 : Math.round(ms / 1000)} s`
}

/**
 * Sends a request and returns the response with a streamed body. 429, 5xx, connection resets,
 * timeouts and stalls are retried (honouring `Retry-After`) until the attempts or the time
 * allowed for waiting run out; then the last response is returned whatever its status, so the
 * caller decides what a status means. A `Retry-After` longer than the gate waits fails at once.
 */
export async function request(
  url: string | URL,
  options: HttpRequestOptions = {}
): Promise<HttpResponse> {
  const start = new URL(url)
  const policy: RetryPolicy = { ...DEFAULT_RETRY, ...options.retry }
  const stallMs = options.stallTimeoutMs ?? DEFAULT_STALL_MS
  let waited = 0
  for (let attempt = 1; ; attempt++) {
    const remaining = policy.maxTotalWaitMs - waited
    let exchange: Exchange & { url: URL }
    try {
      exchange = await followRedirects(start, options, stallMs)
    } catch (error) {
      if (options.signal?.aborted === true) throw abortReason(options.signal)
      const code = errorCode(error)
      if (attempt < policy.attempts && remaining > 0 && isRetryable(error)) {
        const delay = Math.min(backoff(attempt, policy), remaining)
        options.logger?.debug(`${describe(start)}: ${code}, retrying in ${Math.round(delay)} ms`)
        waited += delay
        await pause(delay, options.signal)
        continue
      }
      if (error instanceof HttpError) {
        if (attempt === 1) throw error
        throw new HttpError(`${error.message} (${attempt} attempts)`, error.code, error.url, {
          cause: error
        })
      }
      const message = error instanceof Error ? error.message : String(error)
      throw new HttpError(
        `${describe(start)} failed: ${message}`,
        code ?? 'NETWORK',
        describe(start),
        { cause: error }
      )
    }
    const status = exchange.response.statusCode ?? 0
    if (isRetryableStatus(status) && attempt < policy.attempts && remaining > 0) {
      exchange.response.resume()
      const retryAfter = parseRetryAfter(header(exchange.response.headers, 'retry-after'))
      if (retryAfter !== undefined) {
        const allowed = Math.min(policy.maxRetryAfterMs, remaining)
        if (retryAfter > allowed) {
          throw new HttpError(
            `${describe(start)} answered ${status} and asked to wait ${seconds(retryAfter)} before trying again, longer than the ${seconds(allowed)} the gate still waits for this request`,
            'RETRY_AFTER_TOO_LONG',
            describe(start)
          )
        }
      }
      const delay = retryAfter ?? Math.min(backoff(attempt, policy), remaining)
      options.logger?.debug(`${describe(start)}: ${status}, retrying in ${Math.round(delay)} ms`)
      waited += delay
      await pause(delay, options.signal)
      continue
    }
    return {
      status,
      headers: exchange.response.headers,
      url: exchange.url,
      body: guardBody(exchange, exchange.url, stallMs, options.signal)
    }
  }
}

/** Reads a whole body, refusing more than `maxBytes` (manifests, tokens, JSON documents). */
export async function readBody(response: HttpResponse, maxBytes: number): Promise<Buffer> {
  const tooLarge = (): HttpError =>
    new HttpError(
      `${describe(response.url)} sent more than ${maxBytes} bytes`,
      'TOO_LARGE',
      describe(response.url)
    )
  const declared = Number(header(response.headers, 'content-length'))
  if (Number.isFinite(declared) && declared > maxBytes) {
    response.body.destroy()
    throw tooLarge()
  }
  const chunks: Buffer[] = []
  let length = 0
  for await (const chunk of response.body as AsyncIterable<Buffer>) {
    length += chunk.length
    if (length > maxBytes) {
      response.body.destroy()
      throw tooLarge()
    }
    chunks.push(chunk)
  }
  return Buffer.concat(chunks)
}

/** `request` with the body read into memory (at most `maxBytes`). */
export async function requestBytes(
  url: string | URL,
  options: HttpRequestOptions & { maxBytes: number }
): Promise<BufferedResponse> {
  const response = await request(url, options)
  return { ...response, body: await readBody(response, options.maxBytes) }
}
