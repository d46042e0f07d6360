/**
 * The one HTTP client of the project: retries with backoff, stall timeouts, manual redirects and
 * streamed bodies. Registry pulls and data downloads both go through it.
 */
import * as http from 'node:http'
import * as https from 'node:https'
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
  /** Longest `Retry-After` we wait for; a longer one is shortened to this. */
  maxRetryAfterMs: number
}

export interface HttpRequestOptions {
  method?: 'GET' | 'HEAD' | 'POST' | 'PUT'
  headers?: Record<string, string>
  body?: Buffer | string
  /** Plain `http:` is refused unless this returns true for the URL (checked on redirects too). */
  allowHttp?: (url: URL) => boolean
  /** Abort when no bytes arrive for this long (while we are waiting for them). Default 30 s. */
  stallTimeoutMs?: number
  retry?: Partial<RetryPolicy>
  /** Default 5. */
  maxRedirects?: number
  logger?: Logger
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
  maxRetryAfterMs: 60_000
}
const DEFAULT_STALL_MS = 30_000
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
function backoff(attempt: number, policy: RetryPolicy): number {
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

/** One request/response exchange; rejects on network errors and when the headers stall. */
function send(
  url: URL,
  method: string,
  headers: Record<string, string>,
  body: Buffer | undefined,
  stallMs: number
): Promise<Exchange> {
  return new Promise((resolve, reject) => {
    const transport = url.protocol === 'https:' ? https : http
    const request = transport.request(url, {
      method,
      headers: body !== undefined ? { ...headers, 'content-length': String(body.length) } : headers
    })
    request.setTimeout(stallMs, () => {
      request.destroy(
        new HttpError(
          `${describe(url)} sent no response for ${stallMs / 1000} s`,
          'STALL',
          describe(url)
        )
      )
    })
    // Kept for the whole exchange: errors after the response are reported through the body.
    request.on('error', reject)
    request.once('response', (response) => {
      // From here on the body guard watches for stalls; the socket idling while our consumer
      // applies back-pressure is not a stall.
      request.setTimeout(0)
      resolve({ request, response })
    })
    request.end(body)
  })
}

/** Forwards the body, aborting when the server sends nothing for `stallMs` while we wait for it. */
function guardBody(exchange: Exchange, url: URL, stallMs: number): Readable {
  const { request, response } = exchange
  const body = new PassThrough()
  let timer: NodeJS.Timeout | undefined
  const fail = (error: Error): void => {
    clearTimeout(timer)
    request.destroy()
    body.destroy(error)
  }
  const arm = (): void => {
    clearTimeout(timer)
    timer = setTimeout(() => {
      if (response.isPaused()) {
        arm()
        return
      }
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
    arm()
    if (!body.write(chunk)) {
      response.pause()
      body.once('drain', () => response.resume())
    }
  })
  response.once('end', () => {
    clearTimeout(timer)
    body.end()
  })
  response.once('close', () => {
    if (!response.complete) {
      fail(
        new HttpError(
          `${describe(url)} closed the connection before the body was complete`,
          'ECONNRESET',
          describe(url)
        )
      )
    }
  })
  response.on('error', (error) => fail(error))
  body.once('close', () => {
    clearTimeout(timer)
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
    const exchange = await send(url, method, headers, body, stallMs)
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

/**
 * Sends a request and returns the response with a streamed body. 429, 5xx, connection resets and
 * stalls are retried (honouring `Retry-After`) until the attempts run out; then the last response
 * is returned whatever its status, so the caller decides what a status means.
 */
export async function request(
  url: string | URL,
  options: HttpRequestOptions = {}
): Promise<HttpResponse> {
  const start = new URL(url)
  const policy: RetryPolicy = { ...DEFAULT_RETRY, ...options.retry }
  const stallMs = options.stallTimeoutMs ?? DEFAULT_STALL_MS
  for (let attempt = 1; ; attempt++) {
    let exchange: Exchange & { url: URL }
    try {
      exchange = await followRedirects(start, options, stallMs)
    } catch (error) {
      const code = errorCode(error)
      if (attempt < policy.attempts && code !== undefined && RETRYABLE_CODES.has(code)) {
        const delay = backoff(attempt, policy)
        options.logger?.debug(`${describe(start)}: ${code}, retrying in ${Math.round(delay)} ms`)
        await sleep(delay)
        continue
      }
      if (error instanceof HttpError) throw error
      const message = error instanceof Error ? error.message : String(error)
      throw new HttpError(
        `${describe(start)} failed: ${message}`,
        code ?? 'NETWORK',
        describe(start),
        { cause: error }
      )
    }
    const status = exchange.response.statusCode ?? 0
    if (isRetryableStatus(status) && attempt < policy.attempts) {
      exchange.response.resume()
      const retryAfter = parseRetryAfter(header(exchange.response.headers, 'retry-after'))
      const delay =
        retryAfter !== undefined
          ? Math.min(retryAfter, policy.maxRetryAfterMs)
          : backoff(attempt, policy)
      options.logger?.debug(`${describe(start)}: ${status}, retrying in ${Math.round(delay)} ms`)
      await sleep(delay)
      continue
    }
    return {
      status,
      headers: exchange.response.headers,
      url: exchange.url,
      body: guardBody(exchange, exchange.url, stallMs)
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
