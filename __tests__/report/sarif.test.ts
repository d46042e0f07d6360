import { describe, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
import { Ajv } from 'ajv'
import type { GatedFinding } from '../../src/findings.js'
import type { GateReport } from '../../src/report/model.js'
import { FINGERPRINT_KEY, imageName, renderSarif } from '../../src/report/sarif.js'

const schema = JSON.parse(
  readFileSync('__fixtures__/sarif/sarif-schema-2.1.0.subset.json', 'utf8')
) as Record<string, unknown>

function validator() {
  const ajv = new Ajv({ allErrors: true, strict: false })
  // The formats the SARIF schema uses (JSON Schema draft-07 §7.3), checked as RFC 3986 / 3339 ask.
  ajv.addFormat('uri', (value: string) => URL.canParse(value))
  ajv.addFormat('uri-reference', (value: string) => !/[\s<>"{}|\\^`]/.test(value))
  ajv.addFormat('date-time', (value: string) => !Number.isNaN(Date.parse(value)))
  return ajv.compile(schema)
}

const validate = validator()

function finding(overrides: Partial<GatedFinding>): GatedFinding {
  return {
    step: 'identity',
    rule: 'identity/setuid-file',
    severity: 'high',
    title: 'Setuid file /usr/bin/su',
    detail: 'Remove the bit.',
    subject: '/usr/bin/su',
    location: { path: '/usr/bin/su', layerDigest: `sha256:${'a'.repeat(64)}` },
    fingerprint: '0123456789abcdef',
    blocking: true,
    ...overrides
  }
}

function report(findings: GatedFinding[], reference = 'ghcr.io/acme/app:1.2'): GateReport {
  return {
    schemaVersion: 1,
    tool: { name: 'container-gate', version: '0.1.0' },
    verdict: 'fail',
    image: {
      reference,
      digest: `sha256:${'d'.repeat(64)}`,
      configDigest: `sha256:${'c'.repeat(64)}`,
      platform: 'linux/amd64',
      layers: []
    },
    steps: [
      { id: 'identity', title: 'Container validation', status: 'fail', durationMs: 3 },
      { id: 'tests', title: 'Security unit tests', status: 'error', durationMs: 1, reason: 'boom' }
    ],
    findings,
    summary: {
      counts: { critical: 0, high: findings.length, medium: 0, low: 0, info: 0 },
      blocking: 1,
      suppressed: 0
    },
    durationMs: 5
  }
}

const mapped = finding({
  location: { path: '/usr/bin/su', dockerfile: { file: 'docker/Dockerfile', line: 7 } },
  baseline: 'new'
})
const unmapped = finding({
  rule: 'identity/root-user',
  title: 'Container runs as root',
  subject: '',
  location: {},
  fingerprint: 'fedcba9876543210',
  baseline: 'unchanged',
  blocking: false
})
const suppressed = finding({
  rule: 'identity/missing-healthcheck',
  severity: 'low',
  title: 'Image has no HEALTHCHECK',
  detail: undefined,
  location: { path: '/etc/passwd' },
  fingerprint: '1111222233334444',
  blocking: false,
  suppressed: { reason: 'k8s probes', source: '.container-gate.yml:4' }
})

describe('renderSarif', () => {
  it('writes SARIF that the official 2.1.0 schema accepts', () => {
    const log = JSON.parse(renderSarif(report([mapped, unmapped, suppressed]))) as unknown
    const valid = validate(log)
    expect(validate.errors ?? []).toEqual([])
    expect(valid).toBe(true)
  })

  it('is checked by a schema that does reject what SARIF forbids', () => {
    const log = JSON.parse(renderSarif(report([mapped]))) as {
      runs: Array<{ results: Array<Record<string, unknown>> }>
    }
    const result = log.runs[0]!.results[0]!
    expect(validate({ ...log, version: '2.0.0' })).toBe(false)
    result.level = 'fatal'
    expect(validate(log)).toBe(false)
    result.level = 'error'
    result.severity = 'high'
    expect(validate(log)).toBe(false)
  })

  it('puts a mapped finding on its Dockerfile line and others on a logical location in the image', () => {
    const log = JSON.parse(renderSarif(report([mapped, unmapped]))) as {
      runs: Array<{ results: Array<{ locations: unknown[] }> }>
    }
    const [first, second] = log.runs[0]!.results
    expect(first!.locations).toEqual([
      {
        physicalLocation: {
          artifactLocation: { uri: 'docker/Dockerfile', uriBaseId: '%SRCROOT%' },
          region: { startLine: 7 }
        },
        message: { text: '/usr/bin/su in ghcr.io/acme/app' }
      }
    ])
    expect(second!.locations).toEqual([
      {
        logicalLocations: [
          { name: '/', fullyQualifiedName: 'ghcr.io/acme/app:/', kind: 'resource' }
        ]
      }
    ])
  })

  it('has one rule per rule id with help and security-severity, and results pointing at it', () => {
    const many = [
      mapped,
      { ...mapped, subject: '/bin/mount', fingerprint: 'aaaaaaaaaaaaaaaa' },
      unmapped
    ]
    const log = JSON.parse(renderSarif(report(many))) as {
      runs: Array<{
        tool: {
          driver: {
            rules: Array<{
              id: string
              help: { text: string }
              properties: Record<string, unknown>
            }>
          }
        }
        results: Array<{
          ruleId: string
          ruleIndex: number
          level: string
          partialFingerprints: Record<string, string>
          baselineState?: string
        }>
        automationDetails: { id: string }
      }>
    }
    const run = log.runs[0]!
    expect(run.tool.driver.rules.map((r) => [r.id, r.properties['security-severity']])).toEqual([
      ['identity/root-user', '8.0'],
      ['identity/setuid-file', '8.0']
    ])
    expect(run.tool.driver.rules[1]!.help.text).toContain('Remove the bit.')
    expect(
      run.results.map((r) => [
        r.ruleId,
        r.ruleIndex,
        r.level,
        r.partialFingerprints[FINGERPRINT_KEY],
        r.baselineState
      ])
    ).toEqual([
      ['identity/setuid-file', 1, 'error', '0123456789abcdef', 'new'],
      ['identity/setuid-file', 1, 'error', 'aaaaaaaaaaaaaaaa', 'new'],
      ['identity/root-user', 0, 'warning', 'fedcba9876543210', 'unchanged']
    ])
    expect(run.automationDetails.id).toBe('container-gate/ghcr.io/acme/app/')
  })

  it('records a suppression with its reason and where it is written', () => {
    const log = JSON.parse(renderSarif(report([suppressed]))) as {
      runs: Array<{ results: Array<{ suppressions: unknown[]; level: string }> }>
    }
    expect(log.runs[0]!.results[0]).toEqual(
      expect.objectContaining({
        level: 'warning',
        suppressions: [
          {
            kind: 'external',
            status: 'accepted',
            justification: 'k8s probes (.container-gate.yml:4)'
          }
        ]
      })
    )
  })

  it('stays valid with 5,000 findings', () => {
    const findings = Array.from({ length: 5000 }, (_, i) =>
      finding({ subject: `/usr/bin/tool${i}`, fingerprint: i.toString(16).padStart(16, '0') })
    )
    const log = JSON.parse(renderSarif(report(findings))) as { runs: Array<{ results: unknown[] }> }
    expect(validate(log)).toBe(true)
    expect(log.runs[0]!.results).toHaveLength(5000)
  })
})

describe('imageName', () => {
  it.each([
    ['ghcr.io/acme/app:1.2', 'ghcr.io/acme/app'],
    ['localhost:5000/app:latest', 'localhost:5000/app'],
    ['localhost:5000/app', 'localhost:5000/app'],
    [`ghcr.io/acme/app@sha256:${'a'.repeat(64)}`, 'ghcr.io/acme/app'],
    ['docker://docker.io/library/alpine:3.20', 'docker.io/library/alpine'],
    ['docker-daemon:app:dev', 'app'],
    ['oci-archive:/tmp/build/app.tar', 'app'],
    ['oci-archive:/tmp/build/app.tar:latest', 'app'],
    ['docker-archive:image.tar.gz', 'image'],
    ['oci:/work/layout', 'layout']
  ])('%s → %s', (reference, name) => {
    expect(imageName(reference)).toBe(name)
  })
})
