/**
 * JUnit XML (`--format junit`), the format test reporters read: the Ant/Jenkins JUnit schema
 * (testsuites > testsuite > testcase with failure, error or skipped). The first suite has one
 * test case per gate step, so a reporter shows the verdict; then one suite per structure-test
 * file (and the built-in pack) with one test case per test.
 */
import { isBlocking } from '../findings.js'
import type { TestResult } from '../test-results.js'
import { escapeTerminal, escapeXml } from './escape.js'
import type { GateReport, StepReport } from './model.js'

const GATE_SUITE = 'container-gate'

function attributes(values: Record<string, string | number | undefined>): string {
  return Object.entries(values)
    .filter((entry): entry is [string, string | number] => entry[1] !== undefined)
    .map(([name, value]) => ` ${name}="${escapeXml(String(value))}"`)
    .join('')
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(3)
}

interface Case {
  name: string
  classname: string
  durationMs: number
  status: 'pass' | 'fail' | 'skipped' | 'error'
  message?: string
  type?: string
  file?: string
  stdout?: string
  stderr?: string
}

function firstLine(message: string): string {
  return message.split('\n')[0] ?? ''
}

function testcase(c: Case): string {
  const open = `    <testcase${attributes({ name: c.name, classname: c.classname, file: c.file, time: seconds(c.durationMs) })}`
  const message = c.message ?? ''
  const body = [
    c.status === 'fail'
      ? `      <failure${attributes({ message: firstLine(message), type: c.type })}>${escapeXml(message)}</failure>`
      : undefined,
    c.status === 'error'
      ? `      <error${attributes({ message: firstLine(message), type: c.type })}>${escapeXml(message)}</error>`
      : undefined,
    c.status === 'skipped'
      ? `      <skipped${attributes({ message: message || undefined })}/>`
      : undefined,
    c.stdout ? `      <system-out>${escapeXml(c.stdout)}</system-out>` : undefined,
    c.stderr ? `      <system-err>${escapeXml(c.stderr)}</system-err>` : undefined
  ].filter((line): line is string => line !== undefined)
  return body.length === 0 ? `${open}/>` : [`${open}>`, ...body, '    </testcase>'].join('\n')
}

function counts(cases: Case[]): Record<string, number> {
  const of = (status: Case['status']): number => cases.filter((c) => c.status === status).length
  return { tests: cases.length, failures: of('fail'), errors: of('error'), skipped: of('skipped') }
}

function testsuite(name: string, cases: Case[], properties: Record<string, string> = {}): string {
  const time = seconds(cases.reduce((sum, c) => sum + c.durationMs, 0))
  const props = Object.entries(properties).map(
    ([key, value]) => `      <property${attributes({ name: key, value })}/>`
  )
  return [
    `  <testsuite${attributes({ name, ...counts(cases), time })}>`,
    ...(props.length === 0 ? [] : ['    <properties>', ...props, '    </properties>']),
    ...cases.map(testcase),
    '  </testsuite>'
  ].join('\n')
}

/** A step is a failure when it has blocking findings; their titles are the message. */
function stepCase(report: GateReport, step: StepReport): Case {
  const blocking = report.findings.filter((f) => f.step === step.id && isBlocking(f))
  const base = {
    name: `${step.id}: ${step.title}`,
    classname: GATE_SUITE,
    durationMs: step.durationMs
  }
  switch (step.status) {
    case 'pass':
      return { ...base, status: 'pass' }
    case 'skipped':
      return {
        ...base,
        status: 'skipped',
        ...(step.reason ? { message: escapeTerminal(step.reason) } : {})
      }
    case 'error':
      return {
        ...base,
        status: 'error',
        message: escapeTerminal(step.reason ?? 'the step failed to run')
      }
    case 'fail':
      return {
        ...base,
        status: 'fail',
        type: 'blocking findings',
        message: [
          `${blocking.length} blocking finding${blocking.length === 1 ? '' : 's'}`,
          // One line per finding: what came from the image cannot add lines or reorder text.
          ...blocking.map(
            (f) => `[${f.severity}] ${escapeTerminal(f.rule)}: ${escapeTerminal(f.title)}`
          )
        ].join('\n')
      }
  }
}

function resultCase(result: TestResult): Case {
  return {
    name: result.name,
    classname: result.suite,
    durationMs: result.durationMs,
    status: result.status,
    type: `tests/${result.kind}`,
    ...(result.suite === 'built-in' ? {} : { file: result.suite }),
    ...(result.message === undefined ? {} : { message: result.message }),
    ...(result.stdout === undefined ? {} : { stdout: result.stdout }),
    ...(result.stderr === undefined ? {} : { stderr: result.stderr })
  }
}

export function renderJunit(report: GateReport, testResults: TestResult[]): string {
  const steps = report.steps.map((step) => stepCase(report, step))
  const suites = new Map<string, Case[]>()
  for (const result of testResults) {
    const cases = suites.get(result.suite) ?? []
    cases.push(resultCase(result))
    suites.set(result.suite, cases)
  }
  const all = [...steps, ...[...suites.values()].flat()]
  const properties = {
    image: escapeTerminal(report.image.reference),
    digest: escapeTerminal(report.image.digest),
    platform: escapeTerminal(report.image.platform),
    verdict: report.verdict
  }
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites${attributes({ name: GATE_SUITE, ...counts(all), time: seconds(report.durationMs) })}>`,
    testsuite(GATE_SUITE, steps, properties),
    ...[...suites].map(([name, cases]) => testsuite(name, cases)),
    '</testsuites>',
    ''
  ].join('\n')
}
