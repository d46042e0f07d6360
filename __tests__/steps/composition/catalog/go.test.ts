import { beforeAll, describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { missingTools, tempDir } from '../../../../__fixtures__/registry.js'
import type { Package } from '../../../../src/packages/model.js'
import {
  goPackages,
  ldflagsVersion,
  vcsPseudoVersion
} from '../../../../src/steps/composition/catalog/go.js'
import { catalogImage } from './catalog-image.js'
import { BINARIES_SUBSCRIPTION } from '../../../../src/steps/composition/catalog/binaries.js'
import type { TarEntry } from '../../../../src/image/types.js'

const pick = (packages: Package[]) => packages.map((p) => [p.name, p.version, p.purl, p.path])

/** A uvarint (encoding/binary) at `at`: its value and the offset after it. */
function readUvarint(bytes: Buffer, at: number): [number, number] {
  let value = 0
  for (let shift = 0; ; shift += 7) {
    const byte = bytes[at++]!
    value += (byte & 0x7f) * 2 ** shift
    if ((byte & 0x80) === 0) return [value, at]
  }
}

function uvarint(value: number): Buffer {
  const bytes: number[] = []
  for (; value >= 0x80; value = Math.floor(value / 0x80)) bytes.push((value & 0x7f) | 0x80)
  bytes.push(value)
  return Buffer.from(bytes)
}

/**
 * A copy of a Go 1.18+ binary whose build info (debug/buildinfo: the 32-byte header, then the
 * toolchain version and the module info as uvarint-prefixed strings) lacks the `build` line of
 * `key`. The shorter module info is written in place and the bytes it no longer covers zeroed.
 */
function withoutBuildSetting(binary: Buffer, key: string): Buffer {
  const copy = Buffer.from(binary)
  const magic = Buffer.from('\xff Go buildinf:', 'latin1')
  let header = copy.indexOf(magic)
  while (header % 16 !== 0) header = copy.indexOf(magic, header + 1)
  const [versionLength, versionEnd] = readUvarint(copy, header + 32)
  const start = versionEnd + versionLength
  const [length, from] = readUvarint(copy, start)
  // latin1 keeps runtime/debug's binary sentinels around the text byte for byte.
  const modInfo = copy.toString('latin1', from, from + length)
  const edited = modInfo.replace(new RegExp(`^build\\t${key}=.*\\n`, 'm'), '')
  if (edited === modInfo) throw new Error(`the build info has no ${key} setting`)
  const blob = Buffer.concat([uvarint(edited.length), Buffer.from(edited, 'latin1')])
  copy.fill(0, start, from + length)
  blob.copy(copy, start)
  return copy
}

describe('Go main module version from -ldflags -X', () => {
  it.each([
    ['-X main.version=v1.2.3', 'v1.2.3'],
    ['-X main.Version=1.2.3', 'v1.2.3'],
    ['-s -w -X=main.VERSION=2.0.0-rc.1', 'v2.0.0-rc.1'],
    ["-X 'go.etcd.io/etcd/api/v3/version.Version=3.5.12'", 'v3.5.12'],
    ['--X example.com/tool/cmd.version=v0.4.0+meta', 'v0.4.0+meta'],
    ['-X main.commit=abc -X main.ver=v9.8.7', 'v9.8.7'],
    // The first SemVer assignment to a version variable wins; a non-SemVer one is passed over.
    ['-X main.version=dev -X main.Version=v1.0.0 -X main.version=v2.0.0', 'v1.0.0'],
    ['-X main.appVersion=v1.2.3', undefined],
    ['-X version=v1.2.3', undefined],
    ['-X main.version=1.2', undefined],
    ['-X main.version=', undefined],
    ['-X', undefined],
    ['-X "main.version=v1.2.3', undefined],
    ['', undefined]
  ])('reads %j as %j', (ldflags, expected) => {
    expect(ldflagsVersion(ldflags)).toBe(expected)
  })

  it('stops after 256 -X assignments', () => {
    const noise = (n: number): string =>
      Array.from({ length: n }, (_, i) => `-X main.v${i}=x`).join(' ')
    expect(ldflagsVersion(`${noise(256)} -X main.version=v1.0.0`)).toBeUndefined()
    expect(ldflagsVersion(`${noise(255)} -X main.version=v1.0.0`)).toBe('v1.0.0')
  })
})

describe('Go main module pseudo-version from VCS settings', () => {
  const revision = '1b368d12ae6c4dc0139ddbebbba88cc84ea9105b'
  it.each([
    [
      { 'vcs.revision': revision, 'vcs.time': '2024-03-05T10:11:12Z' },
      'v0.0.0-20240305101112-1b368d12ae6c'
    ],
    [
      { 'vcs.revision': revision, 'vcs.time': '2024-03-05T12:11:12+02:00', 'vcs.modified': 'true' },
      'v0.0.0-20240305101112-1b368d12ae6c+dirty'
    ],
    [{ 'vcs.revision': revision }, undefined],
    [{ 'vcs.time': '2024-03-05T10:11:12Z' }, undefined],
    [{ 'vcs.revision': 'HEAD;rm', 'vcs.time': '2024-03-05T10:11:12Z' }, undefined],
    [{ 'vcs.revision': revision, 'vcs.time': 'yesterday' }, undefined],
    [{ 'vcs.revision': revision, 'vcs.time': '2024-13-45T99:11:12Z' }, undefined]
  ])('reads %j as %j', (settings, expected) => {
    expect(vcsPseudoVersion(new Map(Object.entries(settings)))).toBe(expected)
  })

  it('unquotes a build setting written with strconv.Quote and keeps dependencies in place', () => {
    const modInfo = [
      'path\texample.com/app',
      'mod\texample.com/app\t(devel)\t',
      'dep\tgolang.org/x/text\tv0.14.0\th1:x=',
      'build\t-ldflags="-s -X \\"main.version=v1.2.3\\" -X \'main.commit=a b\'"',
      ''
    ].join('\n')
    expect(goPackages({ goVersion: 'go1.22.3', modInfo }).map((p) => [p.name, p.version])).toEqual([
      ['example.com/app', 'v1.2.3'],
      ['golang.org/x/text', 'v0.14.0'],
      ['stdlib', '1.22.3']
    ])
  })

  it('keeps (devel) for a main module whose commit has no time', () => {
    const modInfo = [
      'path\texample.com/app',
      'mod\texample.com/app\t(devel)\t',
      'dep\tgolang.org/x/text\t(devel)\t',
      `build\tvcs.revision=${revision}`,
      'build\tvcs.modified=true',
      ''
    ].join('\n')
    expect(
      goPackages({ goVersion: 'go1.22.3', modInfo }).map((p) => [p.name, p.version, p.purl])
    ).toEqual([
      ['example.com/app', '(devel)', 'pkg:golang/example.com/app@(devel)'],
      ['stdlib', '1.22.3', 'pkg:golang/stdlib@1.22.3']
    ])
  })

  it('drops a (devel) main module with neither a stamped version nor a commit', () => {
    const modInfo = [
      'path\texample.com/app',
      'mod\texample.com/app\t(devel)\t',
      'build\t-ldflags="-X main.commit=abc"',
      'build\tvcs.revision=zzz',
      ''
    ].join('\n')
    expect(goPackages({ goVersion: 'go1.22.3', modInfo }).map((p) => p.name)).toEqual(['stdlib'])
  })
})

describe('Go binaries built by the Go toolchain', () => {
  const missing = missingTools(['go', 'git'])
  if (missing !== undefined)
    console.warn(
      'Go binary test skipped: go or git is not on PATH (apt-get install -y golang-go git)'
    )
  const built: {
    ldflags: Buffer
    vcs: Buffer
    untimed: Buffer
    untimedInfo: string
    goVersion: string
    revision: string
  } = {
    ldflags: Buffer.alloc(0),
    vcs: Buffer.alloc(0),
    untimed: Buffer.alloc(0),
    untimedInfo: '',
    goVersion: '',
    revision: ''
  }

  beforeAll(() => {
    if (missing !== undefined) return
    const root = tempDir('go-build')
    const env = {
      ...process.env,
      GOFLAGS: '-mod=mod',
      GOPROXY: 'off',
      GOTOOLCHAIN: 'local',
      GOCACHE: join(root, 'cache'),
      GOPATH: join(root, 'gopath'),
      CGO_ENABLED: '0',
      GIT_AUTHOR_DATE: '2024-03-05T10:11:12Z',
      GIT_COMMITTER_DATE: '2024-03-05T10:11:12Z'
    }
    const source = (dir: string): void => {
      mkdirSync(dir)
      writeFileSync(join(dir, 'go.mod'), 'module example.com/hello\n\ngo 1.19\n')
      writeFileSync(
        join(dir, 'main.go'),
        'package main\n\nvar version = "dev"\n\nfunc main() { println(version) }\n'
      )
    }
    const release = join(root, 'release')
    source(release)
    execFileSync('go', ['build', '-ldflags', '-X main.version=v1.2.3', '-o', 'hello', '.'], {
      cwd: release,
      env
    })
    const checkout = join(root, 'checkout')
    source(checkout)
    const git = (...args: string[]): string =>
      execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], {
        cwd: checkout,
        env,
        encoding: 'utf8'
      })
    git('init', '-q')
    git('add', '.')
    git('commit', '-q', '-m', 'hello')
    built.revision = git('rev-parse', 'HEAD').trim()
    execFileSync('go', ['build', '-buildvcs=true', '-o', 'hello', '.'], { cwd: checkout, env })
    built.ldflags = readFileSync(join(release, 'hello'))
    built.vcs = readFileSync(join(checkout, 'hello'))
    // Go 1.19 writes vcs.time whenever git gives a revision, so the untimed build is that binary
    // with the setting taken out of its build info; Go's own reader must still accept it.
    built.untimed = withoutBuildSetting(built.vcs, 'vcs.time')
    writeFileSync(join(root, 'untimed'), built.untimed, { mode: 0o755 })
    built.untimedInfo = execFileSync('go', ['version', '-m', join(root, 'untimed')], {
      env,
      encoding: 'utf8'
    })
    built.goVersion = /^go(\d+\.\d+(?:\.\d+)?)/.exec(
      execFileSync('go', ['env', 'GOVERSION'], { env, encoding: 'utf8' })
    )![1]!
  }, 300_000)

  ;(missing === undefined ? it : it.skip)(
    'reports the main module of a (devel) build with its -X version, else its commit pseudo-version',
    async () => {
      const { catalog } = await catalogImage({
        layers: [
          {
            entries: [
              { path: 'usr/bin/release', content: built.ldflags, mode: 0o755 },
              { path: 'usr/bin/checkout', content: built.vcs, mode: 0o755 }
            ]
          }
        ]
      })
      const stdlib = built.goVersion
      const pseudo = `v0.0.0-20240305101112-${built.revision.slice(0, 12)}`
      expect(pick(catalog.packages)).toEqual([
        [
          'example.com/hello',
          pseudo,
          `pkg:golang/example.com/hello@${pseudo}`,
          '/usr/bin/checkout'
        ],
        ['stdlib', stdlib, `pkg:golang/stdlib@${stdlib}`, '/usr/bin/checkout'],
        ['example.com/hello', 'v1.2.3', 'pkg:golang/example.com/hello@v1.2.3', '/usr/bin/release'],
        ['stdlib', stdlib, `pkg:golang/stdlib@${stdlib}`, '/usr/bin/release']
      ])
    }
  )

  ;(missing === undefined ? it : it.skip)(
    'reports the main module of a (devel) build whose commit has no time as (devel)',
    async () => {
      expect(built.untimedInfo).toContain(`\tbuild\tvcs.revision=${built.revision}\n`)
      expect(built.untimedInfo).not.toContain('vcs.time')
      const { catalog } = await catalogImage({
        layers: [{ entries: [{ path: 'usr/bin/untimed', content: built.untimed, mode: 0o755 }] }]
      })
      const stdlib = built.goVersion
      expect(pick(catalog.packages)).toEqual([
        [
          'example.com/hello',
          '(devel)',
          'pkg:golang/example.com/hello@(devel)',
          '/usr/bin/untimed'
        ],
        ['stdlib', stdlib, `pkg:golang/stdlib@${stdlib}`, '/usr/bin/untimed']
      ])
    }
  )
})

describe('Go 1.13–1.17 binaries (build info by address)', () => {
  // esbuild 0.14.10's released binaries, built by go1.17.5 (`npm run test-binaries` fetches them).
  const binaries = join(process.cwd(), 'node_modules', '.cache', 'container-gate')
  const binary = (platform: string): string =>
    join(binaries, `esbuild-${platform}-0.14.10`, 'bin', 'esbuild')
  const present = ['linux-64', 'linux-32', 'linux-s390x', 'android-arm64'].every((platform) =>
    existsSync(binary(platform))
  )
  if (!present)
    console.warn(
      'Go 1.17 binary test skipped: the released binaries are not fetched (npm run test-binaries)'
    )
  const go117 = present ? it : it.skip

  // What `go version -m` prints for each: go1.17.5; path github.com/evanw/esbuild/cmd/esbuild;
  // mod github.com/evanw/esbuild (devel), no build settings; dep golang.org/x/sys.
  const sys = 'v0.0.0-20210908233432-aa78b53d3365'
  go117.each([
    ['x86-64', 'linux-64'],
    ['386, 4-byte pointers', 'linux-32'],
    ['s390x, big-endian', 'linux-s390x'],
    ['Android arm64 position-independent', 'android-arm64']
  ])('reads the toolchain and modules of a released %s binary', async (_, platform) => {
    const { catalog } = await catalogImage({
      layers: [
        {
          entries: [
            { path: 'usr/bin/esbuild', content: readFileSync(binary(platform)), mode: 0o755 }
          ]
        }
      ]
    })
    expect(pick(catalog.packages)).toEqual([
      ['golang.org/x/sys', sys, `pkg:golang/golang.org/x/sys@${sys}`, '/usr/bin/esbuild'],
      ['stdlib', '1.17.5', 'pkg:golang/stdlib@1.17.5', '/usr/bin/esbuild']
    ])
  })

  go117.each([
    ['in 64 KiB chunks', []],
    ['cut inside the header, each `go1.` and each module-info sentinel', [1, 5, 11, 17, 29]]
  ])('finds the same build info when the file streams %s', (_, within: number[]) => {
    const bytes = readFileSync(binary('linux-64'))
    const marks = [
      Buffer.from('\xff Go buildinf:', 'latin1'),
      Buffer.from('go1.', 'latin1'),
      Buffer.from('3077af0c9274080241e1c107e6d618e6', 'hex'),
      Buffer.from('f932433186182072008242104116d8f2', 'hex')
    ]
    const cuts = new Set<number>()
    for (const mark of marks)
      for (let at = bytes.indexOf(mark); at !== -1; at = bytes.indexOf(mark, at + 1))
        for (const offset of within) cuts.add(at + offset)
    for (let at = 0; at < bytes.length; at += 65536) cuts.add(at)
    cuts.add(bytes.length)
    const visitor = BINARIES_SUBSCRIPTION.createVisitor()
    const sink = visitor.onEntry({
      path: '/usr/bin/esbuild',
      type: 'file',
      mode: 0o755,
      uid: 0,
      gid: 0,
      size: bytes.length,
      mtime: 0
    } satisfies TarEntry)!
    let from = 0
    for (const cut of [...cuts].sort((a, b) => a - b)) {
      if (cut > from) sink.write(bytes.subarray(from, cut))
      from = Math.max(from, cut)
    }
    sink.end()
    expect(visitor.finish().map((b) => b.packages.map((p) => `${p.name}@${p.version}`))).toEqual([
      [`golang.org/x/sys@${sys}`, 'stdlib@1.17.5']
    ])
  })

  go117('reads the same binary without its build-id note (-ldflags=-buildid=)', async () => {
    const copy = Buffer.from(readFileSync(binary('linux-64')))
    const note = copy.indexOf(Buffer.from('Go\0\0', 'latin1'))
    copy.write('Gx', note, 'latin1')
    const { catalog } = await catalogImage({
      layers: [{ entries: [{ path: 'usr/bin/esbuild', content: copy, mode: 0o755 }] }]
    })
    expect(catalog.packages.map((p) => `${p.name}@${p.version}`)).toEqual([
      `golang.org/x/sys@${sys}`,
      'stdlib@1.17.5'
    ])
  })
})
