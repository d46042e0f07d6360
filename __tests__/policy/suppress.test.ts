import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { captureOutput, type CapturedOutput } from '../../__fixtures__/capture.js'
import { buildImage, writeOciArchive } from '../../__fixtures__/image-builder.js'
import { main } from '../../src/cli.js'
import { ConfigurationError } from '../../src/errors.js'
import type { Finding } from '../../src/findings.js'
import { defaultPolicy } from '../../src/policy/defaults.js'
import { fingerprint, gate, verdict } from '../../src/policy/evaluate.js'
import {
  compareBaseline,
  expiredIgnores,
  parseBaselineReport,
  type Ignore
} from '../../src/policy/suppress.js'
import type { GateReport } from '../../src/report/model.js'

function finding(rule: string, subject: string, extra: Partial<Finding> = {}): Finding {
  return {
    step: 'identity',
    rule,
    severity: 'high',
    title: `${rule} ${subject}`,
    subject,
    location: {},
    ...extra
  }
}

const setuid = finding('identity/setuid-file', '/usr/lib/chrome/chrome-sandbox', {
  location: { path: '/usr/lib/chrome/chrome-sandbox' }
})
const root = finding('identity/root-user', '')
const vuln = finding('composition/vulnerability', 'openssl', {
  step: 'composition',
  severity: 'critical',
  package: {
    name: 'openssl',
    version: '3.0.1',
    ecosystem: 'Debian',
    purl: 'pkg:deb/debian/openssl@3.0.1'
  },
  vulnerability: { id: 'DSA-5000-1', aliases: ['CVE-2024-0001'] }
})

function ignore(fields: Partial<Ignore>): Ignore {
  return { reason: 'accepted', source: '.container-gate.yml:3', ...fields }
}

describe('ignores', () => {
  it.each<[string, Partial<Ignore>, Finding, boolean]>([
    ['a rule', { rule: 'identity/root-user' }, root, true],
    ['a path glob, dot files included', { path: '/usr/lib/**' }, setuid, true],
    [
      'a rule and a path that both match',
      { rule: 'identity/setuid-file', path: '/usr/lib/**' },
      setuid,
      true
    ],
    [
      'a rule and a path where one does not',
      { rule: 'identity/root-user', path: '/usr/lib/**' },
      setuid,
      false
    ],
    ['a path when the finding has none', { path: '/**' }, root, false],
    ['a fingerprint', { fingerprint: fingerprint(root) }, root, true],
    ['a package name', { package: 'openssl' }, vuln, true],
    ['a purl', { package: 'pkg:deb/debian/openssl@3.0.1' }, vuln, true],
    ['a vulnerability alias', { vulnerability: 'CVE-2024-0001' }, vuln, true],
    ['another vulnerability', { vulnerability: 'CVE-2024-9999' }, vuln, false]
  ])('match by %s', (_name, fields, input, suppressed) => {
    const [gated] = gate([input], defaultPolicy(), {
      ignores: [ignore(fields)],
      today: '2025-06-01',
      failOnNewOnly: false
    })
    expect(gated!.suppressed).toEqual(
      suppressed ? { reason: 'accepted', source: '.container-gate.yml:3' } : undefined
    )
  })

  it('suppress through their until day and not after, and the expired ones are listed', () => {
    const ignores = [
      ignore({ rule: 'identity/root-user', until: '2025-06-01', reason: 'migrating to USER 10001' })
    ]
    const on = gate([root], defaultPolicy(), { ignores, today: '2025-06-01', failOnNewOnly: false })
    const after = gate([root], defaultPolicy(), {
      ignores,
      today: '2025-06-02',
      failOnNewOnly: false
    })
    expect([on[0]!.suppressed !== undefined, after[0]!.suppressed !== undefined]).toEqual([
      true,
      false
    ])
    expect(verdict(after, [])).toBe('fail')
    expect(expiredIgnores(ignores, '2025-06-02')).toEqual([
      { source: '.container-gate.yml:3', reason: 'migrating to USER 10001', until: '2025-06-01' }
    ])
    expect(expiredIgnores(ignores, '2025-06-01')).toEqual([])
  })
})

describe("a step's own suppression (VEX, secret allow-lists)", () => {
  const allowed = {
    reason: 'allowed by secret-allow-paths /usr/lib/**',
    source: 'secret-allow-paths'
  }
  const own = finding('identity/setuid-file', '/usr/lib/chrome/chrome-sandbox', {
    location: { path: '/usr/lib/chrome/chrome-sandbox' },
    suppression: allowed
  })

  it('is reported as suppressed, keeps the finding and does not fail the gate', () => {
    const gated = gate([own, root], defaultPolicy())
    expect(gated.map((f) => [f.rule, f.suppressed ?? null])).toEqual([
      ['identity/root-user', null],
      ['identity/setuid-file', allowed]
    ])
    expect(verdict(gate([own], defaultPolicy()), [])).toBe('pass')
  })

  it('leaves no `suppression` field in the gated finding, only `suppressed`', () => {
    const [gated] = gate([own], defaultPolicy())
    expect(Object.keys(gated!)).not.toContain('suppression')
    expect(gated!.suppressed).toEqual(allowed)
  })

  it('gives way to a matching ignore, whose reason and source are reported', () => {
    const [gated] = gate([own], defaultPolicy(), {
      ignores: [ignore({ path: '/usr/lib/**' })],
      today: '2025-06-01',
      failOnNewOnly: false
    })
    expect(gated!.suppressed).toEqual({ reason: 'accepted', source: '.container-gate.yml:3' })
  })
})

describe('baseline', () => {
  const baseline = {
    source: 'base.json',
    findings: [
      {
        fingerprint: fingerprint(root),
        rule: root.rule,
        severity: 'high' as const,
        title: 'root',
        blocking: true
      },
      {
        fingerprint: 'ffffffffffffffff',
        rule: 'identity/setgid-file',
        severity: 'medium' as const,
        title: 'gone',
        blocking: false
      }
    ]
  }
  const prints = new Set(baseline.findings.map((f) => f.fingerprint))

  it('marks findings new or unchanged; with fail-on-new-only only new ones block', () => {
    const gated = gate([root, setuid], defaultPolicy(), {
      ignores: [],
      today: '2025-06-01',
      failOnNewOnly: true,
      baseline: prints
    })
    expect(gated.map((f) => [f.rule, f.baseline, f.blocking])).toEqual([
      ['identity/setuid-file', 'new', true],
      ['identity/root-user', 'unchanged', false]
    ])
    const only = gate([root], defaultPolicy(), {
      ignores: [],
      today: '2025-06-01',
      failOnNewOnly: true,
      baseline: prints
    })
    expect(verdict(only, [])).toBe('pass')
    const enforced = gate([root], defaultPolicy(), {
      ignores: [],
      today: '2025-06-01',
      failOnNewOnly: false,
      baseline: prints
    })
    expect(verdict(enforced, [])).toBe('fail')
  })

  it('counts new, unchanged and fixed', () => {
    const gated = gate([root, setuid], defaultPolicy(), {
      ignores: [],
      today: '2025-06-01',
      failOnNewOnly: true,
      baseline: prints
    })
    expect(compareBaseline(gated, baseline, true)).toEqual({
      source: 'base.json',
      new: 1,
      unchanged: 1,
      fixed: [
        {
          fingerprint: 'ffffffffffffffff',
          rule: 'identity/setgid-file',
          severity: 'medium',
          title: 'gone'
        }
      ],
      failOnNewOnly: true
    })
  })

  it.each([
    ['not JSON', '{', 'is not JSON'],
    ['another document', '{"schemaVersion": 2, "findings": []}', 'is not a container-gate report'],
    [
      'a finding without a fingerprint',
      '{"schemaVersion": 1, "findings": [{"rule": "x", "severity": "high"}]}',
      'has a finding without fingerprint, rule or severity at findings[0]'
    ]
  ])('refuses a baseline that is %s', (_name, text, message) => {
    expect(() => parseBaselineReport(text, 'base.json')).toThrow(ConfigurationError)
    expect(() => parseBaselineReport(text, 'base.json')).toThrow(
      `input "baseline" base.json ${message}`
    )
  })
})

describe('container-gate scan with a baseline, ignores and mode', () => {
  let dir: string
  let output: CapturedOutput

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'suppress-'))
    output = captureOutput()
  })

  afterEach(() => {
    jest.restoreAllMocks()
    rmSync(dir, { recursive: true, force: true })
  })

  /** A root image; `setuid` adds a setuid binary, the finding a PR would introduce. */
  function archive(name: string, setuidFile: boolean): string {
    const image = buildImage({
      layers: [
        {
          entries: [
            { path: 'etc/' },
            { path: 'etc/passwd', content: 'root:x:0:0:root:/root:/sbin/nologin\n' },
            ...(setuidFile
              ? [
                  { path: 'usr/' },
                  { path: 'usr/bin/' },
                  { path: 'usr/bin/newgrp', content: 'x', mode: 0o4755 }
                ]
              : [])
          ]
        }
      ],
      config: { Healthcheck: { Test: ['CMD', '/bin/true'] } }
    })
    const file = join(dir, `${name}.tar`)
    writeOciArchive(file, [{ image }])
    return `oci-archive:${file}`
  }

  it('blocks only what the image introduced over a baseline report, and reports the rest', async () => {
    const base = join(dir, 'base.json')
    expect(
      await main(['scan', archive('base', false), '--report', base, '--format', 'json'], {})
    ).toBe(1)
    output.stdout = ''
    const status = await main(
      [
        'scan',
        archive('pr', true),
        '--baseline',
        base,
        '--fail-on-new-only',
        'true',
        '--format',
        'json'
      ],
      {}
    )
    expect(status).toBe(1)
    const report = JSON.parse(output.stdout) as GateReport
    expect(report.findings.map((f) => [f.rule, f.baseline, f.blocking])).toEqual([
      ['identity/setuid-file', 'new', true],
      ['identity/root-user', 'unchanged', false]
    ])
    expect(report.baseline).toEqual({
      source: base,
      new: 1,
      unchanged: 1,
      fixed: [],
      failOnNewOnly: true
    })
  })

  it('passes when the only findings are already in a baseline image scanned in the same run', async () => {
    const base = archive('base', true)
    const status = await main(
      [
        'scan',
        archive('pr', true),
        '--baseline',
        base,
        '--fail-on-new-only',
        'true',
        '--format',
        'json'
      ],
      {}
    )
    expect(output.stderr).toBe('')
    expect(status).toBe(0)
    const report = JSON.parse(output.stdout) as GateReport
    expect(report.verdict).toBe('pass')
    expect([report.baseline!.new, report.baseline!.unchanged]).toEqual([0, 2])
  })

  it('blocks as without a baseline when the baseline report does not exist yet, and says so', async () => {
    const status = await main(
      [
        'scan',
        archive('pr', false),
        '--baseline',
        join(dir, 'none.json'),
        '--fail-on-new-only',
        'true',
        '--format',
        'json'
      ],
      {}
    )
    expect(status).toBe(1)
    expect(output.stderr).toContain('none.json does not exist; every finding counts as new')
    expect((JSON.parse(output.stdout) as GateReport).baseline).toBeUndefined()
  })

  it('applies ignores from --config and reports an expired one', async () => {
    const config = join(dir, 'policy.yml')
    writeFileSync(
      config,
      [
        'ignores:',
        '  - rule: identity/setuid-file',
        '    reason: newgrp goes in the next release',
        '  - rule: identity/root-user',
        '    reason: was accepted once',
        '    until: 2020-01-01',
        ''
      ].join('\n')
    )
    const status = await main(
      ['scan', archive('pr', true), '--config', config, '--format', 'json'],
      {}
    )
    expect(status).toBe(1)
    const report = JSON.parse(output.stdout) as GateReport
    expect(report.findings.map((f) => [f.rule, f.suppressed?.source ?? null, f.blocking])).toEqual([
      ['identity/root-user', null, true],
      ['identity/setuid-file', `${config}:2`, true]
    ])
    expect(report.summary).toEqual(expect.objectContaining({ blocking: 1, suppressed: 1 }))
    expect(report.expiredIgnores).toEqual([
      { source: `${config}:4`, reason: 'was accepted once', until: '2020-01-01' }
    ])
    expect(output.stderr).toContain(`The ignore at ${config}:4 expired on 2020-01-01`)
  })

  it('exits 0 in warn mode with the failing verdict shown', async () => {
    const sarif = join(dir, 'out.sarif')
    const status = await main(['scan', archive('pr', true), '--mode', 'warn', '--sarif', sarif], {})
    expect(status).toBe(0)
    expect(output.stdout).toMatch(/Verdict\s+FAIL/)
    expect((JSON.parse(readFileSync(sarif, 'utf8')) as { version: string }).version).toBe('2.1.0')
  })

  it('exits 2 naming the key and line of a bad policy file', async () => {
    const config = join(dir, 'bad.yml')
    writeFileSync(config, 'identity:\n  min-uid: 1000\n  min-ud: 5\n')
    expect(await main(['scan', archive('pr', false), '--config', config], {})).toBe(2)
    expect(output.stderr).toBe(
      `container-gate: policy file ${config} line 3: unknown key "identity.min-ud" (see schema/policy.schema.json).\n`
    )
  })
})
