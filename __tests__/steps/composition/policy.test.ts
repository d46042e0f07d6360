import { describe, expect, it } from '@jest/globals'
import { ConfigurationError } from '../../../src/errors.js'
import type { Finding } from '../../../src/findings.js'
import {
  MAX_VEX_BYTES,
  MAX_VEX_STATEMENTS,
  parseOpenVex,
  vexStatementFor,
  vexSuppression
} from '../../../src/policy/vex.js'
import { deniedLicenses, disallowedLicenses } from '../../../src/steps/composition/licenses.js'
import { cvssBaseScore, rateAdvisory } from '../../../src/steps/composition/osv/severity.js'
import { compositionSettings } from '../../../src/steps/composition/settings.js'

describe('composition settings', () => {
  const parse = (inputs: Record<string, string>) =>
    compositionSettings.parse((name) => inputs[name], compositionSettings.defaults())

  it('defaults to osv data, fixed and unfixed findings, unknown as medium, no license policy', () => {
    expect(compositionSettings.defaults()).toEqual({
      vulnDb: 'osv',
      allowNoVulnData: false,
      ignoreUnfixed: false,
      unknownSeverity: 'medium',
      licenseDeny: [],
      licenseAllow: [],
      vex: []
    })
  })

  it('reads every input', () => {
    expect(
      parse({
        'vuln-db': './osv',
        'allow-no-vuln-data': 'true',
        'ignore-unfixed': 'True',
        'unknown-severity': 'HIGH',
        'license-deny': 'AGPL-3.0-only, GPL-3.0-or-later',
        'license-allow': 'MIT\nApache-2.0',
        vex: 'a.vex.json\nb.vex.json'
      })
    ).toEqual({
      vulnDb: './osv',
      allowNoVulnData: true,
      ignoreUnfixed: true,
      unknownSeverity: 'high',
      licenseDeny: ['AGPL-3.0-only', 'GPL-3.0-or-later'],
      licenseAllow: ['MIT', 'Apache-2.0'],
      vex: ['a.vex.json', 'b.vex.json']
    })
  })

  it.each([
    [
      'unknown-severity',
      'severe',
      'input "unknown-severity" is "severe"; use one of critical, high, medium, low, info.'
    ],
    ['ignore-unfixed', 'yes', 'input "ignore-unfixed" is "yes"; use true or false.'],
    [
      'license-deny',
      'AGPL',
      'input "license-deny" is "AGPL"; list SPDX license ids such as AGPL-3.0-only or GPL-3.0-or-later.'
    ]
  ])('refuses %s=%s naming the input and the fix', (name, value, message) => {
    expect(() => parse({ [name]: value })).toThrow(new ConfigurationError(message))
  })
})

describe('license policy', () => {
  it.each<[string[], string[], string[]]>([
    [['AGPL-3.0-only'], ['AGPL-3.0-only'], ['AGPL-3.0-only']],
    [['MIT OR AGPL-3.0-only'], ['AGPL-3.0-only'], []],
    [['MIT AND AGPL-3.0-only'], ['AGPL-3.0-only'], ['AGPL-3.0-only']],
    [
      ['(MIT OR GPL-3.0-only) AND AGPL-3.0-only'],
      ['AGPL-3.0-only', 'GPL-3.0-only'],
      ['AGPL-3.0-only']
    ],
    [['GPL-2.0+'], ['GPL-2.0-or-later'], ['GPL-2.0-or-later']],
    [['agpl-3.0-only'], ['AGPL-3.0-only'], ['agpl-3.0-only']],
    [['MIT'], [], []]
  ])('%j with deny %j is denied for %j', (licenses, deny, expected) => {
    expect(deniedLicenses(licenses, deny)).toEqual(expected)
  })

  it.each<[string[], string[], string[]]>([
    [['MIT'], ['MIT', 'Apache-2.0'], []],
    [['MIT OR GPL-3.0-only'], ['MIT'], []],
    [['MIT AND GPL-3.0-only'], ['MIT'], ['GPL-3.0-only']],
    [['BSD-like'], ['MIT'], ['BSD-like']]
  ])('%j with allow %j is not allowed for %j', (licenses, allow, expected) => {
    expect(disallowedLicenses(licenses, allow)).toEqual(expected)
  })
})

describe('severity', () => {
  it.each([
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', '3.1', 9.8],
    ['CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', '3.0', 9.8],
    ['CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N', '4.0', 9.3],
    ['AV:N/AC:L/Au:N/C:P/I:P/A:P', '2.0', 7.5]
  ])('computes the base score of %s', (vector, version, score) => {
    expect(cvssBaseScore(vector)).toEqual({ version, score })
  })

  it.each(['garbage', 'CVSS:3.1/', 'CVSS:9.9/AV:N'])('gives no score for %s', (vector) => {
    expect(cvssBaseScore(vector)).toBeUndefined()
  })

  const v3 = { type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' }
  const v2 = { type: 'CVSS_V2', score: 'AV:N/AC:L/Au:N/C:P/I:P/A:P' }

  it.each<[string, Parameters<typeof rateAdvisory>, string, string]>([
    [
      'distribution urgency first for OS packages',
      [{ severity: [v3] }, { ecosystem_specific: { urgency: 'low' } }, true],
      'low',
      'Debian urgency low'
    ],
    [
      'CVSS for language packages even with an urgency',
      [{ severity: [v3] }, { ecosystem_specific: { urgency: 'low' } }, false],
      'critical',
      'CVSS 3.1 9.8'
    ],
    [
      'an unreviewed urgency does not count',
      [{ severity: [v2] }, { ecosystem_specific: { urgency: 'not yet assigned' } }, true],
      'high',
      'CVSS 2.0 7.5'
    ],
    ['CVSS v3 before v2', [{ severity: [v2, v3] }, {}, false], 'critical', 'CVSS 3.1 9.8'],
    [
      'CVSS before the GHSA rating',
      [{ severity: [v2], databaseSeverity: 'LOW' }, {}, false],
      'high',
      'CVSS 2.0 7.5'
    ],
    [
      'GHSA rating without CVSS',
      [{ databaseSeverity: 'MODERATE' }, {}, false],
      'medium',
      'database severity MODERATE'
    ],
    [
      'Ubuntu priority',
      [{}, { severity: [{ type: 'Ubuntu', score: 'negligible' }] }, true],
      'low',
      'Ubuntu priority negligible'
    ],
    ['unknown when nothing rates it', [{}, {}, true], 'unknown', 'no rating in the data']
  ])('%s', (_name, args, severity, source) => {
    expect(rateAdvisory(...args)).toMatchObject({ severity, source })
  })
})

describe('OpenVEX', () => {
  const finding: Finding = {
    step: 'composition',
    rule: 'composition/vulnerability',
    severity: 'high',
    title: 'CVE-2021-23337 in lodash 4.17.20 (fixed in 4.17.21)',
    subject: 'pkg:npm/lodash@4.17.20 CVE-2021-23337',
    location: {},
    package: {
      name: 'lodash',
      version: '4.17.20',
      ecosystem: 'npm',
      purl: 'pkg:npm/lodash@4.17.20'
    },
    vulnerability: { id: 'CVE-2021-23337', aliases: ['GHSA-35jh-r3h4-6jhm'] }
  }
  const digest = `sha256:${'a'.repeat(64)}`
  const document = (statements: unknown[]) =>
    JSON.stringify({
      '@context': 'https://openvex.dev/ns/v0.2.0',
      '@id': 'https://example.com/vex',
      author: 'team',
      timestamp: '2024-01-01T00:00:00Z',
      version: 1,
      statements
    })

  it.each<[string, unknown, boolean]>([
    ['the package purl without a version', { '@id': 'pkg:npm/lodash' }, true],
    ['the package purl with its version', { '@id': 'pkg:npm/lodash@4.17.20' }, true],
    ['another version', { '@id': 'pkg:npm/lodash@4.17.21' }, false],
    [
      'the image with the package as subcomponent',
      { '@id': `pkg:oci/app@${digest}`, subcomponents: [{ '@id': 'pkg:npm/lodash@4.17.20' }] },
      true
    ],
    ['the image as a whole', { '@id': `pkg:oci/app@${digest}` }, true],
    [
      'the image with another subcomponent',
      { '@id': `pkg:oci/app@${digest}`, subcomponents: [{ '@id': 'pkg:npm/qs' }] },
      false
    ]
  ])('matches a product naming %s: %s', (_name, product, expected) => {
    const statements = parseOpenVex(
      document([
        {
          vulnerability: { name: 'GHSA-35jh-r3h4-6jhm' },
          products: [product],
          status: 'not_affected',
          justification: 'component_not_present'
        }
      ]),
      'vex.json'
    )
    expect(vexStatementFor(finding, statements, digest) !== undefined).toBe(expected)
  })

  it('refuses a document with more statements than MAX_VEX_STATEMENTS', () => {
    const statement = { vulnerability: 'CVE-1', status: 'fixed' }
    const content = document(Array(MAX_VEX_STATEMENTS + 1).fill(statement))
    expect(() => parseOpenVex(content, 'v.json')).toThrow(
      new ConfigurationError(
        `input "vex" v.json has ${MAX_VEX_STATEMENTS + 1} statements, more than the ${MAX_VEX_STATEMENTS} one document may hold; give an OpenVEX document (https://github.com/openvex/spec).`
      )
    )
  })

  it('refuses a document larger than MAX_VEX_BYTES before parsing it', () => {
    const content = ' '.repeat(MAX_VEX_BYTES + 1)
    expect(() => parseOpenVex(content, 'v.json')).toThrow(
      new ConfigurationError(
        `input "vex" v.json is ${MAX_VEX_BYTES + 1} characters, more than the ${MAX_VEX_BYTES} an OpenVEX document may be; give an OpenVEX document (https://github.com/openvex/spec).`
      )
    )
  })

  it('finds statements added to the list after it was first searched', () => {
    const statements = parseOpenVex(document([]), 'a.json')
    expect(vexStatementFor(finding, statements, digest)).toBeUndefined()
    statements.push(
      ...parseOpenVex(
        document([
          { vulnerability: 'CVE-2021-23337', products: ['pkg:npm/lodash'], status: 'fixed' }
        ]),
        'b.json'
      )
    )
    expect(vexStatementFor(finding, statements, digest)?.source).toBe('b.json#statements[0]')
  })

  it('lets the latest statement decide, and only not_affected and fixed suppress', () => {
    const statements = parseOpenVex(
      document([
        {
          vulnerability: 'CVE-2021-23337',
          products: ['pkg:npm/lodash'],
          status: 'not_affected',
          justification: 'inline_mitigations_already_exist',
          timestamp: '2024-02-01T00:00:00Z'
        },
        {
          vulnerability: { name: 'CVE-2021-23337' },
          products: [{ '@id': 'pkg:npm/lodash' }],
          status: 'affected',
          timestamp: '2024-03-01T00:00:00Z'
        }
      ]),
      'vex.json'
    )
    const chosen = vexStatementFor(finding, statements, digest)
    expect(chosen?.source).toBe('vex.json#statements[1]')
    expect(vexSuppression(chosen)).toBeUndefined()
    expect(vexSuppression(statements[0])).toEqual({
      reason: 'VEX not_affected (inline_mitigations_already_exist)',
      source: 'vex.json#statements[0]'
    })
  })

  it.each([
    [
      '{',
      'input "vex" v.json is not JSON; give an OpenVEX document (https://github.com/openvex/spec).'
    ],
    [
      '{"statements": []}',
      'input "vex" v.json has no OpenVEX @context; give an OpenVEX document (https://github.com/openvex/spec).'
    ],
    [
      '{"@context": "https://openvex.dev/ns/v0.2.0", "statements": [{"vulnerability": "CVE-1", "status": "maybe"}]}',
      'input "vex" v.json statement 0 has status "maybe", not one of not_affected, affected, fixed, under_investigation; give an OpenVEX document (https://github.com/openvex/spec).'
    ]
  ])('refuses %s', (content, message) => {
    expect(() => parseOpenVex(content, 'v.json')).toThrow(new ConfigurationError(message))
  })
})
