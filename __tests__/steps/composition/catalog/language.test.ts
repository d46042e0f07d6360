import { describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { deflateSync } from 'node:zlib'
import { zipSync } from 'fflate'
import { missingTools, tempDir } from '../../../../__fixtures__/registry.js'
import type { Package } from '../../../../src/packages/model.js'
import { catalogImage } from './catalog-image.js'

const ROOT = process.cwd()
const read = (path: string): Buffer => readFileSync(path)
const pick = (packages: Package[]) =>
  packages.map((p) => [p.ecosystem, p.name, p.version, p.purl, p.path])

describe('npm cataloger', () => {
  it('reports real package.json files under node_modules, scoped and global, with their licenses', async () => {
    const semver = JSON.parse(
      readFileSync(join(ROOT, 'node_modules/semver/package.json'), 'utf8')
    ) as { version: string; license: string }
    const types = JSON.parse(
      readFileSync(join(ROOT, 'node_modules/@types/semver/package.json'), 'utf8')
    ) as { version: string; license: string }
    const { catalog, image } = await catalogImage({
      layers: [
        {
          entries: [
            {
              path: 'app/node_modules/semver/package.json',
              content: read(join(ROOT, 'node_modules/semver/package.json'))
            },
            {
              path: 'app/node_modules/@types/semver/package.json',
              content: read(join(ROOT, 'node_modules/@types/semver/package.json'))
            },
            {
              path: 'usr/local/lib/node_modules/semver/package.json',
              content: read(join(ROOT, 'node_modules/semver/package.json'))
            },
            // Not a package: the application's own manifest and a package's test fixture.
            { path: 'app/package.json', content: '{"name":"app","version":"1.0.0"}' },
            {
              path: 'app/node_modules/semver/test/package.json',
              content: '{"name":"fixture","version":"0.0.1"}'
            }
          ]
        }
      ]
    })
    expect(pick(catalog.packages)).toEqual([
      [
        'npm',
        '@types/semver',
        types.version,
        `pkg:npm/%40types/semver@${types.version}`,
        '/app/node_modules/@types/semver/package.json'
      ],
      [
        'npm',
        'semver',
        semver.version,
        `pkg:npm/semver@${semver.version}`,
        '/app/node_modules/semver/package.json'
      ],
      [
        'npm',
        'semver',
        semver.version,
        `pkg:npm/semver@${semver.version}`,
        '/usr/local/lib/node_modules/semver/package.json'
      ]
    ])
    expect(catalog.packages.map((p) => p.licenses)).toEqual([
      [types.license],
      [semver.license],
      [semver.license]
    ])
    expect(
      catalog.packages.every(
        (p) => p.kind === 'language' && p.layerDigest === image.layers[0]!.digest
      )
    ).toBe(true)
  })

  it('drops a package a later layer deletes and keeps the layer that last wrote one', async () => {
    const manifest = read(join(ROOT, 'node_modules/semver/package.json'))
    const { catalog, image } = await catalogImage({
      layers: [
        {
          entries: [
            { path: 'a/node_modules/semver/package.json', content: manifest },
            { path: 'b/node_modules/semver/package.json', content: manifest }
          ]
        },
        {
          entries: [
            { path: 'a/node_modules/.wh.semver' },
            { path: 'b/node_modules/semver/package.json', content: manifest }
          ]
        }
      ]
    })
    expect(catalog.packages.map((p) => [p.path, p.layerDigest])).toEqual([
      ['/b/node_modules/semver/package.json', image.layers[1]!.digest]
    ])
  })
})

describe('Python cataloger', () => {
  const site = '/root/.pyenv/versions/3.11.7/lib/python3.11/site-packages'
  const dist = existsSync(site)
    ? readdirSync(site).find((d) => /^attrs-.+\.dist-info$/.test(d))
    : undefined
  ;(dist === undefined ? it.skip : it)(
    'reads a real dist-info METADATA with its license expression',
    async () => {
      const metadata = readFileSync(join(site, dist!, 'METADATA'), 'utf8')
      const version = /^Version: (.+)$/m.exec(metadata)![1]!
      const license =
        /^License-Expression: (.+)$/m.exec(metadata)?.[1] ?? /^License: (.+)$/m.exec(metadata)?.[1]
      const { catalog } = await catalogImage({
        layers: [
          {
            entries: [
              { path: `usr/lib/python3.11/site-packages/${dist}/METADATA`, content: metadata }
            ]
          }
        ]
      })
      expect(
        catalog.packages.map((p) => [p.ecosystem, p.name, p.version, p.purl, p.licenses])
      ).toEqual([
        [
          'PyPI',
          'attrs',
          version,
          `pkg:pypi/attrs@${version}`,
          license === undefined ? [] : [license]
        ]
      ])
    }
  )

  it('reads egg-info PKG-INFO files and directories', async () => {
    const pkgInfo =
      'Metadata-Version: 1.1\nName: Jinja2\nVersion: 3.1.2\nLicense: BSD-3-Clause\n\nlong description\nName: not-this\n'
    const { catalog } = await catalogImage({
      layers: [
        {
          entries: [
            {
              path: 'usr/lib/python3/dist-packages/Jinja2-3.1.2.egg-info/PKG-INFO',
              content: pkgInfo
            },
            {
              path: 'usr/lib/python3/dist-packages/six-1.16.0.egg-info',
              content: pkgInfo.replace('Jinja2', 'six').replace('3.1.2', '1.16.0')
            }
          ]
        }
      ]
    })
    expect(catalog.packages.map((p) => [p.name, p.version, p.purl, p.licenses])).toEqual([
      ['Jinja2', '3.1.2', 'pkg:pypi/jinja2@3.1.2', ['BSD-3-Clause']],
      ['six', '1.16.0', 'pkg:pypi/six@1.16.0', ['BSD-3-Clause']]
    ])
  })
})

describe('Go cataloger', () => {
  // Debian's containernetworking-plugins: a real Go 1.19 binary with inline build info.
  const binary = '/usr/lib/cni/loopback'
  ;(existsSync(binary) ? it : it.skip)(
    'reads the toolchain of a real Go binary as the stdlib module',
    async () => {
      const bytes = read(binary)
      const goVersion = /go(1\.\d+\.\d+)/.exec(
        bytes.toString('latin1', bytes.indexOf('\xff Go buildinf:', 0, 'latin1'))
      )![1]!
      const { catalog } = await catalogImage({
        layers: [{ entries: [{ path: 'usr/local/bin/loopback', content: bytes, mode: 0o755 }] }]
      })
      expect(pick(catalog.packages)).toEqual([
        ['Go', 'stdlib', goVersion, `pkg:golang/stdlib@${goVersion}`, '/usr/local/bin/loopback']
      ])
    }
  )

  it('reads the main module and dependencies, applying replacements', async () => {
    // debug/buildinfo layout: an ELF file, the 32-byte header at a 16-byte aligned offset, varint strings.
    const elf = Buffer.alloc(4096)
    Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]).copy(elf)
    const header = Buffer.alloc(32)
    header.write('\xff Go buildinf:', 0, 'latin1')
    header[14] = 8
    header[15] = 2
    const modInfo = [
      'path\texample.com/app/cmd/app',
      'mod\texample.com/app\tv1.4.0\th1:abc=',
      'dep\tgithub.com/spf13/cobra\tv1.8.0\th1:def=',
      'dep\tgolang.org/x/net\tv0.17.0',
      '=>\tgolang.org/x/net\tv0.23.0\th1:ghi=',
      'build\tGOOS=linux',
      ''
    ].join('\n')
    const sentinel = Buffer.alloc(16, 0x30)
    const str = (s: Buffer): Buffer =>
      Buffer.concat([
        Buffer.from([
          (s.length & 0x7f) | (s.length > 127 ? 0x80 : 0),
          ...(s.length > 127 ? [s.length >> 7] : [])
        ]),
        s
      ])
    const info = Buffer.concat([
      header,
      str(Buffer.from('go1.22.3')),
      str(Buffer.concat([sentinel, Buffer.from(modInfo), sentinel]))
    ])
    const { catalog } = await catalogImage({
      layers: [
        {
          entries: [
            { path: 'app', content: Buffer.concat([elf, info, Buffer.alloc(100)]), mode: 0o755 }
          ]
        }
      ]
    })
    expect(pick(catalog.packages)).toEqual([
      ['Go', 'example.com/app', 'v1.4.0', 'pkg:golang/example.com/app@v1.4.0', '/app'],
      [
        'Go',
        'github.com/spf13/cobra',
        'v1.8.0',
        'pkg:golang/github.com/spf13/cobra@v1.8.0',
        '/app'
      ],
      ['Go', 'golang.org/x/net', 'v0.23.0', 'pkg:golang/golang.org/x/net@v0.23.0', '/app'],
      ['Go', 'stdlib', '1.22.3', 'pkg:golang/stdlib@1.22.3', '/app']
    ])
  })
})

describe('Java cataloger', () => {
  const lang3 = '/usr/share/java/commons-lang3.jar'
  const noPom = '/usr/share/java/atinject-jsr330-api-1.0.jar'
  ;(existsSync(lang3) && existsSync(noPom) && missingTools(['unzip']) === undefined ? it : it.skip)(
    'reads pom.properties of real JARs, the MANIFEST.MF without one, and JARs nested in a WAR',
    async () => {
      const props = execFileSync(
        'unzip',
        ['-p', lang3, 'META-INF/maven/org.apache.commons/commons-lang3/pom.properties'],
        { encoding: 'utf8' }
      )
      const version = /^version=(.+)$/m.exec(props)![1]!
      const war = zipSync({
        'WEB-INF/web.xml': Buffer.from('<web-app/>'),
        'WEB-INF/lib/commons-lang3.jar': read(lang3)
      })
      const { catalog } = await catalogImage({
        layers: [
          {
            entries: [
              { path: 'opt/app/lib/commons-lang3.jar', content: read(lang3) },
              { path: 'opt/app/lib/atinject-jsr330-api-1.0.jar', content: read(noPom) },
              { path: 'opt/app/app.war', content: Buffer.from(war) }
            ]
          }
        ]
      })
      expect(pick(catalog.packages)).toEqual([
        [
          'Maven',
          'org.apache.commons:commons-lang3',
          version,
          `pkg:maven/org.apache.commons/commons-lang3@${version}`,
          '/opt/app/app.war:WEB-INF/lib/commons-lang3.jar'
        ],
        [
          'Maven',
          'atinject-jsr330-api:atinject-jsr330-api',
          '1.0.0',
          'pkg:maven/atinject-jsr330-api/atinject-jsr330-api@1.0.0',
          '/opt/app/lib/atinject-jsr330-api-1.0.jar'
        ],
        [
          'Maven',
          'org.apache.commons:commons-lang3',
          version,
          `pkg:maven/org.apache.commons/commons-lang3@${version}`,
          '/opt/app/lib/commons-lang3.jar'
        ]
      ])
    }
  )
})

describe('Rust cataloger', () => {
  const missing = missingTools(['gcc', 'objcopy'])
  if (missing !== undefined)
    console.warn(
      'Rust cataloger test skipped: gcc and objcopy are not on PATH (apt-get install -y gcc binutils)'
    )
  ;(missing === undefined ? it : it.skip)(
    'reads cargo-auditable dependencies from the .dep-v0 section of an ELF binary',
    async () => {
      const dir = tempDir('catalog-rust-')
      writeFileSync(join(dir, 'main.c'), 'int main(void) { return 0; }\n')
      const audit = {
        packages: [
          { name: 'app', version: '0.1.0', source: 'local', dependencies: [1, 2], root: true },
          { name: 'serde', version: '1.0.193', source: 'crates.io' },
          { name: 'cc', version: '1.0.83', source: 'crates.io', kind: 'build' }
        ]
      }
      writeFileSync(join(dir, 'dep-v0'), deflateSync(Buffer.from(JSON.stringify(audit))))
      execFileSync('gcc', ['-o', join(dir, 'app'), join(dir, 'main.c')])
      execFileSync('objcopy', ['--add-section', `.dep-v0=${join(dir, 'dep-v0')}`, join(dir, 'app')])
      const { catalog } = await catalogImage({
        layers: [
          { entries: [{ path: 'usr/bin/app', content: read(join(dir, 'app')), mode: 0o755 }] }
        ]
      })
      expect(pick(catalog.packages)).toEqual([
        ['crates.io', 'app', '0.1.0', 'pkg:cargo/app@0.1.0', '/usr/bin/app'],
        ['crates.io', 'serde', '1.0.193', 'pkg:cargo/serde@1.0.193', '/usr/bin/app']
      ])
    }
  )
})

describe('npm names', () => {
  it.each(
    (
      [
        ['left-pad', true],
        ['JSONStream', true],
        ['@babel/core', true],
        ["Bad!'(name)*~", true],
        ['@invalid/packageName/', false],
        ['@scope', false],
        ['@scope/a/b', false],
        ['.hidden', false],
        ['_private', false],
        ['@scope/_private', true],
        ['@_scope/x', true],
        ['@.scope/x', true],
        ['@scope/.x', false],
        ['lodash.merge', true],
        ['with space', false],
        ['ünïcode', false],
        ['x'.repeat(215), true]
      ] as [string, boolean][]
    ).map(([name, valid]) => ({
      name,
      valid,
      shown: name.length > 40 ? `${name.length} characters` : name
    }))
  )('is $shown a name npm installs? $valid', async ({ name, valid }) => {
    const { catalog } = await catalogImage({
      layers: [
        {
          entries: [
            {
              path: 'app/node_modules/x/package.json',
              content: JSON.stringify({ name, version: '1.0.0' })
            }
          ]
        }
      ]
    })
    expect(catalog.packages.map((p) => p.name)).toEqual(valid ? [name] : [])
  })
})

describe('conda cataloger', () => {
  // A record as conda writes it into conda-meta (PrefixRecord), shortened: files and paths_data
  // list every installed file.
  const record = (fields: Record<string, unknown>): string =>
    JSON.stringify({
      build_number: 0,
      channel: 'https://repo.anaconda.com/pkgs/main/linux-64',
      constrains: [],
      depends: ['python >=3.8,<3.9.0a0', 'setuptools', 'wheel'],
      extracted_package_dir: '/opt/conda/pkgs/pip-22.2.2-py38h06a4308_0',
      files: ['lib/python3.8/site-packages/pip-22.2.2.dist-info/METADATA'],
      fn: 'pip-22.2.2-py38h06a4308_0.conda',
      license_family: 'MIT',
      md5: '1c4f1f7e9d0b0f2b1d1bd3fb7a9b9e6b',
      requested_spec:
        'defaults/linux-64::pip==22.2.2=py38h06a4308_0[md5=1c4f1f7e9d0b0f2b1d1bd3fb7a9b9e6b]',
      size: 2945285,
      subdir: 'linux-64',
      timestamp: 1660743633000,
      url: 'https://repo.anaconda.com/pkgs/main/linux-64/pip-22.2.2-py38h06a4308_0.conda',
      ...fields
    })

  it('reads conda-meta records into the SBOM, and leaves history and other files alone', async () => {
    const { catalog } = await catalogImage({
      layers: [
        {
          entries: [
            {
              path: 'opt/conda/conda-meta/pip-22.2.2-py38h06a4308_0.json',
              content: record({
                name: 'pip',
                version: '22.2.2',
                build: 'py38h06a4308_0',
                license: 'MIT'
              })
            },
            {
              path: 'opt/conda/envs/app/conda-meta/openssl-3.0.8-h7f8727e_0.json',
              content: record({
                name: 'openssl',
                version: '3.0.8',
                build: 'h7f8727e_0',
                license: 'Apache-2.0'
              })
            },
            {
              path: 'opt/conda/conda-meta/history',
              content: '==> 2022-08-17 <==\n+defaults::pip-22.2.2\n'
            }
          ]
        }
      ]
    })
    expect(
      catalog.packages.map((p) => [p.ecosystem, p.name, p.version, p.purl, p.path, p.licenses])
    ).toEqual([
      [
        'conda',
        'pip',
        '22.2.2',
        'pkg:conda/pip@22.2.2?build=py38h06a4308_0&subdir=linux-64',
        '/opt/conda/conda-meta/pip-22.2.2-py38h06a4308_0.json',
        ['MIT']
      ],
      [
        'conda',
        'openssl',
        '3.0.8',
        'pkg:conda/openssl@3.0.8?build=h7f8727e_0&subdir=linux-64',
        '/opt/conda/envs/app/conda-meta/openssl-3.0.8-h7f8727e_0.json',
        ['Apache-2.0']
      ]
    ])
    expect(catalog.unread).toEqual([])
  })

  it('reports a record without a version as not analysed', async () => {
    const { catalog } = await catalogImage({
      layers: [
        {
          entries: [{ path: 'opt/conda/conda-meta/pip.json', content: record({ name: 'pip' }) }]
        }
      ]
    })
    expect(catalog.packages).toEqual([])
    expect((catalog.unread ?? []).map((u) => [u.path, u.reason])).toEqual([
      [
        '/opt/conda/conda-meta/pip.json',
        'it has no "name" or no "version"; the package it describes is not in the SBOM'
      ]
    ])
  })
})

describe('.NET, RubyGems and Composer catalogers', () => {
  it.each([
    {
      format: '.NET deps.json',
      path: 'app/app.deps.json',
      content: JSON.stringify({
        runtimeTarget: { name: '.NETCoreApp,Version=v8.0' },
        libraries: {
          'app/1.0.0': { type: 'project', serviceable: false, sha512: '' },
          'Newtonsoft.Json/13.0.1': {
            type: 'package',
            serviceable: true,
            sha512: 'sha512-x',
            path: 'newtonsoft.json/13.0.1'
          }
        }
      }),
      expected: [
        [
          'NuGet',
          'Newtonsoft.Json',
          '13.0.1',
          'pkg:nuget/Newtonsoft.Json@13.0.1',
          '/app/app.deps.json'
        ]
      ]
    },
    {
      format: 'gemspec',
      path: 'usr/local/bundle/specifications/rack-2.2.8.gemspec',
      content:
        '# -*- encoding: utf-8 -*-\nGem::Specification.new do |s|\n  s.name = "rack".freeze\n  s.version = "2.2.8"\n  s.licenses = ["MIT".freeze]\nend\n',
      expected: [
        [
          'RubyGems',
          'rack',
          '2.2.8',
          'pkg:gem/rack@2.2.8',
          '/usr/local/bundle/specifications/rack-2.2.8.gemspec'
        ]
      ]
    },
    {
      format: 'Composer 2 installed.json',
      path: 'var/www/vendor/composer/installed.json',
      content: JSON.stringify({
        packages: [
          {
            name: 'guzzlehttp/guzzle',
            version: '7.8.0',
            version_normalized: '7.8.0.0',
            license: ['MIT']
          }
        ],
        dev: true
      }),
      expected: [
        [
          'Packagist',
          'guzzlehttp/guzzle',
          '7.8.0',
          'pkg:composer/guzzlehttp/guzzle@7.8.0',
          '/var/www/vendor/composer/installed.json'
        ]
      ]
    }
  ])('reads $format', async ({ path, content, expected }) => {
    const { catalog } = await catalogImage({ layers: [{ entries: [{ path, content }] }] })
    expect(pick(catalog.packages)).toEqual(expected)
  })
})
