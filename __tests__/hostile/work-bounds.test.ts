/**
 * Work an image chooses the amount of: counts, lengths and repetitions in image metadata must not
 * make a step's work grow faster than the image (each case here was quadratic or unbounded, minutes
 * to hours at the scan's caps). The sizes are large enough that the old code would run for minutes;
 * the assertions are on outcomes, never on time.
 */
import { describe, expect, it } from '@jest/globals'
import { Readable } from 'node:stream'
import { buildImage } from '../../__fixtures__/image-builder.js'
import { parseCreatedBy } from '../../src/dockerfile/history.js'
import { ImageError } from '../../src/errors.js'
import { combineLayers } from '../../src/image/filesystem.js'
import { analyzeLayer } from '../../src/image/layer/analyze.js'
import { MAX_PATH_CHARS, PATH_MAX } from '../../src/image/layer/tar.js'
import type { TarEntry } from '../../src/image/types.js'
import { duplicateIds } from '../../src/os/accounts.js'
import { classifyLicense, parseExpression } from '../../src/packages/license.js'
import { goPackages } from '../../src/steps/composition/catalog/go.js'
import { judgeLicenses } from '../../src/steps/composition/licenses.js'
import { SourceScanner, type SourceKind } from '../../src/steps/code/source-rules.js'
import { catalogImage } from '../steps/composition/catalog/catalog-image.js'

function dir(path: string): TarEntry {
  return { path, type: 'dir', mode: 0o755, uid: 0, gid: 0, size: 0 }
}

describe('image history', () => {
  it('takes a build-arg count of any size as far as the text goes', () => {
    // 309 digits are Infinity to Number(): the count used to drive the loop.
    expect(parseCreatedBy(`|${'9'.repeat(400)} A=1 /bin/sh -c make`)).toEqual({
      keyword: 'RUN',
      args: ''
    })
    expect(parseCreatedBy('|2 A=1 B=2 /bin/sh -c make install')).toEqual({
      keyword: 'RUN',
      args: 'make install'
    })
  })
})

describe('accounts sharing one id', () => {
  it('lists 200,000 names under their id', () => {
    const entries = Array.from({ length: 200_000 }, (_, i) => ({ name: `a${i}`, id: 0 }))
    const byId = duplicateIds([...entries, { name: 'solo', id: 7 }])
    expect([...byId.keys()]).toEqual([0])
    expect(byId.get(0)).toHaveLength(200_000)
  })
})

describe('licence fields', () => {
  const huge = `MIT${' AND MIT'.repeat(200_000)}`
  it('takes a licence field longer than any expression as free text', () => {
    // Compared by length: a failing assertion would print 1.6 MB.
    expect(parseExpression(huge)).toBeUndefined()
    const choice = classifyLicense(huge)
    expect([choice.kind, 'name' in choice ? choice.name.length : 0]).toEqual(['name', huge.length])
    const verdict = judgeLicenses([huge], (id) => id === 'MIT')
    expect(verdict.ok ? [] : verdict.licenses.map((l) => l.length)).toEqual([huge.length])
    // A real compound expression is still one.
    expect(classifyLicense('(MIT OR Apache-2.0) AND BSD-3-Clause').kind).toBe('expression')
  })
})

describe('Go buildinfo', () => {
  it('works out the main module version once for any number of main-module lines', () => {
    const ldflags = `-X main.version=v1.2.3 ${'-X a.b=c '.repeat(6_000)}`
    const modInfo = [
      'path\texample.com/app',
      ...Array.from({ length: 100_000 }, (_, i) => `mod\texample.com/app${i}\t(devel)\t`),
      `build\t-ldflags=${JSON.stringify(ldflags)}`
    ].join('\n')
    const packages = goPackages({ goVersion: 'go1.22.3', modInfo })
    expect(packages).toHaveLength(100_001)
    expect(packages[0]).toMatchObject({ name: 'example.com/app0', version: 'v1.2.3' })
    expect(packages.at(-2)).toMatchObject({ name: 'example.com/app99999', version: 'v1.2.3' })
  })
})

describe('a Debian status file naming one package thousands of times', () => {
  it('reads a hardlinked copyright file once', async () => {
    const copyright = Buffer.from(
      `Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n\n${'Files: *\nCopyright: x\nLicense: MIT\n\n'.repeat(40_000)}`
    )
    const paragraph = 'Package: x\nStatus: install ok installed\nArchitecture: amd64\nVersion: 1\n'
    const { catalog } = await catalogImage({
      layers: [
        {
          entries: [
            { path: 'var/lib/dpkg/status', content: Array(5_000).fill(paragraph).join('\n') },
            { path: 'usr/share/doc/y/copyright', content: copyright },
            {
              path: 'usr/share/doc/x/copyright',
              type: 'hardlink',
              linkTarget: 'usr/share/doc/y/copyright'
            }
          ]
        }
      ]
    })
    const listed = catalog.packages.filter((p) => p.name === 'x')
    expect(listed).toHaveLength(5_000)
    expect(listed.every((p) => p.licenses?.join() === 'MIT')).toBe(true)
  })
})

describe('paths', () => {
  async function analyzeEntries(path: string, linkTarget?: string): Promise<unknown> {
    const image = buildImage({
      layers: [
        {
          entries: [
            linkTarget === undefined
              ? { path, content: 'x' }
              : { path, type: 'symlink', linkTarget }
          ]
        }
      ]
    })
    const layer = image.layers[0]!
    return analyzeLayer(Readable.from([layer.blob]), {
      name: layer.digest,
      expectedDigest: layer.digest,
      requests: [],
      subscriptions: []
    }).catch((error: unknown) => error)
  }

  it('refuses an entry whose path is longer than the gate indexes; a long link target dangles', async () => {
    const long = `app/${'d/'.repeat(MAX_PATH_CHARS / 2)}f`
    expect(await analyzeEntries(long)).toMatchObject({
      code: 'CORRUPT_TAR',
      message: expect.stringMatching(
        /an entry's path is 16388 characters long \("\/app\/d\/d.*"…\), over the 16383 the gate indexes /
      )
    })
    // At the limit, read.
    const ok = (await analyzeEntries(`${'d/'.repeat((MAX_PATH_CHARS - 3) / 2)}ff`)) as {
      entries: TarEntry[]
    }
    expect(ok.entries[0]!.path).toHaveLength(MAX_PATH_CHARS)
    // A link target of any length is kept; one over PATH_MAX resolves to nothing, as on Linux.
    const target = `/${'x'.repeat(PATH_MAX)}`
    const linked = (await analyzeEntries('app/link', target)) as { entries: TarEntry[] }
    expect(linked.entries[0]!.linkTarget).toBe(target)
    const fs = combineLayers([{ entries: linked.entries, whiteouts: [], contents: new Map() }])
    expect(fs.resolve('/app/link')).toBeUndefined()
  })

  it('stops an image whose deep paths imply more directories than the scan indexes', () => {
    // 400 entries of 2,000 components each imply 800,000 directories.
    const entries = Array.from({ length: 400 }, (_, i): TarEntry => ({
      ...dir(`/t${i}${'/d'.repeat(2_000)}`),
      type: 'file'
    }))
    expect(() => combineLayers([{ entries, whiteouts: [], contents: new Map() }])).toThrow(
      ImageError
    )
  })

  it('stops resolving a crafted symlink chain once the scan has walked its share of paths', () => {
    // A link at depth 1,000 to itself through 1,000 `x/..` pairs: 40 hops of long paths per call.
    const deep = `/${Array.from({ length: 1_000 }, () => 'd').join('/')}`
    const parents = Array.from({ length: 1_000 }, (_, i) =>
      dir(
        `/${Array(i + 1)
          .fill('d')
          .join('/')}`
      )
    )
    const link: TarEntry = {
      ...dir(`${deep}/l`),
      type: 'symlink',
      linkTarget: `${'x/../'.repeat(1_000)}l`
    }
    const fs = combineLayers([{ entries: [...parents, link], whiteouts: [], contents: new Map() }])
    let calls = 0
    const resolveAll = (): void => {
      for (; calls < 100; calls++) expect(fs.resolve(`${deep}/l`)).toBeUndefined()
    }
    expect(resolveAll).toThrow(ImageError)
    // A real image resolves thousands of links; this one stops after a handful of calls.
    expect(calls).toBeGreaterThan(0)
    expect(calls).toBeLessThan(100)
  })
})

describe('static-analysis rules over a keyword repeated along a line', () => {
  // Each `curl` used to scan on to the end of the line: a 4,096-character line of them cost
  // ~3 ms per rule, ~1 s per MiB of such a script. Each start now scans only to the next keyword.
  const rulesOf = (kinds: SourceKind[], line: string): string[] => {
    const scanner = new SourceScanner(kinds)
    scanner.write(Buffer.from(`${line}\n`))
    scanner.end()
    return scanner.matches.map((m) => m.rule)
  }
  const repeated = (word: string): string => word.repeat(Math.floor(4000 / word.length))

  it.each([
    ['shell', 'curl -curl '],
    ['shell', 'wget '],
    ['shell', '; eval x '],
    ['python', '.run('],
    ['python', 'yaml.load(x, Loader=SafeLoader) '],
    // A run of flag letters with a k but no space after it: each position used to retry the run.
    ['shell', `curl -${'k'.repeat(100)}! `]
  ] as const)('%s: "%s" repeated is no finding', (kind, word) => {
    expect(rulesOf([kind], repeated(word))).toEqual([])
  })

  it('still finds what follows a later one of the keywords', () => {
    expect(rulesOf(['shell'], `curl -sSk https://a`)).toEqual(['tls-verification-disabled'])
    expect(rulesOf(['shell'], `curl -sS https://a`)).toEqual([])
    expect(rulesOf(['shell'], `${repeated('curl x ')} -k https://a`)).toEqual([
      'tls-verification-disabled'
    ])
    expect(rulesOf(['shell'], `${repeated('wget x ')} | sh`)).toEqual(['shell-download-exec'])
    expect(rulesOf(['shell'], `${repeated('; eval x ')}; eval "$cmd"`)).toEqual([
      'shell-eval-variable'
    ])
    expect(rulesOf(['python'], `${repeated('app.run(x) ')} app.run(debug=True)`)).toEqual([
      'debug-enabled'
    ])
  })

  it('judges each yaml.load call by its own arguments', () => {
    // The first call has no safe loader, whatever the second one passes.
    expect(rulesOf(['python'], 'a = yaml.load(f); b = yaml.load(g, Loader=SafeLoader)')).toEqual([
      'python-unsafe-deserialization'
    ])
    expect(rulesOf(['python'], 'b = yaml.load(g, Loader=yaml.SafeLoader)')).toEqual([])
  })
})
