/** The `docker` transport (`REF`, `docker://REF`): an image pulled from a registry, verified as it streams. */
import { ImageError } from '../../errors.js'
import { assertDigest, isDigest, sha256 } from '../digest.js'
import { mapInOrder, LAYER_CONCURRENCY } from '../in-order.js'
import {
  checkConfigPlatform,
  formatPlatform,
  parseConfig,
  parseManifest,
  platformOf,
  selectPlatform
} from '../manifest.js'
import { manifestReference, parseReference, type ImageReference } from '../reference.js'
import type { AcquiredImage, AcquireOptions, ImageSource } from '../source.js'
import type { Descriptor, ImageConfig, ImageManifest, Platform } from '../types.js'
import { RegistryClient, type BlobStream, type TransferPolicy } from './client.js'
import { registryRequestError } from './errors.js'

class RegistrySource implements ImageSource {
  readonly transport = 'docker' as const
  private readonly parsed: ImageReference

  constructor(
    readonly reference: string,
    private readonly transfer?: TransferPolicy
  ) {
    this.parsed = parseReference(reference.replace(/^docker:\/\//, ''))
  }

  async acquire(options: AcquireOptions): Promise<AcquiredImage> {
    const client = new RegistryClient(this.parsed, {
      ...options,
      ...(this.transfer !== undefined ? { transfer: this.transfer } : {})
    })
    const name = this.reference
    const top = await client.getManifest(manifestReference(this.parsed))
    // A pinned digest is what the user vouches for; otherwise the registry's own claim
    // (distribution-spec "Docker-Content-Digest") is checked when it sends one.
    const claimed = top.digest !== undefined && isDigest(top.digest) ? top.digest : undefined
    const expected = this.parsed.digest ?? claimed
    if (expected !== undefined) assertDigest(top.bytes, expected, `manifest of ${name}`)
    const document = parseManifest(top.bytes, `manifest of ${name}`, top.mediaType)

    let manifest: ImageManifest
    let digest = sha256(top.bytes)
    let indexDigest: string | undefined
    let chosenPlatform: Platform | undefined
    if (document.kind === 'index') {
      indexDigest = digest
      const chosen = selectPlatform(document.index, options.platform, `image index of ${name}`)
      const child = await client.getManifest(chosen.digest)
      assertDigest(child.bytes, chosen.digest, `manifest ${chosen.digest} of ${name}`)
      const inner = parseManifest(
        child.bytes,
        `manifest ${chosen.digest} of ${name}`,
        chosen.mediaType
      )
      if (inner.kind !== 'manifest') {
        throw new ImageError(
          `image index of ${name} lists another index for ${formatPlatform(options.platform)}; nested indexes are not supported.`,
          'UNSUPPORTED_MANIFEST'
        )
      }
      manifest = inner.manifest
      digest = chosen.digest
      chosenPlatform = chosen.platform!
    } else {
      manifest = document.manifest
    }

    const configDigest = manifest.config.digest
    const configBytes = await client.getBlob(configDigest)
    assertDigest(configBytes, configDigest, `config ${configDigest} of ${name}`)
    const config: ImageConfig = parseConfig(configBytes, `config ${configDigest} of ${name}`)
    if (chosenPlatform === undefined) {
      checkConfigPlatform(config, configDigest, options.platform, `image ${name}`)
    }
    const platform = chosenPlatform ?? platformOf(config)

    // Downloads in flight; when one layer fails the others are stopped, not left to finish.
    const open = new Set<BlobStream>()
    const layers = await mapInOrder(
      manifest.layers,
      LAYER_CONCURRENCY,
      async (descriptor: Descriptor) => {
        let blob: BlobStream | undefined
        try {
          // Analysed in an earlier run from bytes that matched this digest: not downloaded again.
          const cached = await options.cachedLayer?.(descriptor)
          if (cached !== undefined) return { descriptor, analysis: cached }
          blob = await client.openBlob(descriptor)
          open.add(blob)
          // analyzeLayer says "layer NAME", so NAME is the digest alone.
          const analysis = await options.analyzeLayer(blob, {
            name: descriptor.digest,
            expectedDigest: descriptor.digest
          })
          return { descriptor, analysis }
        } catch (error) {
          for (const other of open) other.destroy()
          // The download's own failure (too slow, too long, lost) is the cause of whatever the
          // analysis made of the cut stream.
          throw registryRequestError(this.parsed.domain, blob?.failure ?? error)
        } finally {
          if (blob !== undefined) open.delete(blob)
        }
      }
    )

    return {
      reference: name,
      digest,
      ...(indexDigest !== undefined ? { indexDigest } : {}),
      platform,
      manifest,
      config,
      configDigest,
      layers
    }
  }
}

/** The ImageSource for a registry reference (`REF` or `docker://REF`); malformed references throw now. */
export function registrySource(reference: string, transfer?: TransferPolicy): ImageSource {
  return new RegistrySource(reference, transfer)
}
