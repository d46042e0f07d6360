/**
 * Packages and owned paths an image chooses the number of: a few megabytes of package metadata
 * can list millions of tiny records, each of which costs far more in the scan than its bytes.
 * The scan catalogs at most MAX_SCAN_PACKAGES and reads at most MAX_OWNED_PATHS owned paths, and
 * says where it stopped (`input-not-analysed`), OS packages first.
 */
import { describe, expect, it } from '@jest/globals'
import { copyFileSync, mkdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { buildImage } from '../../__fixtures__/image-builder.js'
import { ACQUIRE, memorySource } from '../../__fixtures__/memory-source.js'
import { tempDir } from '../../__fixtures__/registry.js'
import { runGate } from '../../src/engine.js'
import { silentLogger } from '../../src/log.js'
import { defaultPolicy } from '../../src/policy/defaults.js'
import { parsePolicyInputs } from '../../src/policy/inputs.js'
import { MAX_LISTED_FINDINGS } from '../../src/policy/evaluate.js'
import { MAX_VULNERABILITY_FINDINGS } from '../../src/steps/composition/index.js'
import { NPM_OSV_DIR } from '../steps/composition/osv-data.js'
import { collectOwnedFiles, ownedFiles } from '../../src/os/owned-files.js'
import { parseComposer, parseDotnet } from '../../src/steps/composition/catalog/language.js'
import { MAX_SCAN_PACKAGES } from '../../src/steps/composition/catalog/package.js'
import { catalogImage } from '../steps/composition/catalog/catalog-image.js'

const text = (value: string) => Buffer.from(value)

function composer(vendor: string, count: number): Buffer {
  const packages = Array.from({ length: count }, (_, i) => ({
    name: `${vendor}/p${i}`,
    version: '1.0.0'
  }))
  return text(JSON.stringify({ packages }))
}

const STATUS = ['curl', 'openssl', 'zlib1g']
  .map((name) => `Package: ${name}\nStatus: install ok installed\nVersion: 1.0-1\n`)
  .join('\n')

describe('packages per scan', () => {
  it(`catalogs at most ${MAX_SCAN_PACKAGES}, OS packages first, and names the file where they ran out`, async () => {
    const half = MAX_SCAN_PACKAGES / 2 + 10
    const { catalog, image } = await catalogImage({
      layers: [
        {
          entries: [
            { path: 'app/a/vendor/composer/installed.json', content: composer('a', half) },
            { path: 'app/b/vendor/composer/installed.json', content: composer('b', half) },
            { path: 'app/c/vendor/composer/installed.json', content: composer('c', 5) },
            { path: 'var/lib/dpkg/status', content: text(STATUS) }
          ]
        }
      ]
    })
    expect(catalog.packages).toHaveLength(MAX_SCAN_PACKAGES)
    const byPath = new Map<string, number>()
    for (const pkg of catalog.packages) byPath.set(pkg.path, (byPath.get(pkg.path) ?? 0) + 1)
    expect(Object.fromEntries(byPath)).toEqual({
      '/app/a/vendor/composer/installed.json': half,
      '/app/b/vendor/composer/installed.json': MAX_SCAN_PACKAGES - half - STATUS_COUNT,
      '/var/lib/dpkg/status': STATUS_COUNT
    })
    expect(catalog.unread).toEqual([
      {
        path: '/app/b/vendor/composer/installed.json',
        layerDigest: image.layers[0]!.digest,
        reason: `the image lists more than ${MAX_SCAN_PACKAGES} packages, the most one scan catalogs; packages from this file on (and in the files catalogued after it) are not in the SBOM and not matched against advisories`
      }
    ])
  }, 60_000)

  it('reports nothing when every package fits', async () => {
    const { catalog } = await catalogImage({
      layers: [
        {
          entries: [
            { path: 'app/vendor/composer/installed.json', content: composer('a', 3) },
            { path: 'var/lib/dpkg/status', content: text(STATUS) }
          ]
        }
      ]
    })
    expect(catalog.packages).toHaveLength(3 + STATUS_COUNT)
    expect(catalog.unread).toEqual([])
  })

  it('leaves out a package whose name or version no real one has, and says so', async () => {
    const json = JSON.stringify({
      packages: [
        { name: 'a/ok', version: '1.0.0' },
        { name: `a/${'n'.repeat(2000)}`, version: '1.0.0' },
        { name: 'a/long-version', version: `1.${'0'.repeat(300)}` }
      ]
    })
    const { catalog, image } = await catalogImage({
      layers: [{ entries: [{ path: 'app/vendor/composer/installed.json', content: text(json) }] }]
    })
    expect(catalog.packages.map((p) => p.name)).toEqual(['a/ok'])
    expect(catalog.unread).toEqual([
      {
        path: '/app/vendor/composer/installed.json',
        layerDigest: image.layers[0]!.digest,
        reason:
          '2 package records (the first: a package name of 2002 characters (over 1024)) could not be read; those packages are not in the SBOM'
      }
    ])
  })

  it('makes no more drafts of a long list than it is asked for', () => {
    expect(parseComposer(composer('a', 1000).toString(), () => {}, 7)).toHaveLength(7)
    const libraries = Object.fromEntries(
      Array.from({ length: 1000 }, (_, i) => [`P${i}/1.0.0`, { type: 'package' }])
    )
    const drafts = parseDotnet(JSON.stringify({ libraries }), undefined, 9)
    expect(drafts.map((d) => d.name)).toEqual(Array.from({ length: 9 }, (_, i) => `P${i}`))
  })
})

const STATUS_COUNT = 3

describe('owned paths', () => {
  it('stops at the bound, names the list where it stopped, and keeps the real paths of what it read', async () => {
    const list = (names: string[]) => text(names.map((n) => `/bin/${n}\n`).join(''))
    const { view } = await catalogImage({
      layers: [
        {
          entries: [
            { path: 'bin', type: 'symlink', linkTarget: 'usr/bin' },
            { path: 'usr/bin/', type: 'dir' },
            { path: 'var/lib/dpkg/info/a.list', content: list(['a1', 'a2', 'a3']) },
            { path: 'var/lib/dpkg/info/b.list', content: list(['b1', 'a1', 'b2', 'b3']) },
            { path: 'var/lib/dpkg/info/c.list', content: list(['c1']) }
          ]
        }
      ]
    })
    const owned = collectOwnedFiles(view.fs, 5)
    expect(owned.cutAt).toBe('/var/lib/dpkg/info/b.list')
    expect([...owned.paths].sort()).toEqual(
      ['a1', 'a2', 'a3', 'b1', 'b2'].flatMap((n) => [`/bin/${n}`, `/usr/bin/${n}`]).sort()
    )
    // Under the real bound, everything.
    expect(ownedFiles(view.fs).size).toBe(14)
  })

  it('reads a list of a million lines one line at a time', async () => {
    // Blank lines and the root directory every package lists are not paths.
    const lines = Buffer.alloc(1_000_000, 0x0a)
    const { view } = await catalogImage({
      layers: [
        {
          entries: [
            {
              path: 'var/lib/dpkg/info/x.list',
              content: Buffer.concat([text('/.\n/etc/x\r\n'), lines, text('/etc/y')])
            }
          ]
        }
      ]
    })
    expect([...ownedFiles(view.fs)].sort()).toEqual(['/etc/x\r', '/etc/y'])
  })
})

describe('vulnerabilities per scan', () => {
  it(`makes ${MAX_VULNERABILITY_FINDINGS} findings in full and judges the rest as findings`, async () => {
    // One advisory (lodash < 4.17.21, high) and as many lodash versions in its range as the
    // bound and 10 more, each installed in a directory of its own.
    const db = tempDir('vulns')
    try {
      mkdirSync(join(db, 'npm'))
      copyFileSync(join(NPM_OSV_DIR, 'GHSA-35jh-r3h4-6jhm.json'), join(db, 'npm', 'a.json'))
      const total = MAX_VULNERABILITY_FINDINGS + 10
      const entries = Array.from({ length: total }, (_, i) => ({
        path: `app/n${i}/node_modules/lodash/package.json`,
        content: text(JSON.stringify({ name: 'lodash', version: `1.0.${i}` }))
      }))
      const image = buildImage({ layers: [{ entries }], config: { User: '10001' } })
      const policy = parsePolicyInputs(
        (name) => ({ 'vuln-db': db, steps: 'composition' })[name],
        defaultPolicy()
      )
      const { report } = await runGate(
        { image: 'oci:test', policy, acquire: ACQUIRE },
        silentLogger,
        undefined,
        () => memorySource(image)
      )
      // Every one is judged and counted; the report lists its share and one finding the rest.
      expect(report.summary.counts.high).toBe(total)
      expect(report.summary.blocking).toBe(total)
      const more = report.findings.filter(
        (f) => f.rule === 'composition/vulnerability' && f.unlisted !== undefined
      )
      expect(more).toHaveLength(1)
      expect(more[0]).toMatchObject({ severity: 'high', blocking: true })
      expect(more[0]!.unlisted!.count).toBe(total - MAX_LISTED_FINDINGS)
      expect(report.verdict).toBe('fail')
    } finally {
      rmSync(db, { recursive: true, force: true })
    }
  }, 120_000)
})
