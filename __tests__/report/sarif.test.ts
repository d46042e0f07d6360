import { describe, expect, it, jest } from '@jest/globals'
import { readFileSync } from 'node:fs'
import Ajv04 from 'ajv-draft-04'
import { captureOutput } from '../../__fixtures__/capture.js'
import { main } from '../../src/cli.js'
import type { GatedFinding } from '../../src/findings.js'
import type { GateReport } from '../../src/report/model.js'
import { FINGERPRINT_KEY, imageName, renderSarif, SCHEMA_URI } from '../../src/report/sarif.js'

/** The official OASIS schema, unmodified (see __fixtures__/sarif/README.md). */
const schema = JSON.parse(
  readFileSync('__fixtures__/sarif/sarif-schema-2.1.0.json', 'utf8')
) as Record<string, unknown>

// RFC 3986 §2: the characters a URI may hold, and percent-encoded octets.
const URI_CHARS = String.raw`(?:[A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=]|%[0-9A-Fa-f]{2})*`
const SCHEME = '[A-Za-z][A-Za-z0-9+.-]*'

function validator() {
  // The schema is JSON Schema draft-04 (`ajv-draft-04`); compiling it checks it against the
  // draft-04 meta-schema. Its formats are checked as the RFCs they name define them.
  const ajv = new Ajv04.default({ allErrors: true, strict: false })
  ajv.addFormat('uri', new RegExp(`^${SCHEME}:${URI_CHARS}$`))
  ajv.addFormat('uri-reference', (value: string) => {
    if (!new RegExp(`^${URI_CHARS}$`).test(value)) return false
    // §4.2: a relative reference's first segment cannot hold a colon (it would read as a scheme).
    const first = /^[^/?#]*/.exec(value)![0]
    return !first.includes(':') || new RegExp(`^${SCHEME}:`).test(value)
  })
  ajv.addFormat(
    'date-time',
    /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/i
  )
  return ajv.compile(schema)
}

const validate = validator()

function errorsOf(log: unknown): unknown[] {
  validate(log)
  return validate.errors ?? []
}

const LAYER = `sha256:${'a'.repeat(64)}`
const CONFIG = `sha256:${'c'.repeat(64)}`

function finding(overrides: Partial<GatedFinding>): GatedFinding {
  return {
    step: 'identity',
    rule: 'identity/setuid-file',
    severity: 'high',
    title: 'Setuid file /usr/bin/su',
    detail: 'Remove the bit.',
    subject: '/usr/bin/su',
    location: { path: '/usr/bin/su', layerDigest: LAYER },
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
      configDigest: CONFIG,
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

interface SarifLocation {
  physicalLocation?: {
    artifactLocation?: { uri?: string; uriBaseId?: string }
    region?: { startLine?: number }
  }
  logicalLocations?: unknown[]
  message?: { text: string }
}

interface SarifLog {
  $schema: string
  runs: Array<{
    tool: {
      driver: {
        rules: Array<{ id: string; help: { text: string }; properties: Record<string, unknown> }>
      }
    }
    results: Array<{
      ruleId: string
      ruleIndex: number
      level: string
      locations: SarifLocation[]
      partialFingerprints: Record<string, string>
      baselineState?: string
      suppressions?: unknown[]
    }>
    automationDetails: { id: string }
    originalUriBaseIds: Record<string, unknown>
  }>
}

function sarif(findings: GatedFinding[], reference?: string): SarifLog {
  return JSON.parse(renderSarif(report(findings, reference))) as SarifLog
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

/** One finding of each step, located every way a finding can be. */
const everyStep: GatedFinding[] = [
  mapped,
  unmapped,
  suppressed,
  finding({
    step: 'tests',
    rule: 'tests/file-existence',
    severity: 'medium',
    title: 'Structure test "no shell" failed: /bin/sh exists',
    subject: 'no shell',
    location: { path: '/bin/sh' },
    fingerprint: '2222222222222222',
    blocking: false
  }),
  finding({
    step: 'code',
    rule: 'code/elf-no-pie',
    title: 'ELF /app/my server:v2#1 is not position independent',
    subject: '/app/my server:v2#1',
    location: { path: '/app/my server:v2#1', layerDigest: LAYER, line: 0 },
    fingerprint: '3333333333333333'
  }),
  finding({
    step: 'code',
    rule: 'code/sarif-semgrep-python-sqli',
    title: 'semgrep python.sqli: SQL built from input (src/app/db 1.py:12)',
    subject: 'src/app/db 1.py#abc',
    location: { source: { file: 'src/app/db 1.py', line: 12 } },
    fingerprint: '4444444444444444'
  }),
  finding({
    step: 'composition',
    rule: 'composition/vulnerability',
    severity: 'critical',
    title: 'CVE-2024-0001 in openssl 3.0.1 (fixed in 3.0.2)',
    subject: 'pkg:deb/debian/openssl@3.0.1',
    location: { path: '/var/lib/dpkg/status', dockerfile: { file: 'Dockerfile', line: 1 } },
    package: {
      name: 'openssl',
      version: '3.0.1',
      ecosystem: 'Debian:12',
      purl: 'pkg:deb/debian/openssl@3.0.1?arch=amd64'
    },
    vulnerability: { id: 'CVE-2024-0001', aliases: ['DSA-1'], fixedVersion: '3.0.2' },
    fingerprint: '5555555555555555'
  }),
  finding({
    step: 'hardening',
    rule: 'hardening/secret-aws-access-key',
    severity: 'critical',
    title: 'AWS access key in /root/.aws/credentials (deleted by a later layer)',
    subject: '/root/.aws/credentials:1',
    location: { path: '/root/.aws/credentials', layerDigest: LAYER, line: 3 },
    fingerprint: '6666666666666666'
  }),
  finding({
    step: 'hardening',
    rule: 'hardening/wasted-space',
    severity: 'low',
    title: 'Layer wastes 12 MB on files a later layer replaces',
    subject: LAYER,
    location: { layerDigest: LAYER },
    fingerprint: '7777777777777777',
    blocking: false
  }),
  finding({
    step: 'custody',
    rule: 'custody/unsigned-image',
    severity: 'info',
    title: 'The image has no signature',
    detail: undefined,
    subject: '',
    location: {},
    fingerprint: '8888888888888888',
    blocking: false
  })
]

describe('the official SARIF 2.1.0 schema', () => {
  it('is the OASIS Errata 01 draft-04 schema our output names', () => {
    expect(schema.$schema).toBe('http://json-schema.org/draft-04/schema#')
    expect(schema.id).toBe(SCHEMA_URI)
    expect(sarif([mapped]).$schema).toBe(SCHEMA_URI)
  })

  it('rejects what SARIF forbids, so a pass means something', () => {
    const log = sarif([mapped]) as unknown as {
      version: string
      runs: Array<{ results: Array<Record<string, unknown>> }>
    }
    expect(validate({ ...log, version: '2.0.0' })).toBe(false)
    const result = log.runs[0]!.results[0]!
    result.level = 'fatal'
    expect(validate(log)).toBe(false)
    result.level = 'error'
    result.severity = 'high'
    expect(validate(log)).toBe(false)
    delete result.severity
    result.locations = [
      { physicalLocation: { artifactLocation: { uri: 'a b' }, region: { startLine: 1 } } }
    ]
    expect(validate(log)).toBe(false)
    result.locations = [
      { physicalLocation: { artifactLocation: { uri: 'a' }, region: { startLine: 0 } } }
    ]
    expect(validate(log)).toBe(false)
  })
})

describe('renderSarif', () => {
  it('writes SARIF the official schema accepts for findings of every step, located every way', () => {
    const log = sarif(everyStep)
    expect(errorsOf(log)).toEqual([])
    expect(new Set(everyStep.map((f) => f.step))).toEqual(
      new Set(['identity', 'tests', 'code', 'composition', 'hardening', 'custody'])
    )
    expect(log.runs[0]!.results).toHaveLength(everyStep.length)
  })

  it('gives every result a physical location, which GitHub code scanning requires', () => {
    const results = sarif(everyStep).runs[0]!.results
    expect(
      results.map((r) => [
        r.ruleId,
        r.locations[0]!.physicalLocation!.artifactLocation!.uriBaseId,
        r.locations[0]!.physicalLocation!.artifactLocation!.uri,
        r.locations[0]!.physicalLocation!.region!.startLine
      ])
    ).toEqual([
      ['identity/setuid-file', '%SRCROOT%', 'docker/Dockerfile', 7],
      ['identity/root-user', 'IMAGELAYOUT', `blobs/sha256/${'c'.repeat(64)}`, 1],
      ['identity/missing-healthcheck', 'IMAGEROOT', 'etc/passwd', 1],
      ['tests/file-existence', 'IMAGEROOT', 'bin/sh', 1],
      ['code/elf-no-pie', 'IMAGEROOT', 'app/my%20server%3Av2%231', 1],
      ['code/sarif-semgrep-python-sqli', '%SRCROOT%', 'src/app/db%201.py', 12],
      ['composition/vulnerability', '%SRCROOT%', 'Dockerfile', 1],
      ['hardening/secret-aws-access-key', 'IMAGEROOT', 'root/.aws/credentials', 3],
      ['hardening/wasted-space', 'IMAGELAYOUT', `blobs/sha256/${'a'.repeat(64)}`, 1],
      ['custody/unsigned-image', 'IMAGELAYOUT', `blobs/sha256/${'c'.repeat(64)}`, 1]
    ])
    expect(Object.keys(sarif([]).runs[0]!.originalUriBaseIds)).toEqual([
      '%SRCROOT%',
      'IMAGEROOT',
      'IMAGELAYOUT'
    ])
  })

  it('names a mapped finding’s image path in the location message, and an unmapped one logically', () => {
    const [first, second, third] = sarif([mapped, unmapped, suppressed]).runs[0]!.results
    expect(first!.locations[0]!.message).toEqual({ text: '/usr/bin/su in ghcr.io/acme/app' })
    expect(first!.locations[0]!.logicalLocations).toBeUndefined()
    expect(second!.locations[0]!.logicalLocations).toEqual([
      { name: '/', fullyQualifiedName: 'ghcr.io/acme/app:/', kind: 'resource' }
    ])
    expect(third!.locations[0]!.logicalLocations).toEqual([
      { name: '/etc/passwd', fullyQualifiedName: 'ghcr.io/acme/app:/etc/passwd', kind: 'resource' }
    ])
  })

  it('has one rule per rule id with help and security-severity, and results pointing at it', () => {
    const many = [
      mapped,
      { ...mapped, subject: '/bin/mount', fingerprint: 'aaaaaaaaaaaaaaaa' },
      unmapped
    ]
    const run = sarif(many).runs[0]!
    expect(run.tool.driver.rules.map((r) => [r.id, r.properties['security-severity']])).toEqual([
      ['identity/root-user', '8.0'],
      ['identity/setuid-file', '8.0']
    ])
    expect(run.tool.driver.rules[1]!.help.text).toBe(
      'Remove the bit. See https://github.com/container-gate/container-gate/blob/main/docs/rules/identity.md.'
    )
    expect(sarif([suppressed]).runs[0]!.tool.driver.rules[0]!.help.text).toBe(
      'Image has no HEALTHCHECK. See https://github.com/container-gate/container-gate/blob/main/docs/rules/identity.md.'
    )
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
    expect(sarif([suppressed]).runs[0]!.results[0]).toEqual(
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

  it('stays valid with 5,000 findings of every step', () => {
    const findings = Array.from({ length: 5000 }, (_, i) => {
      const base = everyStep[i % everyStep.length]!
      return {
        ...base,
        subject: `${base.subject}#${i}`,
        fingerprint: i.toString(16).padStart(16, '0')
      }
    })
    const log = sarif(findings, 'localhost:5000/team/app@sha256:' + 'e'.repeat(64))
    expect(errorsOf(log)).toEqual([])
    expect(log.runs[0]!.results).toHaveLength(5000)
    expect(log.runs[0]!.tool.driver.rules).toHaveLength(10)
  })

  it('is valid for the demo image scanned end to end', async () => {
    const output = captureOutput()
    try {
      expect(await main(['demo', '--format', 'sarif'], {})).toBe(0)
    } finally {
      jest.restoreAllMocks()
    }
    const log = JSON.parse(output.stdout) as SarifLog
    expect(errorsOf(log)).toEqual([])
    expect(log.runs[0]!.results.length).toBeGreaterThan(5)
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
    ['oci:/srv/images/layout', 'layout']
  ])('%s → %s', (reference, name) => {
    expect(imageName(reference)).toBe(name)
  })
})
