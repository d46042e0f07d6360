import { describe, expect, it } from '@jest/globals'
import { ConfigurationError } from '../../../src/errors.js'
import { parsePolicyInputs } from '../../../src/policy/inputs.js'
import { hardeningSettings, type HardeningSettings } from '../../../src/steps/hardening/settings.js'

/** Through the policy, as the action and the CLI read the inputs. */
function parse(inputs: Record<string, string>): HardeningSettings {
  return parsePolicyInputs((name) => inputs[name]).hardening
}

describe('hardening settings', () => {
  it('has an input spec for every setting, each with a description', () => {
    expect(hardeningSettings.inputs.map((input) => input.name)).toEqual([
      'max-wasted-bytes',
      'min-efficiency',
      'max-user-wasted-percent',
      'min-waster-size',
      'large-file-size',
      'lean-base-image',
      'allowed-tools',
      'secret-max-file-size',
      'secret-min-entropy',
      'secret-allow-rules',
      'secret-allow-paths',
      'secret-allow-fingerprints',
      'secret-fixture-paths',
      'secret-rules'
    ])
    expect(hardeningSettings.inputs.every((input) => input.description.length > 20)).toBe(true)
  })

  it('reads the defaults the input specs declare', () => {
    const fromSpecs = Object.fromEntries(
      hardeningSettings.inputs.map((input) => [input.name, input.default ?? ''])
    )
    expect(parse(fromSpecs)).toEqual(hardeningSettings.defaults())
  })

  it.each([
    [{ 'max-wasted-bytes': '20MB' }, { maxWastedBytes: 20_000_000 }],
    [{ 'max-wasted-bytes': '1.5 MiB' }, { maxWastedBytes: 1_572_864 }],
    [{ 'min-efficiency': '95%' }, { minEfficiency: 0.95 }],
    [{ 'min-efficiency': '0.8' }, { minEfficiency: 0.8 }],
    [{ 'max-user-wasted-percent': '5' }, { maxUserWastedRatio: 0.05 }],
    [{ 'lean-base-image': 'true' }, { leanBaseImage: true }],
    [{ 'allowed-tools': 'pip\nMake' }, { allowedTools: ['pip', 'make'] }],
    [
      { 'secret-allow-rules': 'hardening/secret-jwt, npm-token' },
      { secretAllowRules: ['jwt', 'npm-token'] }
    ],
    [{ 'secret-allow-paths': '/app/test/**' }, { secretAllowPaths: ['/app/test/**'] }],
    [
      { 'secret-allow-fingerprints': '0123456789abcdef' },
      { secretAllowFingerprints: ['0123456789abcdef'] }
    ],
    [
      { 'secret-rules': '[{"id": "acme", "regex": "ACME-[0-9]{8}", "keywords": ["ACME-"]}]' },
      {
        customSecretRules: [
          { id: 'acme', regex: 'ACME-[0-9]{8}', keywords: ['acme-'], severity: 'high', entropy: 0 }
        ]
      }
    ]
  ])('parses %j', (inputs, expected) => {
    expect(parse(inputs)).toEqual({ ...hardeningSettings.defaults(), ...expected })
  })

  it.each([
    [
      { 'max-wasted-bytes': '20 bananas' },
      'input "max-wasted-bytes" is "20 bananas"; use a size in bytes or with a unit, e.g. 1048576, 20MB or 10MiB.'
    ],
    [
      { 'min-efficiency': '1.5' },
      'input "min-efficiency" is "1.5"; use a share from 0 to 1 or a percentage, e.g. 0.9 or 90%.'
    ],
    [{ 'lean-base-image': 'yes' }, 'input "lean-base-image" is "yes"; use true or false.'],
    [
      { 'secret-allow-paths': 'app/**' },
      'input "secret-allow-paths" is "app/**"; use globs of absolute paths, e.g. /app/test/** or **/fixtures/**.'
    ],
    [
      { 'secret-allow-fingerprints': 'abc' },
      `input "secret-allow-fingerprints" is "abc"; use a finding's fingerprint from the report: 16 lowercase hex digits.`
    ],
    [
      { 'secret-rules': '{"id": "x"}' },
      'input "secret-rules" is "{"id": "x"}"; write a JSON array of rule objects.'
    ],
    [
      { 'secret-rules': '[{"id": "x", "regex": "("}]' },
      'input "secret-rules" item 1 is not a valid secret rule; "regex" does not compile (Invalid regular expression: /(/g: Unterminated group).'
    ],
    [
      { 'secret-rules': '[{"id": "x", "regex": "a", "severity": "urgent"}]' },
      'input "secret-rules" item 1 is not a valid secret rule; give "severity" as one of critical, high, medium, low, info.'
    ],
    [
      { 'secret-rules': '[{"id": "Bad Id", "regex": "a"}]' },
      'input "secret-rules" item 1 is not a valid secret rule; give "id" in kebab-case, e.g. "acme-api-token".'
    ]
  ])('rejects %j naming the input and the fix', (inputs, message) => {
    expect(() => parse(inputs)).toThrow(new ConfigurationError(message))
  })
})
