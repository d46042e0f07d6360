import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals'
import {
  existsSync,
  mkdirSync,
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
import { main, parseCommand } from '../src/cli.js'
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
    [
      ['scan'],
      '"scan" takes exactly one IMAGE, got none; usage: container-gate scan IMAGE [options] (see container-gate scan --help).'
    ],
    [['scan', 'a', 'b'], '"scan" takes exactly one IMAGE'],
    [
      ['scan', 'oci:x', '--format', 'xml'],
      '--format "xml" is not supported; use one of table, json, markdown, sarif, cyclonedx, spdx, junit.'
    ],
    [
      ['scan', 'oci:x', '--no-such-flag'],
      'container-gate: unknown option --no-such-flag; run "container-gate scan --help" for the options.\n'
    ],
    [
      ['scan', 'oci:x', '--alow-no-vuln-data'],
      'container-gate: unknown option --alow-no-vuln-data; did you mean --allow-no-vuln-data?\n'
    ],
    [
      ['scan', 'oci:x', '--ignore-unfixed=yes'],
      'container-gate: --ignore-unfixed is "yes"; write --ignore-unfixed alone, --ignore-unfixed=true or --ignore-unfixed=false.\n'
    ],
    [
      ['scan', 'oci:x', '--fail-on', '--steps', 'identity'],
      'container-gate: --fail-on needs a value: write --fail-on VALUE, or --fail-on=VALUE when the value starts with "-".\n'
    ],
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
    [['scan', '127.0.0.1:1/app:1'], 'unreachable'],
    [
      ['scan', 'oci:x', '--steps', 'identity', '--sbom', 'sbom.json'],
      'container-gate: input "sbom" asks for the SBOM, but the composition step that catalogs the packages is not run; add composition to "steps" or leave "sbom" empty.\n'
    ],
    [
      ['scan', 'oci:x', '--steps', 'identity', '--format', 'spdx'],
      'container-gate: --format spdx prints the SBOM, but the composition step that catalogs the packages is not run; add composition to --steps.\n'
    ],
    [
      ['scan', 'ghcr.io/a/b:1', '--steps', 'identity', '--sign', '--attest-sbom'],
      'input "attest-sbom" asks to attest the SBOM, but the composition step'
    ]
  ])('exits 2 with one clear message for %j', async (argv, message) => {
    const status = await main(argv, {})
    expect(status).toBe(2)
    expect(output.stderr).toContain(message)
    expect(output.stderr.trim().split('\n')).toHaveLength(1)
    expect(output.stderr).not.toMatch(/\n\s+at /)
    expect(output.stdout).toBe('')
  })

  it('warns of options that change nothing, and still scans', async () => {
    const status = await main(
      [
        'scan',
        archive('10001:10001'),
        '--fail-on-new-only',
        '--sbom-format',
        'spdx',
        '--format',
        'json'
      ],
      {}
    )
    expect(status).toBe(0)
    expect(output.stderr).toBe(
      [
        'warning: "fail-on-new-only" is set but no "baseline" is given: every finding counts as new.',
        'warning: --sbom-format is set but no --sbom file is given: no SBOM is written.',
        ''
      ].join('\n')
    )
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
    // Defaults as action.yml has them; a boolean's false and long lists are not spelled out.
    expect(output.stdout).toContain('  --fail-on (default: high)\n')
    expect(output.stdout).toContain('  --layer-cache[=true|false] (default: true)\n')
    expect(output.stdout).toContain('  --fail-on-new-only[=true|false]\n')
    expect(output.stdout).toContain(
      '  --code-exclude (repeatable) (default: a list, in docs/inputs.md)\n'
    )
  })
})

describe('container-gate help and usage', () => {
  it('prints the usage on standard error with exit 2 when given no arguments', async () => {
    expect(await main([], {})).toBe(2)
    expect(output.stdout).toBe('')
    expect(output.stderr).toContain('  container-gate scan IMAGE [options]')
    expect(output.stderr).toContain('  --allow-no-vuln-data[=true|false]\n')
  })

  it.each(['scan', 'demo'])(
    'prints the scan options on standard output for %s --help',
    async (name) => {
      expect(await main([name, '--help'], {})).toBe(0)
      expect(output.stderr).toBe('')
      expect(output.stdout).toMatch(/^Usage:\n {2}container-gate scan IMAGE \[options\]/)
      expect(output.stdout).toContain('  --fail-on-new-only[=true|false]\n')
    }
  )

  it.each([
    ['manifest', 'Usage: container-gate manifest IMAGE [--output FILE] [--statement FILE]\n'],
    ['drift', 'Usage: container-gate drift TARGET --manifest FILE'],
    ['sign', 'Usage: container-gate sign IMAGE [--key cosign.key]'],
    ['verify', 'Usage: container-gate verify IMAGE (--key cosign.pub |']
  ])('prints the usage of %s --help on standard output with exit 0', async (name, usage) => {
    expect(await main([name, '-h'], {})).toBe(0)
    expect(output.stdout.startsWith(usage)).toBe(true)
    expect(output.stdout).toContain('--insecure-registry HOST[:PORT]')
    expect(output.stderr).toBe('')
  })

  it.each([
    ['manifest', ['manifest', 'oci:x', '--ouput', 'm.json'], 'did you mean --output?'],
    ['drift', ['drift', 'oci:x', '--manifets', 'm.json'], 'did you mean --manifest?'],
    ['sign', ['sign', 'r.example/a:1', '--kye', 'k'], 'did you mean --key?'],
    [
      'verify',
      ['verify', 'r.example/a:1', '--zzzzzz'],
      'run "container-gate verify --help" for the options.'
    ]
  ])('names the closest flag when %s is given an unknown one', async (_name, argv, hint) => {
    expect(await main(argv, {})).toBe(2)
    expect(output.stderr).toBe(`container-gate: unknown option ${argv[2]}; ${hint}\n`)
  })

  it.each(['manifest', 'drift', 'sign', 'verify'])(
    'prints the usage on standard error with exit 2 for %s without arguments',
    async (name) => {
      expect(await main([name], {})).toBe(2)
      expect(output.stderr).toMatch(
        new RegExp(`^container-gate: ${name} needs arguments; usage: container-gate ${name} `)
      )
    }
  )
})

describe('boolean flags', () => {
  it.each([
    [['--allow-no-vuln-data'], true],
    [['--allow-no-vuln-data=true'], true],
    [['--allow-no-vuln-data=false'], false],
    [['--allow-no-vuln-data', 'false'], false],
    [[], false]
  ])('reads %j as allow-no-vuln-data %s', (flags, expected) => {
    const command = parseCommand(['scan', 'oci:x', ...flags])
    expect(command.inputs?.policy.composition.allowNoVulnData).toBe(expected)
    expect(command.inputs?.image).toBe('oci:x')
  })

  it('reads bare --ignore-unfixed and --fail-on-new-only before the IMAGE', () => {
    const command = parseCommand(['scan', '--ignore-unfixed', '--fail-on-new-only', 'oci:x'])
    expect(command.inputs?.policy.composition.ignoreUnfixed).toBe(true)
    expect(command.inputs?.failOnNewOnly).toBe(true)
    expect(command.inputs?.image).toBe('oci:x')
  })
})

describe('--vuln-db osv', () => {
  let cwd: string
  beforeEach(() => {
    cwd = process.cwd()
    process.chdir(dir)
  })
  afterEach(() => process.chdir(cwd))

  it('refuses the bare word when a directory osv is here, and reads ./osv as that directory', () => {
    mkdirSync(join(dir, 'osv'))
    expect(() => parseCommand(['scan', 'oci:x', '--vuln-db', 'osv'])).toThrow(
      '--vuln-db osv downloads from osv.dev, but osv is also a directory here; write --vuln-db ./osv to use the directory, or leave --vuln-db out to download.'
    )
    expect(
      parseCommand(['scan', 'oci:x', '--vuln-db', './osv']).inputs?.policy.composition.vulnDb
    ).toBe('./osv')
  })

  it('means the osv.dev download when no directory osv is here', () => {
    expect(
      parseCommand(['scan', 'oci:x', '--vuln-db', 'osv']).inputs?.policy.composition.vulnDb
    ).toBe('osv')
  })
})

describe('output paths', () => {
  it.each(['--output', '--report', '--sarif', '--sbom', '--junit'])(
    'refuses a %s that is a directory before reading the image',
    async (flag) => {
      const status = await main(['scan', `oci-archive:${join(dir, 'missing.tar')}`, flag, dir], {})
      expect(status).toBe(2)
      expect(output.stderr).toBe(`container-gate: ${flag} "${dir}" is a directory; name a file.\n`)
    }
  )

  it('refuses an --output whose directory cannot be created before reading the image', async () => {
    writeFileSync(join(dir, 'file'), '')
    const path = join(dir, 'file', 'out.txt')
    const status = await main(
      ['scan', `oci-archive:${join(dir, 'missing.tar')}`, '--output', path],
      {}
    )
    expect(status).toBe(2)
    expect(output.stderr).toBe(
      `container-gate: --output "${path}" cannot be written (its directory ${join(dir, 'file')} cannot be created): a part of its path is a file, not a directory (EEXIST); choose a writable path.\n`
    )
  })
})

describe('output files', () => {
  it('writes into a device such as /dev/null instead of replacing it', async () => {
    const status = await main(['scan', archive('10001:10001'), '--output', '/dev/null'], {})
    expect(status).toBe(0)
    expect(statSync('/dev/null').isCharacterDevice()).toBe(true)
  })
})
