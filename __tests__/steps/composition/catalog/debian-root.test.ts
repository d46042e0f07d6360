/**
 * The closing numbers of issue 3: the catalog of a real Debian 12 root built by mmdebstrap,
 * compared with dpkg-query on the same root, read through the engine's single pass.
 */
import { describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { runGate } from '../../../../src/engine.js'
import { silentLogger } from '../../../../src/log.js'
import { defaultPolicy } from '../../../../src/policy/defaults.js'
import {
  CATALOG_FILES,
  CATALOG_SUBSCRIPTIONS,
  catalogPackages,
  type Catalog
} from '../../../../src/steps/composition/catalog/index.js'
import { debianRoot, debianSource } from '../../../../__fixtures__/debian-root.js'
import { missingTools, tempDir } from '../../../../__fixtures__/registry.js'

const noTools = missingTools(['tar', 'dpkg-query'])
const root = noTools === undefined ? await debianRoot() : { skip: noTools }
if ('skip' in root) console.warn(`Debian root test ${root.skip}`)

/** dpkg's admin directory of the root, extracted from the tar to a temporary directory. */
function admindir(tar: string): string {
  const dir = tempDir('catalog-debian-')
  execFileSync('tar', ['-C', dir, '-xf', tar, './var/lib/dpkg'])
  return `${dir}/var/lib/dpkg`
}

;('skip' in root ? describe.skip : describe)('catalog of a real Debian 12 minbase root', () => {
  it('reports exactly the packages dpkg-query lists, once each, in Debian:12', async () => {
    const { tar, digest } = root as { tar: string; digest: string }
    const source = debianSource({ tar, digest })
    let catalog: Catalog | undefined
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
          needs: () => ({ files: CATALOG_FILES, subscriptions: CATALOG_SUBSCRIPTIONS }),
          run: async ({ image }) => {
            catalog = catalogPackages(image)
            return { findings: [] }
          }
        }
      ],
      () => source
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
        `--admindir=${admindir(tar)}`,
        '-W',
        '-f=${db:Status-Status}\t${Package}\t${Version}\t${Architecture}\n'
      ],
      { encoding: 'utf8' }
    )
      .split('\n')
      .filter((line) => line.startsWith('installed\t'))
      .map((line) => line.slice('installed\t'.length))
      .sort()
    expect(ours).toEqual(reference)
    expect(new Set(ours).size).toBe(ours.length)
    // minbase has no language packages of its own; Debian's Perl modules have no package metadata we read.
    expect(catalog!.packages.filter((p) => p.kind === 'language')).toEqual([])
  })
})
