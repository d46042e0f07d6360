import { describe, expect, it } from '@jest/globals'
import { mkdtempSync, truncateSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ConfigurationError } from '../../../src/errors.js'
import { parseSarif, repositoryFile, sarifFinding } from '../../../src/steps/code/sarif.js'
import { STEP_SETTINGS } from '../../../src/policy/step-settings.js'

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

describe('sarif-import files', () => {
  it('refuses a SARIF file over 128 MiB before reading it, naming the input', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sarif-'))
    const path = join(dir, 'huge.sarif')
    // Sparse: the size is what counts, nothing is written or read.
    writeFileSync(path, '')
    truncateSync(path, 128 * 1024 * 1024 + 1)
    const get = (name: string): string | undefined => (name === 'sarif-import' ? path : undefined)
    expect(() => STEP_SETTINGS.code.parse(get, STEP_SETTINGS.code.defaults())).toThrow(
      new ConfigurationError(
        `input "sarif-import": ${path} is 134217729 bytes, more than the 134217728 bytes this input may be; import fewer or smaller SARIF files.`
      )
    )
  })
})
