import { describe, expect, it } from '@jest/globals'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { buildImage } from '../../../../__fixtures__/image-builder.js'
import { ownedFiles } from '../../../../src/os/owned-files.js'
import { osvEcosystem, parseOsRelease } from '../../../../src/steps/composition/catalog/distro.js'
import { catalogImage } from './catalog-image.js'

/** apk-tools' installed database as Alpine 3.20 writes it (two packages, trimmed file lists). */
const APK_INSTALLED = `C:Q1F9Qy5Lg0V3DL1Mt6dXzqYtZ2Qe0=
P:musl
V:1.2.5-r0
A:x86_64
S:411604
I:667648
T:the musl c library (libc) implementation
U:https://musl.libc.org/
L:MIT
o:musl
m:Natanael Copa <ncopa@alpinelinux.org>
t:1711400880
c:52a57fd8b5ad4e8d5fa8a4a3b28e6c6ffd9ae6e6
F:lib
R:ld-musl-x86_64.so.1
a:0:0:755
Z:Q1xtyxvKWXSb2Tev8TrSd7Rmaeu5Y=
R:libc.musl-x86_64.so.1
a:0:0:777

C:Q1sEiL5AAOL2mdc6U7F3MeSIjW0Iw=
P:libcrypto3
V:3.3.0-r2
A:x86_64
L:Apache-2.0
o:openssl
F:usr/lib
R:libcrypto.so.3

`

const ALPINE_OS_RELEASE =
  'NAME="Alpine Linux"\nID=alpine\nVERSION_ID=3.20.0\nPRETTY_NAME="Alpine Linux v3.20"\n'

describe('apk cataloger', () => {
  it('reports name, version, architecture, origin and license per package', async () => {
    const { catalog, image } = await catalogImage({
      layers: [
        {
          entries: [
            { path: 'etc/os-release', content: ALPINE_OS_RELEASE },
            { path: 'lib/apk/db/installed', content: APK_INSTALLED }
          ]
        }
      ]
    })
    const base = {
      path: '/lib/apk/db/installed',
      kind: 'os',
      ecosystem: 'Alpine:v3.20',
      arch: 'x86_64',
      layerDigest: image.layers[0]!.digest
    }
    expect(catalog.packages).toEqual([
      {
        ...base,
        name: 'libcrypto3',
        version: '3.3.0-r2',
        purl: 'pkg:apk/alpine/libcrypto3@3.3.0-r2?arch=x86_64&distro=alpine-3.20.0&upstream=openssl',
        licenses: ['Apache-2.0'],
        source: { name: 'openssl', version: '3.3.0-r2' }
      },
      {
        ...base,
        name: 'musl',
        version: '1.2.5-r0',
        purl: 'pkg:apk/alpine/musl@1.2.5-r0?arch=x86_64&distro=alpine-3.20.0',
        licenses: ['MIT']
      }
    ])
  })
})

describe('distribution detection', () => {
  it.each([
    ['ID=debian\nVERSION_ID="12"\nVERSION="12 (bookworm)"', 'Debian:12'],
    ['ID=debian\nPRETTY_NAME="Debian GNU/Linux trixie/sid"', 'Debian'],
    ['ID=ubuntu\nVERSION_ID="22.04"\nVERSION="22.04.4 LTS (Jammy Jellyfish)"', 'Ubuntu:22.04:LTS'],
    ['ID=ubuntu\nVERSION_ID="23.10"\nVERSION="23.10 (Mantic Minotaur)"', 'Ubuntu:23.10'],
    ['ID=alpine\nVERSION_ID=3.20.3', 'Alpine:v3.20'],
    ['ID="rhel"\nVERSION_ID="9.4"', 'Red Hat'],
    ['ID="almalinux"\nVERSION_ID="9.4"', 'AlmaLinux:9'],
    ['ID="rocky"\nVERSION_ID="8.10"', 'Rocky Linux:8'],
    ['ID="amzn"\nVERSION_ID="2023"', 'Amazon Linux:2023'],
    ['ID="opensuse-leap"\nVERSION_ID="15.5"', 'openSUSE:Leap 15.5'],
    ['ID="sles"\nVERSION_ID="15.5"', 'SUSE'],
    ['ID=wolfi\nVERSION_ID=20230201', 'Wolfi'],
    ['ID=nixos', undefined]
  ])('maps %j to the OSV ecosystem %s', (text, ecosystem) => {
    const fields = parseOsRelease(text)
    const versionId = fields.get('VERSION_ID')
    expect(
      osvEcosystem(
        { id: fields.get('ID')!, ...(versionId === undefined ? {} : { versionId }) },
        fields.get('VERSION')
      )
    ).toBe(ecosystem)
  })

  it('reads this machine’s os-release', () => {
    if (!existsSync('/etc/os-release')) return
    const fields = parseOsRelease(readFileSync('/etc/os-release', 'utf8'))
    expect(fields.get('ID')).toMatch(/^[a-z0-9._-]+$/)
    expect(fields.get('PRETTY_NAME')).not.toMatch(/^"/)
  })
})

describe('ownedFiles', () => {
  const lists = existsSync('/var/lib/dpkg/info')
    ? readdirSync('/var/lib/dpkg/info').filter((f) => /^(coreutils|zlib1g(:\w+)?)\.list$/.test(f))
    : []

  it('collects dpkg file lists, distroless md5sums and apk F:/R: lines', async () => {
    const { view } = await catalogImage(
      buildImage({
        layers: [
          {
            entries: [
              {
                path: 'var/lib/dpkg/info/hello.list',
                content: '/.\n/usr\n/usr/bin\n/usr/bin/hello\n'
              },
              {
                path: 'var/lib/dpkg/status.d/base-files.md5sums',
                content: 'd41d8cd98f00b204e9800998ecf8427e  etc/debian_version\n'
              },
              { path: 'lib/apk/db/installed', content: APK_INSTALLED }
            ]
          }
        ]
      })
    )
    expect([...ownedFiles(view.fs)].sort()).toEqual([
      '/etc/debian_version',
      '/lib/ld-musl-x86_64.so.1',
      '/lib/libc.musl-x86_64.so.1',
      '/usr',
      '/usr/bin',
      '/usr/bin/hello',
      '/usr/lib/libcrypto.so.3'
    ])
  })

  ;(lists.length === 2 ? it : it.skip)(
    'collects every path of real dpkg .list files, also under merged /usr',
    async () => {
      const { view } = await catalogImage({
        layers: [
          {
            entries: [
              { path: 'usr/bin/', type: 'dir' },
              { path: 'bin', type: 'symlink', linkTarget: 'usr/bin' },
              ...lists.map((name) => ({
                path: `var/lib/dpkg/info/${name}`,
                content: readFileSync(`/var/lib/dpkg/info/${name}`)
              }))
            ]
          }
        ]
      })
      const listed = lists
        .flatMap((name) => readFileSync(`/var/lib/dpkg/info/${name}`, 'utf8').split('\n'))
        .filter((line) => line !== '' && line !== '/.')
      const owned = ownedFiles(view.fs)
      for (const path of listed) expect(owned.has(path)).toBe(true)
      // Debian 12 lists /bin/ls; with /bin → usr/bin the image's file is /usr/bin/ls.
      expect(listed).toContain('/bin/ls')
      expect(owned.has('/usr/bin/ls')).toBe(true)
      expect(
        [...owned]
          .filter((path) => !listed.includes(path))
          .every((path) => path.startsWith('/usr/bin/'))
      ).toBe(true)
    }
  )
})
