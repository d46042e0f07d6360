/** A built image served from memory the way a transport serves one, for tests of the engine. */
import { Readable } from 'node:stream'
import type { GateRequest } from '../src/engine.js'
import type { ImageSource } from '../src/image/source.js'
import type { ImageConfig } from '../src/image/types.js'
import type { BuiltImage } from './image-builder.js'

/** A linux/amd64 scan with no insecure registries and an empty environment. */
export const ACQUIRE: GateRequest['acquire'] = {
  platform: { os: 'linux', architecture: 'amd64' },
  insecureRegistries: [],
  env: {}
}

export interface MemorySourceOptions {
  /** The reference the source answers to; `oci:test` unless given. */
  reference?: string
  /** Replaces the built config, e.g. to model a corrupt one. */
  config?: ImageConfig
}

/** An ImageSource whose acquire() streams each layer blob of `image` through `analyzeLayer`. */
export function memorySource(image: BuiltImage, options: MemorySourceOptions = {}): ImageSource {
  const reference = options.reference ?? 'oci:test'
  return {
    transport: 'oci',
    reference,
    acquire: async ({ analyzeLayer }) => ({
      reference,
      digest: image.manifestDigest,
      platform: image.platform,
      manifest: image.manifest,
      config: options.config ?? image.config,
      configDigest: image.configDigest,
      layers: await Promise.all(
        image.layers.map(async (layer, i) => ({
          descriptor: layer.descriptor,
          analysis: await analyzeLayer(Readable.from([layer.blob]), {
            name: `layer ${i}`,
            expectedDigest: layer.digest
          })
        }))
      )
    })
  }
}
