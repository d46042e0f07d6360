/**
 * Installed forms of language packages that peers' test suites expect (issue 10): .NET runtime
 * packs without reference-only packages, Python eggs and case-insensitive metadata directories,
 * licences from trove classifiers, gemspecs with any block variable and default gems' specifications,
 * CPython 2's own egg-info left out.
 */
import { beforeAll, describe, expect, it } from '@jest/globals'
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { zipSync } from 'fflate'
import { tempDir } from '../../../../__fixtures__/registry.js'
import type { Package } from '../../../../src/packages/model.js'
import { catalogImage } from './catalog-image.js'

const pick = (packages: Package[]) =>
  packages.map((p) => [p.ecosystem, p.name, p.version, p.purl, p.path, p.licenses])

/**
 * The deps.json `dotnet publish -r linux-x64 --self-contained` writes (dotnet/runtime docs
 * "deps.json"): a framework-only target and the runtime target, whose entries list the files
 * each library deploys.
 */
const SELF_CONTAINED_DEPS = {
  runtimeTarget: { name: '.NETCoreApp,Version=v8.0/linux-x64', signature: '' },
  compilationOptions: {},
  targets: {
    '.NETCoreApp,Version=v8.0': {},
    '.NETCoreApp,Version=v8.0/linux-x64': {
      'shop/1.0.0': {
        dependencies: {
          'Newtonsoft.Json': '13.0.1',
          'SQLitePCLRaw.lib.e_sqlite3': '2.1.6',
          'Humanizer.Core.fr': '2.14.1',
          'NETStandard.Library': '2.0.3',
          'Microsoft.NETCore.App.Ref': '8.0.11',
          'Microsoft.NETCore.App.Runtime.linux-x64': '8.0.11',
          'Microsoft.AspNetCore.App.Runtime.linux-x64': '8.0.11'
        },
        runtime: { 'shop.dll': {} }
      },
      'runtimepack.Microsoft.NETCore.App.Runtime.linux-x64/8.0.11': {
        runtime: {
          'System.Private.CoreLib.dll': {
            assemblyVersion: '8.0.0.0',
            fileVersion: '8.0.1124.51707'
          }
        },
        native: { 'libcoreclr.so': { fileVersion: '0.0.0.0' } }
      },
      'runtimepack.Microsoft.AspNetCore.App.Runtime.linux-x64/8.0.11': {
        runtime: {
          'Microsoft.AspNetCore.dll': { assemblyVersion: '8.0.0.0', fileVersion: '8.0.1124.52116' }
        }
      },
      'Newtonsoft.Json/13.0.1': {
        runtime: {
          'lib/net6.0/Newtonsoft.Json.dll': {
            assemblyVersion: '13.0.0.0',
            fileVersion: '13.0.1.25517'
          }
        }
      },
      'SQLitePCLRaw.lib.e_sqlite3/2.1.6': {
        runtimeTargets: {
          'runtimes/linux-x64/native/libe_sqlite3.so': { rid: 'linux-x64', assetType: 'native' }
        }
      },
      'Humanizer.Core.fr/2.14.1': {
        dependencies: { 'Humanizer.Core': '2.14.1' },
        resources: { 'lib/netstandard2.0/fr/Humanizer.resources.dll': { locale: 'fr' } }
      },
      // A meta package: dependencies only. A reference pack: compile-time assemblies only.
      'NETStandard.Library/2.0.3': {
        dependencies: { 'Microsoft.NETCore.Platforms': '1.1.0' }
      },
      'Microsoft.NETCore.App.Ref/8.0.11': {
        compile: { 'ref/net8.0/System.Runtime.dll': {} }
      },
      'Empty.Runtime/1.0.0': { runtime: {}, native: {} }
    }
  },
  libraries: {
    'shop/1.0.0': { type: 'project', serviceable: false, sha512: '' },
    'runtimepack.Microsoft.NETCore.App.Runtime.linux-x64/8.0.11': {
      type: 'runtimepack',
      serviceable: false,
      sha512: ''
    },
    'runtimepack.Microsoft.AspNetCore.App.Runtime.linux-x64/8.0.11': {
      type: 'runtimepack',
      serviceable: false,
      sha512: ''
    },
    'Newtonsoft.Json/13.0.1': {
      type: 'package',
      serviceable: true,
      sha512:
        'sha512-ppPFpBcvxdsfUonNcvITKqLl3bqxWbDCZIzDWHzjpdAHRFfZe0Dw9HmA0+za13IdyrgJwpkDTDA9fHaxOrt20A==',
      path: 'newtonsoft.json/13.0.1',
      hashPath: 'newtonsoft.json.13.0.1.nupkg.sha512'
    },
    'SQLitePCLRaw.lib.e_sqlite3/2.1.6': {
      type: 'package',
      serviceable: true,
      sha512: 'sha512-x',
      path: 'sqlitepclraw.lib.e_sqlite3/2.1.6'
    },
    'Humanizer.Core.fr/2.14.1': {
      type: 'package',
      serviceable: true,
      sha512: 'sha512-x',
      path: 'humanizer.core.fr/2.14.1'
    },
    'NETStandard.Library/2.0.3': {
      type: 'package',
      serviceable: true,
      sha512: 'sha512-x',
      path: 'netstandard.library/2.0.3'
    },
    'Microsoft.NETCore.App.Ref/8.0.11': {
      type: 'package',
      serviceable: true,
      sha512: 'sha512-x',
      path: 'microsoft.netcore.app.ref/8.0.11'
    },
    'Empty.Runtime/1.0.0': { type: 'package', serviceable: true, sha512: 'sha512-x' },
    // In `libraries` but in no target entry: kept, as a library the target may just not list.
    'Listed.Only/2.0.0': { type: 'package', serviceable: true, sha512: 'sha512-x' },
    'Some.Reference/1.0.0': { type: 'reference', serviceable: false, sha512: '' }
  }
}

describe('.NET deps.json', () => {
  const nuget = (name: string, version: string) => [
    'NuGet',
    name,
    version,
    `pkg:nuget/${name}@${version}`,
    '/app/shop.deps.json',
    []
  ]

  it('reports the runtime packs of a self-contained app and packages with runtime assets, not reference or meta packages', async () => {
    const { catalog } = await catalogImage({
      layers: [
        {
          entries: [
            { path: 'app/shop.deps.json', content: JSON.stringify(SELF_CONTAINED_DEPS, null, 2) }
          ]
        }
      ]
    })
    expect(pick(catalog.packages)).toEqual([
      nuget('Humanizer.Core.fr', '2.14.1'),
      nuget('Listed.Only', '2.0.0'),
      nuget('Microsoft.AspNetCore.App.Runtime.linux-x64', '8.0.11'),
      nuget('Microsoft.NETCore.App.Runtime.linux-x64', '8.0.11'),
      nuget('Newtonsoft.Json', '13.0.1'),
      nuget('SQLitePCLRaw.lib.e_sqlite3', '2.1.6')
    ])
    expect(catalog.unread).toEqual([])
  })

  it('reads the first target when runtimeTarget names none of them', async () => {
    const deps = {
      ...SELF_CONTAINED_DEPS,
      runtimeTarget: { name: '.NETCoreApp,Version=v8.0/linux-musl-x64', signature: '' },
      targets: {
        '.NETCoreApp,Version=v8.0/linux-x64':
          SELF_CONTAINED_DEPS.targets['.NETCoreApp,Version=v8.0/linux-x64'],
        '.NETCoreApp,Version=v8.0': {}
      }
    }
    const { catalog } = await catalogImage({
      layers: [{ entries: [{ path: 'app/shop.deps.json', content: JSON.stringify(deps) }] }]
    })
    expect(catalog.packages.map((p) => p.name)).toEqual([
      'Humanizer.Core.fr',
      'Listed.Only',
      'Microsoft.AspNetCore.App.Runtime.linux-x64',
      'Microsoft.NETCore.App.Runtime.linux-x64',
      'Newtonsoft.Json',
      'SQLitePCLRaw.lib.e_sqlite3'
    ])
  })
})

const METADATA = (name: string, version: string, extra = '') =>
  `Metadata-Version: 2.1\nName: ${name}\nVersion: ${version}\n${extra}\nlong description\nLicense: not-this\n`

describe('Python metadata', () => {
  it('finds dist-info and egg-info directories whatever the case of their suffix', async () => {
    const site = 'usr/local/lib/python3.12/site-packages'
    const { catalog } = await catalogImage({
      layers: [
        {
          entries: [
            {
              path: `${site}/PyYAML-6.0.1.dist-info/METADATA`,
              content: METADATA('PyYAML', '6.0.1')
            },
            { path: `${site}/Foo-1.0.DIST-INFO/METADATA`, content: METADATA('Foo', '1.0') },
            { path: `${site}/Bar-2.0.Egg-Info/PKG-INFO`, content: METADATA('Bar', '2.0') },
            { path: `${site}/Baz-3.0.EGG-INFO`, content: METADATA('Baz', '3.0') },
            {
              path: `${site}/Qux-4.0-py3.12.egg/EGG-INFO/PKG-INFO`,
              content: METADATA('Qux', '4.0')
            },
            // Not metadata: importlib opens METADATA by its exact name.
            { path: `${site}/Nope-1.0.dist-info/RECORD`, content: METADATA('Nope', '1.0') }
          ]
        }
      ]
    })
    expect(catalog.packages.map((p) => [p.name, p.version, p.purl])).toEqual([
      ['Bar', '2.0', 'pkg:pypi/bar@2.0'],
      ['Baz', '3.0', 'pkg:pypi/baz@3.0'],
      ['Foo', '1.0', 'pkg:pypi/foo@1.0'],
      ['PyYAML', '6.0.1', 'pkg:pypi/pyyaml@6.0.1'],
      ['Qux', '4.0', 'pkg:pypi/qux@4.0']
    ])
  })

  it.each([
    {
      header: 'License: UNKNOWN\nClassifier: License :: OSI Approved :: MIT License\n',
      licenses: ['MIT']
    },
    {
      header:
        'License: \nClassifier: Development Status :: 5 - Production/Stable\nClassifier: License :: OSI Approved :: Apache Software License\nClassifier: License :: OSI Approved :: BSD License\n',
      licenses: ['Apache-2.0', 'BSD License']
    },
    {
      header:
        'Classifier: License :: OSI Approved :: GNU Lesser General Public License v3 or later (LGPLv3+)\nClassifier: License :: OSI Approved\n',
      licenses: ['LGPL-3.0-or-later']
    },
    {
      header: 'License: BSD-3-Clause\nClassifier: License :: OSI Approved :: MIT License\n',
      licenses: ['BSD-3-Clause']
    },
    // A name that is also an Object.prototype key stays free text.
    { header: 'Classifier: License :: OSI Approved :: constructor\n', licenses: ['constructor'] },
    { header: 'License: UNKNOWN\n', licenses: [] }
  ])(
    'takes licences from trove classifiers when License says nothing: $licenses',
    async ({ header, licenses }) => {
      const { catalog } = await catalogImage({
        layers: [
          {
            entries: [
              {
                path: 'usr/lib/python3/dist-packages/demo-1.0.dist-info/METADATA',
                content: METADATA('demo', '1.0', header)
              }
            ]
          }
        ]
      })
      expect(catalog.packages.map((p) => p.licenses)).toEqual([licenses])
    }
  )

  it("leaves out CPython 2's own Python-2.7.egg-info, in lib-dynload or copied elsewhere: the interpreter, not a PyPI package", async () => {
    const { catalog } = await catalogImage({
      layers: [
        {
          entries: [
            // What CPython 2.7's `make install` writes for the interpreter (setup.py install_egg_info).
            {
              path: 'usr/local/lib/python2.7/lib-dynload/Python-2.7.egg-info',
              content: METADATA('Python', '2.7.18', 'License: PSF license\n')
            },
            // The same file where RHEL puts it, and copied elsewhere (Syft's test fixture).
            {
              path: 'usr/lib64/python2.7/lib-dynload/Python-2.7.5-py2.7.egg-info',
              content: METADATA('Python', '2.7.5')
            },
            {
              path: 'opt/fixtures/Python-2.7.egg-info',
              content: METADATA('Python', '2.7.18')
            },
            {
              path: 'usr/local/lib/python2.7/site-packages/six-1.16.0-py2.7.egg-info',
              content: METADATA('six', '1.16.0', 'License: MIT\n')
            },
            // Named Python but installed like any distribution: kept.
            {
              path: 'usr/local/lib/python2.7/site-packages/Python-0.1.dist-info/METADATA',
              content: METADATA('Python', '0.1')
            }
          ]
        }
      ]
    })
    expect(catalog.packages.map((p) => [p.name, p.version, p.path])).toEqual([
      ['Python', '0.1', '/usr/local/lib/python2.7/site-packages/Python-0.1.dist-info/METADATA'],
      ['six', '1.16.0', '/usr/local/lib/python2.7/site-packages/six-1.16.0-py2.7.egg-info']
    ])
    expect(catalog.unread).toEqual([])
  })

  it("leaves out the eggs and metadata in CPython's own test suite: test data, not installed", async () => {
    const { catalog } = await catalogImage({
      layers: [
        {
          entries: [
            {
              path: 'usr/local/lib/python3.11/test/test_importlib/data/example-21.12-py3.6.egg',
              content: 'not even a zip'
            },
            {
              path: 'usr/lib/python3.11/test/test_importlib/data/example-21.12.dist-info/METADATA',
              content: METADATA('example', '21.12')
            },
            // A distribution named test, installed: kept.
            {
              path: 'usr/local/lib/python3.11/site-packages/test-1.0.dist-info/METADATA',
              content: METADATA('test', '1.0')
            }
          ]
        }
      ]
    })
    expect(catalog.packages.map((p) => [p.name, p.version])).toEqual([['test', '1.0']])
    expect(catalog.unread).toEqual([])
  })

  it('reports a zip named .egg without EGG-INFO/PKG-INFO, and one that is no zip, as not analysed', async () => {
    const { catalog, image } = await catalogImage({
      layers: [
        {
          entries: [
            {
              path: 'opt/eggs/empty-1.0-py3.12.egg',
              content: Buffer.from(zipSync({ 'empty/__init__.py': Buffer.from('') }))
            },
            { path: 'opt/eggs/broken-1.0-py3.12.egg', content: 'not a zip' }
          ]
        }
      ]
    })
    expect(catalog.packages).toEqual([])
    const layerDigest = image.layers[0]!.digest
    expect(catalog.unread).toEqual([
      {
        path: '/opt/eggs/broken-1.0-py3.12.egg',
        layerDigest,
        reason:
          'it could not be parsed (no end of central directory record); the package it describes is not in the SBOM'
      },
      {
        path: '/opt/eggs/empty-1.0-py3.12.egg',
        layerDigest,
        reason: 'it has no EGG-INFO/PKG-INFO; the package it describes is not in the SBOM'
      }
    ])
  })
})

describe('zipped eggs built by setuptools', () => {
  const python = spawnSync('python3', ['-c', 'import setuptools.command.bdist_egg'])
  const available = python.status === 0
  if (!available) {
    console.warn(
      'Egg test skipped: python3 with setuptools is not on PATH (apt-get install -y python3-setuptools)'
    )
  }
  let egg: { name: string; bytes: Buffer } | undefined
  beforeAll(() => {
    if (!available) return
    const dir = tempDir('catalog-egg-')
    mkdirSync(join(dir, 'demo_egg'))
    writeFileSync(join(dir, 'demo_egg', '__init__.py'), '')
    writeFileSync(
      join(dir, 'setup.py'),
      "from setuptools import setup\nsetup(name='Demo_Egg', version='1.2.3', packages=['demo_egg'], classifiers=['License :: OSI Approved :: MIT License'])\n"
    )
    execFileSync('python3', ['setup.py', '-q', 'bdist_egg'], { cwd: dir, stdio: 'ignore' })
    const name = readdirSync(join(dir, 'dist')).find((f) => f.endsWith('.egg'))!
    egg = { name, bytes: readFileSync(join(dir, 'dist', name)) }
  })
  ;(available ? it : it.skip)(
    'reads Name, Version and classifier licence from a real .egg',
    async () => {
      const path = `usr/lib/python3/site-packages/${egg!.name}`
      const { catalog } = await catalogImage({
        layers: [{ entries: [{ path, content: egg!.bytes }] }]
      })
      expect(pick(catalog.packages)).toEqual([
        ['PyPI', 'Demo-Egg', '1.2.3', 'pkg:pypi/demo-egg@1.2.3', `/${path}`, ['MIT']]
      ])
    }
  )
})

describe('gemspecs', () => {
  const specs = 'usr/local/bundle/specifications'
  it('reads specifications whatever their block variable, and rejects ones without a name or version', async () => {
    const { catalog, image } = await catalogImage({
      layers: [
        {
          entries: [
            {
              path: `${specs}/rack-2.2.8.gemspec`,
              content:
                '# -*- encoding: utf-8 -*-\nGem::Specification.new do |s|\n  s.name = "rack".freeze\n  s.version = "2.2.8"\n  s.licenses = ["MIT".freeze]\nend\n'
            },
            {
              path: `${specs}/nokogiri-1.16.0.gemspec`,
              content:
                "Gem::Specification.new do |spec|\n  spec.name    = 'nokogiri'\n  spec.version = Gem::Version.new('1.16.0')\n  spec.license = 'MIT'\nend\n"
            },
            {
              path: `${specs}/puma-6.4.0.gemspec`,
              content:
                'Gem::Specification.new do |gem|\n  gem.name = "puma"\n  gem.version = "6.4.0"\n  gem.licenses = ["BSD-3-Clause"]\n  s.name = "not-this"\nend\n'
            },
            {
              path: `${specs}/noversion-1.0.gemspec`,
              content:
                'Gem::Specification.new do |spec|\n  spec.name = "noversion"\n  s.version = "1.0"\nend\n'
            },
            { path: `${specs}/noblock.gemspec`, content: 's.name = "x"\ns.version = "1"\n' }
          ]
        }
      ]
    })
    expect(pick(catalog.packages)).toEqual([
      [
        'RubyGems',
        'nokogiri',
        '1.16.0',
        'pkg:gem/nokogiri@1.16.0',
        `/${specs}/nokogiri-1.16.0.gemspec`,
        ['MIT']
      ],
      [
        'RubyGems',
        'puma',
        '6.4.0',
        'pkg:gem/puma@6.4.0',
        `/${specs}/puma-6.4.0.gemspec`,
        ['BSD-3-Clause']
      ],
      ['RubyGems', 'rack', '2.2.8', 'pkg:gem/rack@2.2.8', `/${specs}/rack-2.2.8.gemspec`, ['MIT']]
    ])
    const layerDigest = image.layers[0]!.digest
    expect(catalog.unread).toEqual([
      {
        path: `/${specs}/noblock.gemspec`,
        layerDigest,
        reason:
          'it has no Gem::Specification.new block; the package it describes is not in the SBOM'
      },
      {
        path: `/${specs}/noversion-1.0.gemspec`,
        layerDigest,
        reason:
          'it sets no spec.name or no spec.version; the package it describes is not in the SBOM'
      }
    ])
  })

  it('reads the specifications of the default gems Ruby ships, under specifications/default', async () => {
    const gems = 'usr/local/lib/ruby/gems/3.3.0/specifications'
    const spec = (name: string, version: string): string =>
      `# -*- encoding: utf-8 -*-\n# stub: ${name} ${version} ruby lib\n\nGem::Specification.new do |s|\n  s.name = "${name}".freeze\n  s.version = "${version}".freeze\n  s.licenses = ["Ruby".freeze, "BSD-2-Clause".freeze]\nend\n`
    const { catalog } = await catalogImage({
      layers: [
        {
          entries: [
            { path: `${gems}/default/json-2.7.1.gemspec`, content: spec('json', '2.7.1') },
            { path: `${gems}/rexml-3.2.6.gemspec`, content: spec('rexml', '3.2.6') },
            // Only `default` holds specifications below specifications/.
            { path: `${gems}/cache/other-1.0.gemspec`, content: spec('other', '1.0') }
          ]
        }
      ]
    })
    expect(pick(catalog.packages)).toEqual([
      [
        'RubyGems',
        'json',
        '2.7.1',
        'pkg:gem/json@2.7.1',
        `/${gems}/default/json-2.7.1.gemspec`,
        ['Ruby', 'BSD-2-Clause']
      ],
      [
        'RubyGems',
        'rexml',
        '3.2.6',
        'pkg:gem/rexml@3.2.6',
        `/${gems}/rexml-3.2.6.gemspec`,
        ['Ruby', 'BSD-2-Clause']
      ]
    ])
  })
})

describe('gemspecs installed by RubyGems', () => {
  const gem = spawnSync('gem', ['--version'])
  const available = gem.status === 0
  if (!available) {
    console.warn('RubyGems test skipped: gem is not on PATH (apt-get install -y ruby)')
  }
  /** Installed specifications (`gem install` rewrites each with Gem::Specification#to_ruby). */
  let installed: Array<{ name: string; text: string }> = []
  beforeAll(() => {
    if (!available) return
    const dir = tempDir('catalog-gem-')
    mkdirSync(join(dir, 'lib'))
    writeFileSync(join(dir, 'lib', 'demo.rb'), 'module Demo; end\n')
    const gems = [
      ['demo_gem', '2.0.0.pre1', "spec.license = 'BSD-2-Clause'"],
      ['other-gem', '1.4.0', "spec.licenses = ['MIT', 'Ruby']"]
    ]
    for (const [name, version, license] of gems) {
      writeFileSync(
        join(dir, `${name}.gemspec`),
        `Gem::Specification.new do |spec|\n  spec.name = '${name}'\n  spec.version = '${version}'\n  spec.summary = 'demo'\n  spec.authors = ['a']\n  spec.files = ['lib/demo.rb']\n  ${license}\n  spec.add_runtime_dependency 'rack', '>= 2'\nend\n`
      )
      execFileSync('gem', ['build', '-q', `${name}.gemspec`], { cwd: dir, stdio: 'ignore' })
      execFileSync(
        'gem',
        [
          'install',
          '-q',
          '--local',
          '--no-document',
          '--ignore-dependencies',
          '--install-dir',
          'installed',
          `${name}-${version}.gem`
        ],
        { cwd: dir, stdio: 'ignore', env: { ...process.env, HOME: dir } }
      )
    }
    const specifications = join(dir, 'installed', 'specifications')
    installed = readdirSync(specifications).map((name) => ({
      name,
      text: readFileSync(join(specifications, name), 'utf8')
    }))
  })
  ;(available ? it : it.skip)(
    'reads name, version and licences from the specifications gem install writes',
    async () => {
      const specs = 'usr/local/bundle/specifications'
      const { catalog } = await catalogImage({
        layers: [
          {
            entries: installed.map(({ name, text }) => ({
              path: `${specs}/${name}`,
              content: text
            }))
          }
        ]
      })
      expect(pick(catalog.packages)).toEqual([
        [
          'RubyGems',
          'demo_gem',
          '2.0.0.pre1',
          'pkg:gem/demo_gem@2.0.0.pre1',
          `/${specs}/demo_gem-2.0.0.pre1.gemspec`,
          ['BSD-2-Clause']
        ],
        [
          'RubyGems',
          'other-gem',
          '1.4.0',
          'pkg:gem/other-gem@1.4.0',
          `/${specs}/other-gem-1.4.0.gemspec`,
          ['MIT', 'Ruby']
        ]
      ])
      expect(catalog.unread).toEqual([])
    }
  )
})
