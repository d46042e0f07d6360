/** What every image source (transport) provides, whatever it reads from. */
import type { Readable } from 'node:stream'
import type { Logger } from '../log.js'
import type { LayerAnalysis } from './analysis.js'
import type { FileRange } from './layer/verify-range.js'
import type { Descriptor, ImageConfig, ImageManifest, Platform } from './types.js'

export type Transport = 'docker' | 'docker-daemon' | 'docker-archive' | 'oci-archive' | 'oci'

export interface RegistryCredentials {
  username: string
  password: string
  /**
   * The registry these belong to (`ghcr.io`, `127.0.0.1:5000`). They are sent to that registry
   * only, never to another host an image, label or setting names. Absent: any registry (API use).
   */
  host?: string
}

export interface AcquireOptions {
  /** Platform to choose from an index; default linux/amd64. */
  platform: Platform
  /** Hosts (`host` or `host:port`) that may be reached over plain HTTP besides loopback. */
  insecureRegistries: string[]
  /** Explicit credentials (inputs registry-username/registry-password); win over the Docker config. */
  credentials?: RegistryCredentials
  /** Environment to read DOCKER_CONFIG, HOME, GITHUB_TOKEN and PATH from. */
  env: NodeJS.ProcessEnv
  logger: Logger
  /**
   * Aborted when the scan's deadline (input "timeout") passes, with the ConfigurationError that
   * names what was slow as its reason: a source should stop its requests and reads then. The
   * engine also destroys every layer blob still being read.
   */
  signal?: AbortSignal
  /**
   * Reads one layer blob as it streams (decompression, digests, tar, step visitors) and returns
   * its analysis. `expectedDigest`, when the source knows it, is verified while streaming; a
   * mismatch rejects with an ImageError naming `name`. `file`, when the blob is a range of a file
   * (a layout's blob, a member of an archive file), says where: the bytes can then be checked from
   * there, and `blob` may be left unread (the source skips it).
   */
  analyzeLayer(
    blob: Readable,
    layer: { name: string; expectedDigest?: string; file?: FileRange }
  ): Promise<LayerAnalysis>
  /**
   * The analysis an earlier run kept for this layer (the layer cache), if any: a source that
   * would have to fetch the blob (a registry) asks first and does not fetch it when there is
   * one. Sources that read the bytes anyway just call analyzeLayer, which checks the cache too.
   */
  cachedLayer?(descriptor: Descriptor): Promise<LayerAnalysis | undefined>
}

/** Registry settings for code that reaches a registry itself (signatures, base images). */
export type RegistryAccess = Pick<
  AcquireOptions,
  'insecureRegistries' | 'credentials' | 'env' | 'signal'
>

/** An image as acquired: metadata verified, every layer analysed, in manifest order. */
export interface AcquiredImage {
  /** The reference as the user gave it, with its transport, e.g. `oci-archive:app.tar`. */
  reference: string
  /**
   * Manifest digest (sha256 of the manifest bytes). For a classic docker-archive, which has no
   * manifest, the image ID (config digest).
   */
  digest: string
  /** The index digest when the reference resolved through an image index. */
  indexDigest?: string
  platform: Platform
  manifest: ImageManifest
  config: ImageConfig
  configDigest: string
  layers: Array<{ descriptor: Descriptor; analysis: LayerAnalysis }>
}

export interface ImageSource {
  readonly transport: Transport
  /** The reference as the user gave it. */
  readonly reference: string
  acquire(options: AcquireOptions): Promise<AcquiredImage>
}
