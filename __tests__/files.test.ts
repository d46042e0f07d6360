/**
 * readAtMost: the one bounded reader of input files and layer-cache entries. Regular files are
 * read into one buffer of their size; files whose size says nothing (/proc) are read until they
 * end or pass the limit.
 */
import { afterAll, describe, expect, it } from '@jest/globals'
import { randomBytes } from 'node:crypto'
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { readAtMost } from '../src/files.js'

const dir = mkdtempSync(join(tmpdir(), 'container-gate-files-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

function file(name: string, bytes: Buffer): string {
  const path = join(dir, name)
  writeFileSync(path, bytes)
  return path
}

describe('readAtMost', () => {
  it.each([0, 1, 4096, 3 * 1024 * 1024 + 7])('reads a file of %i bytes whole', (length) => {
    const bytes = randomBytes(length)
    const read = readAtMost(file(`f${length}`, bytes), 4 * 1024 * 1024)
    expect(read.size).toBe(length)
    expect(read.bytes.equals(bytes)).toBe(true)
  })

  it('reads a file of exactly the limit, and reports one over it by its size, unread', () => {
    const bytes = randomBytes(1000)
    const path = file('limit', bytes)
    expect(readAtMost(path, 1000).bytes.equals(bytes)).toBe(true)
    const over = readAtMost(path, 999)
    expect(over.size).toBe(1000)
    expect(over.bytes.length).toBe(0)
  })

  const proc = existsSync('/proc/self/smaps')
  ;(proc ? it : it.skip)(
    'reads a file whose size says 0 past its first buffer, and stops one byte past the limit',
    () => {
      // /proc/self/smaps has a size of 0 and, for a Node.js process, more than 64 KiB of text.
      const whole = readAtMost('/proc/self/smaps', 64 * 1024 * 1024)
      expect(whole.size).toBeGreaterThan(64 * 1024)
      expect(whole.bytes.length).toBe(whole.size)
      expect(whole.bytes.toString('latin1')).toMatch(/^[0-9a-f]+-[0-9a-f]+ [-r][-w]/)
      expect(whole.bytes.toString('latin1').endsWith('\n')).toBe(true)
      const cut = readAtMost('/proc/self/smaps', 100 * 1024)
      expect(cut.size).toBe(100 * 1024 + 1)
    }
  )
})
