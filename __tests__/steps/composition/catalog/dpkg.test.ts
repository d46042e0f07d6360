import { beforeAll, describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import type { FixtureEntry } from '../../../../__fixtures__/image-builder.js'
import { missingTools } from '../../../../__fixtures__/registry.js'
import { COPYRIGHT_SUBSCRIPTION } from '../../../../src/steps/composition/catalog/dpkg.js'
import { catalogImage } from './catalog-image.js'

// Real files from this machine's dpkg database (Debian 12), as a Debian image would have them.
const DPKG = '/var/lib/dpkg'
const PACKAGES = ['libc6', 'zlib1g', 'coreutils', 'python3-packaging']
const noDpkgQuery = missingTools(['dpkg-query'])
const available =
  noDpkgQuery === undefined &&
  existsSync(`${DPKG}/status`) &&
  PACKAGES.every((name) => listFile(name) !== undefined) &&
  existsSync('/etc/os-release')

function listFile(name: string): string | undefined {
  const names = readdirSync(`${DPKG}/info`)
  return names.find(
    (file) => file === `${name}.list` || (/^.+:.+\.list$/.test(file) && file.startsWith(`${name}:`))
  )
}

function statusParagraphs(names: string[]): string {
  return readFileSync(`${DPKG}/status`, 'utf8')
    .split(/\n\n+/)
    .filter((paragraph) => names.includes(/^Package: (.+)$/m.exec(paragraph)?.[1] ?? ''))
    .join('\n\n')
}

/** What dpkg-query itself says about a package: the reference the catalog must agree with. */
function dpkgQuery(name: string): {
  version: string
  arch: string
  source: string
  sourceVersion: string
} {
  const [version, arch, source, sourceVersion] = execFileSync(
    'dpkg-query',
    ['-W', '-f=${Version}\t${Architecture}\t${source:Package}\t${source:Version}', name],
    { encoding: 'utf8' }
  ).split('\t')
  return { version: version!, arch: arch!, source: source!, sourceVersion: sourceVersion! }
}

const describeDpkg = available ? describe : describe.skip
if (!available)
  console.warn(
    noDpkgQuery ??
      'skipped: this machine has no Debian dpkg database (/var/lib/dpkg) with libc6, zlib1g, coreutils and python3-packaging to take real files from (apt-get install -y python3-packaging)'
  )

describeDpkg('dpkg cataloger on real dpkg files', () => {
  // Read in beforeAll: a skipped describe still runs its body, and these files may not exist.
  let dist: string
  let metadataPath: string
  let layers: FixtureEntry[][]
  beforeAll(() => {
    dist = readdirSync('/usr/lib/python3/dist-packages').find((d) =>
      /^packaging-.+\.dist-info$/.test(d)
    )!
    metadataPath = `usr/lib/python3/dist-packages/${dist}/METADATA`
    layers = [
      [
        { path: 'etc/os-release', content: readFileSync('/etc/os-release') },
        {
          path: 'var/lib/dpkg/status',
          content: statusParagraphs(['libc6', 'zlib1g', 'coreutils'])
        },
        ...['libc6', 'zlib1g', 'coreutils'].map((name) => ({
          path: `var/lib/dpkg/info/${listFile(name)}`,
          content: readFileSync(`${DPKG}/info/${listFile(name)}`)
        })),
        {
          path: 'usr/share/doc/zlib1g/copyright',
          content: readFileSync('/usr/share/doc/zlib1g/copyright')
        }
      ],
      [
        // apt rewrites the whole status file; the new package's .list is this layer's own.
        { path: 'var/lib/dpkg/status', content: statusParagraphs(PACKAGES) },
        {
          path: `var/lib/dpkg/info/${listFile('python3-packaging')}`,
          content: readFileSync(`${DPKG}/info/${listFile('python3-packaging')}`)
        },
        { path: metadataPath, content: readFileSync(`/${metadataPath}`) }
      ]
    ]
  })

  it('reports each installed package with dpkg-query’s version, architecture and source package', async () => {
    const { catalog, image } = await catalogImage({
      layers: layers.map((entries) => ({ entries }))
    })
    const dpkg = catalog.packages.filter((p) => p.kind === 'os')
    expect(dpkg.map((p) => p.name).sort()).toEqual([...PACKAGES].sort())
    for (const pkg of dpkg) {
      const reference = dpkgQuery(pkg.name)
      expect(pkg.version).toBe(reference.version)
      expect(pkg.arch).toBe(reference.arch)
      const sameSource =
        reference.source === pkg.name && reference.sourceVersion === reference.version
      expect(pkg.source).toEqual(
        sameSource ? undefined : { name: reference.source, version: reference.sourceVersion }
      )
      expect(pkg.ecosystem).toBe('Debian:12')
      expect(pkg.path).toBe('/var/lib/dpkg/status')
    }
    const libc6 = dpkg.find((p) => p.name === 'libc6')!
    expect(libc6.purl).toBe(
      `pkg:deb/debian/libc6@${libc6.version}?arch=${libc6.arch}&distro=debian-12&upstream=glibc`
    )
    // The layer that installed a package is the one that wrote its file list, not the status file's.
    expect(libc6.layerDigest).toBe(image.layers[0]!.digest)
    expect(dpkg.find((p) => p.name === 'python3-packaging')!.layerDigest).toBe(
      image.layers[1]!.digest
    )
    expect(catalog.distro).toEqual({
      id: 'debian',
      versionId: '12',
      codename: 'bookworm',
      prettyName: 'Debian GNU/Linux 12 (bookworm)',
      ecosystem: 'Debian:12'
    })
  })

  it('reads licenses from a machine-readable copyright file as SPDX ids', async () => {
    const { catalog } = await catalogImage({ layers: layers.map((entries) => ({ entries })) })
    expect(catalog.packages.find((p) => p.name === 'zlib1g')!.licenses).toEqual(['Zlib'])
  })

  it('reports a Python package installed by apt once, as the Debian package', async () => {
    const { catalog } = await catalogImage({ layers: layers.map((entries) => ({ entries })) })
    expect(catalog.packages.filter((p) => p.ecosystem === 'PyPI')).toEqual([])
    // The same METADATA outside dpkg's file lists is a PyPI package.
    const { catalog: pip } = await catalogImage({
      layers: [
        {
          entries: [
            {
              path: `usr/local/lib/python3.11/site-packages/${dist}/METADATA`,
              content: readFileSync(`/${metadataPath}`)
            }
          ]
        }
      ]
    })
    expect(pip.packages.map((p) => [p.ecosystem, p.name, p.purl])).toEqual([
      [
        'PyPI',
        'packaging',
        `pkg:pypi/packaging@${dist.slice('packaging-'.length, -'.dist-info'.length)}`
      ]
    ])
  })

  it('leaves out packages dpkg keeps only as configuration files', async () => {
    const removed = statusParagraphs(['zlib1g']).replace(
      /^Status: .*$/m,
      'Status: deinstall ok config-files'
    )
    const { catalog } = await catalogImage({
      layers: [{ entries: [{ path: 'var/lib/dpkg/status', content: removed }] }]
    })
    expect(catalog.packages).toEqual([])
  })

  it('reads distroless status.d paragraphs and their md5sums as owned files', async () => {
    const { catalog } = await catalogImage({
      layers: [
        {
          entries: [
            { path: 'var/lib/dpkg/status.d/zlib1g', content: statusParagraphs(['zlib1g']) },
            {
              path: 'var/lib/dpkg/status.d/zlib1g.md5sums',
              content: readFileSync(
                `${DPKG}/info/${listFile('zlib1g')!.replace(/\.list$/, '.md5sums')}`
              )
            }
          ]
        }
      ]
    })
    expect(catalog.packages.map((p) => [p.name, p.ecosystem, p.path])).toEqual([
      ['zlib1g', 'Debian', '/var/lib/dpkg/status.d/zlib1g']
    ])
  })
})

describe('dpkg licences, worked out per layer', () => {
  const dep5 = (license: string): string =>
    `Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n\nFiles: *\nCopyright: 2024 Someone\nLicense: ${license}\n`
  const status = (...names: string[]): FixtureEntry => ({
    path: 'var/lib/dpkg/status',
    content: names
      .map(
        (name) =>
          `Package: ${name}\nStatus: install ok installed\nArchitecture: amd64\nVersion: 1.0-1\n`
      )
      .join('\n')
  })
  const licences = async (layers: FixtureEntry[][]): Promise<Record<string, string[]>> => {
    const { catalog, view } = await catalogImage({ layers: layers.map((entries) => ({ entries })) })
    // The per-layer results are what the catalog used (the final file's layer has one).
    expect(view.visits(COPYRIGHT_SUBSCRIPTION).every((visit) => visit instanceof Map)).toBe(true)
    return Object.fromEntries(catalog.packages.map((p) => [p.name, p.licenses ?? []]))
  }

  it('takes the licences of the copyright file the final filesystem has, from the layer that wrote it', async () => {
    expect(
      await licences([
        [
          status('a', 'b', 'c', 'd'),
          { path: 'usr/share/doc/a/copyright', content: dep5('MIT') },
          { path: 'usr/share/doc/b/copyright', content: dep5('GPL-2+') },
          { path: 'usr/share/doc/c/copyright', content: dep5('Apache-2.0') },
          // Written twice in one layer: the second is what the layer leaves.
          { path: 'usr/share/doc/d/copyright', content: dep5('MIT') },
          { path: 'usr/share/doc/d/copyright', content: dep5('BSD-3-clause') }
        ],
        [
          // Replaced by a later layer, and deleted by one.
          { path: 'usr/share/doc/b/copyright', content: dep5('LGPL-2.1+') },
          { path: 'usr/share/doc/c/.wh.copyright' }
        ]
      ])
    ).toEqual({ a: ['MIT'], b: ['LGPL-2.1-or-later'], c: [], d: ['BSD-3-Clause'] })
  })

  it('reads a hardlinked copyright file through its target, and one that is not DEP-5 as none', async () => {
    expect(
      await licences([
        [
          status('a', 'b', 'c'),
          { path: 'usr/share/doc/a/copyright', content: dep5('Zlib') },
          {
            path: 'usr/share/doc/b/copyright',
            type: 'hardlink',
            linkTarget: 'usr/share/doc/a/copyright'
          },
          { path: 'usr/share/doc/c/copyright', content: 'This is free software; see GPL.\n' }
        ]
      ])
    ).toEqual({ a: ['Zlib'], b: ['Zlib'], c: [] })
  })
})
