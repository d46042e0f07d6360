import { describe, expect, it } from '@jest/globals'
import { buildIndex } from '../../../src/steps/composition/osv/index.js'
import { matchPackage, rangeIncludes } from '../../../src/steps/composition/osv/match.js'
import type { OsvRecord } from '../../../src/steps/composition/osv/schema.js'
import { goComparator, semverComparator } from '../../../src/packages/versions/index.js'
import { deb, DEBIAN_OSV_DIR, npm, NPM_OSV_DIR, readRecords } from './osv-data.js'

const npmIndex = buildIndex(readRecords(NPM_OSV_DIR))
const debianIndex = buildIndex(readRecords(DEBIAN_OSV_DIR))

/** id, fixed version and severity of each match, the shape findings are made from. */
function summary(matches: ReturnType<typeof matchPackage>) {
  return matches.map(({ id, aliases, fixedVersion, rating }) => ({
    id,
    aliases,
    fixedVersion,
    severity: rating.severity,
    source: rating.source
  }))
}

describe('matching npm packages against GitHub advisories', () => {
  it('indexes the records and leaves out the two withdrawn ones', () => {
    expect(npmIndex.advisories).toBe(63)
    expect(npmIndex.withdrawn).toBe(2)
    expect([...npmIndex.ecosystems].sort()).toEqual(['NuGet', 'npm'])
  })

  it('reports lodash below the fixed version with the fix and CVE ids', () => {
    expect(summary(matchPackage(npmIndex, npm('lodash', '4.17.20')))).toEqual([
      {
        id: 'CVE-2020-28500',
        aliases: ['GHSA-29mw-wpgm-hmr9'],
        fixedVersion: '4.17.21',
        severity: 'medium',
        source: 'CVSS 3.1 5.3'
      },
      {
        id: 'CVE-2021-23337',
        aliases: ['GHSA-35jh-r3h4-6jhm'],
        fixedVersion: '4.17.21',
        severity: 'high',
        source: 'CVSS 3.1 7.2'
      }
    ])
  })

  it.each(['4.17.21', '4.17.22', '5.0.0'])(
    'reports nothing for lodash %s (at or above the fix)',
    (version) => {
      expect(matchPackage(npmIndex, npm('lodash', version))).toEqual([])
    }
  )

  it('gives the lowest fixing version above the installed one across all advisories', () => {
    const ids = matchPackage(npmIndex, npm('lodash', '4.17.4')).map((m) => [m.id, m.fixedVersion])
    expect(ids).toEqual([
      ['CVE-2018-16487', '4.17.11'],
      ['CVE-2018-3721', '4.17.5'],
      ['CVE-2019-1010266', '4.17.11'],
      ['CVE-2019-10744', '4.17.12'],
      ['CVE-2020-28500', '4.17.21'],
      ['CVE-2020-8203', '4.17.19'],
      ['CVE-2021-23337', '4.17.21']
    ])
  })

  it('treats last_affected as inclusive and reports no fix', () => {
    expect(summary(matchPackage(npmIndex, npm('lodash.template', '4.5.0')))).toEqual([
      {
        id: 'CVE-2021-23337',
        aliases: ['GHSA-35jh-r3h4-6jhm'],
        fixedVersion: undefined,
        severity: 'high',
        source: 'CVSS 3.1 7.2'
      }
    ])
    expect(matchPackage(npmIndex, npm('lodash.template', '4.5.1'))).toEqual([])
  })

  it('ignores a withdrawn advisory but reports the live ones for the same package', () => {
    const ids = matchPackage(npmIndex, npm('jsonwebtoken', '8.5.1')).map((m) => m.id)
    expect(ids).toEqual(['CVE-2022-23539', 'CVE-2022-23540', 'CVE-2022-23541'])
    expect(ids).not.toContain('CVE-2022-23529')
  })

  it('evaluates node-fetch ranges whose fixed is below introduced as the schema says', () => {
    // GHSA-r683-j2x4-v87g publishes introduced 3.0.0 / fixed 1.0.0: every 3.x is affected, no fix.
    const three = matchPackage(npmIndex, npm('node-fetch', '3.1.1'))
    expect(summary(three).find((m) => m.id === 'CVE-2022-0235')).toEqual({
      id: 'CVE-2022-0235',
      aliases: ['GHSA-r683-j2x4-v87g'],
      fixedVersion: undefined,
      severity: 'high',
      source: 'CVSS 3.1 7.8'
    })
    expect(matchPackage(npmIndex, npm('node-fetch', '2.6.1')).map((m) => m.id)).toEqual([])
  })

  it('matches an explicit versions list', () => {
    expect(matchPackage(npmIndex, npm('glob-parent', '6.0.0')).map((m) => m.fixedVersion)).toEqual([
      '6.0.1'
    ])
  })

  it('prefers a CVSS v4 vector over v3.1 in the same record', () => {
    expect(summary(matchPackage(npmIndex, npm('serve-static', '1.15.0')))).toEqual([
      {
        id: 'CVE-2024-43800',
        aliases: ['GHSA-cm22-4g7w-348p'],
        fixedVersion: '1.16.0',
        severity: 'low',
        source: 'CVSS 4.0 2.3'
      }
    ])
  })

  it('falls back to the GHSA rating when a record has no CVSS vector', () => {
    expect(summary(matchPackage(npmIndex, npm('axios', '1.7.3')))).toEqual([
      {
        id: 'CVE-2024-39338',
        aliases: ['GHSA-8hc4-vh64-cxmj'],
        fixedVersion: '1.7.4',
        severity: 'high',
        source: 'database severity HIGH'
      }
    ])
  })

  it('merges records that alias each other into one problem with every id', () => {
    const cveRecord: OsvRecord = {
      id: 'CVE-2021-23337',
      aliases: ['GHSA-35jh-r3h4-6jhm'],
      affected: [
        {
          package: { ecosystem: 'npm', name: 'lodash' },
          ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '4.17.21' }] }]
        }
      ]
    }
    const index = buildIndex([...readRecords(NPM_OSV_DIR), cveRecord])
    const merged = matchPackage(index, npm('lodash', '4.17.20')).filter((m) =>
      m.aliases.includes('GHSA-35jh-r3h4-6jhm')
    )
    expect(merged.map(({ id, aliases, records }) => ({ id, aliases, records }))).toEqual([
      {
        id: 'CVE-2021-23337',
        aliases: ['GHSA-35jh-r3h4-6jhm'],
        records: ['CVE-2021-23337', 'GHSA-35jh-r3h4-6jhm']
      }
    ])
  })
})

describe('matching Debian packages against Debian advisories', () => {
  it('matches a binary package through its source package', () => {
    expect(summary(matchPackage(debianIndex, deb('libc6', '2.36-9+deb12u1', 'glibc')))).toEqual([
      {
        id: 'CVE-2023-4527',
        aliases: ['DEBIAN-CVE-2023-4527', 'DSA-5514-1'],
        fixedVersion: '2.36-9+deb12u3',
        severity: 'medium',
        source: 'Debian urgency medium'
      },
      {
        id: 'CVE-2023-4911',
        aliases: ['DEBIAN-CVE-2023-4911', 'DSA-5514-1'],
        fixedVersion: '2.36-9+deb12u3',
        severity: 'high',
        source: 'Debian urgency high'
      },
      {
        id: 'CVE-2024-2961',
        aliases: ['DEBIAN-CVE-2024-2961'],
        fixedVersion: '2.36-9+deb12u7',
        severity: 'unknown',
        source: 'no rating in the data'
      }
    ])
  })

  it('lists a DSA under each CVE it fixes (upstream), never as a finding of its own', () => {
    const matches = matchPackage(debianIndex, deb('libc6', '2.36-9+deb12u1', 'glibc'))
    expect(matches.map(({ id, records, summary: text }) => ({ id, records, text }))).toEqual([
      {
        id: 'CVE-2023-4527',
        records: ['DEBIAN-CVE-2023-4527', 'DSA-5514-1'],
        text: undefined
      },
      {
        id: 'CVE-2023-4911',
        records: ['DEBIAN-CVE-2023-4911', 'DSA-5514-1'],
        text: undefined
      },
      { id: 'CVE-2024-2961', records: ['DEBIAN-CVE-2024-2961'], text: undefined }
    ])
  })

  it('reports the CVEs of a DSA that is the only record matching, with its fix and summary', () => {
    const dsaOnly = buildIndex(
      readRecords(DEBIAN_OSV_DIR).filter((record) => record.id.startsWith('DSA-'))
    )
    expect(
      matchPackage(dsaOnly, deb('libc6', '2.36-9+deb12u2', 'glibc')).map(
        ({ id, aliases, fixedVersion, summary: text }) => ({ id, aliases, fixedVersion, text })
      )
    ).toEqual([
      {
        id: 'CVE-2023-4527',
        aliases: ['DSA-5514-1'],
        fixedVersion: '2.36-9+deb12u3',
        text: 'glibc - security update'
      },
      {
        id: 'CVE-2023-4911',
        aliases: ['DSA-5514-1'],
        fixedVersion: '2.36-9+deb12u3',
        text: 'glibc - security update'
      }
    ])
  })

  const [dsa] = readRecords(DEBIAN_OSV_DIR).filter((record) => record.id === 'DSA-5514-1')
  const cve4911 = readRecords(DEBIAN_OSV_DIR).find((r) => r.id === 'DEBIAN-CVE-2023-4911')!
  it.each<[string, OsvRecord[], Array<{ id: string; aliases: string[] }>]>([
    [
      'follows upstream transitively: DSA → DEBIAN-CVE → CVE is the CVE',
      [{ ...dsa!, upstream: ['DEBIAN-CVE-2023-4911'] }, cve4911],
      [{ id: 'CVE-2023-4911', aliases: ['DEBIAN-CVE-2023-4911', 'DSA-5514-1'] }]
    ],
    [
      'gathers two DSAs naming one CVE under it, and keeps their other CVEs apart (not symmetric)',
      [dsa!, { ...dsa!, id: 'DSA-5514-2', upstream: ['CVE-2023-4911'] }],
      [
        { id: 'CVE-2023-4527', aliases: ['DSA-5514-1'] },
        { id: 'CVE-2023-4911', aliases: ['DSA-5514-1', 'DSA-5514-2'] }
      ]
    ],
    [
      'does not merge through related, which the schema uses for other vulnerabilities',
      [{ ...dsa!, upstream: undefined, related: ['CVE-2023-4911'] }, cve4911],
      [
        { id: 'CVE-2023-4911', aliases: ['DEBIAN-CVE-2023-4911'] },
        { id: 'DSA-5514-1', aliases: [] }
      ]
    ],
    [
      'merges a record that lists the CVE as an alias, as aliases are the same problem',
      [{ ...dsa!, upstream: undefined, aliases: ['CVE-2023-4911'] }, cve4911],
      [{ id: 'CVE-2023-4911', aliases: ['DEBIAN-CVE-2023-4911', 'DSA-5514-1'] }]
    ]
  ])('%s', (_name, records, expected) => {
    expect(
      matchPackage(buildIndex(records), deb('libc6', '2.36-9+deb12u1', 'glibc')).map(
        ({ id, aliases }) => ({ id, aliases })
      )
    ).toEqual(expected)
  })

  it('takes the backported fix: 2.36-9+deb12u3 is fixed although upstream 2.36 is vulnerable', () => {
    expect(
      matchPackage(debianIndex, deb('libc6', '2.36-9+deb12u3', 'glibc')).map((m) => m.id)
    ).toEqual(['CVE-2024-2961'])
    expect(matchPackage(debianIndex, deb('libc6', '2.36-9+deb12u10', 'glibc'))).toEqual([])
  })

  it('does not match the binary name, another release or another distribution', () => {
    expect(matchPackage(debianIndex, { ...deb('glibc-doc', '2.36-9', 'glibc-doc') })).toEqual([])
    expect(
      matchPackage(debianIndex, {
        ...deb('libc6', '2.31-13', 'glibc'),
        ecosystem: 'Debian:11'
      }).map((m) => [m.id, m.fixedVersion])
    ).toEqual([
      ['CVE-2023-4527', '2.31-13+deb11u7'],
      ['CVE-2023-4911', '2.31-13+deb11u7']
    ])
    expect(
      matchPackage(debianIndex, {
        ...deb('libc6', '2.36-9', 'glibc'),
        ecosystem: 'Ubuntu:22.04:LTS'
      })
    ).toEqual([])
  })

  it('matches by the source version when a binNMU gives the binary another version', () => {
    const binNmu = deb('libc6', '2.36-9+deb12u3+b1', 'glibc', '2.36-9+deb12u1')
    expect(matchPackage(debianIndex, binNmu).map((m) => m.id)).toContain('CVE-2023-4911')
  })
})

describe('OSV range evaluation', () => {
  it.each<[string, Array<Record<string, string>>, boolean]>([
    ['1.0.0', [{ introduced: '0' }, { fixed: '1.0.0' }], false],
    ['0.9.9', [{ introduced: '0' }, { fixed: '1.0.0' }], true],
    [
      '1.5.0',
      [{ introduced: '1.0.0' }, { fixed: '2.0.0' }, { introduced: '3.0.0' }, { fixed: '4.0.0' }],
      true
    ],
    [
      '2.5.0',
      [{ introduced: '1.0.0' }, { fixed: '2.0.0' }, { introduced: '3.0.0' }, { fixed: '4.0.0' }],
      false
    ],
    [
      '3.0.0',
      [{ introduced: '1.0.0' }, { fixed: '2.0.0' }, { introduced: '3.0.0' }, { fixed: '4.0.0' }],
      true
    ],
    ['2.0.0', [{ introduced: '1.0.0' }, { last_affected: '2.0.0' }], true],
    ['2.0.1', [{ introduced: '1.0.0' }, { last_affected: '2.0.0' }], false],
    ['1.0.0', [{ introduced: '1.0.0' }, { fixed: '1.0.0' }], false],
    ['5.0.0', [{ introduced: '1.0.0' }, { limit: '5.0.0' }], false],
    ['4.9.9', [{ introduced: '1.0.0' }, { limit: '5.0.0' }], true],
    ['1.0.0-rc.1', [{ introduced: '1.0.0' }], false],
    ['1.0.0-rc.1', [{ introduced: '0' }, { fixed: 'not-a-version' }], true]
  ])('SEMVER: %s in %j is %s', (version, events, expected) => {
    expect(rangeIncludes(version, { type: 'SEMVER', events }, semverComparator)).toBe(expected)
  })

  it('compares Go module versions with their v prefix against SEMVER events without one', () => {
    const range = { type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '0.17.0' }] }
    expect(rangeIncludes('v0.0.0-20220722155217-630584e8d5aa', range, goComparator)).toBe(true)
    expect(rangeIncludes('v0.17.0', range, goComparator)).toBe(false)
  })

  it('matches an ECOSYSTEM range with the ecosystem order and a SEMVER range with SemVer', () => {
    const record = (type: string): OsvRecord => ({
      id: `TEST-${type}`,
      affected: [
        {
          package: { ecosystem: 'PyPI', name: 'Django' },
          ranges: [{ type, events: [{ introduced: '0' }, { fixed: '4.2.0' }] }]
        }
      ]
    })
    const django = {
      ...npm('django', '4.2rc1'),
      ecosystem: 'PyPI',
      purl: 'pkg:pypi/django@4.2rc1'
    }
    // PEP 440: 4.2rc1 < 4.2.0; SemVer cannot read 4.2rc1 at all, so the SEMVER range is skipped.
    expect(matchPackage(buildIndex([record('ECOSYSTEM')]), django).map((m) => m.id)).toEqual([
      'TEST-ECOSYSTEM'
    ])
    expect(matchPackage(buildIndex([record('SEMVER')]), django)).toEqual([])
  })
})
