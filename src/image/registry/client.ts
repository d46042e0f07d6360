/** Reading manifests and blobs of one repository (OCI distribution-spec, "Pull"). */
import { isIP } from 'node:net'
import type { Readable } from 'node:stream'
import { ImageError } from '../../errors.js'
import type { Logger } from '../../log.js'
import { header, readBody, request, type HttpResponse } from '../http.js'
import { MANIFEST_ACCEPT } from '../manifest.js'
import type { ImageReference } from '../reference.js'
import type { RegistryCredentials } from '../source.js'
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
  private async get(path: string, headers: Record<string, string>): Promise<HttpResponse> {
    const url = new URL(`${this.reference.path}/${path}`, this.baseUrl)
    const scope = this.auth.pullScope
    for (let answered = false; ; answered = true) {
      const authorization = this.auth.authorization(scope)
      let response: HttpResponse
      try {
        response = await request(url, {
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
}
