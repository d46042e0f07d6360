/**
 * Checks a cached layer's blob against its digest when the blob is a range of a file (a layout's
 * blob file, an archive's member): a worker thread reads the range from the file and hashes it
 * while the scan goes on, so the main thread spends nothing on bytes whose analysis the layer
 * cache already holds. The engine awaits every check before it reports: a mismatch still fails the
 * scan with the error a full analysis gives.
 */
import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { Worker } from 'node:worker_threads'
import { ImageError } from '../../errors.js'

/** Where a blob's bytes are in a file: `length` bytes from `offset` (to the end when absent). */
export interface FileRange {
  path: string
  offset: number
  length?: number
}

interface Result {
  digest: string
}

/** Reads in chunks of this size, in the worker and on the main thread alike. */
const CHUNK_BYTES = 1024 * 1024

/**
 * The worker: one message per range, answered with the digest or the read error. Synchronous
 * reads are right here: the worker does nothing else, and the main thread never waits on them.
 */
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads')
const { closeSync, openSync, readSync } = require('node:fs')
const { createHash } = require('node:crypto')
const buffer = Buffer.allocUnsafe(${CHUNK_BYTES})
parentPort.on('message', ({ id, path, offset, length }) => {
  let fd
  try {
    fd = openSync(path, 'r')
    const hash = createHash('sha256')
    for (let done = 0; length === undefined || done < length; ) {
      const want = length === undefined ? buffer.length : Math.min(buffer.length, length - done)
      const read = readSync(fd, buffer, 0, want, offset + done)
      if (read === 0) break
      hash.update(buffer.subarray(0, read))
      done += read
    }
    parentPort.postMessage({ id, digest: 'sha256:' + hash.digest('hex') })
  } catch (error) {
    parentPort.postMessage({ id, error: String(error && error.message ? error.message : error) })
  } finally {
    if (fd !== undefined) closeSync(fd)
  }
})
`

/** The digest of a file range read on this thread: the way when no worker can start. */
async function hashHere(range: FileRange): Promise<Result> {
  const hash = createHash('sha256')
  const stream = createReadStream(range.path, {
    start: range.offset,
    ...(range.length === undefined ? {} : { end: range.offset + range.length - 1 }),
    highWaterMark: CHUNK_BYTES
  })
  // An empty range: createReadStream has no way to say "no bytes" with start/end.
  if (range.length !== 0) for await (const chunk of stream) hash.update(chunk as Buffer)
  else stream.destroy()
  return { digest: `sha256:${hash.digest('hex')}` }
}

export class RangeVerifier {
  private worker: Worker | undefined
  private broken = false
  private next = 0
  private readonly waiting = new Map<
    number,
    { range: FileRange; resolve: (result: Result) => void; reject: (error: Error) => void }
  >()

  /**
   * Resolves when the range's bytes have the digest `expectedDigest`; rejects with the
   * DIGEST_MISMATCH ImageError a streamed read gives, or the read's error.
   */
  async verify(range: FileRange, layer: { name: string; expectedDigest: string }): Promise<void> {
    const blob = `layer ${layer.name}`
    let result: Result
    try {
      result = await this.hash(range)
    } catch (error) {
      throw new ImageError(
        `${blob} could not be read again from ${range.path} to check its digest: ${(error as Error).message}`,
        'LAYER_UNREADABLE'
      )
    }
    if (result.digest !== layer.expectedDigest) {
      throw new ImageError(
        `${blob} does not match its digest: expected ${layer.expectedDigest}, got ${result.digest}; the image is corrupt or was tampered with.`,
        'DIGEST_MISMATCH'
      )
    }
  }

  /** Stops the worker; checks still waiting are not answered. */
  async close(): Promise<void> {
    const worker = this.worker
    this.worker = undefined
    this.waiting.clear()
    await worker?.terminate()
  }

  private hash(range: FileRange): Promise<Result> {
    const worker = this.start()
    if (worker === undefined) return hashHere(range)
    return new Promise((resolve, reject) => {
      const id = this.next++
      this.waiting.set(id, { range, resolve, reject })
      worker.postMessage({ id, ...range })
    })
  }

  private start(): Worker | undefined {
    if (this.worker !== undefined || this.broken) return this.worker
    try {
      const worker = new Worker(WORKER_SOURCE, { eval: true })
      // Never what keeps the process alive: every check is awaited before the scan reports.
      worker.unref()
      worker.on('message', (message: { id: number; digest?: string; error?: string }) => {
        const waiting = this.waiting.get(message.id)
        if (waiting === undefined) return
        this.waiting.delete(message.id)
        if (message.digest !== undefined) waiting.resolve({ digest: message.digest })
        else waiting.reject(new Error(message.error ?? 'unknown error'))
      })
      const fallBack = (): void => {
        // A worker that failed (out of memory, say): the checks it owed are done here instead.
        this.broken = true
        this.worker = undefined
        for (const [id, waiting] of this.waiting) {
          this.waiting.delete(id)
          hashHere(waiting.range).then(waiting.resolve, waiting.reject)
        }
      }
      worker.on('error', fallBack)
      worker.on('exit', () => {
        if (this.worker === worker) fallBack()
      })
      this.worker = worker
    } catch {
      this.broken = true
    }
    return this.worker
  }
}
