/**
 * A real Debian root filesystem for false-positive tests: `mmdebstrap --variant=minbase bookworm`
 * built once and cached as a tar under node_modules/.cache/container-gate/ (another test may
 * build the same file: it is reused when present and written under a temporary name first).
 * The tar is used as one uncompressed layer, as `docker import` would make it.
 */
import { execFile } from 'node:child_process'
import { createHash } from 'node:crypto'
import {
  createReadStream,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync
} from 'node:fs'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'
import { missingTools } from './registry.js'
import type { ImageSource } from '../src/image/source.js'
import { MEDIA_TYPES, type ImageConfig } from '../src/image/types.js'

const run = promisify(execFile)
const CACHE = resolve('node_modules/.cache/container-gate')
export const DEBIAN_ROOT = join(CACHE, 'debian-bookworm-minbase.tar')

export type DebianRoot = { tar: string; digest: string } | { skip: string }

/** Held while one test process builds the root: parallel test workers wait for it instead. */
const LOCK = join(CACHE, '.debian-root.lock')
const BUILD_TIMEOUT_MS = 600_000

/** The cached root, building it when absent; `skip` says why it cannot be had here. */
export async function debianRoot(): Promise<DebianRoot> {
  if (!existsSync(DEBIAN_ROOT)) {
    const missing = missingTools(['mmdebstrap'])
    if (missing !== undefined) return { skip: `${missing} (apt-get install -y mmdebstrap)` }
    mkdirSync(CACHE, { recursive: true })
    if (!(await acquireLock())) {
      return existsSync(DEBIAN_ROOT)
        ? { tar: DEBIAN_ROOT, digest: await digestOf(DEBIAN_ROOT) }
        : { skip: 'skipped: another test process failed to build the Debian root with mmdebstrap' }
    }
    // The name must end in .tar: mmdebstrap picks its output format from it.
    const temp = join(CACHE, `.debian-bookworm-minbase.${process.pid}.tmp.tar`)
    try {
      if (!existsSync(DEBIAN_ROOT)) {
        await run('mmdebstrap', ['--quiet', '--variant=minbase', 'bookworm', temp], {
          timeout: BUILD_TIMEOUT_MS
        })
        renameSync(temp, DEBIAN_ROOT)
      }
    } catch (error) {
      return {
        skip: `skipped: mmdebstrap could not build a Debian root (is the Debian mirror reachable?): ${(error as Error).message.split('\n')[0]}`
      }
    } finally {
      rmSync(temp, { force: true })
      rmSync(LOCK, { recursive: true, force: true })
    }
  }
  return { tar: DEBIAN_ROOT, digest: await digestOf(DEBIAN_ROOT) }
}

/**
 * Takes the build lock (an atomic mkdir), or waits while another process holds it. Returns
 * false when the other process finished (the root exists, or its build failed). A lock older
 * than the build timeout is left over from a killed process and is taken over.
 */
async function acquireLock(): Promise<boolean> {
  for (;;) {
    try {
      mkdirSync(LOCK)
      return true
    } catch {
      const age = Date.now() - (statSync(LOCK, { throwIfNoEntry: false })?.mtimeMs ?? Date.now())
      if (age > BUILD_TIMEOUT_MS) {
        rmSync(LOCK, { recursive: true, force: true })
        continue
      }
      await new Promise((done) => setTimeout(done, 500))
      if (!existsSync(LOCK)) return false
    }
  }
}

/** sha256 of the tar, cached next to it (keyed by size) so it is read once per build. */
async function digestOf(file: string): Promise<string> {
  const sidecar = `${file}.sha256`
  const size = String(statSync(file).size)
  if (existsSync(sidecar)) {
    const [cachedSize, digest] = readFileSync(sidecar, 'utf8').trim().split(' ')
    if (cachedSize === size && digest !== undefined) return digest
  }
  const hash = createHash('sha256')
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer)
  const digest = `sha256:${hash.digest('hex')}`
  writeFileSync(sidecar, `${size} ${digest}\n`)
  return digest
}

/** An image source whose one layer is the Debian tar itself. */
export function debianSource(
  root: { tar: string; digest: string },
  config: Partial<ImageConfig> = {}
): ImageSource {
  const imageConfig: ImageConfig = {
    architecture: 'amd64',
    os: 'linux',
    config: { User: '10001:10001' },
    rootfs: { type: 'layers', diff_ids: [root.digest] },
    history: [{ created_by: 'mmdebstrap --variant=minbase bookworm' }],
    ...config
  }
  const descriptor = {
    mediaType: 'application/vnd.oci.image.layer.v1.tar',
    digest: root.digest,
    size: 0
  }
  return {
    transport: 'oci',
    reference: 'oci:debian-bookworm-minbase',
    acquire: async (options) => ({
      reference: 'oci:debian-bookworm-minbase',
      digest: `sha256:${'d'.repeat(64)}`,
      platform: { os: 'linux', architecture: 'amd64' },
      manifest: {
        schemaVersion: 2,
        mediaType: MEDIA_TYPES.ociManifest,
        config: { mediaType: MEDIA_TYPES.ociConfig, digest: `sha256:${'c'.repeat(64)}`, size: 0 },
        layers: [descriptor]
      },
      config: imageConfig,
      configDigest: `sha256:${'c'.repeat(64)}`,
      layers: [
        {
          descriptor,
          analysis: await options.analyzeLayer(createReadStream(root.tar), {
            name: root.digest,
            expectedDigest: root.digest
          })
        }
      ]
    })
  }
}
