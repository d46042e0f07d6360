import { describe, expect, it } from '@jest/globals'
import { ConfigurationError } from '../../src/errors.js'
import { defaultPolicy } from '../../src/policy/defaults.js'
import { parsePolicyInputs, POLICY_INPUTS } from '../../src/policy/inputs.js'
import type { Policy } from '../../src/policy/policy.js'
import { STEP_SETTINGS } from '../../src/policy/step-settings.js'

function parse(inputs: Record<string, string>): Policy {
  return parsePolicyInputs((name) => inputs[name])
}

function error(inputs: Record<string, string>): string {
  try {
    parse(inputs)
  } catch (caught) {
    expect(caught).toBeInstanceOf(ConfigurationError)
    return (caught as ConfigurationError).message
  }
  throw new Error('expected a ConfigurationError')
}

describe('parsePolicyInputs', () => {
  it('gives the default policy when no input is set or all are blank', () => {
    expect(parse({})).toEqual(defaultPolicy())
    expect(parse(Object.fromEntries(POLICY_INPUTS.map(({ name }) => [name, '  '])))).toEqual(
      defaultPolicy()
    )
  })

  it('gives the default policy for each input’s documented default', () => {
    expect(
      parse(Object.fromEntries(POLICY_INPUTS.map((input) => [input.name, input.default])))
    ).toEqual(defaultPolicy())
  })

  it.each([
    ['critical', 'critical'],
    ['LOW', 'low'],
    [' none ', 'none'],
    ['info', 'info']
  ])('sets every step’s fail-on from %j', (value, expected) => {
    const policy = parse({ 'fail-on': value })
    expect(Object.values(policy.steps).map((step) => step.failOn)).toEqual(Array(6).fill(expected))
  })

  it.each([
    ['all', ['identity', 'tests', 'code', 'composition', 'hardening', 'custody']],
    ['identity', ['identity']],
    ['identity,composition', ['identity', 'composition']],
    ['identity composition', ['identity', 'composition']],
    ['identity\nhardening\n', ['identity', 'hardening']],
    [' Identity , custody ', ['identity', 'custody']]
  ])('enables only the steps listed in %j', (value, expected) => {
    const policy = parse({ steps: value })
    const enabled = Object.entries(policy.steps)
      .filter(([, step]) => step.enabled)
      .map(([id]) => id)
    expect(enabled).toEqual(expected)
  })

  it('reads rule overrides from lines and commas', () => {
    const policy = parse({
      rules:
        'identity/missing-healthcheck=off, identity/root-user = warn\n\ncomposition/vulnerability=ERROR\n'
    })
    expect(policy.rules).toEqual({
      'identity/missing-healthcheck': 'off',
      'identity/root-user': 'warn',
      'composition/vulnerability': 'error'
    })
  })

  it('reads the identity settings', () => {
    const policy = parse({
      'min-uid': '10000',
      'allowed-setuid': '/usr/bin/{ping,chsh}, /opt/**/chrome-sandbox\n**/newuidmap',
      'require-healthcheck': 'false'
    })
    expect(policy.identity).toEqual({
      minUid: 10000,
      allowedSetuid: ['/usr/bin/{ping,chsh}', '/opt/**/chrome-sandbox', '**/newuidmap'],
      requireHealthcheck: false
    })
    expect(parse({ 'require-healthcheck': 'TRUE', 'min-uid': '0' }).identity).toMatchObject({
      minUid: 0,
      requireHealthcheck: true
    })
  })

  it.each([
    [
      { 'fail-on': 'hgh' },
      'input "fail-on" is "hgh"; use one of critical, high, medium, low, info, none.'
    ],
    [
      { steps: 'identity,sbom' },
      'input "steps" is "identity,sbom"; list step ids from identity, tests, code, composition, hardening, custody, or use all.'
    ],
    [
      { steps: 'all,identity' },
      'input "steps" is "all,identity"; list step ids from identity, tests, code, composition, hardening, custody, or use all.'
    ],
    [
      { steps: ',' },
      'input "steps" is ","; list step ids from identity, tests, code, composition, hardening, custody, or use all.'
    ],
    [
      { rules: 'identity/root-user' },
      'input "rules" is "identity/root-user"; set identity/root-user to one of off, warn, error.'
    ],
    [
      { rules: 'root-user=off' },
      'input "rules" is "root-user=off"; name the rule with its step: identity/root-user=off.'
    ],
    [
      { rules: 'input-not-analysed=warn' },
      'input "rules" is "input-not-analysed=warn"; name the rule with its step: identity/input-not-analysed=warn or tests/input-not-analysed=warn or code/input-not-analysed=warn or composition/input-not-analysed=warn or hardening/input-not-analysed=warn or custody/input-not-analysed=warn.'
    ],
    [
      { rules: 'no-such-rule=off' },
      'input "rules" is "no-such-rule=off"; write rule-id=off|warn|error, where the rule id is step/kebab-name with a step from identity, tests, code, composition, hardening, custody.'
    ],
    [
      { rules: 'identity/Root_User=off' },
      'input "rules" is "identity/Root_User=off"; write rule-id=off|warn|error, where the rule id is step/kebab-name with a step from identity, tests, code, composition, hardening, custody.'
    ],
    [
      { rules: 'identity/root-usr=off' },
      'input "rules" is "identity/root-usr=off"; identity/root-usr is not a rule; did you mean identity/root-user?'
    ],
    [
      { rules: 'code/frobnicate-everything=off' },
      'input "rules" is "code/frobnicate-everything=off"; code/frobnicate-everything is not a rule; see docs/rules/ and docs/policy.md for the rule ids.'
    ],
    [
      { rules: 'identity/root-user=ignore' },
      'input "rules" is "identity/root-user=ignore"; set identity/root-user to one of off, warn, error.'
    ],
    [
      { 'min-uid': '-1' },
      'input "min-uid" is "-1"; use a whole number from 0 to 4294967295, e.g. 1000.'
    ],
    [
      { 'min-uid': '1e3' },
      'input "min-uid" is "1e3"; use a whole number from 0 to 4294967295, e.g. 1000.'
    ],
    [
      { 'min-uid': '4294967296' },
      'input "min-uid" is "4294967296"; use a whole number from 0 to 4294967295, e.g. 1000.'
    ],
    [
      { 'allowed-setuid': '/usr/bin/ping, usr/bin/su' },
      'input "allowed-setuid" is "usr/bin/su"; use globs of absolute paths, e.g. /usr/bin/ping or /usr/lib/**/chrome-sandbox.'
    ],
    [{ 'require-healthcheck': 'yes' }, 'input "require-healthcheck" is "yes"; use true or false.']
  ])('rejects %j', (inputs, message) => {
    expect(error(inputs)).toBe(message)
  })

  it('layers inputs over a given base policy', () => {
    const base = defaultPolicy()
    base.rules['identity/root-user'] = 'warn'
    base.steps.code.enabled = false
    const policy = parsePolicyInputs(
      (name) => (name === 'rules' ? 'identity/setuid-file=off' : undefined),
      base
    )
    expect(policy.rules).toEqual({ 'identity/root-user': 'warn', 'identity/setuid-file': 'off' })
    expect(policy.steps.code.enabled).toBe(false)
  })
})

describe('POLICY_INPUTS', () => {
  it('names only the inputs of every step, each once with a description and a default', () => {
    expect(POLICY_INPUTS.map((input) => [input.name, input.default])).toEqual([
      ['fail-on', 'high'],
      ['steps', 'all'],
      ['rules', '']
    ])
    for (const input of POLICY_INPUTS) expect(input.description.length).toBeGreaterThan(20)
  })
})

describe('identity settings', () => {
  it('are declared by the identity step like every other step’s settings', () => {
    expect(STEP_SETTINGS.identity.inputs.map((input) => [input.name, input.default])).toEqual([
      ['min-uid', '1000'],
      ['allowed-setuid', ''],
      ['require-healthcheck', 'true']
    ])
  })

  it('default to the identity inputs’ documented defaults', () => {
    const inputs = STEP_SETTINGS.identity.inputs
    expect(
      parse(Object.fromEntries(inputs.map((input) => [input.name, input.default ?? ''])))
    ).toEqual(defaultPolicy())
    expect(defaultPolicy().identity).toEqual({
      minUid: 1000,
      allowedSetuid: [],
      requireHealthcheck: true
    })
  })
})
