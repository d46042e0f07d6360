/**
 * Layer decompression chosen by magic bytes, not by media type: registries and `docker save`
 * label layers inconsistently (a `.tar` media type holding gzip is common), the bytes never lie.
 */
import { Transform, type TransformCallback } from 'node:stream'
import * as zlib from 'node:zlib'
import { Decompress as ZstdJs } from 'fzstd'
import { ImageError } from '../../errors.js'

export type Compression = 'gzip' | 'zstd' | 'none'

/** RFC 1952 §2.3.1 (ID1 ID2). */
const GZIP_MAGIC = Buffer.from([0x1f, 0x8b])
/** RFC 8878 §3.1.1 (Magic_Number 0xFD2FB528, little-endian). */
const ZSTD_MAGIC = Buffer.from([0x28, 0xb5, 0x2f, 0xfd])
const SNIFF_BYTES = ZSTD_MAGIC.length

export function detectCompression(head: Buffer): Compression {
  if (head.length >= GZIP_MAGIC.length && head.subarray(0, GZIP_MAGIC.length).equals(GZIP_MAGIC))
    return 'gzip'
  if (head.length >= ZSTD_MAGIC.length && head.subarray(0, ZSTD_MAGIC.length).equals(ZSTD_MAGIC))
    return 'zstd'
  return 'none'
}

/** `createZstdDecompress` exists from Node 22.15; the types we build against (Node 20) lack it. */
type NativeZstd = { createZstdDecompress?: () => Transform }

/** fzstd's streaming decoder as a Transform, for Node versions without native zstd. */
class ZstdJsTransform extends Transform {
  private readonly decoder = new ZstdJs((data) => {
    if (data.length > 0) this.push(Buffer.from(data.buffer, data.byteOffset, data.byteLength))
  })

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    try {
      this.decoder.push(chunk)
    } catch (error) {
      callback(error instanceof Error ? error : new Error(String(error)))
      return
    }
    callback()
  }

  override _flush(callback: TransformCallback): void {
    try {
      this.decoder.push(new Uint8Array(0), true)
    } catch (error) {
      callback(error instanceof Error ? error : new Error(String(error)))
      return
    }
    callback()
  }
}

function createInner(compression: 'gzip' | 'zstd'): Transform {
  if (compression === 'gzip') return zlib.createGunzip({ chunkSize: 64 * 1024 })
  const native = (zlib as unknown as NativeZstd).createZstdDecompress
  return native !== undefined ? native() : new ZstdJsTransform()
}

/**
 * Sniffs the first bytes, then decompresses (or passes through) the rest. Errors of the
 * decompressor surface as an ImageError naming the blob: "layer X: gzip stream is truncated or corrupt".
 */
export class Decompressor extends Transform {
  private head: Buffer[] = []
  private headLength = 0
  private kind: Compression | undefined
  private inner: Transform | undefined

  constructor(private readonly name: string) {
    super()
  }

  /** The compression found; known once the first bytes went through. */
  get compression(): Compression {
    if (this.kind === undefined)
      throw new Error(`compression of ${this.name} read before its first bytes`)
    return this.kind
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    if (this.kind === undefined) {
      this.head.push(chunk)
      this.headLength += chunk.length
      if (this.headLength < SNIFF_BYTES) {
        callback()
        return
      }
      chunk = this.start()
    }
    this.forward(chunk, callback)
  }

  override _flush(callback: TransformCallback): void {
    if (this.kind === undefined) {
      const chunk = this.start()
      this.forward(chunk, (error) => (error ? callback(error) : this.finish(callback)))
      return
    }
    this.finish(callback)
  }

  // The inner stream is paused whenever our reader is full, so one highly compressed input chunk
  // cannot expand into an unbounded buffer (gzip reaches 1000:1 on zeros).
  override _read(size: number): void {
    this.inner?.resume()
    super._read(size)
  }

  override _destroy(error: Error | null, callback: (error: Error | null) => void): void {
    this.inner?.destroy()
    callback(error)
  }

  private start(): Buffer {
    const chunk = Buffer.concat(this.head, this.headLength)
    this.head = []
    this.kind = detectCompression(chunk)
    if (this.kind !== 'none') {
      const inner = createInner(this.kind)
      const kind = this.kind
      inner.on('data', (data: Buffer) => {
        if (!this.push(data)) inner.pause()
      })
      inner.on('error', (error: Error) => {
        this.destroy(
          new ImageError(
            `${this.name}: ${kind} stream is truncated or corrupt (${error.message})`,
            'CORRUPT_LAYER',
            {
              cause: error
            }
          )
        )
      })
      this.inner = inner
    }
    return chunk
  }

  private forward(chunk: Buffer, callback: TransformCallback): void {
    const inner = this.inner
    if (inner === undefined) {
      callback(null, chunk.length > 0 ? chunk : undefined)
      return
    }
    if (inner.write(chunk)) callback()
    else inner.once('drain', () => callback())
  }

  private finish(callback: TransformCallback): void {
    const inner = this.inner
    if (inner === undefined) {
      callback()
      return
    }
    inner.once('end', () => callback())
    inner.end()
  }
}
