/**
 * RangeVerifier: a cached layer's bytes, a range of a file, hashed on a worker thread and checked
 * against the digest the manifest names.
 */
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { createHash, randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Worker } from 'node:worker_threads'
import { RangeVerifier } from '../../src/image/layer/verify-range.js'

let dir: string
let file: string
let verifier: RangeVerifier
/** 3 MiB and a bit: ranges cross the 1 MiB read chunks. */
const bytes = randomBytes(3 * 1024 * 1024 + 4321)

function digest(data: Buffer): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`
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
    const ranges = [
      { offset: 0, length: bytes.length },
      { offset: 512, length: 1024 * 1024 + 7 },
      { offset: 1024 * 1024 - 3, length: 2 * 1024 * 1024 },
      { offset: 100, length: 0 }
    ]
    await Promise.all(
      ranges.map((range, i) =>
        verifier.verify(
          { path: file, ...range },
          {
            name: `l${i}`,
            expectedDigest: digest(bytes.subarray(range.offset, range.offset + range.length))
          }
        )
      )
    )
    // Without a length: to the end of the file (a layout's blob).
    await verifier.verify(
      { path: file, offset: 0 },
      { name: 'whole', expectedDigest: digest(bytes) }
    )
  })

  it('rejects a range whose bytes differ with the error a streamed read gives', async () => {
    const expected = digest(bytes.subarray(0, 1000))
    await expect(
      verifier.verify(
        { path: file, offset: 1, length: 1000 },
        { name: 'base', expectedDigest: expected }
      )
    ).rejects.toMatchObject({
      code: 'DIGEST_MISMATCH',
      message: expect.stringContaining(
        `layer base does not match its digest: expected ${expected}, got sha256:`
      )
    })
  })

  it('rejects a range past the end of the file: fewer bytes, another digest', async () => {
    const range = { path: file, offset: bytes.length - 10, length: 20 }
    await expect(
      verifier.verify(range, { name: 'cut', expectedDigest: digest(randomBytes(20)) })
    ).rejects.toMatchObject({ code: 'DIGEST_MISMATCH' })
  })

  it('names a file it cannot read', async () => {
    const missing = join(dir, 'gone.tar')
    await expect(
      verifier.verify(
        { path: missing, offset: 0, length: 10 },
        { name: 'gone', expectedDigest: digest(Buffer.alloc(10)) }
      )
    ).rejects.toMatchObject({
      code: 'LAYER_UNREADABLE',
      message: expect.stringContaining(`layer gone could not be read again from ${missing}`)
    })
  })

  it('finishes on this thread the checks of a worker that stopped', async () => {
    const range = { path: file, offset: 4096, length: 2 * 1024 * 1024 }
    const expected = digest(bytes.subarray(4096, 4096 + 2 * 1024 * 1024))
    const checks = [0, 1, 2].map((i) =>
      verifier.verify(range, { name: `l${i}`, expectedDigest: expected })
    )
    // The worker dies with the checks in flight (as one killed for its memory would).
    const worker = (verifier as unknown as { worker: Worker }).worker
    await worker.terminate()
    await Promise.all(checks)
    // And later checks are done here too.
    await verifier.verify(range, { name: 'after', expectedDigest: expected })
    expect((verifier as unknown as { worker: Worker | undefined }).worker).toBeUndefined()
  })
})
