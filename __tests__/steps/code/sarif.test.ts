import { describe, expect, it } from '@jest/globals'
import { parseSarif, repositoryFile, sarifFinding } from '../../../src/steps/code/sarif.js'

function log(uri: string, line?: number): string {
  return JSON.stringify({
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'Semgrep', rules: [{ id: 'python.sqli' }] } },
        results: [
          {
            ruleId: 'python.sqli',
            level: 'error',
            message: { text: 'SQL built from request data.' },
            locations: [
              {
                physicalLocation: {
                  artifactLocation: { uri, uriBaseId: '%SRCROOT%' },
                  ...(line === undefined ? {} : { region: { startLine: line } })
                }
              }
            ]
          }
        ]
      }
    ]
  })
}

describe('imported SARIF results', () => {
  it('keep the repository file and line they point at as the finding’s source location', () => {
    const [result] = parseSarif(log('src/app/db%201.py', 12), 'semgrep.sarif')
    const finding = sarifFinding(result!)
    expect(finding.location).toEqual({ source: { file: 'src/app/db 1.py', line: 12 } })
    expect(finding.subject).toBe('src/app/db%201.py:12')
  })

  it('keep a file without a region as a source without a line', () => {
    const [result] = parseSarif(log('./lib/x.js'), 'semgrep.sarif')
    expect(sarifFinding(result!).location).toEqual({ source: { file: 'lib/x.js' } })
  })

  it('have no source location when the tool wrote an absolute path', () => {
    const [result] = parseSarif(log('file:///home/runner/src/app/src/x.py', 3), 'a.sarif')
    expect(sarifFinding(result!).location).toEqual({})
  })
})

describe('repositoryFile', () => {
  it.each([
    ['src/db.js', 'src/db.js'],
    ['./src//db.js', 'src/db.js'],
    ['src/my%20file.js', 'src/my file.js'],
    ['src/db.js#L3', 'src/db.js'],
    ['/home/runner/src/app/src/db.js', undefined],
    ['https://example.com/src/db.js', undefined],
    ['C:\\src\\db.js', undefined],
    ['../outside.js', undefined],
    ['src/%E0%A4%A', undefined],
    ['', undefined]
  ])('%s → %s', (uri, file) => {
    expect(repositoryFile(uri)).toBe(file)
  })
})
