/**
 * Layer decompression chosen by magic bytes, not by media type: registries and `docker save`
 * label layers inconsistently (a `.tar` media type holding gzip is common), the bytes never lie.
 */
import { Transform, type TransformCallback } from 'node:stream'
import * as zlib from 'node:zlib'
import { Decompress as ZstdJs } from 'fzstd'
import { ImageError } from '../../errors.js'
import { formatBytes } from '../../units.js'

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

/**
 * The largest zstd window a layer may ask for: zstd's own default limit for decompression
 * (ZSTD_WINDOWLOG_LIMIT_DEFAULT, 2^27); only frames written with `zstd --long=28` or more pass it,
 * and those need `--memory` to decompress with zstd itself. Decoders allocate the whole window.
 */
export const MAX_ZSTD_WINDOW_BYTES = 2 ** 27
/** RFC 8878 §3.1.1.2: a block holds at most 128 KiB, whatever the window. */
const ZSTD_MAX_BLOCK_BYTES = 128 * 1024

export class ZstdWindowError extends Error {
  override readonly name = 'ZstdWindowError'
  constructor(
    readonly window: number,
    readonly at: number
  ) {
    super(`zstd frame at byte ${at} asks for a ${formatBytes(window)} window`)
  }
}

/**
 * Follows the frame and block structure of a zstd stream as its compressed bytes go by (RFC 8878
 * §3.1), without decoding: refuses a frame whose window is over MAX_ZSTD_WINDOW_BYTES before any
 * decoder sees it, and tells where blocks end so that a decoder can be fed one block at a time.
 */
export class ZstdFrameScanner {
  /** Bytes of the stream seen so far. */
  private position = 0
  /** Bytes of a frame or block header being gathered, and how many it needs. */
  private header: number[] = []
  private need = 4
  private state: 'magic' | 'frame-header' | 'block-header' | 'skip' | 'unknown' = 'magic'
  private skipping = 0
  private frameStart = 0
  private checksum = false
  /** Skipped bytes end a block (not a frame header or a checksum). */
  private blockEndsAfterSkip = false
  private lastBlock = false

  /** Offsets in `chunk` just after each block that ends in it. Throws ZstdWindowError. */
  scan(chunk: Buffer): number[] {
    const ends: number[] = []
    let i = 0
    while (i < chunk.length && this.state !== 'unknown') {
      if (this.state === 'skip') {
        const step = Math.min(this.skipping, chunk.length - i)
        i += step
        this.skipping -= step
        if (this.skipping === 0) this.afterSkip(ends, i)
        continue
      }
      this.header.push(chunk[i]!)
      i++
      if (this.header.length < this.need) continue
      this.onHeader(this.position + i)
    }
    this.position += chunk.length
    return ends
  }

  private onHeader(end: number): void {
    const h = this.header
    if (this.state === 'magic') {
      const magic = (h[0]! | (h[1]! << 8) | (h[2]! << 16) | (h[3]! << 24)) >>> 0
      if (magic === 0xfd2fb528) {
        this.frameStart = end - 4
        this.state = 'frame-header'
        this.need = 5
        return
      }
      // RFC 8878 §3.1.2: skippable frames, magic 0x184D2A5?, then a 4-byte size.
      if (magic >>> 4 === 0x184d2a5) {
        this.need = 8
        if (h.length < 8) return
        this.skip((h[4]! | (h[5]! << 8) | (h[6]! << 16) | (h[7]! << 24)) >>> 0, false)
        return
      }
      // Not zstd: the decoder reports it as corrupt.
      this.state = 'unknown'
      return
    }
    if (this.state === 'frame-header') {
      const descriptor = h[4]!
      const singleSegment = (descriptor >> 5) & 1
      const contentSizeBytes = [singleSegment, 2, 4, 8][descriptor >> 6]!
      const dictionaryBytes = [0, 1, 2, 4][descriptor & 3]!
      const length = 5 + (singleSegment === 1 ? 0 : 1) + dictionaryBytes + contentSizeBytes
      if (h.length < length) {
        this.need = length
        return
      }
      let window: number
      if (singleSegment === 1) {
        // §3.1.1.1.2: the window is the content size, stored little-endian; 2 bytes add 256.
        let size = 0
        for (let k = length - 1; k >= length - contentSizeBytes; k--) size = size * 256 + h[k]!
        window = contentSizeBytes === 2 ? size + 256 : size
      } else {
        // §3.1.1.1.2 Window_Descriptor: 2^(10+Exponent) plus Mantissa eighths of it.
        const base = 2 ** (10 + (h[5]! >> 3))
        window = base + (base / 8) * (h[5]! & 7)
      }
      if (window > MAX_ZSTD_WINDOW_BYTES) throw new ZstdWindowError(window, this.frameStart)
      this.checksum = ((descriptor >> 2) & 1) === 1
      this.startBlockHeader()
      return
    }
    // Block header (§3.1.1.2.1): Last_Block, Block_Type, Block_Size, 3 bytes little-endian.
    const value = h[0]! | (h[1]! << 8) | (h[2]! << 16)
    this.lastBlock = (value & 1) === 1
    const type = (value >> 1) & 3
    const size = value >>> 3
    if (type === 3 || size > ZSTD_MAX_BLOCK_BYTES) {
      // Reserved type or an oversized block: the decoder reports the stream as corrupt.
      this.state = 'unknown'
      return
    }
    this.skip(type === 1 ? 1 : size, true)
  }

  private startBlockHeader(): void {
    this.header = []
    this.need = 3
    this.state = 'block-header'
  }

  private skip(bytes: number, blockEnds: boolean): void {
    this.header = []
    this.skipping = bytes
    this.blockEndsAfterSkip = blockEnds
    this.state = 'skip'
    if (bytes === 0) this.afterSkip(undefined, 0)
  }

  private afterSkip(ends: number[] | undefined, at: number): void {
    if (this.blockEndsAfterSkip) {
      ends?.push(at)
      this.blockEndsAfterSkip = false
      if (!this.lastBlock) {
        this.startBlockHeader()
        return
      }
      this.lastBlock = false
      if (this.checksum) {
        this.checksum = false
        this.skip(4, false)
        return
      }
    }
    this.header = []
    this.need = 4
    this.state = 'magic'
  }
}

/** `createZstdDecompress` exists from Node 22.15; the types we build against (Node 20) lack it. */
type NativeZstd = { createZstdDecompress?: () => Transform }

/**
 * fzstd's streaming decoder as a Transform, for Node versions without native zstd. fzstd hands
 * out everything one push decodes, and one byte of an RLE block is 128 KiB: the input goes in a
 * block at a time, and waits while the output is not read.
 */
class ZstdJsTransform extends Transform {
  private readonly decoder = new ZstdJs((data) => {
    if (data.length > 0) this.push(Buffer.from(data.buffer, data.byteOffset, data.byteLength))
  })
  private readonly scanner = new ZstdFrameScanner()
  private pendingFeed: (() => void) | undefined

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    let ends: number[]
    try {
      ends = this.scanner.scan(chunk)
    } catch (error) {
      callback(error instanceof Error ? error : new Error(String(error)))
      return
    }
    ends.push(chunk.length)
    let start = 0
    let next = 0
    const feed = (): void => {
      try {
        while (next < ends.length) {
          const end = ends[next++]!
          if (end > start) this.decoder.push(chunk.subarray(start, end))
          start = end
          if (this.readableLength >= this.readableHighWaterMark && next < ends.length) {
            this.pendingFeed = feed
            return
          }
        }
      } catch (error) {
        callback(error instanceof Error ? error : new Error(String(error)))
        return
      }
      callback()
    }
    feed()
  }

  override _read(size: number): void {
    const pendingFeed = this.pendingFeed
    if (pendingFeed === undefined) {
      super._read(size)
      return
    }
    this.pendingFeed = undefined
    pendingFeed()
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

/** The decompressor, and a scanner the caller runs when the decompressor does not scan itself. */
function createInner(compression: 'gzip' | 'zstd'): {
  inner: Transform
  scanner?: ZstdFrameScanner
} {
  // Output in chunks of 512 KiB: fewer trips between the inflating thread and this one (each
  // chunk comes back through this thread before the next is inflated), fewer, larger chunks
  // through the tar reader and the visitors.
  if (compression === 'gzip') return { inner: zlib.createGunzip({ chunkSize: 512 * 1024 }) }
  const native = (zlib as unknown as NativeZstd).createZstdDecompress
  // Native zstd refuses windows over 2^27 too, but only as "Frame requires too much memory".
  return native !== undefined
    ? { inner: native(), scanner: new ZstdFrameScanner() }
    : { inner: new ZstdJsTransform() }
}

function windowTooLarge(name: string, error: ZstdWindowError): ImageError {
  return new ImageError(
    `${name}: ${error.message}, over the ${formatBytes(MAX_ZSTD_WINDOW_BYTES)} this gate decompresses with (zstd's own default limit); recompress the layer without --long`,
    'ZSTD_WINDOW_TOO_LARGE',
    { cause: error }
  )
}

/** Decompressed bytes one layer may hold ahead of its reader (docs/limits.md). */
export const DECOMPRESSED_AHEAD_BYTES = 1024 * 1024

/**
 * Sniffs the first bytes, then decompresses (or passes through) the rest. Errors of the
 * decompressor surface as an ImageError naming the blob: "layer X: gzip stream is truncated or corrupt".
 */
export class Decompressor extends Transform {
  private head: Buffer[] = []
  private headLength = 0
  private kind: Compression | undefined
  private inner: Transform | undefined
  private scanner: ZstdFrameScanner | undefined
  private innerEnded = false
  private waitingDrain: (() => void) | undefined

  constructor(private readonly name: string) {
    // Room for decompressed bytes ahead of the reader: inflation (on another thread) keeps going
    // while the tar reader and the steps' visitors are busy, instead of waiting for each chunk.
    super({ readableHighWaterMark: DECOMPRESSED_AHEAD_BYTES })
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
      const { inner, scanner } = createInner(this.kind)
      const kind = this.kind
      inner.on('data', (data: Buffer) => {
        if (!this.push(data)) inner.pause()
      })
      // zlib ends its output at the end of the gzip data, before the input ends when bytes
      // follow it (zero padding, say): the rest of the input is then read and dropped.
      inner.once('end', () => {
        this.innerEnded = true
        const waiting = this.waitingDrain
        this.waitingDrain = undefined
        waiting?.()
      })
      inner.on('error', (error: Error) => {
        if (error instanceof ZstdWindowError) {
          this.destroy(windowTooLarge(this.name, error))
          return
        }
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
      this.scanner = scanner
    }
    return chunk
  }

  private forward(chunk: Buffer, callback: TransformCallback): void {
    const inner = this.inner
    if (inner === undefined) {
      callback(null, chunk.length > 0 ? chunk : undefined)
      return
    }
    try {
      this.scanner?.scan(chunk)
    } catch (error) {
      if (!(error instanceof ZstdWindowError)) throw error
      callback(windowTooLarge(this.name, error))
      return
    }
    if (this.innerEnded || inner.write(chunk)) {
      callback()
      return
    }
    const resume = (): void => {
      inner.off('drain', resume)
      if (this.waitingDrain === resume) this.waitingDrain = undefined
      callback()
    }
    this.waitingDrain = resume
    inner.once('drain', resume)
  }

  private finish(callback: TransformCallback): void {
    const inner = this.inner
    if (inner === undefined || this.innerEnded) {
      callback()
      return
    }
    inner.once('end', () => callback())
    inner.end()
  }
}
