import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { captureOutput, type CapturedOutput } from '../../../__fixtures__/capture.js'
import { buildImage, writeOciArchive } from '../../../__fixtures__/image-builder.js'
import { main } from '../../../src/cli.js'
import type { GateReport } from '../../../src/report/model.js'
import { STEPS } from '../../../src/steps/index.js'

/** Runs once src/steps/index.ts puts testsStep in the pipeline. */
const wired = STEPS.some((step) => step.id === 'tests' && step.needs !== undefined)
const whenWired = wired ? it : it.skip

let dir: string
let output: CapturedOutput

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tests-cli-'))
  output = captureOutput()
})

afterEach(() => {
  jest.restoreAllMocks()
  rmSync(dir, { recursive: true, force: true })
})

function archive(): string {
  const image = buildImage({
    layers: [
      { entries: [{ path: 'app/' }, { path: 'app/config.yaml', content: 'debug: true\n' }] }
    ],
    config: { User: '10001:10001', Healthcheck: { Test: ['CMD', '/app/run'] } }
  })
  const file = join(dir, 'app.tar')
  writeOciArchive(file, [{ image }])
  return `oci-archive:${file}`
}

describe('container-gate scan --structure-tests', () => {
  it('exits 2 naming the file, the line and the field of an unknown test field', async () => {
    const tests = join(dir, 'tests.yaml')
    writeFileSync(
      tests,
      'schemaVersion: 2.0.0\nfileContentTests:\n  - name: no debug\n    path: /app/config.yaml\n    excludeContents: [debug]\n'
    )
    const status = await main(
      ['scan', archive(), '--structure-tests', tests, '--steps', 'tests'],
      {}
    )
    expect(status).toBe(2)
    expect(output.stderr).toBe(
      `container-gate: structure-tests file "${tests}" line 5: unknown field "excludeContents" in fileContentTests[0]; use one of name, path, expectedContents, excludedContents, severity, ifExists (docs/structure-tests.md).\n`
    )
    expect(output.stdout).toBe('')
  })

  whenWired(
    `exits 1 when a team test fails, with the test as a blocking finding${wired ? '' : ' (testsStep is not in src/steps/index.ts yet)'}`,
    async () => {
      const tests = join(dir, 'tests.yaml')
      writeFileSync(
        tests,
        'schemaVersion: 2.0.0\nfileContentTests:\n  - name: no debug\n    path: /app/config.yaml\n    excludedContents: ["debug: true"]\n'
      )
      const report = join(dir, 'report.json')
      const status = await main(
        [
          'scan',
          archive(),
          '--structure-tests',
          tests,
          '--steps',
          'tests',
          '--builtin-tests',
          'false',
          '--report',
          report
        ],
        {}
      )
      expect(status).toBe(1)
      const { findings } = JSON.parse(readFileSync(report, 'utf8')) as GateReport
      expect(findings.map((f) => [f.rule, f.subject, f.blocking, f.location.path])).toEqual([
        ['tests/file-content', `${tests}: no debug`, true, '/app/config.yaml']
      ])
    }
  )
})
