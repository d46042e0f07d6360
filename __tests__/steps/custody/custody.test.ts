import { afterAll, describe, expect, it } from '@jest/globals'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  buildImage,
  tarFile,
  writeOciArchive,
  type Compression,
  type FixtureEntry
} from '../../../__fixtures__/image-builder.js'
import { driftCommand } from '../../../src/commands/drift.js'
import { manifestCommand } from '../../../src/commands/manifest.js'
import {
  parseContentManifest,
  serializeContentManifest
} from '../../../src/custody/content-manifest.js'
import { runGate } from '../../../src/engine.js'
import { sha256 as sha } from '../../../src/image/digest.js'
import { ConfigurationError } from '../../../src/errors.js'
import { silentLogger } from '../../../src/log.js'
import { defaultPolicy } from '../../../src/policy/defaults.js'
import { custodyStep } from '../../../src/steps/custody/index.js'
import { custodySettings } from '../../../src/steps/custody/settings.js'

const work = mkdtempSync(join(tmpdir(), 'container-gate-custody-'))
afterAll(() => rmSync(work, { recursive: true, force: true }))

const BASE: FixtureEntry[] = [
  { path: 'etc/' },
  { path: 'etc/app.conf', content: 'mode=safe\n' },
  { path: 'usr/bin/app', content: '\x7fELF app', mode: 0o755 },
  { path: 'usr/bin/run', type: 'hardlink', linkTarget: 'usr/bin/app' },
  { path: 'usr/bin/sh', type: 'symlink', linkTarget: 'app' },
  { path: 'var/log/', mode: 0o755 }
]

function archive(name: string, compression: Compression, layers: FixtureEntry[][]): string {
  const image = buildImage({
    layers: layers.map((entries) => ({ entries, compression })),
    config: { User: '10001' }
  })
  const path = join(work, name)
  writeOciArchive(path, [{ image, ref: 'latest' }])
  return `oci-archive:${path}`
}

const acquire = {
  platform: { os: 'linux', architecture: 'amd64' },
  insecureRegistries: [],
  env: {}
}

async function gate(image: string, custody = defaultPolicy().custody) {
  const policy = { ...defaultPolicy(), custody }
  return runGate({ image, policy, acquire }, silentLogger, [custodyStep])
}

function io() {
  const out: string[] = []
  const err: string[] = []
  return {
    out,
    err,
    io: { stdout: (t: string) => out.push(t), stderr: (t: string) => err.push(t) }
  }
}

describe('the content manifest', () => {
  it('lists every path of the final filesystem with its digest, hardlinks as the file they share', async () => {
    const image = archive('two-layers.tar', 'gzip', [
      [...BASE, { path: 'tmp/' }, { path: 'tmp/build.log', content: 'deleted later' }],
      [
        { path: 'tmp/.wh.build.log' },
        { path: 'etc/app.conf', content: 'mode=strict\n', mode: 0o600 }
      ]
    ])
    const { artifacts, report } = await gate(image)
    expect(artifacts.contentManifest?.entries).toEqual([
      { path: '/etc', type: 'dir', mode: '0755', uid: 0, gid: 0 },
      {
        path: '/etc/app.conf',
        type: 'file',
        mode: '0600',
        uid: 0,
        gid: 0,
        size: 12,
        sha256: sha('mode=strict\n')
      },
      { path: '/tmp', type: 'dir', mode: '0755', uid: 0, gid: 0 },
      {
        path: '/usr/bin/app',
        type: 'file',
        mode: '0755',
        uid: 0,
        gid: 0,
        size: 8,
        sha256: sha('\x7fELF app')
      },
      {
        path: '/usr/bin/run',
        type: 'file',
        mode: '0755',
        uid: 0,
        gid: 0,
        size: 8,
        sha256: sha('\x7fELF app')
      },
      { path: '/usr/bin/sh', type: 'symlink', mode: '0777', uid: 0, gid: 0, linkTarget: 'app' },
      { path: '/var/log', type: 'dir', mode: '0755', uid: 0, gid: 0 }
    ])
    const custody = report.steps.find((s) => s.id === 'custody')
    expect(custody?.status).toBe('pass')
    expect(custody?.notes?.[1]).toBe(
      `content manifest ${artifacts.contentManifest?.contentDigest} (7 paths)`
    )
  })

  it('has the same content digest whatever the compression and layering', async () => {
    const gzip = await gate(archive('gzip.tar', 'gzip', [BASE]))
    const zstd = await gate(archive('zstd.tar', 'zstd', [BASE.slice(0, 2), BASE.slice(2)]))
    expect(gzip.report.image.digest).not.toBe(zstd.report.image.digest)
    expect(zstd.artifacts.contentManifest?.contentDigest).toBe(
      gzip.artifacts.contentManifest?.contentDigest
    )
  })

  it('writes from the manifest command the same file the scan step produces', async () => {
    const image = archive('same.tar', 'gzip', [BASE.slice(0, 2), BASE.slice(2)])
    const { artifacts } = await gate(image)
    const written = io()
    expect(await manifestCommand([image], {}, written.io)).toBe(0)
    expect(written.out.join('')).toBe(serializeContentManifest(artifacts.contentManifest!))
  })

  it('refuses a manifest edited after it was written', async () => {
    const { artifacts } = await gate(archive('edit.tar', 'gzip', [BASE]))
    const edited = serializeContentManifest(artifacts.contentManifest!)
      .replace('"0600"', '"0644"')
      .replace('"size":10', '"size":11')
    expect(() => parseContentManifest(edited, 'baseline-manifest "m.json"')).toThrow(
      /was changed after it was written/
    )
  })
})

describe('drift', () => {
  const exported = (): string => {
    // `docker export` of a container started from the image: every directory, runtime files,
    // a log, a changed config and a binary dropped into the container.
    const path = join(work, 'export.tar')
    writeFileSync(
      path,
      tarFile([
        { path: '.dockerenv', content: '' },
        { path: 'etc/' },
        { path: 'etc/app.conf', content: 'mode=debug\n' },
        { path: 'etc/hostname', content: 'abc123\n' },
        { path: 'usr/' },
        { path: 'usr/bin/' },
        { path: 'usr/bin/app', content: '\x7fELF app', mode: 0o755 },
        { path: 'usr/bin/run', type: 'hardlink', linkTarget: 'usr/bin/app' },
        { path: 'usr/bin/sh', type: 'symlink', linkTarget: 'app' },
        { path: 'usr/local/' },
        { path: 'usr/local/bin/' },
        { path: 'usr/local/bin/miner', content: '\x7fELF miner', mode: 0o755 },
        { path: 'var/' },
        { path: 'var/log/', mode: 0o755 },
        { path: 'var/log/app.log', content: 'started\n' }
      ])
    )
    return path
  }

  it('reports an added binary (high) and a changed config, not the expected log or runtime files', async () => {
    const manifestFile = join(work, 'stage.manifest.json')
    const written = io()
    expect(
      await manifestCommand(
        [archive('stage.tar', 'gzip', [BASE]), '--output', manifestFile],
        {},
        written.io
      )
    ).toBe(0)
    const run = io()
    const code = await driftCommand(
      [`fs-archive:${exported()}`, '--manifest', manifestFile, '--format', 'json'],
      {},
      run.io
    )
    expect(run.err).toEqual([])
    expect(code).toBe(1)
    const result = JSON.parse(run.out.join(''))
    expect(result.changes).toEqual([
      {
        kind: 'changed',
        path: '/etc/app.conf',
        rule: 'custody/drift-changed-file',
        severity: 'medium',
        differences: ['content']
      },
      {
        kind: 'added',
        path: '/usr/local/bin/miner',
        rule: 'custody/drift-added-executable',
        severity: 'high',
        differences: []
      }
    ])
  })

  it('passes a matching export and fails only at --fail-on', async () => {
    const manifestFile = join(work, 'stage.manifest.json')
    const high = io()
    expect(
      await driftCommand(
        [`fs-archive:${exported()}`, '--manifest', manifestFile, '--fail-on', 'critical'],
        {},
        high.io
      )
    ).toBe(0)
    expect(high.out.join('')).toBe(
      'medium   custody/drift-changed-file     /etc/app.conf\n' +
        'high     custody/drift-added-executable /usr/local/bin/miner\n' +
        `2 unexpected change(s) in fs-archive:${join(work, 'export.tar')} since ${JSON.parse(readFileSync(manifestFile, 'utf8')).contentDigest}\n`
    )
  })

  it('compares the image with baseline-manifest in the pipeline', async () => {
    const manifestFile = join(work, 'stage.manifest.json')
    const changed = archive('changed.tar', 'gzip', [
      BASE,
      [{ path: 'usr/bin/tool', content: 'x', mode: 0o755 }]
    ])
    const { report } = await gate(changed, {
      ...defaultPolicy().custody,
      baselineManifest: manifestFile
    })
    expect(
      report.findings.map(({ rule, severity, subject, blocking }) => ({
        rule,
        severity,
        subject,
        blocking
      }))
    ).toEqual([
      {
        rule: 'custody/drift-added-executable',
        severity: 'high',
        subject: '/usr/bin/tool',
        blocking: true
      }
    ])
    expect(report.findings[0]?.location.layerDigest).toBe(report.image.layers[1]?.digest)
    expect(report.verdict).toBe('fail')
  })

  it('exits 2 with one sentence for a missing manifest', async () => {
    const run = io()
    expect(
      await driftCommand(['fs-archive:/nope.tar', '--manifest', '/nope.json'], {}, run.io)
    ).toBe(2)
    expect(run.err).toEqual([
      'container-gate: --manifest "/nope.json" cannot be read; give the file "container-gate manifest IMAGE --output FILE" wrote.\n'
    ])
  })
})

describe('custody settings', () => {
  const parse = (inputs: Record<string, string>) =>
    custodySettings.parse((name) => inputs[name], custodySettings.defaults())

  it.each([
    [
      { 'require-signature': 'true' },
      'input "require-signature" is true but nothing says whose signature: set verify-key, or verify-identity and verify-issuer.'
    ],
    [
      { 'verify-identity': 'x' },
      'inputs "verify-identity" and "verify-issuer" go together; set both for keyless verification.'
    ],
    [{ sign: 'yes' }, 'input "sign" is "yes"; use true or false.'],
    [
      { 'drift-expected': 'var/log/**' },
      'input "drift-expected" has "var/log/**"; use globs of absolute paths, e.g. /var/log/**.'
    ]
  ])('refuses %j', (inputs, message) => {
    expect(() => parse(inputs)).toThrow(new ConfigurationError(message))
  })

  it('reads the verification, drift and signing inputs', () => {
    expect(
      parse({
        'verify-key': 'cosign.pub',
        'require-signature': 'true',
        'drift-expected': '/data/**\n/tmp/**',
        sign: 'true',
        'sign-key-password': ' secret '
      })
    ).toEqual({
      ...custodySettings.defaults(),
      verifyKey: 'cosign.pub',
      requireSignature: true,
      driftExpected: ['/data/**', '/tmp/**'],
      sign: true,
      signKeyPassword: ' secret '
    })
  })
})
