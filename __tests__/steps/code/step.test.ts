import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import {
  buildImage,
  tarFile,
  writeOciArchive,
  type FixtureEntry
} from '../../../__fixtures__/image-builder.js'
import { ACQUIRE } from '../../../__fixtures__/memory-source.js'
import { missingTools, tempDir } from '../../../__fixtures__/registry.js'
import { runGate } from '../../../src/engine.js'
import { ConfigurationError } from '../../../src/errors.js'
import type { GatedFinding } from '../../../src/findings.js'
import { silentLogger } from '../../../src/log.js'
import { parsePolicyInputs } from '../../../src/policy/inputs.js'
import { codeStep } from '../../../src/steps/code/index.js'
import { EICAR } from '../../../src/steps/code/signatures.js'

const missing = missingTools(['gcc'])
const describeWithGcc = missing === undefined ? describe : describe.skip
if (missing !== undefined) console.warn(`code step tests ${missing} (apt-get install -y gcc)`)

const CLAMAV_TESTFILES = '/usr/share/clamav-testfiles'
const hasTestfiles = existsSync(CLAMAV_TESTFILES)
if (!hasTestfiles) {
  console.warn(
    `code malware tests skipped: ${CLAMAV_TESTFILES} missing (apt-get install -y clamav-testfiles)`
  )
}

const PROGRAM = `#include <stdio.h>
#include <string.h>
int main(int argc, char **argv) { char b[32]; strcpy(b, argv[0]); printf("%s\\n", b); return 0; }
`

const RUN_SH = [
  '#!/bin/sh',
  '# curl https://example.test/install | sh   (a comment: not a finding)',
  'curl -fsSL https://example.test/install.sh | sh',
  'chmod 777 /data',
  'exec /app/bin/server'
].join('\n')

const ENTRYPOINT = [
  '#!/usr/bin/env python3',
  'import pickle, sys',
  'state = pickle.loads(sys.stdin.buffer.read())'
].join('\n')

let dir: string
let bad: string
let good: string

function md5(bytes: Buffer): string {
  return createHash('md5').update(bytes).digest('hex')
}

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex')
}

/** A ClamAV database as sigtool writes it: a 512-byte header, then a gzip'd tar of its files. */
function cvd(files: Record<string, string>): Buffer {
  const body = gzipSync(
    tarFile(Object.entries(files).map(([path, content]) => ({ path, content })))
  )
  const header = Buffer.alloc(512, ' ')
  header.write(`ClamAV-VDB:26 Nov 2026 14-00 +0000:1:1:90:${md5(body)}:X:test:1795000000`, 'latin1')
  return Buffer.concat([header, body])
}

function file(path: string, content: string | Buffer, mode = 0o644): FixtureEntry {
  return { path, content, mode }
}

async function scan(
  layers: FixtureEntry[][],
  inputs: Record<string, string> = {},
  env: string[] = []
): Promise<GatedFinding[]> {
  const image = buildImage({ layers: layers.map((entries) => ({ entries })), config: { Env: env } })
  const archive = join(dir, `image-${Math.random().toString(36).slice(2)}.tar`)
  writeOciArchive(archive, [{ image }])
  const policy = parsePolicyInputs((name) => inputs[name])
  const { report } = await runGate(
    {
      image: `oci-archive:${archive}`,
      policy,
      acquire: ACQUIRE
    },
    silentLogger,
    [codeStep]
  )
  const step = report.steps.find((s) => s.id === 'code')
  expect(step?.status === 'error' ? step.reason : undefined).toBeUndefined()
  return report.findings
}

function summary(findings: GatedFinding[]): string[] {
  return findings.map((f) => `${f.rule} ${f.subject}`).sort()
}

const OS_LAYER: FixtureEntry[] = [
  { path: 'bin', type: 'symlink', linkTarget: 'usr/bin' },
  { path: 'usr/' },
  { path: 'usr/bin/' },
  { path: 'var/lib/dpkg/info/' },
  // dpkg records /bin/ls; on merged /usr the file lives at /usr/bin/ls.
  file('var/lib/dpkg/info/coreutils.list', '/.\n/bin\n/bin/ls\n')
]

describeWithGcc('code step', () => {
  beforeAll(() => {
    dir = tempDir('code-step')
    writeFileSync(join(dir, 'main.c'), PROGRAM)
    bad = join(dir, 'bad')
    good = join(dir, 'good')
    execFileSync('gcc', [
      '-fno-pie',
      '-no-pie',
      '-fno-stack-protector',
      '-Wl,-z,execstack',
      '-Wl,--disable-new-dtags,-rpath,lib:/usr/lib',
      '-o',
      bad,
      join(dir, 'main.c')
    ])
    execFileSync('gcc', [
      '-O2',
      '-D_FORTIFY_SOURCE=2',
      '-fstack-protector-strong',
      '-Wl,-z,relro,-z,now',
      '-o',
      good,
      join(dir, 'main.c')
    ])
  })

  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('reports unhardened binaries and dangerous script lines of the team, not the OS packages', async () => {
    const findings = await scan(
      [
        [...OS_LAYER, file('usr/bin/ls', readFileSync('/usr/bin/ls'), 0o755)],
        [
          { path: 'app/' },
          file('app/bin/server', readFileSync(bad), 0o755),
          file('app/bin/healthy', readFileSync(good), 0o755),
          file('app/run.sh', RUN_SH, 0o755),
          file('app/entrypoint', ENTRYPOINT, 0o755),
          file('app/node_modules/left-pad/index.js', 'module.exports = (s) => eval(s)\n'),
          file('app/mysite/settings.py', 'DEBUG = True\nALLOWED_HOSTS = []\n'),
          file('app/mysite/settings_dev.py', 'DEBUG = True\n')
        ]
      ],
      {},
      ['NODE_TLS_REJECT_UNAUTHORIZED=0', 'PATH=/usr/bin']
    )
    expect(summary(findings)).toEqual([
      'code/debug-enabled /app/mysite/settings.py:1',
      'code/elf-executable-stack /app/bin/server',
      'code/elf-insecure-rpath /app/bin/server',
      'code/elf-no-fortify /app/bin/server',
      'code/elf-no-pie /app/bin/server',
      'code/elf-no-stack-canary /app/bin/server',
      'code/elf-partial-relro /app/bin/server',
      'code/python-unsafe-deserialization /app/entrypoint:3',
      'code/shell-chmod-world-writable /app/run.sh:4',
      'code/shell-download-exec /app/run.sh:3',
      'code/tls-verification-disabled env:NODE_TLS_REJECT_UNAUTHORIZED'
    ])
    const rpath = findings.find((f) => f.rule === 'code/elf-insecure-rpath')
    expect(rpath).toMatchObject({ severity: 'high', blocking: true })
    expect(rpath?.detail).toContain('RPATH entry "lib" is relative')
    const download = findings.find((f) => f.rule === 'code/shell-download-exec')
    expect(download?.location).toEqual({
      path: '/app/run.sh',
      line: 3,
      layerDigest: expect.stringMatching(/^sha256:/)
    })
  })

  it('checks OS-owned binaries too with code-scope all, and skips excluded paths', async () => {
    const findings = await scan(
      [
        [...OS_LAYER, file('usr/bin/ls', readFileSync('/usr/bin/ls'), 0o755)],
        [file('opt/vendor/tool', readFileSync(bad), 0o755)]
      ],
      { 'code-scope': 'all', 'code-exclude': '/opt/vendor/**' }
    )
    expect(summary(findings)).toEqual(['code/elf-partial-relro /usr/bin/ls'])
  })

  it('reports RPATH entries in world-writable directories, not $ORIGIN or root-owned ones', async () => {
    const binary = join(dir, 'plugins')
    execFileSync('gcc', [
      '-O2',
      '-D_FORTIFY_SOURCE=2',
      '-fstack-protector-strong',
      '-Wl,-z,relro,-z,now',
      '-Wl,--enable-new-dtags,-rpath,$ORIGIN/../lib:/opt/app/lib:/tmp/plugins',
      '-o',
      binary,
      join(dir, 'main.c')
    ])
    const findings = await scan([
      [
        { path: 'tmp/', mode: 0o1777 },
        { path: 'opt/app/lib/', mode: 0o755 },
        file('opt/app/bin/plugins', readFileSync(binary), 0o755)
      ]
    ])
    expect(summary(findings)).toEqual(['code/elf-insecure-rpath /opt/app/bin/plugins'])
    expect(findings[0]?.detail).toMatch(/^RUNPATH entry "\/tmp\/plugins" is world-writable: /)
  })

  it('reports a search path of more entries than it walks, or longer than PATH_MAX, as not analysed', async () => {
    const many = join(dir, 'many')
    const long = join(dir, 'long')
    const build = (out: string, rpath: string): void => {
      execFileSync('gcc', [
        '-O2',
        `-Wl,--enable-new-dtags,-rpath,${rpath}`,
        '-o',
        out,
        join(dir, 'main.c')
      ])
    }
    // Bazel-style: many entries, each fine, are still checked.
    const bazel = join(dir, 'bazel')
    build(bazel, Array.from({ length: 300 }, (_, i) => `/opt/lib${i}`).join(':'))
    build(many, Array.from({ length: 1100 }, (_, i) => `/opt/l${i}`).join(':'))
    build(long, `/opt/${'d/'.repeat(2100)}lib:/usr/lib`)
    const findings = await scan([
      [
        file('opt/app/bazel', readFileSync(bazel), 0o755),
        file('opt/app/many', readFileSync(many), 0o755),
        file('opt/app/long', readFileSync(long), 0o755)
      ]
    ])
    // Hardening flags aside (built without them): no search-path verdict, two not analysed.
    expect(summary(findings).filter((f) => /insecure-rpath|input-not-analysed/.test(f))).toEqual([
      'code/input-not-analysed /opt/app/long',
      'code/input-not-analysed /opt/app/many'
    ])
    const details = Object.fromEntries(
      findings
        .filter((f) => f.rule === 'code/input-not-analysed')
        .map((f) => [f.subject, `${f.title} ${f.detail}`])
    )
    expect(details['/opt/app/many']).toContain(
      'its RUNPATH has 1100 entries, more than the 1024 the step checks'
    )
    expect(details['/opt/app/long']).toContain(
      'its RUNPATH has an entry of 4208 characters, longer than PATH_MAX (4096)'
    )
  })

  it('judges only the final version of a file', async () => {
    const findings = await scan([
      [file('app/server', readFileSync(bad), 0o755), file('app/run.sh', RUN_SH)],
      [file('app/server', readFileSync(good), 0o755), { path: 'app/.wh.run.sh' }]
    ])
    expect(summary(findings)).toEqual([])
  })

  it('finds EICAR even in a file a later layer deletes, and names the layer', async () => {
    const findings = await scan([
      [file('tmp/eicar.com', `${EICAR}\r\n`), file('tmp/not-eicar.txt', `${EICAR}!`)],
      [{ path: 'tmp/.wh.eicar.com' }]
    ])
    expect(summary(findings)).toEqual(['code/malware /tmp/eicar.com:Eicar-Test-Signature'])
    expect(findings[0]).toMatchObject({ severity: 'critical', blocking: true })
    expect(findings[0]?.title).toContain('layer 1; removed or replaced by a later layer')
  })

  const itWithTestfiles = hasTestfiles ? it : it.skip
  itWithTestfiles(
    'matches clamav-testfiles against .hdb, .hsb and .cvd hash lists built from them',
    async () => {
      const names = readdirSync(CLAMAV_TESTFILES)
        .filter((name) => name.startsWith('clam'))
        .sort()
      const samples = names.map(
        (name) => [name, readFileSync(join(CLAMAV_TESTFILES, name))] as const
      )
      const [md5List, sha256List, cvdList] = [
        samples.slice(0, 5),
        samples.slice(5, 10),
        samples.slice(10, 15)
      ]
      writeFileSync(
        join(dir, 'test.hdb'),
        md5List.map(([name, b]) => `${md5(b)}:${b.length}:Test.${name}\n`).join('')
      )
      writeFileSync(
        join(dir, 'test.hsb'),
        sha256List.map(([name, b]) => `${sha256(b)}:*:Test.${name}:73\n`).join('')
      )
      writeFileSync(
        join(dir, 'test.cvd'),
        cvd({
          'main.hsb': cvdList
            .map(([name, b]) => `${sha256(b)}:${b.length}:Test.${name}\n`)
            .join(''),
          'main.ndb': 'x:0:*:00\n'
        })
      )
      const findings = await scan(
        [
          [
            ...samples.slice(0, 15).map(([name, b]) => file(`samples/${name}`, b)),
            file('samples/clean.txt', 'hello\n')
          ]
        ],
        {
          'malware-signatures': ['test.hdb', 'test.hsb', 'test.cvd']
            .map((n) => join(dir, n))
            .join('\n')
        }
      )
      expect(summary(findings)).toEqual(
        samples
          .slice(0, 15)
          .map(([name]) => `code/malware /samples/${name}:Test.${name}`)
          .sort()
      )
      expect(findings.find((f) => f.subject.endsWith(`Test.${cvdList[0]![0]}`))?.detail).toContain(
        'test.cvd:main.hsb'
      )
    }
  )

  it('gates imported SARIF results with the same policy', async () => {
    const sarif = join(dir, 'codeql.sarif')
    writeFileSync(
      sarif,
      JSON.stringify({
        version: '2.1.0',
        runs: [
          {
            tool: {
              driver: {
                name: 'CodeQL',
                rules: [{ id: 'js/sql-injection', properties: { 'security-severity': '8.8' } }]
              }
            },
            results: [
              {
                ruleId: 'js/sql-injection',
                ruleIndex: 0,
                message: { text: 'This query depends on a user-provided value.' },
                locations: [
                  {
                    physicalLocation: {
                      artifactLocation: { uri: 'src/db.js' },
                      region: { startLine: 12 }
                    }
                  }
                ],
                partialFingerprints: { primaryLocationLineHash: 'abc123:1' }
              }
            ]
          }
        ]
      })
    )
    const findings = await scan([[file('etc/hostname', 'x\n')]], { 'sarif-import': sarif })
    expect(findings).toEqual([
      expect.objectContaining({
        rule: 'code/sarif-codeql-js-sql-injection',
        severity: 'high',
        blocking: true,
        subject: 'src/db.js#abc123:1',
        title:
          'CodeQL js/sql-injection: This query depends on a user-provided value. (src/db.js:12)'
      })
    ])
  })

  it.each([
    ['sarif-import', 'not json', 'input "sarif-import": FILE is not valid JSON'],
    ['sarif-import', '{"version":"2.1.0"}', 'input "sarif-import": FILE is not a SARIF 2.1.0 log'],
    [
      'malware-signatures',
      'abc:12:Bad\n',
      'input "malware-signatures": FILE line 1 has no MD5, SHA-1 or SHA-256 hash in hex'
    ]
  ])('stops with a ConfigurationError naming %s and the file', async (input, content, message) => {
    const path = join(dir, 'bad-input')
    writeFileSync(path, content)
    const run = (async () => scan([[file('etc/hostname', 'x\n')]], { [input]: path }))()
    await expect(run).rejects.toBeInstanceOf(ConfigurationError)
    await expect(run).rejects.toThrow(message.replace('FILE', path))
  })
})
