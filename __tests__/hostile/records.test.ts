/**
 * Fail closed on hostile records (DESIGN.md): one bad package record, metadata file, database or
 * account line is skipped and reported as `<step>/input-not-analysed`, one finding per file; the
 * rest of the file is still read, and the step never errors.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { buildImage, type BuiltImage, type ImageSpec } from '../../__fixtures__/image-builder.js'
import { memorySource } from '../../__fixtures__/memory-source.js'
import { missingTools, tempDir } from '../../__fixtures__/registry.js'
import { runGate, type GateResult } from '../../src/engine.js'
import { silentLogger } from '../../src/log.js'
import { defaultPolicy } from '../../src/policy/defaults.js'
import { parsePolicyInputs } from '../../src/policy/inputs.js'
import { OWNED_FILES_REQUEST } from '../../src/os/owned-files.js'
import { codeStep } from '../../src/steps/code/index.js'
import { MAX_SARIF_RESULTS } from '../../src/steps/code/sarif.js'
import { emptySignatureDb } from '../../src/steps/code/signatures.js'
import { codeSubscription } from '../../src/steps/code/visitor.js'
import { createCompositionStep } from '../../src/steps/composition/index.js'
import { APK_FILES, MAX_DATABASE_PACKAGES } from '../../src/steps/composition/catalog/apk.js'
import { identityStep } from '../../src/steps/identity/index.js'
import type { Step } from '../../src/steps/step.js'

let dir: string
beforeAll(() => {
  dir = tempDir('hostile-records')
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** Composition without vulnerability data: only the catalog and its findings are under test. */
const composition = createCompositionStep({
  loadVulnerabilityData: async () => ({ sources: [], missing: [], parts: [] })
})

async function scan(
  spec: ImageSpec,
  step: Step,
  inputs: Record<string, string> = {}
): Promise<{ result: GateResult; image: BuiltImage }> {
  const image = buildImage(spec)
  const policy = parsePolicyInputs(
    (name) => ({ 'allow-no-vuln-data': 'true', ...inputs })[name],
    defaultPolicy()
  )
  const result = await runGate(
    {
      image: 'oci:hostile',
      policy,
      acquire: { platform: image.platform, insecureRegistries: [], env: {} }
    },
    silentLogger,
    [step],
    () => memorySource(image, { reference: 'oci:hostile' })
  )
  return { result, image }
}

const notAnalysed = (result: GateResult) =>
  result.report.findings
    .filter((f) => f.rule.endsWith('/input-not-analysed'))
    .map(({ rule, severity, title, location, blocking }) => ({
      rule,
      severity,
      title,
      location,
      blocking
    }))

/** The report of the one step a test ran (the others are listed as skipped). */
const stepOf = (result: GateResult) => result.report.steps.find((s) => s.status !== 'skipped')!

const packages = (result: GateResult) =>
  (result.artifacts.packages ?? []).map((p) => `${p.name} ${p.version}`)

const DEBIAN_OS_RELEASE =
  'ID=debian\nVERSION_ID="12"\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n'

describe('composition: broken package records', () => {
  it('keeps the good dpkg paragraphs and reports the bad ones once, with the first one’s line', async () => {
    const status = [
      'Package: libc6',
      'Status: install ok installed',
      'Architecture: amd64',
      'Version: 2.36-9+deb12u1',
      '',
      'Package:',
      'Status: install ok installed',
      'Version: 1.0',
      '',
      'Description: a paragraph that names no package',
      'Version: 2.0',
      '',
      'this line is not a field',
      'and neither is this one',
      '',
      'Package: evil/../../etc',
      'Status: install ok installed',
      'Version: 1',
      '',
      'Package: removed',
      'Status: purge ok not-installed',
      '',
      'Package: zlib1g',
      'Status: install ok installed',
      'Architecture: amd64',
      'Version: 1:1.2.13.dfsg-1',
      ''
    ].join('\n')
    const { result, image } = await scan(
      {
        layers: [
          {
            entries: [
              { path: 'etc/os-release', content: DEBIAN_OS_RELEASE },
              { path: 'var/lib/dpkg/status', content: status },
              // A distroless status.d paragraph without its Version.
              {
                path: 'var/lib/dpkg/status.d/tzdata',
                content: 'Package: tzdata\nArchitecture: all\n'
              }
            ]
          }
        ]
      },
      composition
    )
    expect(stepOf(result).status).toBe('fail')
    expect(packages(result)).toEqual(['libc6 2.36-9+deb12u1', 'zlib1g 1:1.2.13.dfsg-1'])
    const layerDigest = image.layers[0]!.digest
    expect(notAnalysed(result)).toEqual([
      {
        rule: 'composition/input-not-analysed',
        severity: 'high',
        title:
          '/var/lib/dpkg/status was not analysed: 4 paragraphs (the first: paragraph 2 at line 6 has no Package field) could not be read; those packages are not in the SBOM',
        location: { path: '/var/lib/dpkg/status', layerDigest },
        blocking: true
      },
      {
        rule: 'composition/input-not-analysed',
        severity: 'high',
        title:
          '/var/lib/dpkg/status.d/tzdata was not analysed: 1 paragraph could not be read (paragraph 1 at line 1 has no Version field (package tzdata)); those packages are not in the SBOM',
        location: { path: '/var/lib/dpkg/status.d/tzdata', layerDigest },
        blocking: true
      }
    ])
  })

  it('keeps the good apk blocks and reports blocks without a name once', async () => {
    const installed = [
      'C:Q1abc=',
      'P:musl',
      'V:1.2.4-r2',
      'A:x86_64',
      'L:MIT',
      '',
      'C:Q1def=',
      'V:1.0-r0',
      'F:usr/bin',
      'R:ghost',
      '',
      'P:',
      'V:2.0-r0',
      '',
      'P:busybox',
      'V:1.36.1-r5',
      'A:x86_64',
      'L:GPL-2.0-only',
      ''
    ].join('\n')
    const { result, image } = await scan(
      {
        layers: [
          {
            entries: [
              { path: 'etc/os-release', content: 'ID=alpine\nVERSION_ID=3.19.1\n' },
              { path: 'lib/apk/db/installed', content: installed }
            ]
          }
        ]
      },
      composition
    )
    expect(packages(result)).toEqual(['busybox 1.36.1-r5', 'musl 1.2.4-r2'])
    expect(notAnalysed(result)).toEqual([
      {
        rule: 'composition/input-not-analysed',
        severity: 'high',
        title:
          '/lib/apk/db/installed was not analysed: 2 package blocks (the first: block 2 at line 7 has no valid P: name) could not be read; those packages are not in the SBOM',
        location: { path: '/lib/apk/db/installed', layerDigest: image.layers[0]!.digest },
        blocking: true
      }
    ])
  })

  it('reads an apk database within its own cap, and lists at most 100,000 packages of it', async () => {
    const osRelease = { path: 'etc/os-release', content: 'ID=alpine\nVERSION_ID=3.19.1\n' }
    // 9-byte blocks: a few MB of text that would be ~750 bytes of package each, 100,001 times.
    const blocks = Array.from({ length: MAX_DATABASE_PACKAGES + 1 }, (_, i) => `P:p${i}\nV:1\n`)
    const many = await scan(
      {
        layers: [
          { entries: [osRelease, { path: 'lib/apk/db/installed', content: blocks.join('\n') }] }
        ]
      },
      composition
    )
    expect(packages(many.result)).toHaveLength(MAX_DATABASE_PACKAGES)
    expect(notAnalysed(many.result).map((f) => f.title)).toEqual([
      `/lib/apk/db/installed was not analysed: it lists more than ${MAX_DATABASE_PACKAGES} packages; the first ${MAX_DATABASE_PACKAGES} are reported`
    ])
    // Over the apk reader's 64 MiB (kept anyway under the owned-files request's larger cap).
    const huge = Buffer.alloc(APK_FILES.maxBytes + 1, 'x')
    const over = await scan(
      { layers: [{ entries: [osRelease, { path: 'lib/apk/db/installed', content: huge }] }] },
      composition
    )
    expect(packages(over.result)).toEqual([])
    expect(notAnalysed(over.result).map((f) => f.title)).toEqual([
      '/lib/apk/db/installed was not analysed: it is 64.0 MiB, over the 64.0 MiB the apk cataloger reads'
    ])
  })

  it('keeps the readable headers of a damaged NDB rpmdb and reports the rest once', async () => {
    const good = rpmHeader('gate-good', '1.0', '1.el9')
    const truncated = rpmHeader('gate-cut', '3.0', '1.el9')
    const other = rpmHeader('gate-other', '2.0', '1.el9')
    const db = ndbFile([good, 'no-magic', truncated.subarray(0, truncated.length - 5), other])
    const { result, image } = await scan(
      { layers: [{ entries: [{ path: 'var/lib/rpm/Packages.db', content: db }] }] },
      composition
    )
    expect(packages(result)).toEqual(['gate-good 1.0-1.el9', 'gate-other 2.0-1.el9'])
    expect(notAnalysed(result)).toEqual([
      {
        rule: 'composition/input-not-analysed',
        severity: 'high',
        title:
          '/var/lib/rpm/Packages.db was not analysed: 2 package records (the first: the blob of package 2 is outside the file or has no BlbS magic) could not be read; those packages are not in the SBOM',
        location: { path: '/var/lib/rpm/Packages.db', layerDigest: image.layers[0]!.digest },
        blocking: true
      }
    ])
  })

  it('reports unparseable language metadata per file and keeps the packages of the others', async () => {
    const broken = '{"name": "broken", "version": '
    const jsonError = (() => {
      try {
        JSON.parse(broken)
      } catch (error) {
        return (error as Error).message.slice(0, 120)
      }
      throw new Error('expected a JSON syntax error')
    })()
    const { result, image } = await scan(
      {
        layers: [
          {
            entries: [
              {
                path: 'app/node_modules/good/package.json',
                content: JSON.stringify({ name: 'good', version: '1.0.0' })
              },
              { path: 'app/node_modules/broken/package.json', content: broken },
              { path: 'app/node_modules/list/package.json', content: '[1, 2]' },
              {
                path: 'usr/lib/python3/dist-packages/nothing-1.0.dist-info/METADATA',
                content: 'Metadata-Version: 2.1\nSummary: names nothing\n'
              },
              {
                path: 'var/www/vendor/composer/installed.json',
                content: JSON.stringify({
                  packages: [{ name: 'a/b', version: '1.0.0' }, { name: 'c/d' }, 'x']
                })
              }
            ]
          }
        ]
      },
      composition
    )
    expect(packages(result)).toEqual(['good 1.0.0', 'a/b 1.0.0'])
    const layerDigest = image.layers[0]!.digest
    const finding = (path: string, reason: string) => ({
      rule: 'composition/input-not-analysed',
      severity: 'high',
      title: `${path} was not analysed: ${reason}`,
      location: { path, layerDigest },
      blocking: true
    })
    expect(notAnalysed(result)).toEqual([
      finding(
        '/app/node_modules/broken/package.json',
        `it is not valid JSON (${jsonError}); the package it describes is not in the SBOM`
      ),
      finding(
        '/app/node_modules/list/package.json',
        'it is not a JSON object; the package it describes is not in the SBOM'
      ),
      finding(
        '/usr/lib/python3/dist-packages/nothing-1.0.dist-info/METADATA',
        'it has no Name or no Version header; the package it describes is not in the SBOM'
      ),
      finding(
        '/var/www/vendor/composer/installed.json',
        '2 packages (the first: entry 2 has no name or no version) could not be read; those packages are not in the SBOM'
      )
    ])
  })
})

const noRpm = missingTools(['rpm'])
if (noRpm !== undefined) console.warn(`rpmdb.sqlite cases skipped: ${noRpm}`)
;(noRpm === undefined ? describe : describe.skip)('composition: a damaged rpmdb.sqlite', () => {
  let sqlite: Buffer
  beforeAll(() => {
    const db = join(dir, 'rpmdb')
    execFileSync('rpm', ['--dbpath', db, '--initdb'])
    sqlite = readFileSync(join(db, 'rpmdb.sqlite'))
  })

  it.each([
    [
      'a schema page that is not a b-tree page',
      () => {
        const corrupt = Buffer.from(sqlite)
        corrupt[100] = 0x00
        return corrupt
      },
      'it has no readable table Packages (page 1 and the rows under it: it is not a table b-tree page)'
    ],
    [
      'a file cut after its header',
      () => sqlite.subarray(0, 512),
      'it has no readable table Packages (page 1 and the rows under it: page 1 is outside the file)'
    ]
  ])('reports %s as not analysed, without erroring the step', async (_case, bytes, reason) => {
    const { result, image } = await scan(
      { layers: [{ entries: [{ path: 'var/lib/rpm/rpmdb.sqlite', content: bytes() }] }] },
      composition
    )
    expect(stepOf(result).status).toBe('fail')
    expect(notAnalysed(result)).toEqual([
      {
        rule: 'composition/input-not-analysed',
        severity: 'high',
        title: `/var/lib/rpm/rpmdb.sqlite was not analysed: ${reason}; its packages are not in the SBOM`,
        location: { path: '/var/lib/rpm/rpmdb.sqlite', layerDigest: image.layers[0]!.digest },
        blocking: true
      }
    ])
  })
})

describe('identity: account lines that are not entries', () => {
  it('reports a passwd line libc could read as root, and still checks the others', async () => {
    const passwd = [
      'root:x:0:0:root:/root:/sbin/nologin',
      'toor:x: 0:0::/:/bin/sh',
      '+::::::',
      'broken',
      'app:x:10001:10001::/home/app:/sbin/nologin',
      'twin:x:10001:10001::/:/sbin/nologin',
      ''
    ].join('\n')
    const { result, image } = await scan(
      {
        layers: [
          {
            entries: [
              { path: 'etc/passwd', content: passwd },
              { path: 'etc/group', content: 'root:x:0:\nstaff:x:abc:\napp:x:10001:\n' }
            ]
          }
        ],
        config: { User: '10001:10001', Healthcheck: { Test: ['CMD', 'true'] } }
      },
      identityStep
    )
    const layerDigest = image.layers[0]!.digest
    expect(result.report.findings.map((f) => `${f.rule} ${f.subject}`)).toEqual([
      'identity/input-not-analysed /etc/group',
      'identity/input-not-analysed /etc/passwd',
      'identity/duplicate-uid uid:10001'
    ])
    expect(notAnalysed(result)).toEqual([
      {
        rule: 'identity/input-not-analysed',
        severity: 'high',
        title:
          '/etc/group was not analysed: line 2 GID "abc" is not a number; a group there is not checked',
        location: { path: '/etc/group', layerDigest },
        blocking: true
      },
      {
        rule: 'identity/input-not-analysed',
        severity: 'high',
        title:
          '/etc/passwd was not analysed: 2 lines could not be read as entries (the first: line 2 UID " 0" is not a number); an account there is not checked for UID 0 or an empty password',
        location: { path: '/etc/passwd', layerDigest },
        blocking: true
      }
    ])
  })
})

describe('code: a SARIF import over the cap', () => {
  it(`imports the ${MAX_SARIF_RESULTS} most severe results and reports the rest as one finding`, async () => {
    const results = [
      ...Array.from({ length: 11_000 }, (_, i) => ({
        ruleId: 'style',
        level: 'note',
        message: { text: `note ${i}` },
        locations: [{ physicalLocation: { artifactLocation: { uri: `src/f${i}.js` } } }]
      })),
      ...Array.from({ length: 1_000 }, (_, i) => ({
        ruleId: 'injection',
        level: 'error',
        message: { text: `error ${i}` },
        locations: [{ physicalLocation: { artifactLocation: { uri: `src/e${i}.js` } } }]
      }))
    ]
    const file = join(dir, 'big.sarif')
    writeFileSync(
      file,
      JSON.stringify({ version: '2.1.0', runs: [{ tool: { driver: { name: 'Lint' } }, results }] })
    )
    const { result } = await scan(
      {
        layers: [{ entries: [{ path: 'app/README', content: 'hello\n' }] }],
        config: { User: '10001' }
      },
      codeStep,
      { 'sarif-import': file }
    )
    const counts = new Map<string, number>()
    for (const f of result.report.findings) counts.set(f.rule, (counts.get(f.rule) ?? 0) + 1)
    expect(Object.fromEntries(counts)).toEqual({
      'code/sarif-lint-injection': 1_000,
      'code/sarif-lint-style': 9_000,
      'code/input-not-analysed': 1
    })
    expect(notAnalysed(result)).toEqual([
      {
        rule: 'code/input-not-analysed',
        severity: 'high',
        title: `${file} was not analysed: 2000 of its 12000 open results were not imported (over 10000 per file; those left out are low or less severe)`,
        location: { path: file },
        blocking: true
      }
    ])
    expect(stepOf(result).notes).toContain('imported 10000 SARIF results')
    expect(stepOf(result).notes).toContain(`${file}: 2000 of 12000 SARIF results not imported`)
  }, 30_000)
})

/** The reason for a 64-bit little-endian ELF whose section header table the 1 KiB budget could not keep. */
function sectionHeadersNotKept(elf: Buffer): string {
  const offset = Number(elf.readBigUInt64LE(0x28))
  const length = elf.readUInt16LE(0x3a) * elf.readUInt16LE(0x3c)
  return `it is an ELF file of ${elf.length} bytes and its section headers (${length} bytes at offset ${offset}) streamed past without being kept (one pass keeps the first 1048576 bytes, the program and section headers, the dynamic segment and the tables it names, up to 33554432 bytes of the first PT_LOAD segment and the last 29360128 bytes outside the loaded segments, at most 1024 bytes in all)`
}

describe('code: an ELF file whose hardening needs bytes the pass could not keep', () => {
  it('is code/input-not-analysed, blocking, naming the file and its layer', async () => {
    const ls = readFileSync('/usr/bin/ls')
    // The real step with a 1 KiB budget of kept bytes instead of 64 MiB, so a small file shows it.
    const step: Step = {
      ...codeStep,
      needs: () => ({
        files: [OWNED_FILES_REQUEST],
        subscriptions: [
          codeSubscription(
            {
              signatures: emptySignatureDb(),
              ignoredSignatureFiles: 0,
              malware: false,
              elf: true,
              sourcePatterns: [],
              exclude: [],
              maxElfBytes: 1024
            },
            'test'
          )
        ]
      })
    }
    const { result, image } = await scan(
      { layers: [{ entries: [{ path: 'app/server', content: ls, mode: 0o755 }] }] },
      step
    )
    expect(stepOf(result).status).toBe('fail')
    expect(notAnalysed(result)).toEqual([
      {
        rule: 'code/input-not-analysed',
        severity: 'high',
        title: `/app/server was not analysed: ${sectionHeadersNotKept(ls)}; check it with \`checksec --file\` or exclude it with code-exclude`,
        location: { path: '/app/server', layerDigest: image.layers[0]!.digest },
        blocking: true
      }
    ])
  })
})

/** An rpm header blob (rpm's lib/header.c) with NAME, VERSION and RELEASE as STRING entries. */
function rpmHeader(name: string, version: string, release: string): Buffer {
  const tags: Array<[number, string]> = [
    [1000, name],
    [1001, version],
    [1002, release]
  ]
  const index = Buffer.alloc(tags.length * 16)
  const data: Buffer[] = []
  let offset = 0
  tags.forEach(([tag, value], i) => {
    index.writeUInt32BE(tag, i * 16)
    index.writeUInt32BE(6, i * 16 + 4)
    index.writeUInt32BE(offset, i * 16 + 8)
    index.writeUInt32BE(1, i * 16 + 12)
    const bytes = Buffer.from(`${value}\0`)
    data.push(bytes)
    offset += bytes.length
  })
  const head = Buffer.alloc(8)
  head.writeUInt32BE(tags.length, 0)
  head.writeUInt32BE(offset, 4)
  return Buffer.concat([head, index, ...data])
}

/**
 * rpm's NDB Packages.db (lib/backend/ndb/rpmpkg.c): one slot page, then 16-byte blocks of
 * `BlbS` blobs. `'no-magic'` writes a slot whose blob lacks its magic.
 */
function ndbFile(blobs: Array<Buffer | 'no-magic'>): Buffer {
  const head = Buffer.alloc(4096)
  head.writeUInt32LE(0x506d7052, 0)
  head.writeUInt32LE(1, 12)
  head.writeUInt32LE(blobs.length + 1, 16)
  const parts: Buffer[] = []
  let block = 4096 / 16
  for (let slot = 0; slot < (4096 - 32) / 16; slot++) {
    const at = 32 + slot * 16
    head.writeUInt32LE(0x746f6c53, at)
    const blob = blobs[slot]
    if (blob === undefined) continue
    const payload = blob === 'no-magic' ? Buffer.alloc(16) : blob
    const blocks = Math.ceil((16 + payload.length + 12) / 16)
    head.writeUInt32LE(slot + 1, at + 4)
    head.writeUInt32LE(block, at + 8)
    head.writeUInt32LE(blocks, at + 12)
    const stored = Buffer.alloc(blocks * 16)
    if (blob !== 'no-magic') {
      stored.writeUInt32LE(0x53626c42, 0)
      stored.writeUInt32LE(slot + 1, 4)
      stored.writeUInt32LE(1, 8)
      stored.writeUInt32LE(payload.length, 12)
      payload.copy(stored, 16)
    }
    parts.push(stored)
    block += blocks
  }
  return Buffer.concat([head, ...parts])
}
