import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  buildImage,
  writeOciArchive,
  type FixtureEntry,
  type ImageSpec
} from '../../../__fixtures__/image-builder.js'
import { ACQUIRE } from '../../../__fixtures__/memory-source.js'
import { missingTools } from '../../../__fixtures__/registry.js'
import { tokenLike as random } from '../../../__fixtures__/tokens.js'
import { runGate } from '../../../src/engine.js'
import type { GatedFinding } from '../../../src/findings.js'
import { silentLogger } from '../../../src/log.js'
import { defaultPolicy } from '../../../src/policy/defaults.js'
import type { Policy } from '../../../src/policy/policy.js'
import { renderJson } from '../../../src/report/json.js'
import { renderMarkdown } from '../../../src/report/markdown.js'
import type { GateReport } from '../../../src/report/model.js'
import { renderSarif } from '../../../src/report/sarif.js'
import { renderTable } from '../../../src/report/table.js'
import { hardeningStep } from '../../../src/steps/hardening/index.js'
import type { HardeningSettings } from '../../../src/steps/hardening/settings.js'

const missing = missingTools(['openssl'])
if (missing !== undefined) console.warn(`hardening step tests ${missing}`)
const describeWithOpenssl = missing === undefined ? describe : describe.skip

let dir: string
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'hardening-'))
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

async function gateImage(
  spec: ImageSpec,
  settings: Partial<HardeningSettings> = {}
): Promise<GateReport> {
  const file = join(dir, `${random(8)}.tar`)
  writeOciArchive(file, [{ image: buildImage(spec) }])
  const policy: Policy = defaultPolicy()
  policy.hardening = { ...policy.hardening, ...settings }
  const { report } = await runGate(
    {
      image: `oci-archive:${file}`,
      policy,
      acquire: ACQUIRE
    },
    silentLogger,
    [hardeningStep]
  )
  return report
}

/** `severity rule: title`, in report order. */
function found(report: GateReport): string[] {
  return report.findings.map((f) => `${f.severity} ${f.rule}: ${f.title}`)
}

const BASE: FixtureEntry[] = [
  { path: 'etc/' },
  {
    path: 'etc/passwd',
    content: 'root:x:0:0::/root:/sbin/nologin\napp:x:10001:10001::/app:/sbin/nologin\n'
  },
  { path: 'app/' },
  { path: 'tmp/', mode: 0o1777 }
]

describeWithOpenssl('hardening step on a built image', () => {
  const privateKey = (): string =>
    execFileSync('openssl', ['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:1024'], {
      encoding: 'utf8',
      // openssl prints its progress dots on standard error.
      stdio: ['ignore', 'pipe', 'ignore']
    })
  // A skipped describe still runs its body: only call openssl where the tests will run.
  const key = missing === undefined ? privateKey() : ''
  const githubToken = `ghp_${random(36)}`
  const slackToken = `xoxb-${random(12, '0123456789')}-${random(12, '0123456789')}-${random(24)}`
  const npmToken = `npm_${random(36)}`
  const buildArg = random(20)
  const dbPassword = random(18)
  const labelToken = `glpat-${random(20)}`
  const secrets = [key, githubToken, slackToken, npmToken, buildArg, dbPassword, labelToken]
  const bodies = [...secrets.slice(1), ...key.split('\n').filter((line) => line.length > 40)]

  const spec: ImageSpec = {
    layers: [
      { entries: BASE },
      {
        entries: [
          { path: 'app/deploy_key', content: key, mode: 0o600 },
          { path: 'app/.env', content: `GITHUB_TOKEN=${githubToken}\n` },
          { path: 'app/cache.bin', content: randomBytes(1536 * 1024) }
        ]
      },
      {
        compression: 'zstd',
        entries: [
          { path: 'app/.wh.deploy_key' },
          { path: 'app/.wh.cache.bin' },
          { path: 'app/settings.json', content: `{"slack": "${slackToken}"}` }
        ]
      }
    ],
    config: {
      User: '10001:10001',
      Env: ['PATH=/usr/bin', `DB_PASSWORD=${dbPassword}`],
      Labels: { 'org.example.deploy-token': labelToken },
      Volumes: { '/etc': {} },
      Cmd: ['/app/run']
    },
    history: [
      { created_by: 'ADD rootfs.tar / # buildkit' },
      {
        created_by: `RUN |1 BUILD_SECRET=${buildArg} /bin/sh -c npm ci --token ${npmToken} # buildkit`
      },
      { created_by: `ENV DB_PASSWORD=${dbPassword}`, empty_layer: true },
      { created_by: 'RUN /bin/sh -c rm /app/deploy_key /app/cache.bin # buildkit' }
    ]
  }
  let report: GateReport

  beforeAll(async () => {
    report = await gateImage(spec)
  })

  it('reports secrets in every layer and in the config, and says when a later layer deleted one', () => {
    expect(found(report)).toEqual([
      'critical hardening/secret-github-pat: GitHub personal access token (classic) in /app/.env',
      'critical hardening/secret-gitlab-pat: GitLab personal access token in label org.example.deploy-token',
      'critical hardening/secret-npm-token: npm access token in build history entry 2',
      'critical hardening/secret-private-key-pkcs8: PKCS#8 private key in /app/deploy_key (present in layer 2, deleted in layer 3)',
      'critical hardening/secret-slack-bot-token: Slack bot token in /app/settings.json',
      'high hardening/secret-env: Secret in an environment variable in ENV DB_PASSWORD',
      'medium hardening/low-efficiency: Image efficiency 50.0% is below 90.0%',
      'medium hardening/sensitive-volume: VOLUME /etc exposes a system path',
      'medium hardening/wasted-space: 3.0 MiB wasted across layers (200.0% of the bytes above the first layer)',
      'low hardening/wasted-file: /app/cache.bin wastes 3.0 MiB (written or deleted in layers 2, 3)'
    ])
    expect(report.verdict).toBe('fail')
  })

  it('points a layer finding at the layer that holds the secret', () => {
    const finding = report.findings.find((f) => f.rule === 'hardening/secret-private-key-pkcs8')
    expect(finding?.location).toEqual({
      path: '/app/deploy_key',
      layerDigest: report.image.layers[1]?.digest
    })
    expect(finding?.detail).toMatch(
      /^Line 1: ----… \(\d+ characters\)\. Deleting it in layer 3 does not remove it: layer 2 still holds it/
    )
  })

  it('never prints a secret value in the JSON, table, markdown or SARIF report', () => {
    const rendered = [
      renderJson(report),
      renderTable(report, { color: false }),
      renderMarkdown(report),
      renderSarif(report)
    ]
    for (const output of rendered) {
      for (const value of bodies) expect(output).not.toContain(value)
    }
    expect(renderJson(report)).toContain('BUILD_SECRET=[')
  })

  it('keeps fingerprints stable across runs for the same secret', async () => {
    const again = await gateImage(spec)
    expect(again.findings.map((f) => f.fingerprint)).toEqual(
      report.findings.map((f) => f.fingerprint)
    )
  })

  it('reports secret findings allowed by rule, path glob or fingerprint as suppressed, not blocking', async () => {
    const envFingerprint = report.findings.find(
      (f) => f.rule === 'hardening/secret-env'
    )!.fingerprint
    const allowed = await gateImage(spec, {
      secretAllowRules: ['slack-bot-token', 'npm-token'],
      secretAllowPaths: ['/app/.env', '/app/deploy_*'],
      secretAllowFingerprints: [envFingerprint]
    })
    const secrets = (findings: GatedFinding[]) =>
      findings
        .filter((f) => f.rule.startsWith('hardening/secret-'))
        .map((f) => [f.rule, f.location.path ?? null, f.suppressed ?? null])
    const by = (input: string, entry: string) => ({
      reason: `allowed by ${input} ${entry}`,
      source: `${input} (input or policy file)`
    })
    expect(secrets(allowed.findings)).toEqual([
      ['hardening/secret-github-pat', '/app/.env', by('secret-allow-paths', '/app/.env')],
      ['hardening/secret-gitlab-pat', null, null],
      ['hardening/secret-npm-token', null, by('secret-allow-rules', 'npm-token')],
      [
        'hardening/secret-private-key-pkcs8',
        '/app/deploy_key',
        by('secret-allow-paths', '/app/deploy_*')
      ],
      [
        'hardening/secret-slack-bot-token',
        '/app/settings.json',
        by('secret-allow-rules', 'slack-bot-token')
      ],
      ['hardening/secret-env', null, by('secret-allow-fingerprints', envFingerprint)]
    ])
    // Nothing vanishes: the same findings as without allow-lists, five of them not blocking.
    expect(allowed.findings.map((f) => f.fingerprint).sort()).toEqual(
      report.findings.map((f) => f.fingerprint).sort()
    )
    expect(allowed.summary.suppressed).toBe(report.summary.suppressed + 5)
    expect(renderTable(allowed, { color: false })).toContain(
      '(suppressed: allowed by secret-allow-paths /app/.env)'
    )
    expect(renderMarkdown(allowed)).toContain(
      '(suppressed: allowed by secret-allow-rules npm-token)'
    )
  })
})

describe('hardening step: a secret repeated in a file', () => {
  it.each([
    [[2, 3, 7], 'Line 2 (the same value also on lines 3 and 7)'],
    [[5, 9], 'Line 5 (the same value also on line 9)'],
    [
      Array.from({ length: 15 }, (_, i) => i + 1),
      'Line 1 (the same value also on lines 2, 3, 4, 5, 6, 7, 8, 9, 10, 11 and 4 more)'
    ]
  ])('on lines %j: one finding naming every line', async (lines, where) => {
    const token = `ghp_${random(36)}`
    const last = Math.max(...lines)
    const text = Array.from({ length: last }, (_, i) =>
      lines.includes(i + 1) ? `token: ${token}` : `# line ${i + 1}`
    ).join('\n')
    const report = await gateImage({
      layers: [{ entries: [...BASE, { path: 'app/config.yaml', content: text }] }],
      config: { User: '10001:10001' }
    })
    const secrets = report.findings.filter((f) => f.rule === 'hardening/secret-github-pat')
    expect(secrets.map((f) => f.detail?.split(':')[0])).toEqual([where])
  })
})

describe('hardening step: lean image', () => {
  it('does not report a few rewritten bytes as wasted space, whatever their share', async () => {
    const report = await gateImage({
      layers: [
        { entries: BASE },
        {
          entries: [{ path: 'app/' }, { path: 'app/config.json', content: '{"a":1}'.repeat(100) }]
        },
        { entries: [{ path: 'app/config.json', content: '{"a":2}'.repeat(100) }] }
      ],
      config: { User: '10001:10001', Cmd: ['/app/run'] }
    })
    expect(report.findings.map((f) => f.rule)).not.toEqual(
      expect.arrayContaining(['hardening/wasted-space'])
    )
    expect(report.findings.map((f) => f.rule)).not.toEqual(
      expect.arrayContaining(['hardening/low-efficiency'])
    )
  })

  it('reports caches, leftovers, tool chains, world-writable paths and files the runtime user owns', async () => {
    const report = await gateImage({
      layers: [
        {
          entries: [
            ...BASE,
            { path: 'usr/' },
            { path: 'usr/bin/' },
            { path: 'usr/bin/gcc-12', content: '\x7fELF', mode: 0o755 },
            { path: 'usr/bin/gcc', type: 'symlink', linkTarget: 'gcc-12' },
            { path: 'usr/bin/apt-get', content: '\x7fELF', mode: 0o755 },
            { path: 'usr/bin/pip3', content: '#!/usr/bin/python3\n', mode: 0o755 },
            { path: 'usr/local/' },
            { path: 'usr/local/bin/' },
            { path: 'usr/local/bin/app', content: '\x7fELF', mode: 0o755, uid: 10001 },
            { path: 'var/' },
            { path: 'var/lib/' },
            { path: 'var/lib/apt/' },
            { path: 'var/lib/apt/lists/' },
            { path: 'var/lib/apt/lists/lock', content: '' },
            {
              path: 'var/lib/apt/lists/deb.debian.org_debian_dists_bookworm_InRelease',
              content: 'x'.repeat(2048)
            },
            { path: 'root/' },
            { path: 'root/.cache/pip/http/a', content: 'x'.repeat(100) },
            { path: 'root/.bash_history', content: 'ls\n' },
            { path: 'tmp/build.log', content: 'log' },
            { path: 'app/.git/' },
            { path: 'app/__pycache__/' },
            { path: 'app/__pycache__/main.cpython-311.pyc', content: 'pyc' },
            { path: 'app/main.py.orig', content: 'old' },
            { path: 'app/shared/', mode: 0o777 },
            { path: 'app/core', content: elfCore() }
          ]
        }
      ],
      config: { User: '10001' }
    })
    expect(found(report)).toEqual([
      'medium hardening/core-dump: Core dump /app/core',
      'medium hardening/runtime-user-owns-system-file: 1 entry in /usr/local/bin owned by the runtime user (UID 10001)',
      'medium hardening/shell-history: Shell history file /root/.bash_history (layer 1)',
      'medium hardening/world-writable: World-writable directory /app/shared',
      'low hardening/package-cache: pip cache left in /root/.cache/pip (1 files, 100 B)',
      'low hardening/package-cache: apt package lists left in /var/lib/apt/lists (1 files, 2.0 KiB)',
      'low hardening/pycache: __pycache__ under /app (1 files, 3 B)',
      'low hardening/temp-files: Files left in /tmp (1 files, 3 B)',
      'low hardening/toolchain: Build tool chain gcc in the image (/usr/bin/gcc)',
      'low hardening/vcs-directory: Version control directory /app/.git',
      'info hardening/editor-backup: Editor backup or patch leftover /app/main.py.orig',
      'info hardening/package-manager: Package manager apt in the image (/usr/bin/apt-get)',
      'info hardening/package-manager: Package manager pip in the image (/usr/bin/pip3)'
    ])
  })

  it('blocks package managers and tool chains under a lean base image policy, except allowed tools', async () => {
    const report = await gateImage(
      {
        layers: [
          {
            entries: [
              ...BASE,
              { path: 'usr/bin/make', content: '\x7fELF', mode: 0o755 },
              { path: 'usr/bin/npm', content: '#!/usr/bin/env node\n', mode: 0o755 }
            ]
          }
        ],
        config: { User: '10001' }
      },
      { leanBaseImage: true, allowedTools: ['npm'] }
    )
    expect(found(report)).toEqual([
      'high hardening/toolchain: Build tool chain make in the image (/usr/bin/make)'
    ])
    expect(report.verdict).toBe('fail')
  })

  it('reports ADD from a URL, apt-get upgrade and an unpinned base image from the config', async () => {
    const report = await gateImage({
      layers: [{ entries: BASE }, { entries: [{ path: 'opt/' }] }],
      config: {
        User: '10001',
        Labels: { 'org.opencontainers.image.base.name': 'docker.io/library/debian:latest' }
      },
      history: [
        { created_by: 'ADD https://example.com/tool.tar.gz?sig=1 /opt/ # buildkit' },
        { created_by: 'RUN /bin/sh -c apt-get update && apt-get -y dist-upgrade # buildkit' }
      ]
    })
    expect(found(report)).toEqual([
      'medium hardening/add-remote-url: ADD downloads from example.com at build time',
      'low hardening/latest-base-tag: Base image docker.io/library/debian:latest is not pinned',
      'low hardening/package-upgrade: Build runs `apt-get -y dist-upgrade`'
    ])
  })

  it('never prints credentials embedded in an ADD URL', async () => {
    const password = random(20)
    const report = await gateImage({
      layers: [{ entries: BASE }, { entries: [{ path: 'opt/' }] }],
      config: { User: '10001' },
      history: [
        { created_by: 'ADD rootfs.tar / # buildkit' },
        { created_by: `ADD https://deploy:${password}@git.example.com/a/x.tgz?token=t /opt/` }
      ]
    })
    const finding = report.findings.find((f) => f.rule === 'hardening/add-remote-url')
    expect(finding?.title).toBe('ADD downloads from git.example.com at build time')
    for (const text of [renderJson(report), renderSarif(report), renderMarkdown(report)]) {
      expect(text).not.toContain(password)
    }
  })

  it('downgrades a secret in a package test fixture to low and blocks on text files too large to scan', async () => {
    const report = await gateImage(
      {
        layers: [
          {
            entries: [
              ...BASE,
              {
                path: 'usr/lib/python3/dist-packages/botocore/tests/creds.ini',
                content: `aws_secret_access_key = ${random(40)}\n`
              },
              { path: 'app/big.log', content: 'text\n'.repeat(300) },
              { path: 'app/big.bin', content: Buffer.alloc(2000) }
            ]
          }
        ],
        config: { User: '10001' }
      },
      { secretMaxFileBytes: 1024 }
    )
    expect(found(report)).toEqual([
      'high hardening/input-not-analysed: /app/big.log was not analysed: it is a text file of 1.5 KiB, over secret-max-file-size (1.0 KiB), so it was not scanned for secrets',
      'low hardening/secret-aws-secret-access-key: AWS secret access key in /usr/lib/python3/dist-packages/botocore/tests/creds.ini'
    ])
  })

  it('reports secrets in Go tests, test trees of software under /usr and packages’ docs and METADATA as low', async () => {
    const key = `aws_secret_access_key = ${random(40)}\n`
    const report = await gateImage(
      {
        layers: [
          {
            entries: [
              ...BASE,
              { path: 'usr/local/go/src/net/http/client_test.go', content: key },
              { path: 'usr/lib/google-cloud-sdk/lib/third_party/x/tests/creds.ini', content: key },
              { path: 'app/node_modules/keyv/README.md', content: key },
              {
                path: 'usr/local/lib/python3.11/site-packages/joserfc-1.6.5.dist-info/METADATA',
                content: key
              },
              // The application's own tests are not a package's: still what they are.
              { path: 'app/tests/creds.ini', content: key }
            ]
          }
        ],
        config: { User: '10001' }
      },
      {}
    )
    expect(found(report)).toEqual([
      'critical hardening/secret-aws-secret-access-key: AWS secret access key in /app/tests/creds.ini',
      'low hardening/secret-aws-secret-access-key: AWS secret access key in /app/node_modules/keyv/README.md',
      'low hardening/secret-aws-secret-access-key: AWS secret access key in /usr/lib/google-cloud-sdk/lib/third_party/x/tests/creds.ini',
      'low hardening/secret-aws-secret-access-key: AWS secret access key in /usr/local/go/src/net/http/client_test.go',
      'low hardening/secret-aws-secret-access-key: AWS secret access key in /usr/local/lib/python3.11/site-packages/joserfc-1.6.5.dist-info/METADATA'
    ])
  })

  it('applies custom secret rules from the policy', async () => {
    const report = await gateImage(
      {
        layers: [
          {
            entries: [
              ...BASE,
              { path: 'app/conf.txt', content: `acme=ACME-${random(24, '0123456789abcdef')}\n` }
            ]
          }
        ],
        config: { User: '10001' }
      },
      {
        customSecretRules: [
          {
            id: 'acme-token',
            regex: 'ACME-[0-9a-f]{24}',
            keywords: ['acme-'],
            severity: 'critical',
            entropy: 2,
            title: 'ACME token'
          }
        ]
      }
    )
    expect(found(report)).toEqual([
      'critical hardening/secret-acme-token: ACME token in /app/conf.txt'
    ])
  })
})

/** An ELF64 little-endian header with e_type ET_CORE (4), as the kernel writes core dumps. */
function elfCore(): Buffer {
  const header = Buffer.alloc(64)
  header.writeUInt32BE(0x7f454c46, 0)
  header[4] = 2
  header[5] = 1
  header[6] = 1
  header.writeUInt16LE(4, 16)
  return header
}

describe('hardening notes', () => {
  it('names the largest files of the largest layers, the earlier first among equal sizes', async () => {
    const report = await gateImage({
      layers: [
        { entries: BASE },
        {
          entries: [
            { path: 'app/a', content: 'x'.repeat(5) },
            { path: 'app/b', content: 'x'.repeat(9) },
            { path: 'app/c', content: 'x'.repeat(9) },
            { path: 'app/link', type: 'symlink', linkTarget: 'a' },
            { path: 'app/d', content: 'x'.repeat(1) },
            { path: 'app/e', content: 'x'.repeat(9) },
            { path: 'app/f', content: 'x'.repeat(12) }
          ]
        }
      ]
    })
    const notes = report.steps.find((step) => step.id === 'hardening')?.notes ?? []
    expect(notes.find((note) => note.startsWith('layer 2 '))).toMatch(
      /^layer 2 \([0-9a-f]{12}, 45 B\): \/app\/f 12 B, \/app\/b 9 B, \/app\/c 9 B$/
    )
  })
})
