import { describe, expect, it } from '@jest/globals'
import type { Finding, GatedFinding, Severity } from '../../src/findings.js'
import { defaultPolicy } from '../../src/policy/defaults.js'
import { fingerprint, gate, stepStatus, verdict } from '../../src/policy/evaluate.js'
import type { Policy } from '../../src/policy/policy.js'
import type { StepReport, StepStatus } from '../../src/report/model.js'

function finding(severity: Severity, rule = 'identity/root-user', subject = ''): Finding {
  return { step: 'identity', rule, severity, title: 'A finding', location: {}, subject }
}

function policyWith(change: (policy: Policy) => void): Policy {
  const policy = defaultPolicy()
  change(policy)
  return policy
}

function steps(...statuses: StepStatus[]): StepReport[] {
  return statuses.map((status) => ({
    id: 'identity',
    title: 'Container validation',
    status,
    durationMs: 1
  }))
}

describe('fingerprint', () => {
  it('is 16 hex digits of sha256 over step, rule, subject, purl and vulnerability id', () => {
    // sha256("identity\0identity/root-user\0\0\0"), first 16 hex digits
    expect(fingerprint(finding('high'))).toBe('a4e0fed474593a8c')
    expect(fingerprint(finding('high'))).toMatch(/^[0-9a-f]{16}$/)
  })

  it('ignores wording, severity and location, so a reworded finding keeps its fingerprint', () => {
    const base = finding('high', 'identity/setuid-file', '/usr/bin/su')
    const moved: Finding = {
      ...base,
      severity: 'low',
      title: 'Other words',
      detail: 'More',
      location: { path: '/usr/bin/su', layerDigest: `sha256:${'1'.repeat(64)}` }
    }
    expect(fingerprint(moved)).toBe(fingerprint(base))
  })

  it('tells apart subjects, packages and vulnerabilities', () => {
    const base: Finding = {
      ...finding('high', 'composition/vulnerability', 'openssl'),
      step: 'composition',
      package: {
        name: 'openssl',
        version: '3.0.1',
        ecosystem: 'Alpine',
        purl: 'pkg:apk/alpine/openssl@3.0.1'
      },
      vulnerability: { id: 'CVE-2024-0001', aliases: [] }
    }
    const prints = new Set([
      fingerprint(base),
      fingerprint({ ...base, subject: 'libssl3' }),
      fingerprint({ ...base, package: { ...base.package!, purl: 'pkg:apk/alpine/openssl@3.0.2' } }),
      fingerprint({ ...base, vulnerability: { id: 'CVE-2024-0002', aliases: [] } })
    ])
    expect(prints.size).toBe(4)
  })

  it('cannot be made to collide by moving a separator between fields', () => {
    const a = { ...finding('high', 'identity/setuid-file', 'a|b') }
    const b = {
      ...finding('high', 'identity/setuid-file', 'a'),
      package: { name: '', version: '', ecosystem: '', purl: 'b' }
    }
    expect(fingerprint(a)).not.toBe(fingerprint(b))
  })
})

describe('gate', () => {
  it.each<[string, Severity, (policy: Policy) => void, boolean | 'dropped']>([
    ['blocks at the step fail-on severity', 'high', () => undefined, true],
    ['blocks above it', 'critical', () => undefined, true],
    ['does not block below it', 'medium', () => undefined, false],
    ['follows a lower fail-on', 'low', (p) => (p.steps.identity.failOn = 'low'), true],
    ['blocks info at fail-on info', 'info', (p) => (p.steps.identity.failOn = 'info'), true],
    ['never blocks at fail-on none', 'critical', (p) => (p.steps.identity.failOn = 'none'), false],
    ['uses the finding step’s own fail-on', 'high', (p) => (p.steps.tests.failOn = 'none'), true],
    [
      'never blocks a warn rule',
      'critical',
      (p) => (p.rules['identity/root-user'] = 'warn'),
      false
    ],
    ['always blocks an error rule', 'info', (p) => (p.rules['identity/root-user'] = 'error'), true],
    [
      'blocks an error rule under fail-on none',
      'low',
      (p) => {
        p.steps.identity.failOn = 'none'
        p.rules['identity/root-user'] = 'error'
      },
      true
    ],
    ['drops an off rule', 'critical', (p) => (p.rules['identity/root-user'] = 'off'), 'dropped']
  ])('%s', (_case, severity, change, expected) => {
    const gated = gate([finding(severity)], policyWith(change))
    expect(gated.length === 0 ? 'dropped' : gated[0]!.blocking).toBe(expected)
  })

  it('fingerprints and orders findings: most severe first, blocking first, then rule and subject', () => {
    const policy = policyWith((p) => {
      p.rules['identity/empty-password'] = 'warn'
      p.rules['identity/missing-healthcheck'] = 'error'
    })
    const gated = gate(
      [
        finding('medium', 'identity/setgid-file', '/b'),
        finding('low', 'identity/missing-healthcheck', 'healthcheck'),
        finding('medium', 'identity/setgid-file', '/a'),
        finding('critical', 'identity/empty-password', 'root'),
        finding('critical', 'identity/empty-password', 'admin'),
        finding('high', 'identity/setuid-file', '/c'),
        { ...finding('critical', 'identity/root-user'), step: 'hardening' },
        finding('critical', 'identity/root-user')
      ],
      policy
    )
    expect(gated.map((f) => [f.severity, f.blocking, f.step, f.rule, f.subject])).toEqual([
      ['critical', true, 'identity', 'identity/root-user', ''],
      ['critical', true, 'hardening', 'identity/root-user', ''],
      ['critical', false, 'identity', 'identity/empty-password', 'admin'],
      ['critical', false, 'identity', 'identity/empty-password', 'root'],
      ['high', true, 'identity', 'identity/setuid-file', '/c'],
      ['medium', false, 'identity', 'identity/setgid-file', '/a'],
      ['medium', false, 'identity', 'identity/setgid-file', '/b'],
      ['low', true, 'identity', 'identity/missing-healthcheck', 'healthcheck']
    ])
    expect(gated[0]!.fingerprint).toBe(fingerprint(finding('critical')))
  })
})

describe('step status and verdict', () => {
  const blocking: GatedFinding = { ...finding('high'), fingerprint: 'f1', blocking: true }
  const warning: GatedFinding = { ...finding('low'), fingerprint: 'f2', blocking: false }
  const suppressed: GatedFinding = {
    ...blocking,
    suppressed: { reason: 'accepted', source: 'ignore' }
  }

  it.each<[string, GatedFinding[], StepStatus]>([
    ['fails a step with a blocking finding', [warning, blocking], 'fail'],
    ['passes a step with only non-blocking findings', [warning], 'pass'],
    ['passes a step with no findings', [], 'pass'],
    ['passes a step whose blocking finding is suppressed', [suppressed], 'pass']
  ])('%s', (_case, findings, expected) => {
    expect(stepStatus(findings)).toBe(expected)
  })

  it.each<[string, GatedFinding[], StepReport[], 'pass' | 'fail']>([
    ['passes with no blocking finding', [warning], steps('pass', 'pass'), 'pass'],
    ['fails on a blocking finding', [blocking], steps('fail'), 'fail'],
    ['passes with a suppressed blocking finding', [suppressed], steps('pass'), 'pass'],
    ['fails closed when a step errored', [], steps('pass', 'error'), 'fail'],
    ['does not fail for a skipped step', [], steps('pass', 'skipped'), 'pass']
  ])('%s', (_case, findings, stepReports, expected) => {
    expect(verdict(findings, stepReports)).toBe(expected)
  })
})

describe('defaultPolicy', () => {
  it('enables every step at fail-on high with the identity defaults', () => {
    const policy = defaultPolicy()
    expect(policy).toMatchObject({
      steps: {
        identity: { enabled: true, failOn: 'high' },
        tests: { enabled: true, failOn: 'high' },
        code: { enabled: true, failOn: 'high' },
        composition: { enabled: true, failOn: 'high' },
        hardening: { enabled: true, failOn: 'high' },
        custody: { enabled: true, failOn: 'high' }
      },
      rules: {},
      identity: { minUid: 1000, allowedSetuid: [], requireHealthcheck: true }
    })
    expect(defaultPolicy()).not.toBe(policy)
  })
})
