import { describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import type { GateReport } from '../../src/report/model.js'
import { escapeXml } from '../../src/report/escape.js'
import { renderJunit } from '../../src/report/junit.js'
import type { TestResult } from '../../src/test-results.js'

/** Debian's python3 parses the XML strictly (expat); the element tree comes back as JSON. */
const PYTHON = '/usr/bin/python3'
const parser = `
import json, sys, xml.etree.ElementTree as ET
def tree(e):
    return {'tag': e.tag, 'attrib': e.attrib, 'text': (e.text or '').strip(), 'children': [tree(c) for c in e]}
print(json.dumps(tree(ET.fromstring(sys.stdin.buffer.read()))))
`
interface Element {
  tag: string
  attrib: Record<string, string>
  text: string
  children: Element[]
}
const parseXml = (xml: string): Element =>
  JSON.parse(execFileSync(PYTHON, ['-c', parser], { input: xml, encoding: 'utf8' })) as Element
const noPython = existsSync(PYTHON)
  ? undefined
  : `skipped: ${PYTHON} not found (apt-get install -y python3)`

const report: GateReport = {
  schemaVersion: 1,
  tool: { name: 'container-gate', version: '0.1.0' },
  verdict: 'fail',
  image: {
    reference: 'oci-archive:app.tar',
    digest: `sha256:${'a'.repeat(64)}`,
    configDigest: `sha256:${'b'.repeat(64)}`,
    platform: 'linux/amd64',
    layers: []
  },
  steps: [
    { id: 'identity', title: 'Container validation', status: 'pass', durationMs: 12 },
    { id: 'tests', title: 'Security unit tests', status: 'fail', durationMs: 1500 },
    { id: 'code', title: 'Code analysis', status: 'error', durationMs: 3, reason: 'boom' },
    {
      id: 'composition',
      title: 'Composition analysis',
      status: 'skipped',
      durationMs: 0,
      reason: 'not selected'
    }
  ],
  findings: [
    {
      fingerprint: '0123456789abcdef',
      step: 'tests',
      rule: 'tests/file-existence',
      severity: 'high',
      title: 'File existence test "no SSH directory for root" failed',
      subject: 'built-in: no SSH directory for root',
      location: { path: '/root/.ssh' },
      blocking: true
    },
    {
      fingerprint: 'fedcba9876543210',
      step: 'tests',
      rule: 'tests/file-existence',
      severity: 'medium',
      title: 'File existence test "/tmp sticky" failed',
      subject: 'built-in: /tmp sticky',
      location: { path: '/tmp' },
      blocking: false
    }
  ],
  summary: {
    counts: { critical: 0, high: 1, medium: 1, low: 0, info: 0 },
    blocking: 1,
    suppressed: 0
  },
  durationMs: 2345
}

const results: TestResult[] = [
  {
    suite: 'built-in',
    name: 'no SSH directory for root',
    kind: 'file-existence',
    status: 'fail',
    message: 'expected /root/.ssh not to exist; actual: /root/.ssh exists.',
    durationMs: 1
  },
  {
    suite: 'tests/app.yaml',
    name: 'Debian <Sources> & "mirrors"',
    kind: 'file-content',
    status: 'pass',
    durationMs: 2
  },
  {
    suite: 'tests/app.yaml',
    name: 'apt-get upgrade',
    kind: 'command',
    status: 'skipped',
    message: 'command tests need a container runtime: no container runtime (`docker info` failed).',
    durationMs: 0
  },
  {
    suite: 'tests/app.yaml',
    name: 'exit code',
    kind: 'command',
    status: 'error',
    message: '`docker run` failed: no space left on device.',
    durationMs: 40,
    stdout: 'partial <output>\u001b[31m red\n',
    stderr: 'oops & more'
  }
]

describe('renderJunit', () => {
  const withPython = noPython === undefined ? it : it.skip
  withPython(
    `writes one testcase per step and per test, with failure, error and skipped elements${noPython === undefined ? '' : ` (${noPython})`}`,
    () => {
      const xml = renderJunit(report, results)
      const root = parseXml(xml)
      const testcase = (e: Element): unknown => ({
        ...e.attrib,
        ...(e.children.length === 0
          ? {}
          : { children: e.children.map((c) => ({ tag: c.tag, ...c.attrib, text: c.text })) })
      })
      expect(root.tag).toBe('testsuites')
      expect(root.attrib).toEqual({
        name: 'container-gate',
        tests: '8',
        failures: '2',
        errors: '2',
        skipped: '2',
        time: '2.345'
      })
      expect(
        root.children.map((suite) => ({
          ...suite.attrib,
          cases: suite.children.filter((c) => c.tag === 'testcase').map(testcase)
        }))
      ).toEqual([
        {
          name: 'container-gate',
          tests: '4',
          failures: '1',
          errors: '1',
          skipped: '1',
          time: '1.515',
          cases: [
            { name: 'identity: Container validation', classname: 'container-gate', time: '0.012' },
            {
              name: 'tests: Security unit tests',
              classname: 'container-gate',
              time: '1.500',
              children: [
                {
                  tag: 'failure',
                  message: '1 blocking finding',
                  type: 'blocking findings',
                  text: '1 blocking finding\n[high] tests/file-existence: File existence test "no SSH directory for root" failed'
                }
              ]
            },
            {
              name: 'code: Code analysis',
              classname: 'container-gate',
              time: '0.003',
              children: [{ tag: 'error', message: 'boom', text: 'boom' }]
            },
            {
              name: 'composition: Composition analysis',
              classname: 'container-gate',
              time: '0.000',
              children: [{ tag: 'skipped', message: 'not selected', text: '' }]
            }
          ]
        },
        {
          name: 'built-in',
          tests: '1',
          failures: '1',
          errors: '0',
          skipped: '0',
          time: '0.001',
          cases: [
            {
              name: 'no SSH directory for root',
              classname: 'built-in',
              time: '0.001',
              children: [
                {
                  tag: 'failure',
                  message: 'expected /root/.ssh not to exist; actual: /root/.ssh exists.',
                  type: 'tests/file-existence',
                  text: 'expected /root/.ssh not to exist; actual: /root/.ssh exists.'
                }
              ]
            }
          ]
        },
        {
          name: 'tests/app.yaml',
          tests: '3',
          failures: '0',
          errors: '1',
          skipped: '1',
          time: '0.042',
          cases: [
            {
              name: 'Debian <Sources> & "mirrors"',
              classname: 'tests/app.yaml',
              file: 'tests/app.yaml',
              time: '0.002'
            },
            {
              name: 'apt-get upgrade',
              classname: 'tests/app.yaml',
              file: 'tests/app.yaml',
              time: '0.000',
              children: [
                {
                  tag: 'skipped',
                  message:
                    'command tests need a container runtime: no container runtime (`docker info` failed).',
                  text: ''
                }
              ]
            },
            {
              name: 'exit code',
              classname: 'tests/app.yaml',
              file: 'tests/app.yaml',
              time: '0.040',
              children: [
                {
                  tag: 'error',
                  message: '`docker run` failed: no space left on device.',
                  type: 'tests/command',
                  text: '`docker run` failed: no space left on device.'
                },
                { tag: 'system-out', text: 'partial <output>\ufffd[31m red' },
                { tag: 'system-err', text: 'oops & more' }
              ]
            }
          ]
        }
      ])
      expect(root.children[0]!.children[0]).toEqual({
        tag: 'properties',
        attrib: {},
        text: '',
        children: [
          ['image', 'oci-archive:app.tar'],
          ['digest', `sha256:${'a'.repeat(64)}`],
          ['platform', 'linux/amd64'],
          ['verdict', 'fail']
        ].map(([name, value]) => ({
          tag: 'property',
          attrib: { name, value },
          text: '',
          children: []
        }))
      })
    }
  )

  it.each([
    ['<a href="x">&\'</a>', '&lt;a href=&quot;x&quot;&gt;&amp;&apos;&lt;/a&gt;'],
    ['nul\u0000 esc\u001b tab\t nl\n', 'nul\ufffd esc\ufffd tab\t nl\n'],
    ['lone surrogate \ud800 emoji \u{1f600}', 'lone surrogate \ufffd emoji \u{1f600}'],
    ['cr\r\nnon-chars \ufffe\uffff', 'cr&#13;\nnon-chars \ufffd\ufffd']
  ])('escapes %j for XML 1.0', (text, escaped) => {
    expect(escapeXml(text)).toBe(escaped)
  })
})
