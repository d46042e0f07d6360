/**
 * Checks a cached layer's blob against its digest when the blob is a range of a file (a layout's
 * blob file, an archive's member): a worker thread reads the range from the file and hashes it
 * while the scan goes on, so the main thread spends nothing on bytes whose analysis the layer
 * cache already holds. The engine awaits the checks of the image's layers before it reports: a
 * mismatch still fails the scan with the error a full analysis gives.
 */
import { createHash } from 'node:crypto'
import { open, type FileHandle } from 'node:fs/promises'
import { Worker } from 'node:worker_threads'
import { ImageError } from '../../errors.js'
import { READ_CHUNK_BYTES } from '../../files.js'
import { digestMismatch } from '../digest.js'

/** A file as the source found it: a check refuses whatever else is at that path later. */
export interface FileIdentity {
  dev: number
  ino: number
  size: number
  mtimeMs: number
}

/** Where a blob's bytes are in a file: `length` bytes from `offset`. */
export interface FileRange {
  path: string
  offset: number
  length: number
  identity: FileIdentity
}

/**
 * The worker: one message per range, answered with the digest or why the range could not be
 * read whole. Synchronous reads are right here: the worker does nothing else, and the main thread
 * never waits on them. Kept in step with `hashHere`.
 */
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads')
const { closeSync, fstatSync, openSync, readSync } = require('node:fs')
const { createHash } = require('node:crypto')
// Linux keeps a nice value per thread: this one yields the CPU to the scan's main thread
// (elsewhere the nice value is the whole process's, so it is left alone).
if (process.platform === 'linux') try { require('node:os').setPriority(19) } catch {}
const buffer = Buffer.allocUnsafe(${READ_CHUNK_BYTES})
parentPort.on('message', ({ id, path, offset, length, identity }) => {
  let fd
  try {
    fd = openSync(path, 'r')
    const info = fstatSync(fd)
    if (info.dev !== identity.dev || info.ino !== identity.ino || info.size !== identity.size || info.mtimeMs !== identity.mtimeMs) {
      throw new Error('it is not the file the image was read from (replaced or changed during the scan)')
    }
    const hash = createHash('sha256')
    let done = 0
    while (done < length) {
      const read = readSync(fd, buffer, 0, Math.min(buffer.length, length - done), offset + done)
      if (read === 0) throw new Error('the file ends at byte ' + (offset + done) + ', inside the layer')
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

function sameFile(a: FileIdentity, b: FileIdentity): boolean {
  return a.dev === b.dev && a.ino === b.ino && a.size === b.size && a.mtimeMs === b.mtimeMs
}

/** The digest of a file range read on this thread, as the worker reads it: when no worker runs. */
async function hashHere(range: FileRange): Promise<string> {
  let file: FileHandle | undefined
  try {
    file = await open(range.path, 'r')
    if (!sameFile(await file.stat(), range.identity)) {
      throw new Error(
        'it is not the file the image was read from (replaced or changed during the scan)'
      )
    }
    const hash = createHash('sha256')
    const buffer = Buffer.allocUnsafe(READ_CHUNK_BYTES)
    for (let done = 0; done < range.length;) {
      const want = Math.min(buffer.length, range.length - done)
      const { bytesRead } = await file.read(buffer, 0, want, range.offset + done)
      if (bytesRead === 0) {
        throw new Error(`the file ends at byte ${range.offset + done}, inside the layer`)
      }
      hash.update(buffer.subarray(0, bytesRead))
      done += bytesRead
    }
    return `sha256:${hash.digest('hex')}`
  } finally {
    await file?.close()
  }
}

interface Waiting {
  range: FileRange
  resolve: (digest: string) => void
  reject: (error: Error) => void
}

export class RangeVerifier {
  /** Ranges hashed on the main thread because no worker could do it. */
  hashedHere = 0
  private worker: Worker | undefined
  private broken = false
  private closed = false
  private next = 0
  private readonly waiting = new Map<number, Waiting>()
  /** Checks the main thread does, one at a time. */
  private here: Promise<unknown> = Promise.resolve()

  /** `signal` (the scan's deadline) stops the worker and fails the checks still waiting. */
  constructor(signal?: AbortSignal) {
    signal?.addEventListener('abort', () => void this.close(), { once: true })
  }

  /**
   * Resolves when the range's bytes have the digest `expectedDigest`; rejects with the
   * DIGEST_MISMATCH ImageError a streamed read gives, or LAYER_UNREADABLE when the range cannot
   * be read whole from the file the image was read from.
   */
  async verify(range: FileRange, layer: { name: string; expectedDigest: string }): Promise<void> {
    const blob = `layer ${layer.name}`
    let digest: string
    try {
      digest = await this.hash(range)
    } catch (error) {
      throw new ImageError(
        `${blob} could not be read again from ${range.path} to check its digest: ${(error as Error).message}.`,
        'LAYER_UNREADABLE'
      )
    }
    if (digest !== layer.expectedDigest) throw digestMismatch(blob, layer.expectedDigest, digest)
  }

  /**
   * Starts the worker ahead of the first check, when checks are likely (a cache that holds
   * entries, an image read from files): its start-up then overlaps the reading of the image.
   */
  prepare(): void {
    if (!this.closed) this.start()
  }

  /** Stops the worker; checks still waiting fail. */
  async close(): Promise<void> {
    this.closed = true
    const worker = this.worker
    this.worker = undefined
    for (const [id, waiting] of this.waiting) {
      this.waiting.delete(id)
      waiting.reject(new Error('the scan ended before the check did'))
    }
    await worker?.terminate()
  }

  private hash(range: FileRange): Promise<string> {
    if (this.closed) return Promise.reject(new Error('the scan ended before the check did'))
    const worker = this.start()
    if (worker === undefined) return this.hashHereInTurn(range)
    return new Promise((resolve, reject) => {
      const id = this.next++
      this.waiting.set(id, { range, resolve, reject })
      worker.postMessage({ id, ...range })
    })
  }

  private hashHereInTurn(range: FileRange): Promise<string> {
    const turn = this.here.then(() => {
      this.hashedHere++
      return hashHere(range)
    })
    this.here = turn.catch(() => undefined)
    return turn
  }

  private start(): Worker | undefined {
    if (this.worker !== undefined || this.broken) return this.worker
    try {
      const worker = new Worker(WORKER_SOURCE, { eval: true })
      // Never what keeps the process alive: the checks that matter are awaited before the report.
      worker.unref()
      worker.on('message', (message: { id: number; digest?: string; error?: string }) => {
        const waiting = this.waiting.get(message.id)
        if (waiting === undefined) return
        this.waiting.delete(message.id)
        if (message.digest !== undefined) waiting.resolve(message.digest)
        else waiting.reject(new Error(message.error ?? 'unknown error'))
      })
      const fallBack = (): void => {
        // A worker that failed (out of memory, say): the checks it owed are done here instead.
        this.broken = true
        this.worker = undefined
        for (const [id, waiting] of this.waiting) {
          this.waiting.delete(id)
          this.hashHereInTurn(waiting.range).then(waiting.resolve, waiting.reject)
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
