import { afterAll, afterEach, describe, expect, it, jest } from '@jest/globals'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { captureOutput } from '../../__fixtures__/capture.js'
import type { GatedFinding, Severity } from '../../src/findings.js'
import { annotations } from '../../src/github/checks.js'
import { actionsLogger } from '../../src/github/logger.js'
import { publish } from '../../src/github/publish.js'
import type { GateReport } from '../../src/report/model.js'

function finding(location: GatedFinding['location']): GatedFinding {
  return {
    step: 'code',
    rule: 'code/sarif-semgrep-python-sqli',
    severity: 'high',
    title: 'Semgrep python.sqli: SQL built from request data.',
    subject: 'src/db.py:12',
    location,
    fingerprint: '0123456789abcdef',
    blocking: true
  }
}

describe('check run annotations', () => {
  it.each([
    ['a source file and line', { source: { file: 'src/db.py', line: 12 } }, 'src/db.py', 12],
    ['a source file without a line', { source: { file: 'src/db.py' } }, 'src/db.py', 1],
    [
      'a source file before a Dockerfile line',
      { source: { file: 'src/db.py', line: 4 }, dockerfile: { file: 'Dockerfile', line: 9 } },
      'src/db.py',
      4
    ],
    ['a Dockerfile line', { dockerfile: { file: 'app/Dockerfile', line: 9 } }, 'app/Dockerfile', 9],
    ['nothing in the repository', { path: '/etc/passwd' }, 'Dockerfile', 1]
  ])('are placed on %s', (_, location, path, line) => {
    expect(annotations([finding(location)], 'Dockerfile')).toEqual([
      expect.objectContaining({ path, start_line: line, end_line: line })
    ])
  })
})

/** Findings of the base image: all mapped onto the Dockerfile's FROM line (line 1). */
function baseImageFindings(): GatedFinding[] {
  const onFrom = (
    rule: string,
    severity: Severity,
    title: string,
    path: string,
    blocking: boolean
  ): GatedFinding => ({
    step: 'identity',
    rule,
    severity,
    title,
    detail: 'Remove it.',
    subject: path,
    location: { path, dockerfile: { file: 'Dockerfile', line: 1 } },
    fingerprint: path.padEnd(16, '0').slice(0, 16),
    blocking
  })
  return [
    onFrom('identity/setuid-file', 'medium', 'Setuid file /usr/bin/su', '/usr/bin/su', false),
    onFrom('identity/setuid-file', 'high', 'Setuid file /usr/bin/passwd', '/usr/bin/passwd', true),
    // A hostile name: %, CR, LF, `:` and `,` stay inside the one message.
    onFrom('identity/setgid-file', 'medium', 'Setgid file /x%0A\r\n::error::y,z', '/x', false)
  ]
}

describe('findings of the base image', () => {
  const dir = mkdtempSync(join(tmpdir(), 'annotations-'))
  const saved = { ...process.env }
  afterEach(() => {
    process.env = { ...saved }
    jest.restoreAllMocks()
  })
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('are one check run annotation on the FROM line, with a count', () => {
    expect(annotations(baseImageFindings(), 'Dockerfile')).toEqual([
      {
        path: 'Dockerfile',
        start_line: 1,
        end_line: 1,
        annotation_level: 'failure',
        title: '3 findings: 1 high, 2 medium',
        message: [
          'HIGH identity/setuid-file: Setuid file /usr/bin/passwd',
          'MEDIUM identity/setuid-file: Setuid file /usr/bin/su',
          'MEDIUM identity/setgid-file: Setgid file /x%0A\\x0d\\x0a::error::y,z'
        ].join('\n')
      }
    ])
  })

  it('are one workflow command annotation on the FROM line, with a count', async () => {
    process.env.GITHUB_OUTPUT = join(dir, 'output')
    writeFileSync(process.env.GITHUB_OUTPUT, '')
    const findings = baseImageFindings()
    const report: GateReport = {
      schemaVersion: 1,
      tool: { name: 'container-gate', version: '0.1.0' },
      verdict: 'fail',
      image: {
        reference: 'ghcr.io/acme/app:1',
        digest: `sha256:${'d'.repeat(64)}`,
        configDigest: `sha256:${'c'.repeat(64)}`,
        platform: 'linux/amd64',
        layers: []
      },
      steps: [{ id: 'identity', title: 'Container validation', status: 'fail', durationMs: 1 }],
      findings,
      summary: {
        counts: { critical: 0, high: 1, medium: 2, low: 0, info: 0 },
        blocking: 1,
        suppressed: 0
      },
      durationMs: 1,
      mode: 'enforce'
    }
    const output = captureOutput()
    await publish(report, { reportPath: 'report.json', comment: false, checkRun: false, env: {} })
    expect(output.stdout.split('\n').filter((line) => line.startsWith('::'))).toEqual([
      '::error title=3 findings%3A 1 high%2C 2 medium,file=Dockerfile,line=1::HIGH identity/setuid-file: Setuid file /usr/bin/passwd%0AMEDIUM identity/setuid-file: Setuid file /usr/bin/su%0AMEDIUM identity/setgid-file: Setgid file /x%250A\\x0d\\x0a::error::y,z'
    ])
  })
})

describe('the Actions logger', () => {
  it('keeps an image path with a newline from starting a workflow command', () => {
    const output = captureOutput()
    try {
      actionsLogger.info('Read /app/x\n::error::forged \u001b[2J')
    } finally {
      jest.restoreAllMocks()
    }
    expect(output.stdout).toBe('Read /app/x\\x0a::error::forged \\x1b[2J\n')
  })
})
