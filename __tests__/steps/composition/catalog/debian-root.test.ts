/**
 * The closing numbers of issue 3: the catalog of a real Debian 12 root built by mmdebstrap,
 * compared with dpkg-query on the same root, read through the engine's single pass.
 */
import { describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { createReadStream, existsSync, renameSync, statSync } from 'node:fs'
import { pipeline } from 'node:stream/promises'
import { runGate } from '../../../../src/engine.js'
import type { ImageSource } from '../../../../src/image/source.js'
import { MEDIA_TYPES, type ImageConfig } from '../../../../src/image/types.js'
import { silentLogger } from '../../../../src/log.js'
import { defaultPolicy } from '../../../../src/policy/defaults.js'
import {
  CATALOG_FILES,
  CATALOG_SUBSCRIPTIONS,
  catalogPackages,
  type Catalog
} from '../../../../src/steps/composition/catalog/index.js'
import { missingTools, tempDir } from '../../../../__fixtures__/registry.js'

const CACHE = 'node_modules/.cache/container-gate'
/** Shared with other tests: `mmdebstrap --variant=minbase bookworm` output (a tar, or a directory). */
const ROOT = `${CACHE}/debian-bookworm-minbase.tar`
/** This test's layer, when the shared root is a directory. */
const LAYER = `${CACHE}/catalog-debian-bookworm-minbase-layer.tar`

/** The root as one layer tar, building the root once with mmdebstrap when nobody has yet. */
function layerTar(): string | undefined {
  if (!existsSync(ROOT)) {
    if (missingTools(['mmdebstrap']) !== undefined) return undefined
    const temp = `${CACHE}/debian-bookworm-minbase.tmp-${process.pid}.tar`
    try {
      execFileSync('mmdebstrap', ['--quiet', '--variant=minbase', 'bookworm', temp], {
        stdio: 'ignore',
        timeout: 600_000
      })
    } catch {
      return undefined
    }
    if (!existsSync(ROOT)) renameSync(temp, ROOT)
  }
  if (statSync(ROOT).isFile()) return ROOT
  if (!existsSync(LAYER)) {
    const temp = `${LAYER}.tmp-${process.pid}`
    execFileSync('tar', ['--numeric-owner', '--sort=name', '-C', ROOT, '-cf', temp, '.'])
    renameSync(temp, LAYER)
  }
  return LAYER
}

async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256')
  await pipeline(createReadStream(path), hash)
  return `sha256:${hash.digest('hex')}`
}

const layer = layerTar()
if (layer === undefined) {
  console.warn(
    `Debian root test skipped: ${ROOT} is absent and mmdebstrap could not build it (apt-get install -y mmdebstrap, and reach deb.debian.org)`
  )
}

/** dpkg's admin directory of the root; from a tarball, extracted to a temporary directory. */
function admindir(): string {
  if (statSync(ROOT).isDirectory()) return `${ROOT}/var/lib/dpkg`
  const dir = tempDir('catalog-debian-')
  execFileSync('tar', ['-C', dir, '-xf', ROOT, './var/lib/dpkg'])
  return `${dir}/var/lib/dpkg`
}

;(layer === undefined ? describe.skip : describe)(
  'catalog of a real Debian 12 minbase root',
  () => {
    it('reports exactly the packages dpkg-query lists, once each, in Debian:12', async () => {
      const diffId = await sha256File(layer!)
      const config: ImageConfig = {
        architecture: 'amd64',
        os: 'linux',
        rootfs: { type: 'layers', diff_ids: [diffId] },
        history: [{ created_by: 'mmdebstrap --variant=minbase bookworm' }]
      }
      const size = statSync(layer!).size
      const source: ImageSource = {
        transport: 'oci',
        reference: 'oci:debian-bookworm-minbase',
        acquire: async (options) => ({
          reference: 'oci:debian-bookworm-minbase',
          digest: diffId,
          platform: { os: 'linux', architecture: 'amd64' },
          manifest: {
            schemaVersion: 2,
            config: { mediaType: MEDIA_TYPES.ociConfig, digest: diffId, size: 0 },
            layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: diffId, size }]
          },
          config,
          configDigest: diffId,
          layers: [
            {
              descriptor: {
                mediaType: 'application/vnd.oci.image.layer.v1.tar',
                digest: diffId,
                size
              },
              analysis: await options.analyzeLayer(createReadStream(layer!), {
                name: 'debian root',
                expectedDigest: diffId
              })
            }
          ]
        })
      }
      let catalog: Catalog | undefined
      let catalogMs = 0
      const started = performance.now()
      await runGate(
        {
          image: 'oci:debian-bookworm-minbase',
          policy: defaultPolicy(),
          acquire: {
            platform: { os: 'linux', architecture: 'amd64' },
            insecureRegistries: [],
            env: {}
          }
        },
        silentLogger,
        [
          {
            id: 'composition',
            title: 'catalog',
            files: CATALOG_FILES,
            subscriptions: CATALOG_SUBSCRIPTIONS,
            run: async ({ image }) => {
              const t = performance.now()
              catalog = catalogPackages(image)
              catalogMs = performance.now() - t
              return { findings: [] }
            }
          }
        ],
        () => source
      )
      const totalMs = performance.now() - started

      const counts = new Map<string, number>()
      for (const pkg of catalog!.packages)
        counts.set(pkg.ecosystem, (counts.get(pkg.ecosystem) ?? 0) + 1)
      console.info(
        `Debian bookworm minbase: ${[...counts].map(([e, n]) => `${e} ${n}`).join(', ')}; ` +
          `layer ${(size / 1e6).toFixed(0)} MB read and cataloged in ${totalMs.toFixed(0)} ms (catalogPackages ${catalogMs.toFixed(0)} ms)`
      )
      expect(catalog!.distro?.ecosystem).toBe('Debian:12')
      const ours = catalog!.packages
        .filter((p) => p.kind === 'os')
        .map((p) => `${p.name}\t${p.version}\t${p.arch}`)
        .sort()
      // dpkg-query on the same root is the reference (only what dpkg considers installed).
      const reference = execFileSync(
        'dpkg-query',
        [
          `--admindir=${admindir()}`,
          '-W',
          '-f=${db:Status-Status}\t${Package}\t${Version}\t${Architecture}\n'
        ],
        { encoding: 'utf8' }
      )
        .split('\n')
        .filter((line) => line.startsWith('installed\t'))
        .map((line) => line.slice('installed\t'.length))
        .sort()
      console.info(`dpkg-query -W: ${reference.length} installed packages`)
      expect(ours).toEqual(reference)
      expect(new Set(ours).size).toBe(ours.length)
      // minbase has no language packages of its own; Debian's Perl modules have no package metadata we read.
      expect(catalog!.packages.filter((p) => p.kind === 'language')).toEqual([])
    })
  }
)
