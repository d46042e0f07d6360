import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals'
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parse } from 'yaml'
import { captureOutput, type CapturedOutput } from '../__fixtures__/capture.js'
import { buildImage, writeOciArchive } from '../__fixtures__/image-builder.js'
import { main } from '../src/cli.js'
import type { GateReport } from '../src/report/model.js'

let dir: string
let output: CapturedOutput

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cli-'))
  output = captureOutput()
})

afterEach(() => {
  jest.restoreAllMocks()
  rmSync(dir, { recursive: true, force: true })
})

const passwd = 'root:x:0:0:root:/root:/sbin/nologin\napp:x:10001:10001::/app:/sbin/nologin\n'

function archive(user: string | undefined): string {
  const image = buildImage({
    layers: [
      {
        entries: [
          { path: 'etc/' },
          { path: 'etc/passwd', content: passwd },
          { path: 'etc/group', content: 'root:x:0:\napp:x:10001:\n' }
        ]
      },
      {
        entries: [{ path: 'app/' }, { path: 'app/run', content: 'x', mode: 0o755 }],
        compression: 'zstd'
      }
    ],
    config: {
      ...(user === undefined ? {} : { User: user }),
      Healthcheck: { Test: ['CMD', '/app/run'] }
    }
  })
  const file = join(dir, `${user ?? 'root'}.tar`.replace(/[:/]/g, '_'))
  writeOciArchive(file, [{ image }])
  return `oci-archive:${file}`
}

describe('container-gate scan', () => {
  it('passes a well-built image with exit 0 and writes the JSON report of the contract', async () => {
    const report = join(dir, 'out', 'report.json')
    const status = await main(
      ['scan', archive('10001:10001'), '--report', report, '--format', 'json'],
      {}
    )
    expect(output.stderr).toBe('')
    expect(status).toBe(0)
    const written = JSON.parse(readFileSync(report, 'utf8')) as GateReport
    expect(JSON.parse(output.stdout)).toEqual(written)
    expect(written.schemaVersion).toBe(1)
    expect(written.verdict).toBe('pass')
    expect(written.image.digest).toMatch(/^sha256:[a-f0-9]{64}$/)
    expect(written.image.platform).toBe('linux/amd64')
    expect(written.image.layers).toHaveLength(2)
    expect(written.image.layers[0]).toEqual(
      expect.objectContaining({
        digest: expect.stringMatching(/^sha256:/),
        diffId: expect.stringMatching(/^sha256:/)
      })
    )
    expect(written.steps.map((s) => [s.id, s.status])).toEqual([
      ['identity', 'pass'],
      ['tests', 'pass'],
      ['code', 'pass'],
      ['composition', 'pass'],
      ['hardening', 'pass'],
      ['custody', 'pass']
    ])
    expect(written.findings).toEqual([])
  })

  it('fails a root image with exit 1 and a blocking identity/root-user finding', async () => {
    const status = await main(['scan', archive(undefined), '--format', 'json'], {})
    expect(status).toBe(1)
    const report = JSON.parse(output.stdout) as GateReport
    expect(report.verdict).toBe('fail')
    const root = report.findings.find((f) => f.rule === 'identity/root-user')
    expect(root).toEqual(
      expect.objectContaining({
        step: 'identity',
        severity: 'high',
        blocking: true,
        fingerprint: expect.any(String)
      })
    )
    expect(report.steps[0]!.status).toBe('fail')
  })

  it('reports but does not block with --fail-on none', async () => {
    const status = await main(
      ['scan', archive(undefined), '--fail-on', 'none', '--format', 'json'],
      {}
    )
    expect(status).toBe(0)
    const report = JSON.parse(output.stdout) as GateReport
    expect(report.findings.some((f) => f.rule === 'identity/root-user' && !f.blocking)).toBe(true)
  })

  it('skips steps left out of --steps and says so', async () => {
    const status = await main(
      ['scan', archive(undefined), '--steps', 'custody', '--format', 'json'],
      {}
    )
    expect(status).toBe(0)
    const report = JSON.parse(output.stdout) as GateReport
    expect(report.steps[0]).toEqual(
      expect.objectContaining({ id: 'identity', status: 'skipped', reason: 'not selected' })
    )
    expect(report.findings).toEqual([])
  })

  it('prints a table by default with the verdict', async () => {
    const status = await main(['scan', archive(undefined)], {})
    expect(status).toBe(1)
    expect(output.stdout).toContain('identity/root-user')
    expect(output.stdout).toMatch(/FAIL/)
    expect(output.stdout).not.toContain('\u001b[')
  })

  it.each([
    [['frobnicate'], 'unknown command "frobnicate"'],
    [['scan'], '"scan" takes exactly one IMAGE, got none'],
    [['scan', 'a', 'b'], '"scan" takes exactly one IMAGE'],
    [
      ['scan', 'oci:x', '--format', 'xml'],
      '--format "xml" is not supported; use one of table, json, markdown, sarif, cyclonedx, spdx, junit.'
    ],
    [['scan', 'oci:x', '--no-such-flag'], "Unknown option '--no-such-flag'"],
    [['scan', 'oci:x', '--fail-on', 'hgh'], 'fail-on'],
    [
      ['scan', 'oci:x', '--platform', 'linux'],
      'platform "linux" is not of the form os/arch[/variant]'
    ],
    [
      ['scan', 'oci:x', '--registry-username', 'u'],
      '"registry-username" and "registry-password" go together'
    ],
    [['scan', 'nosuch:thing/x'], 'nosuch'],
    [
      ['scan', 'oci:x', '--registry-username', 'u', '--registry-password', 'p'],
      'oci:x is not in a registry and no signature-repository is set'
    ],
    [['scan', 'Upper/Case:1'], 'Upper/Case:1'],
    [['scan', '127.0.0.1:1/app:1'], 'unreachable']
  ])('exits 2 with one clear message for %j', async (argv, message) => {
    const status = await main(argv, {})
    expect(status).toBe(2)
    expect(output.stderr).toContain(message)
    expect(output.stderr.trim().split('\n')).toHaveLength(1)
    expect(output.stderr).not.toMatch(/\n\s+at /)
    expect(output.stdout).toBe('')
  })

  it('exits 2 naming the file when an archive does not exist', async () => {
    const status = await main(['scan', `oci-archive:${join(dir, 'missing.tar')}`], {})
    expect(status).toBe(2)
    expect(output.stderr).toContain('missing.tar')
    expect(output.stderr).not.toMatch(/\n\s+at /)
  })

  it('exits 2 and writes nothing when the image is not a tar', async () => {
    const file = join(dir, 'text.tar')
    writeFileSync(file, 'this is not an archive\n'.repeat(100))
    const report = join(dir, 'report.json')
    const status = await main(['scan', `oci-archive:${file}`, '--report', report], {})
    expect(status).toBe(2)
    expect(output.stderr).toContain('text.tar')
    expect(existsSync(report)).toBe(false)
  })

  it('exits 2 when --output names a directory, leaving no temporary file behind', async () => {
    const status = await main(['scan', archive('10001'), '--output', dir], {})
    expect(status).toBe(2)
    expect(output.stderr).toContain(`--output "${dir}" is a directory`)
    expect(readdirSync(dir).filter((name) => name.endsWith('.tmp'))).toEqual([])
  })
})

describe('container-gate demo', () => {
  it('scans the bundled sample image offline and exits 0 with its failing verdict shown', async () => {
    const status = await main(['demo', '--format', 'json'], {})
    expect(output.stderr).toBe('')
    expect(status).toBe(0)
    const report = JSON.parse(output.stdout) as GateReport
    expect(report.verdict).toBe('fail')
    const rules = new Set(report.findings.map((f) => f.rule))
    for (const rule of [
      'identity/root-user',
      'identity/setuid-file',
      'identity/empty-password',
      'identity/duplicate-uid',
      'identity/privilege-escalation-tool',
      'identity/missing-healthcheck'
    ]) {
      expect(rules).toContain(rule)
    }
  })

  it('reports the Debian base image glibc vulnerabilities once per CVE, through the source package', async () => {
    expect(await main(['demo', '--format', 'json'], {})).toBe(0)
    const report = JSON.parse(output.stdout) as GateReport
    const vulnerabilities = report.findings
      .filter((f) => f.rule === 'composition/vulnerability')
      .map((f) => ({
        severity: f.severity,
        title: f.title,
        ids: [f.vulnerability?.id, ...(f.vulnerability?.aliases ?? [])]
      }))
    expect(vulnerabilities).toEqual([
      {
        severity: 'critical',
        title: 'CVE-2021-44906 in minimist 1.2.5 (fixed in 1.2.6)',
        ids: ['CVE-2021-44906', 'GHSA-xvch-5gv4-984h']
      },
      {
        severity: 'high',
        title: 'CVE-2023-4911 in libc6 2.36-9+deb12u1 (fixed in 2.36-9+deb12u3)',
        ids: ['CVE-2023-4911', 'DEBIAN-CVE-2023-4911', 'DSA-5514-1']
      },
      {
        severity: 'high',
        title: 'CVE-2021-23337 in lodash 4.17.20 (fixed in 4.17.21)',
        ids: ['CVE-2021-23337', 'GHSA-35jh-r3h4-6jhm']
      },
      {
        severity: 'medium',
        title: 'CVE-2023-4527 in libc6 2.36-9+deb12u1 (fixed in 2.36-9+deb12u3)',
        ids: ['CVE-2023-4527', 'DEBIAN-CVE-2023-4527', 'DSA-5514-1']
      },
      {
        severity: 'medium',
        title: 'CVE-2020-28500 in lodash 4.17.20 (fixed in 4.17.21)',
        ids: ['CVE-2020-28500', 'GHSA-29mw-wpgm-hmr9']
      }
    ])
    const glibc = report.findings.find((f) => f.title.startsWith('CVE-2023-4911'))
    expect(glibc?.detail).toContain('upgrade libc6 (source package glibc) to 2.36-9+deb12u3')
    expect(report.steps.find((s) => s.id === 'composition')?.notes).toContain(
      'distribution Debian GNU/Linux 12 (bookworm)'
    )
  })
})

describe('container-gate --version and --help', () => {
  it('prints the version of package.json', async () => {
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }
    expect(await main(['--version'], {})).toBe(0)
    expect(output.stdout).toBe(`${pkg.version}\n`)
  })

  it('lists every action input as a flag in --help', async () => {
    expect(await main(['--help'], {})).toBe(0)
    const action = parse(readFileSync('action.yml', 'utf8')) as { inputs: Record<string, unknown> }
    const flags = Object.keys(action.inputs).filter((name) => name !== 'image')
    expect(flags.length).toBeGreaterThan(5)
    for (const name of flags) expect(output.stdout).toContain(`--${name}`)
  })
})

describe('output files', () => {
  it('writes into a device such as /dev/null instead of replacing it', async () => {
    const status = await main(['scan', archive('10001:10001'), '--output', '/dev/null'], {})
    expect(status).toBe(0)
    expect(statSync('/dev/null').isCharacterDevice()).toBe(true)
  })
})
