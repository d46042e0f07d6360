/**
 * RangeVerifier: a cached layer's bytes, a range of a file, hashed on a worker thread (or on the
 * main thread when no worker runs) and checked against the digest the manifest names.
 */
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { createHash, randomBytes } from 'node:crypto'
import { appendFileSync, mkdtempSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Worker } from 'node:worker_threads'
import { RangeVerifier, type FileRange } from '../../src/image/layer/verify-range.js'

let dir: string
let file: string
let verifier: RangeVerifier
/** 3 MiB and a bit: ranges cross the 1 MiB read chunks. */
const bytes = randomBytes(3 * 1024 * 1024 + 4321)

function digest(data: Buffer): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`
}

/** A range of `file` as a source would describe it when it opened the file. */
function range(offset: number, length: number, path = file): FileRange {
  const { dev, ino, size, mtimeMs } = statSync(path)
  return { path, offset, length, identity: { dev, ino, size, mtimeMs } }
}

function expected(offset: number, length: number): { name: string; expectedDigest: string } {
  return { name: 'base', expectedDigest: digest(bytes.subarray(offset, offset + length)) }
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'verify-range-'))
  file = join(dir, 'archive.tar')
  writeFileSync(file, bytes)
  verifier = new RangeVerifier()
})

afterEach(async () => {
  await verifier.close()
  rmSync(dir, { recursive: true, force: true })
})

describe('RangeVerifier', () => {
  it('accepts a range of a file whose bytes have the digest, wherever it starts and ends', async () => {
    const ranges: Array<[number, number]> = [
      [0, bytes.length],
      [512, 1024 * 1024 + 7],
      [1024 * 1024 - 3, 2 * 1024 * 1024],
      [100, 0]
    ]
    await Promise.all(
      ranges.map(([offset, length]) =>
        verifier.verify(range(offset, length), expected(offset, length))
      )
    )
    expect(verifier.hashedHere).toBe(0)
  })

  it('rejects a range whose bytes differ with the error a streamed read gives', async () => {
    const want = expected(0, 1000)
    await expect(verifier.verify(range(1, 1000), want)).rejects.toMatchObject({
      code: 'DIGEST_MISMATCH',
      message: expect.stringContaining(
        `layer base does not match its digest: expected ${want.expectedDigest}, got sha256:`
      )
    })
  })

  it('rejects a range past the end of the file even when the bytes there have the digest', async () => {
    // The 10 bytes the file still holds, where the range says 20: not the layer.
    const at = bytes.length - 10
    await expect(verifier.verify(range(at, 20), expected(at, 10))).rejects.toMatchObject({
      code: 'LAYER_UNREADABLE',
      message: expect.stringContaining(`the file ends at byte ${bytes.length}, inside the layer`)
    })
  })

  it('refuses another file at the path: replaced, or changed since the source opened it', async () => {
    const opened = range(0, 1000)
    const other = join(dir, 'other.tar')
    writeFileSync(other, bytes)
    renameSync(other, file)
    await expect(verifier.verify(opened, expected(0, 1000))).rejects.toMatchObject({
      code: 'LAYER_UNREADABLE',
      message: expect.stringContaining('it is not the file the image was read from')
    })
    const now = range(0, 1000)
    appendFileSync(file, 'more')
    await expect(verifier.verify(now, expected(0, 1000))).rejects.toMatchObject({
      code: 'LAYER_UNREADABLE'
    })
  })

  it('names a file it cannot read', async () => {
    const missing = { ...range(0, 10), path: join(dir, 'gone.tar') }
    await expect(verifier.verify(missing, expected(0, 10))).rejects.toMatchObject({
      code: 'LAYER_UNREADABLE',
      message: expect.stringContaining(`layer base could not be read again from ${missing.path}`)
    })
  })

  it('does on this thread the checks of a worker that stopped', async () => {
    const checks = [0, 1, 2].map((i) =>
      verifier.verify(range(4096 * i, 2 * 1024 * 1024), expected(4096 * i, 2 * 1024 * 1024))
    )
    // Stopped in the same turn as the checks were posted: before it could answer any of them
    // (as one killed for its memory would be).
    const worker = (verifier as unknown as { worker: Worker }).worker
    void worker.terminate()
    await Promise.all(checks)
    expect(verifier.hashedHere).toBe(3)
    // Later checks are done here too, and still fail on bytes that differ.
    await verifier.verify(range(0, 100), expected(0, 100))
    await expect(verifier.verify(range(1, 100), expected(0, 100))).rejects.toMatchObject({
      code: 'DIGEST_MISMATCH'
    })
    expect(verifier.hashedHere).toBe(5)
  })

  it('starts its worker ahead of the first check when prepared, and not after it is closed', async () => {
    const workerOf = (of: RangeVerifier): Worker | undefined =>
      (of as unknown as { worker?: Worker }).worker
    expect(workerOf(verifier)).toBeUndefined()
    verifier.prepare()
    const started = workerOf(verifier)
    expect(started).toBeDefined()
    await verifier.verify(range(0, bytes.length), expected(0, bytes.length))
    expect(workerOf(verifier)).toBe(started)
    expect(verifier.hashedHere).toBe(0)
    const closed = new RangeVerifier()
    await closed.close()
    closed.prepare()
    expect(workerOf(closed)).toBeUndefined()
  })

  it('fails the checks still waiting when the scan stops it (its deadline)', async () => {
    const deadline = new AbortController()
    const stopped = new RangeVerifier(deadline.signal)
    const check = stopped.verify(range(0, bytes.length), expected(0, bytes.length))
    deadline.abort()
    await expect(check).rejects.toMatchObject({
      code: 'LAYER_UNREADABLE',
      message: expect.stringContaining('the scan ended before the check did')
    })
    await expect(stopped.verify(range(0, 10), expected(0, 10))).rejects.toMatchObject({
      code: 'LAYER_UNREADABLE'
    })
  })
})
