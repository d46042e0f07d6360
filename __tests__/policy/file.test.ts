import { describe, expect, it } from '@jest/globals'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ConfigurationError } from '../../src/errors.js'
import { parseRunInputs } from '../../src/inputs.js'
import { defaultPolicy } from '../../src/policy/defaults.js'
import { parsePolicyFile, policySchema, readPolicyFile, stepInputs } from '../../src/policy/file.js'

const FILE = `# yaml-language-server: $schema=../schema/policy.schema.json
mode: warn
fail-on: critical
fail-on-new-only: true
steps: [identity, composition]
rules:
  identity/missing-healthcheck: off
identity:
  fail-on: medium
  rules:
    root-user: error
    identity/privileged-port: warn
  min-uid: 2000
  allowed-setuid:
    - /usr/bin/ping
  require-healthcheck: false
ignores:
  - rule: identity/setuid-file
    path: /usr/lib/**
    reason: vendored chrome sandbox, reviewed in SEC-12
    until: 2030-01-31
  - fingerprint: 0123456789abcdef
    reason: false positive
`

function error(text: string): string {
  try {
    parsePolicyFile(text, '.container-gate.yml')
  } catch (caught) {
    expect(caught).toBeInstanceOf(ConfigurationError)
    return (caught as Error).message
  }
  throw new Error('no error')
}

describe('parsePolicyFile', () => {
  it('applies thresholds per step, rules with or without the step prefix, and step settings', () => {
    const file = parsePolicyFile(FILE, '.container-gate.yml')
    const policy = file.apply(defaultPolicy())
    expect(
      Object.fromEntries(Object.entries(policy.steps).map(([id, s]) => [id, [s.enabled, s.failOn]]))
    ).toEqual({
      identity: [true, 'medium'],
      tests: [false, 'critical'],
      code: [false, 'critical'],
      composition: [true, 'critical'],
      hardening: [false, 'critical'],
      custody: [false, 'critical']
    })
    expect(policy.rules).toEqual({
      'identity/missing-healthcheck': 'off',
      'identity/root-user': 'error',
      'identity/privileged-port': 'warn'
    })
    expect(policy.identity).toEqual({
      minUid: 2000,
      allowedSetuid: ['/usr/bin/ping'],
      requireHealthcheck: false
    })
    expect([file.mode, file.failOnNewOnly]).toEqual(['warn', true])
  })

  it('keeps each ignore with its reason, expiry and the line it is written on', () => {
    const { ignores } = parsePolicyFile(FILE, '.container-gate.yml')
    expect(ignores).toEqual([
      {
        rule: 'identity/setuid-file',
        path: '/usr/lib/**',
        reason: 'vendored chrome sandbox, reviewed in SEC-12',
        until: '2030-01-31',
        source: '.container-gate.yml:18'
      },
      {
        fingerprint: '0123456789abcdef',
        reason: 'false positive',
        source: '.container-gate.yml:22'
      }
    ])
  })

  it('reads aliases a person would write', () => {
    const file = parsePolicyFile(
      'identity:\n  allowed-setuid: &setuid [/usr/bin/ping]\ncode:\n  fail-on: &level high\nhardening:\n  fail-on: *level\n',
      'p.yml'
    )
    const policy = file.apply(defaultPolicy())
    expect([policy.steps.code.failOn, policy.steps.hardening.failOn]).toEqual(['high', 'high'])
  })

  it('refuses a "billion laughs" file and an alias without its anchor, naming the file', () => {
    const laughs = ['a: &a [x, x, x, x, x, x, x, x, x, x]']
    for (const [name, previous] of [
      ['b', 'a'],
      ['c', 'b'],
      ['d', 'c'],
      ['e', 'd']
    ]) {
      laughs.push(`${name}: &${name} [${Array(10).fill(`*${previous}`).join(', ')}]`)
    }
    expect(() => parsePolicyFile(laughs.join('\n'), 'p.yml')).toThrow(
      new ConfigurationError(
        'policy file p.yml: its aliases expand to more than 100 copies of an anchor, as a "billion laughs" attack does; write the values out or use fewer aliases.'
      )
    )
    expect(() => parsePolicyFile('fail-on: *x\n', 'p.yml')).toThrow(
      new ConfigurationError(
        'policy file p.yml: Unresolved alias (the anchor must be set before the alias): x; fix the YAML.'
      )
    )
  })

  it('reads an empty file as no settings', () => {
    const file = parsePolicyFile('', 'p.yml')
    expect(file.apply(defaultPolicy())).toEqual(defaultPolicy())
    expect(file.ignores).toEqual([])
  })

  it.each([
    ['an unknown top-level key', 'fail-on: high\nfailon: low\n', 'line 2: unknown key "failon"'],
    [
      "a step's setting at the top level",
      'fail-on: high\nvuln-db: ./osv\n',
      'line 2: unknown key "vuln-db"; it is a setting of the composition step: write it under "composition:"'
    ],
    [
      'an unknown step key',
      'identity:\n  min-uid: 1000\n  min-ud: 5\n',
      'line 3: unknown key "identity.min-ud"'
    ],
    [
      'a wrong type',
      'identity:\n  require-healthcheck: "yes"\n',
      'line 2: "identity.require-healthcheck" must be boolean, not "yes"'
    ],
    [
      'a bad severity',
      '\n\nfail-on: hgh\n',
      'line 3: "fail-on" is "hgh"; use one of critical, high, medium, low, info, none'
    ],
    [
      'a bad rule action',
      'rules:\n  identity/root-user: never\n',
      'line 2: "rules.identity/root-user" is "never"; use one of off, warn, error'
    ],
    [
      'a rule id of another step',
      'identity:\n  rules:\n    hardening/x: off\n',
      'line 3: key "identity.rules.hardening/x" is not a valid name'
    ],
    [
      'an ignore without a reason',
      'ignores:\n  - rule: identity/root-user\n',
      'line 2: "ignores.0" needs "reason"'
    ],
    [
      'an ignore that selects nothing',
      'ignores:\n  - reason: because\n',
      'line 2: "ignores.0" needs at least one of rule, fingerprint, path, package, vulnerability'
    ],
    [
      'an ignore with a misspelt selector',
      'ignores:\n  - rules: identity/root-user\n    reason: because\n',
      'line 2: unknown key "ignores.0.rules"; did you mean "rule"?'
    ],
    [
      'a bad until date',
      'ignores:\n  - rule: identity/root-user\n    reason: r\n    until: 31.12.2030\n',
      'line 4: "ignores.0.until" is "31.12.2030"; write the date as YYYY-MM-DD'
    ],
    [
      'a value the input parser refuses',
      'identity:\n  allowed-setuid: [bin/ping]\n',
      'line 2: input "allowed-setuid" is "bin/ping"'
    ],
    [
      'an unknown rule id at the top',
      'mode: warn\nrules:\n  identity/root-usr: off\n',
      'line 3: input "rules" is "identity/root-usr=off"; identity/root-usr is not a rule; did you mean identity/root-user?'
    ],
    [
      'an unknown rule id in a step, without its prefix',
      'identity:\n  rules:\n    root-usr: off\n',
      'line 3: input "rules" is "root-usr"; identity/root-usr is not a rule; did you mean identity/root-user?'
    ],
    ['broken YAML', 'fail-on: high\n  steps: [a\n', 'line 1: Nested mappings are not allowed'],
    ['a duplicate key', 'mode: warn\nmode: enforce\n', 'line 2:']
  ])('refuses %s, naming the key and the line', (_name, text, message) => {
    const thrown = (() => {
      try {
        parsePolicyFile(text, '.container-gate.yml').apply(defaultPolicy())
      } catch (caught) {
        expect(caught).toBeInstanceOf(ConfigurationError)
        return (caught as Error).message
      }
      return 'no error'
    })()
    expect(thrown).toContain(`policy file .container-gate.yml ${message}`)
    expect(thrown.split('\n')).toHaveLength(1)
  })

  it('has a helper to read the first error', () => {
    expect(error('steps: [identity, identity]\n')).toContain('line 1')
  })
})

describe('the policy file and the inputs', () => {
  it('lays the file under the inputs: a set input wins, an unset one keeps the file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'policy-file-'))
    try {
      writeFileSync(join(dir, '.container-gate.yml'), FILE)
      const inputs = { image: 'oci:x', 'fail-on': 'low', mode: 'enforce' } as Record<string, string>
      const run = parseRunInputs((name) => inputs[name], dir)
      expect(run.configPath).toBe('.container-gate.yml')
      expect(run.mode).toBe('enforce')
      expect(run.failOnNewOnly).toBe(true)
      expect(run.policy.steps.identity.failOn).toBe('low')
      expect(run.policy.identity.minUid).toBe(2000)
      expect(run.ignores).toHaveLength(2)
      const none = parseRunInputs((name) => (name === 'image' ? 'oci:x' : undefined), tmpdir())
      expect([none.configPath, none.mode, none.ignores]).toEqual([undefined, 'enforce', []])
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('requires a config input to name an existing file', () => {
    expect(() => readPolicyFile('missing.yml', tmpdir())).toThrow(
      'input "config" missing.yml cannot be read (ENOENT)'
    )
  })
})

describe('schema/policy.schema.json', () => {
  it('is the schema generated from the current inputs (regenerate with scripts/inputs-table.ts --write)', () => {
    const committed = JSON.parse(readFileSync('schema/policy.schema.json', 'utf8')) as unknown
    expect(committed).toEqual(policySchema())
  })

  it('has a section per step with fail-on, rules and each of its inputs', () => {
    const schema = policySchema() as {
      properties: Record<string, { properties: Record<string, unknown> }>
    }
    expect(Object.keys(schema.properties.identity!.properties)).toEqual([
      'fail-on',
      'rules',
      ...stepInputs('identity').map((input) => input.name)
    ])
    expect(stepInputs('identity').map((input) => input.name)).toEqual([
      'min-uid',
      'allowed-setuid',
      'require-healthcheck'
    ])
  })
})
