/** Reading manifests and blobs of one repository (OCI distribution-spec, "Pull"). */
import { isIP } from 'node:net'
import type { Readable } from 'node:stream'
import { ImageError } from '../../errors.js'
import type { Logger } from '../../log.js'
import { sha256 } from '../digest.js'
import { header, readBody, request, type HttpRequestOptions, type HttpResponse } from '../http.js'
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

  /** GET /v2/NAME/blobs/DIGEST as a stream; redirects to blob storage are followed without our credentials. */
  async openBlob(digest: string): Promise<Readable> {
    const response = await this.openBlobResponse(digest)
    if (response.status !== 200) {
      response.body.resume()
      throw unexpectedStatus(this.reference.domain, `blob ${digest}`, response.status)
    }
    return response.body
  }

  private async openBlobResponse(digest: string): Promise<HttpResponse> {
    const response = await this.get(`blobs/${digest}`, {})
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
          logger: this.options.logger
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
