/**
 * gzip inflation on a thread of its own. Node's zlib streams inflate on the thread pool, but each
 * output chunk comes back through the main thread's event loop before the next is inflated: while
 * the tar reader and the steps' visitors hold the main thread, inflation waits. In a worker, the
 * zlib stream's loop is never busy, so inflation runs ahead of the reader (up to a bound) and the
 * two overlap on two cores.
 *
 * A Transform, like zlib's: compressed bytes in, inflated bytes out, errors as zlib's. Bytes are
 * copied and transferred both ways, never shared.
 */
import { Transform, type TransformCallback } from 'node:stream'
import { Worker } from 'node:worker_threads'

/** Inflated bytes the worker may send ahead of what this side has taken (docs/limits.md). */
export const INFLATED_IN_FLIGHT_BYTES = 2 * 1024 * 1024
/** Compressed bytes on their way to the worker before a write waits. */
const COMPRESSED_IN_FLIGHT_BYTES = 2 * 1024 * 1024
const CHUNK_BYTES = 128 * 1024

/** The worker's program, run as a CommonJS script (`eval`), so the bundles and the tests start it alike. */
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads')
const zlib = require('node:zlib')
const gunzip = zlib.createGunzip({ chunkSize: ${CHUNK_BYTES} })

let unacknowledged = 0
gunzip.on('data', (data) => {
  // A full output buffer is zlib's no longer (it starts a new one): it moves to the reader as it
  // is. A part of one is copied.
  const whole = data.byteOffset === 0 && data.byteLength === data.buffer.byteLength
  const out = whole ? data : new Uint8Array(data)
  unacknowledged += out.length
  parentPort.postMessage({ kind: 'data', buffer: out.buffer }, [out.buffer])
  if (unacknowledged > ${INFLATED_IN_FLIGHT_BYTES}) gunzip.pause()
})
gunzip.on('end', () => parentPort.postMessage({ kind: 'end' }))
gunzip.on('error', (error) => parentPort.postMessage({ kind: 'error', message: error.message, code: error.code }))
parentPort.on('message', (message) => {
  if (message.kind === 'input') {
    const bytes = message.buffer.byteLength
    gunzip.write(Buffer.from(message.buffer), () => parentPort.postMessage({ kind: 'taken', bytes }))
  } else if (message.kind === 'end') {
    gunzip.end()
  } else if (message.kind === 'ack') {
    unacknowledged -= message.bytes
    if (unacknowledged <= ${INFLATED_IN_FLIGHT_BYTES}) gunzip.resume()
  }
})
`

/** The inflating thread itself failed (could not start, ran out of memory, exited): our fault, not the layer's. */
export class InflatingThreadError extends Error {
  override readonly name = 'InflatingThreadError'
}

type WorkerMessage =
  | { kind: 'data'; buffer: ArrayBuffer }
  | { kind: 'end' }
  | { kind: 'taken'; bytes: number }
  | { kind: 'error'; message: string; code?: string }

/** Inflating threads running in this process: at most MAX_INFLATING_THREADS. */
let running = 0
const MAX_INFLATING_THREADS = 1

export class WorkerGunzip extends Transform {
  /** Whether another inflating thread may start now. */
  static available(): boolean {
    return running < MAX_INFLATING_THREADS
  }

  private readonly worker: Worker
  private compressedInFlight = 0
  private waitingWrite: TransformCallback | undefined
  private flushed: TransformCallback | undefined
  /** Inflated bytes pushed but not yet acknowledged: acknowledged when the reader asks for more. */
  private unacknowledged = 0
  private ended = false
  private released = false

  constructor() {
    super({ readableHighWaterMark: CHUNK_BYTES })
    // Its heap holds only small messages (the bytes are external): a small one keeps its RSS low.
    this.worker = new Worker(WORKER_SOURCE, {
      eval: true,
      resourceLimits: { maxYoungGenerationSizeMb: 2, maxOldGenerationSizeMb: 16 }
    })
    running += 1
    this.worker.on('message', (message: WorkerMessage) => this.receive(message))
    this.worker.on('error', (error) =>
      this.destroy(new InflatingThreadError(`the inflating thread failed: ${error.message}`))
    )
    this.worker.on('exit', (code) => {
      this.release()
      if (this.ended || this.destroyed) return
      this.destroy(new InflatingThreadError(`the inflating thread exited (${code})`))
    })
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    // Bytes after the end of the gzip data (see Decompressor) have nowhere to go.
    if (this.ended) {
      callback()
      return
    }
    const copy = new Uint8Array(chunk)
    this.compressedInFlight += copy.length
    this.worker.postMessage({ kind: 'input', buffer: copy.buffer }, [copy.buffer])
    if (this.compressedInFlight > COMPRESSED_IN_FLIGHT_BYTES) this.waitingWrite = callback
    else callback()
  }

  override _flush(callback: TransformCallback): void {
    if (this.ended) {
      callback()
      return
    }
    this.flushed = callback
    this.worker.postMessage({ kind: 'end' })
  }

  override _read(size: number): void {
    if (this.unacknowledged > 0) {
      this.worker.postMessage({ kind: 'ack', bytes: this.unacknowledged })
      this.unacknowledged = 0
    }
    super._read(size)
  }

  override _destroy(error: Error | null, callback: (error: Error | null) => void): void {
    this.release()
    void this.worker.terminate()
    callback(error)
  }

  /** Counts this thread out of the running ones, once. */
  private release(): void {
    if (this.released) return
    this.released = true
    running -= 1
  }

  private receive(message: WorkerMessage): void {
    if (this.destroyed) return
    switch (message.kind) {
      case 'data': {
        const data = Buffer.from(message.buffer)
        this.unacknowledged += data.length
        // Acknowledged at once while the reader keeps up; otherwise when it next reads.
        if (this.push(data)) {
          this.worker.postMessage({ kind: 'ack', bytes: this.unacknowledged })
          this.unacknowledged = 0
        }
        return
      }
      case 'taken': {
        this.compressedInFlight -= message.bytes
        const waiting = this.waitingWrite
        if (waiting !== undefined && this.compressedInFlight <= COMPRESSED_IN_FLIGHT_BYTES) {
          this.waitingWrite = undefined
          waiting()
        }
        return
      }
      case 'end': {
        this.ended = true
        this.release()
        const flushed = this.flushed
        this.flushed = undefined
        const waiting = this.waitingWrite
        this.waitingWrite = undefined
        void this.worker.terminate()
        waiting?.()
        flushed?.()
        return
      }
      case 'error':
        this.destroy(Object.assign(new Error(message.message), { code: message.code }))
    }
  }
}
