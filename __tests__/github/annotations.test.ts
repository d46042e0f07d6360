import { describe, expect, it, jest } from '@jest/globals'
import { captureOutput } from '../../__fixtures__/capture.js'
import type { GatedFinding } from '../../src/findings.js'
import { annotations } from '../../src/github/checks.js'
import { actionsLogger } from '../../src/github/logger.js'

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
