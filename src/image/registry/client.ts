/** Reading manifests and blobs of one repository (OCI distribution-spec, "Pull"). */
import { isIP } from 'node:net'
import { Readable } from 'node:stream'
import { ImageError } from '../../errors.js'
import type { Logger } from '../../log.js'
import { formatBytes } from '../../units.js'
import { sha256 } from '../digest.js'
import {
  backoff,
  DEFAULT_STALL_MS,
  pause,
  header,
  HttpError,
  isRetryable,
  readBody,
  request,
  type HttpRequestOptions,
  type HttpResponse,
  type RetryPolicy
} from '../http.js'
import { MANIFEST_ACCEPT, parseManifest } from '../manifest.js'
import type { ImageReference } from '../reference.js'
import type { RegistryCredentials } from '../source.js'
import { MEDIA_TYPES, type Descriptor, type ImageIndex } from '../types.js'
import { RegistryAuthenticator } from './auth.js'
import { resolveCredentials } from './docker-config.js'
import { registryRequestError, unexpectedStatus } from './errors.js'

export interface RegistryClientOptions {
  insecureRegistries: string[]
  credentials?: RegistryCredentials
  env: NodeJS.ProcessEnv
  logger: Logger
  /** Timeouts and retries; the defaults suit real registries, tests shorten them. */
  transfer?: TransferPolicy
  /** The whole-scan deadline: ends every request, wait and download of this client with its reason. */
  signal?: AbortSignal
}

/** How long a layer blob may take, and how often a broken download of it is resumed. */
export interface BlobPolicy {
  /**
   * The slowest rate a blob may arrive at: it gets `size / minBytesPerSecond` of network time
   * (time our reader applies back-pressure does not count), and at least `minDeadlineMs`.
   */
  minBytesPerSecond: number
  minDeadlineMs: number
  /** Downloads of one blob, the first included; the later ones resume where the last broke off. */
  attempts: number
}

export interface TransferPolicy {
  stallTimeoutMs?: number
  retry?: Partial<RetryPolicy>
  blob?: Partial<BlobPolicy>
}

/**
 * 100 KiB/s is about a hundredth of what a CI runner's link does, so only a broken or hostile
 * transfer is that slow, while a 1 GiB layer still gets close to 3 hours (the whole-scan deadline
 * ends it sooner); a small layer gets a minute, enough for latency and a retried connection.
 * Three downloads: a lost connection is usually transient; a third failure is not.
 */
export const DEFAULT_BLOB_POLICY: BlobPolicy = {
  minBytesPerSecond: 100 * 1024,
  minDeadlineMs: 60_000,
  attempts: 3
}

export interface FetchedManifest {
  bytes: Buffer
  /** Content-Type as sent. */
  mediaType?: string
  /** `Docker-Content-Digest` as sent, when it is one. */
  digest?: string
}

/** What a registry said when it stored a manifest. */
export interface PushedManifest {
  digest: string
  /** distribution-spec 1.1: `OCI-Subject` says the registry indexed the manifest's `subject` itself. */
  subjectProcessed: boolean
}

/** distribution-spec: registries should accept manifests of at least 4 MiB; more is not a manifest. */
const MANIFEST_MAX_BYTES = 4 << 20
const CONFIG_MAX_BYTES = 32 << 20

/** 127.0.0.0/8, ::1 and localhost: traffic that never leaves the machine. */
export function isLoopback(hostname: string): boolean {
  const bare = hostname.replace(/^\[|\]$/g, '').toLowerCase()
  if (bare === 'localhost' || bare === '::1') return true
  return isIP(bare) === 4 && bare.startsWith('127.')
}

/** Plain HTTP only for loopback hosts and hosts listed as insecure (`host` or `host:port`). */
export function plainHttpAllowed(url: URL, insecureRegistries: string[]): boolean {
  if (isLoopback(url.hostname)) return true
  const listed = new Set(insecureRegistries.map((entry) => entry.trim().toLowerCase()))
  return listed.has(url.host.toLowerCase()) || listed.has(url.hostname.toLowerCase())
}

export class RegistryClient {
  readonly baseUrl: URL
  private readonly auth: RegistryAuthenticator
  private readonly allowHttp: (url: URL) => boolean

  constructor(
    private readonly reference: ImageReference,
    private readonly options: RegistryClientOptions
  ) {
    const insecure = options.insecureRegistries
    this.allowHttp = (url) => plainHttpAllowed(url, insecure)
    const plain = this.allowHttp(new URL(`http://${reference.apiHost}/`))
    this.baseUrl = new URL(`${plain ? 'http' : 'https'}://${reference.apiHost}/v2/`)
    this.auth = new RegistryAuthenticator({
      host: reference.domain,
      apiHost: reference.apiHost,
      transfer: {
        ...options.transfer,
        ...(options.signal !== undefined ? { signal: options.signal } : {})
      },
      repository: reference.path,
      credentials: () => resolveCredentials(reference.domain, options),
      allowHttp: this.allowHttp,
      logger: options.logger
    })
  }

  /** GET /v2/NAME/manifests/REFERENCE; 404 is "image not found". */
  async getManifest(tagOrDigest: string): Promise<FetchedManifest> {
    const response = await this.get(`manifests/${tagOrDigest}`, { accept: MANIFEST_ACCEPT })
    if (response.status === 404) {
      response.body.resume()
      throw new ImageError(
        `image ${this.reference.original} not found in ${this.reference.domain}; check the repository name and tag.`,
        'IMAGE_NOT_FOUND'
      )
    }
    const bytes = await this.readOk(response, `manifest ${tagOrDigest}`, MANIFEST_MAX_BYTES)
    const mediaType = header(response.headers, 'content-type')
    const digest = header(response.headers, 'docker-content-digest')
    return {
      bytes,
      ...(mediaType !== undefined ? { mediaType } : {}),
      ...(digest !== undefined ? { digest } : {})
    }
  }

  /** A small blob (the image config), read into memory. Verifying it is the caller's job. */
  async getBlob(digest: string): Promise<Buffer> {
    const response = await this.openBlobResponse(digest)
    return this.readOk(response, `blob ${digest}`, CONFIG_MAX_BYTES)
  }

  /**
   * GET /v2/NAME/blobs/DIGEST as a stream of at most `descriptor.size` bytes; redirects to blob
   * storage are followed without our credentials, and a download that breaks off is resumed.
   */
  async openBlob(descriptor: { digest: string; size: number }): Promise<BlobStream> {
    const first = await this.openBlobResponse(descriptor.digest)
    if (first.status !== 200) {
      first.body.resume()
      throw unexpectedStatus(this.reference.domain, `blob ${descriptor.digest}`, first.status)
    }
    return new BlobStream(first, descriptor, {
      host: this.reference.domain,
      image: this.reference.original,
      policy: { ...DEFAULT_BLOB_POLICY, ...this.options.transfer?.blob },
      stallTimeoutMs: this.options.transfer?.stallTimeoutMs ?? DEFAULT_STALL_MS,
      retry: this.options.transfer?.retry ?? {},
      logger: this.options.logger,
      ...(this.options.signal !== undefined ? { signal: this.options.signal } : {}),
      // distribution-spec "Pulling blobs": registries should support `Range` on blob GETs.
      resume: (from) => this.openBlobResponse(descriptor.digest, { range: `bytes=${from}-` })
    })
  }

  private async openBlobResponse(
    digest: string,
    headers: Record<string, string> = {}
  ): Promise<HttpResponse> {
    const response = await this.get(`blobs/${digest}`, headers)
    if (response.status === 404) {
      response.body.resume()
      throw new ImageError(
        `blob ${digest} of ${this.reference.original} is missing from ${this.reference.domain}; the image in the registry is incomplete.`,
        'BLOB_NOT_FOUND'
      )
    }
    return response
  }

  private async readOk(response: HttpResponse, what: string, maxBytes: number): Promise<Buffer> {
    if (response.status !== 200) {
      response.body.resume()
      throw unexpectedStatus(this.reference.domain, what, response.status)
    }
    try {
      return await readBody(response, maxBytes)
    } catch (error) {
      throw registryRequestError(this.reference.domain, error)
    }
  }

  /** A GET that answers the registry's 401 challenge once, then treats another 401 as rejection. */
  private get(path: string, headers: Record<string, string>): Promise<HttpResponse> {
    return this.send(path, { headers }, this.auth.pullScope)
  }

  /** A request under `scope` that answers one 401 challenge; `path` may be an absolute upload URL. */
  private async send(
    path: string | URL,
    options: Pick<HttpRequestOptions, 'method' | 'headers' | 'body'>,
    scope: string
  ): Promise<HttpResponse> {
    const url = path instanceof URL ? path : new URL(`${this.reference.path}/${path}`, this.baseUrl)
    const headers = options.headers ?? {}
    for (let answered = false; ; answered = true) {
      const authorization = this.auth.authorization(scope)
      let response: HttpResponse
      try {
        response = await request(url, {
          ...options,
          headers: authorization !== undefined ? { ...headers, authorization } : headers,
          allowHttp: this.allowHttp,
          logger: this.options.logger,
          ...(this.options.signal !== undefined ? { signal: this.options.signal } : {}),
          ...(this.options.transfer?.stallTimeoutMs !== undefined
            ? { stallTimeoutMs: this.options.transfer.stallTimeoutMs }
            : {}),
          ...(this.options.transfer?.retry !== undefined
            ? { retry: this.options.transfer.retry }
            : {})
        })
      } catch (error) {
        throw registryRequestError(this.reference.domain, error)
      }
      if (response.status !== 401) return response
      response.body.resume()
      if (answered) throw await this.auth.rejected()
      await this.auth.respond(header(response.headers, 'www-authenticate'), scope)
    }
  }

  // Writes (distribution-spec "Push") and discovery ("Content discovery"), for signatures and
  // attestations. They ask for `pull,push` (token.md, "Requesting a Token").

  private get pushScope(): string {
    return `${this.auth.pullScope},push`
  }

  /** A manifest by tag or digest, or undefined when the registry has none (404). */
  async findManifest(
    tagOrDigest: string,
    accept: string = MANIFEST_ACCEPT
  ): Promise<FetchedManifest | undefined> {
    const response = await this.get(`manifests/${tagOrDigest}`, { accept })
    if (response.status === 404) {
      response.body.resume()
      return undefined
    }
    const bytes = await this.readOk(response, `manifest ${tagOrDigest}`, MANIFEST_MAX_BYTES)
    const mediaType = header(response.headers, 'content-type')
    return { bytes, ...(mediaType !== undefined ? { mediaType } : {}) }
  }

  /** HEAD /v2/NAME/blobs/DIGEST under the push scope, so an upload that follows needs no new token. */
  async hasBlob(digest: string): Promise<boolean> {
    const response = await this.send(`blobs/${digest}`, { method: 'HEAD' }, this.pushScope)
    response.body.resume()
    return response.status === 200
  }

  /** Uploads a small blob unless the registry has it: POST for an upload URL, then one PUT with the bytes. */
  async pushBlob(bytes: Buffer): Promise<string> {
    const digest = sha256(bytes)
    if (await this.hasBlob(digest)) return digest
    const started = await this.send('blobs/uploads/', { method: 'POST' }, this.pushScope)
    started.body.resume()
    const location = header(started.headers, 'location')
    if (started.status !== 202 || location === undefined) {
      throw unexpectedStatus(this.reference.domain, `upload of blob ${digest}`, started.status)
    }
    const upload = new URL(location, started.url)
    upload.searchParams.set('digest', digest)
    const finished = await this.send(
      upload,
      {
        method: 'PUT',
        headers: { 'content-type': 'application/octet-stream' },
        body: bytes
      },
      this.pushScope
    )
    finished.body.resume()
    if (finished.status !== 201) {
      throw unexpectedStatus(this.reference.domain, `upload of blob ${digest}`, finished.status)
    }
    return digest
  }

  /** PUT /v2/NAME/manifests/REFERENCE with the manifest's own media type. */
  async pushManifest(
    tagOrDigest: string,
    bytes: Buffer,
    mediaType: string
  ): Promise<PushedManifest> {
    const response = await this.send(
      `manifests/${tagOrDigest}`,
      { method: 'PUT', headers: { 'content-type': mediaType }, body: bytes },
      this.pushScope
    )
    response.body.resume()
    if (response.status !== 201) {
      throw unexpectedStatus(
        this.reference.domain,
        `push of manifest ${tagOrDigest}`,
        response.status
      )
    }
    return {
      digest: sha256(bytes),
      subjectProcessed: header(response.headers, 'oci-subject') !== undefined
    }
  }

  /**
   * Manifests whose `subject` is `digest` (distribution-spec 1.1 "Listing Referrers"); registries
   * without the API are read through the referrers tag schema (`sha256-<hex>` holding an index).
   */
  async listReferrers(digest: string): Promise<Descriptor[]> {
    const response = await this.get(`referrers/${digest}`, { accept: MEDIA_TYPES.ociIndex })
    if (response.status === 200) {
      const bytes = await this.readOk(response, `referrers of ${digest}`, MANIFEST_MAX_BYTES)
      return indexManifests(bytes)
    }
    response.body.resume()
    const fallback = await this.findManifest(referrersTag(digest), MEDIA_TYPES.ociIndex)
    return fallback === undefined ? [] : indexManifests(fallback.bytes)
  }

  /** Adds `descriptor` to the referrers tag schema's index of `subject` (for registries without the API). */
  async addToReferrersTag(subject: string, descriptor: Descriptor): Promise<void> {
    const tag = referrersTag(subject)
    const current = await this.findManifest(tag, MEDIA_TYPES.ociIndex)
    const manifests = (current === undefined ? [] : indexManifests(current.bytes)).filter(
      (existing) => existing.digest !== descriptor.digest
    )
    const index: ImageIndex = {
      schemaVersion: 2,
      mediaType: MEDIA_TYPES.ociIndex,
      manifests: [...manifests, descriptor]
    }
    await this.pushManifest(tag, Buffer.from(JSON.stringify(index)), MEDIA_TYPES.ociIndex)
  }

  /** GET /v2/NAME/tags/list, following `Link` pagination (distribution-spec "Listing Tags"). */
  async listTags(): Promise<string[]> {
    const tags: string[] = []
    let next: string | URL | undefined = 'tags/list'
    while (next !== undefined) {
      const response: HttpResponse = await (next instanceof URL
        ? this.send(next, {}, this.auth.pullScope)
        : this.get(next, {}))
      if (response.status === 404) {
        response.body.resume()
        return tags
      }
      const bytes = await this.readOk(response, 'tag list', MANIFEST_MAX_BYTES)
      const body = tagList(bytes, `tag list of ${this.reference.original}`)
      if (Array.isArray(body.tags)) {
        tags.push(...body.tags.filter((tag): tag is string => typeof tag === 'string'))
      }
      const link = /<([^>]+)>\s*;\s*rel="?next"?/.exec(header(response.headers, 'link') ?? '')
      next = link?.[1] === undefined ? undefined : new URL(link[1], response.url)
    }
    return tags
  }
}

/** The referrers tag schema (distribution-spec 1.1): `sha256:<hex>` → `sha256-<hex>`. */
export function referrersTag(digest: string): string {
  return digest.replace(':', '-')
}

/** distribution-spec "Listing Tags": `{"name": …, "tags": […]}`. */
function tagList(bytes: Buffer, what: string): { tags?: unknown } {
  let body: unknown
  try {
    body = JSON.parse(bytes.toString('utf8'))
  } catch {
    body = undefined
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ImageError(
      `${what} is not a JSON object; the registry's answer is malformed.`,
      'BAD_TAG_LIST'
    )
  }
  return body
}

/**
 * The descriptors of a referrers index, validated as any index; one that cannot be read lists
 * none (the caller then finds no signature and fails closed).
 */
function indexManifests(bytes: Buffer): Descriptor[] {
  try {
    const parsed = parseManifest(bytes, 'referrers index', MEDIA_TYPES.ociIndex)
    return parsed.kind === 'index' ? parsed.index.manifests : []
  } catch (error) {
    if (error instanceof ImageError) return []
    throw error
  }
}

interface BlobStreamContext {
  host: string
  image: string
  policy: BlobPolicy
  stallTimeoutMs: number
  retry: Partial<RetryPolicy>
  logger: Logger
  signal?: AbortSignal
  /** A new GET for the blob's bytes from `from` on. */
  resume: (from: number) => Promise<HttpResponse>
}

/** `Content-Range: bytes START-END/TOTAL` (RFC 9110 §14.4): START, or undefined. */
function rangeStart(value: string | undefined): number | undefined {
  const match = /^bytes\s+(\d+)-\d+\/(?:\d+|\*)$/.exec(value?.trim() ?? '')
  return match === null ? undefined : Number(match[1])
}

/**
 * One layer blob as one stream, however many downloads it takes. Its reader (analyzeLayer) keeps
 * state across the whole blob and cannot start over, so a download that breaks off is resumed
 * inside the stream: `Range` from the first byte not yet passed on, or, from a registry that
 * ignores `Range`, the whole blob again with the bytes already passed on skipped. The digest the
 * reader verifies covers the joined bytes. More than `size` bytes, or slower than the policy's
 * rate, ends the stream with an ImageError naming the blob, kept in `failure`.
 */
export class BlobStream extends Readable {
  /** Why the download ended early: the cause to report over what it did to the reader. */
  failure: ImageError | undefined
  private current: HttpResponse
  private demand: (() => void) | undefined
  private started = false

  constructor(
    first: HttpResponse,
    private readonly blob: { digest: string; size: number },
    private readonly context: BlobStreamContext
  ) {
    super()
    this.current = first
  }

  override _read(): void {
    const demand = this.demand
    this.demand = undefined
    demand?.()
    if (this.started) return
    this.started = true
    this.pump().catch((error: unknown) => {
      if (error instanceof ImageError) this.failure = error
      this.destroy(error instanceof Error ? error : new Error(String(error)))
    })
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.current.body.destroy()
    const demand = this.demand
    this.demand = undefined
    demand?.()
    callback(error)
  }

  private describe(): string {
    return `blob ${this.blob.digest} of ${this.context.image} from registry ${this.context.host}`
  }

  private async pump(): Promise<void> {
    const { policy } = this.context
    const size = this.blob.size
    const deadlineMs = Math.max(policy.minDeadlineMs, (size / policy.minBytesPerSecond) * 1000)
    const slow = new HttpError('too slow', 'TOO_SLOW', '')
    let received = 0
    let networkMs = 0
    for (let attempt = 1; ; attempt++) {
      const response = this.current
      let skip = this.acceptable(response, received)
      const chunks = response.body[Symbol.asyncIterator]() as AsyncIterator<Buffer>
      try {
        for (;;) {
          const waiting = Date.now()
          const timer = setTimeout(
            () => response.body.destroy(slow),
            Math.max(0, deadlineMs - networkMs)
          )
          let next: IteratorResult<Buffer>
          try {
            next = await chunks.next()
          } finally {
            clearTimeout(timer)
            networkMs += Date.now() - waiting
          }
          if (this.destroyed) return
          if (next.done) break
          let chunk = next.value
          if (skip > 0) {
            const skipped = Math.min(skip, chunk.length)
            skip -= skipped
            chunk = chunk.subarray(skipped)
            if (chunk.length === 0) continue
          }
          if (received + chunk.length > size) throw this.tooLarge()
          received += chunk.length
          if (!this.push(chunk)) await new Promise<void>((resolve) => (this.demand = resolve))
          if (this.destroyed) return
        }
        if (received === size) {
          this.push(null)
          return
        }
        // A body that ended short of the declared size lost its connection (no Content-Length).
        throw new HttpError('the connection was closed early', 'ECONNRESET', '')
      } catch (error) {
        if (this.destroyed) return
        if (error === slow) throw this.tooSlow(received, networkMs, attempt)
        if (!(error instanceof HttpError)) throw error
        if (!isRetryable(error) || attempt >= policy.attempts) {
          throw this.lost(error, received, attempt)
        }
        this.context.logger.info(
          `${this.describe()}: ${this.reason(error)} after ${received} of ${size} bytes; resuming.`
        )
        await pause(backoff(attempt, this.context.retry), this.context.signal)
        if (this.destroyed) return
        const opening = Date.now()
        this.current = await this.context.resume(received)
        networkMs += Date.now() - opening
        if (this.destroyed) {
          this.current.body.destroy()
          return
        }
        if (networkMs >= deadlineMs) throw this.tooSlow(received, networkMs, attempt + 1)
      }
    }
  }

  /** Checks a response's status and length; the bytes of it to skip (already passed on). */
  private acceptable(response: HttpResponse, received: number): number {
    let skip = received
    if (response.status === 206 && received > 0) {
      if (rangeStart(header(response.headers, 'content-range')) !== received) {
        response.body.destroy()
        throw new ImageError(
          `${this.describe()} could not be resumed: the registry answered the request for the bytes from ${received} on with another range; try again later or check the registry.`,
          'REGISTRY_ERROR'
        )
      }
      skip = 0
    } else if (response.status !== 200) {
      response.body.destroy()
      throw new ImageError(
        `${this.describe()} could not be read: the registry answered ${response.status}${received > 0 ? ` when asked for the bytes from ${received} on` : ''}; try again later or check the registry.`,
        'REGISTRY_ERROR'
      )
    }
    const declared = Number(header(response.headers, 'content-length'))
    if (Number.isFinite(declared) && declared - skip + received > this.blob.size) {
      response.body.destroy()
      throw this.tooLarge()
    }
    return skip
  }

  private reason(error: HttpError): string {
    return error.code === 'STALL'
      ? `no data arrived for ${this.context.stallTimeoutMs / 1000} s`
      : 'the connection was lost'
  }

  private tooLarge(): ImageError {
    this.current.body.destroy()
    return new ImageError(
      `${this.describe()} is longer than the ${this.blob.size} bytes its manifest declares, so the download was stopped; the registry is serving other bytes under this digest.`,
      'BLOB_TOO_LARGE'
    )
  }

  private tooSlow(received: number, networkMs: number, attempts: number): ImageError {
    this.current.body.destroy()
    // After a stall and a resume the time is spread over several downloads: say so.
    const over = attempts === 1 ? '' : ` over ${attempts} downloads`
    return new ImageError(
      `${this.describe()} arrived too slowly: ${received} of ${this.blob.size} bytes in ${Math.round(networkMs / 1000)} s${over}, below the ${formatBytes(this.context.policy.minBytesPerSecond)}/s the gate waits for; check the network or the registry.`,
      'BLOB_TOO_SLOW'
    )
  }

  private lost(error: HttpError, received: number, attempts: number): ImageError {
    this.current.body.destroy()
    const times = attempts === 1 ? '' : ` (${attempts} downloads)`
    return new ImageError(
      `${this.describe()} could not be downloaded: ${this.reason(error)} after ${received} of ${this.blob.size} bytes${times}; try again later or check the registry.`,
      'REGISTRY_UNREACHABLE',
      { cause: error }
    )
  }
}
