/** The one way blobs are digested and verified (OCI image-spec descriptor.md, "Digests"). */
import { createHash, type Hash } from 'node:crypto'
import { Transform, type TransformCallback } from 'node:stream'
import { ImageError } from '../errors.js'

const SHA256 = /^sha256:[a-f0-9]{64}$/

export function isDigest(value: string): boolean {
  return SHA256.test(value)
}

export function sha256(bytes: Buffer | string): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`
}

/** Throws an ImageError naming the blob when `bytes` do not hash to `expected`. */
export function assertDigest(bytes: Buffer, expected: string, blob: string): void {
  if (!isDigest(expected)) {
    throw new ImageError(
      `${blob} has an unsupported digest "${expected}"; only sha256 is supported.`
    )
  }
  const actual = sha256(bytes)
  if (actual !== expected) {
    throw new ImageError(
      `${blob} does not match its digest: expected ${expected}, got ${actual}; the image is corrupt or was tampered with.`,
      'DIGEST_MISMATCH'
    )
  }
}

/** The error for bytes of `blob` whose digest is `got`, not the `expected` one the image names. */
export function digestMismatch(blob: string, expected: string, got: string): ImageError {
  return new ImageError(
    `${blob} does not match its digest: expected ${expected}, got ${got}; the image is corrupt or was tampered with.`,
    'DIGEST_MISMATCH'
  )
}

/**
 * Passes bytes through while hashing them. When `expected` is given, the stream fails at its end
 * with an ImageError naming the blob if the digest differs, so nothing downstream can treat a
 * corrupt blob as complete.
 */
export class DigestingStream extends Transform {
  private readonly hash: Hash = createHash('sha256')
  private bytes = 0
  private result: string | undefined

  constructor(
    private readonly blob: string,
    private readonly expected?: string
  ) {
    super()
    if (expected !== undefined && !isDigest(expected)) {
      throw new ImageError(
        `${blob} has an unsupported digest "${expected}"; only sha256 is supported.`
      )
    }
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.hash.update(chunk)
    this.bytes += chunk.length
    callback(null, chunk)
  }

  override _flush(callback: TransformCallback): void {
    this.result = `sha256:${this.hash.digest('hex')}`
    if (this.expected !== undefined && this.result !== this.expected) {
      callback(digestMismatch(this.blob, this.expected, this.result))
      return
    }
    callback()
  }

  /** The digest of everything that passed through; available after the stream ended. */
  get digest(): string {
    if (this.result === undefined) throw new Error(`digest of ${this.blob} read before its end`)
    return this.result
  }

  get size(): number {
    return this.bytes
  }
}
