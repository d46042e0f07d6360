import { describe, expect, it } from '@jest/globals'
import { missingTools } from '../../../../__fixtures__/registry.js'
import { existsSync } from 'node:fs'
import {
  apkComparator,
  comparatorFor,
  dpkgComparator,
  goComparator,
  mavenComparator,
  nugetComparator,
  pep440Comparator,
  rpmComparator,
  rubygemsComparator,
  semverComparator,
  type VersionComparator
} from '../../../../src/packages/versions/index.js'
import {
  aptVersions,
  dpkgCompare,
  interestingPairs,
  MAVEN_JAR,
  mavenCompare,
  missingPythonModule,
  pythonCompare,
  seededRandom
} from './reference.js'

function skipUnless(reason: string | undefined): typeof describe.skip {
  if (reason !== undefined) console.warn(reason)
  return reason === undefined ? describe : describe.skip
}

function ours(comparator: VersionComparator, pairs: Array<[string, string]>): number[] {
  return pairs.map(([a, b]) => Math.sign(comparator.compare(a, b)))
}

/** Pairs where we disagree with the reference, for a readable failure. */
function disagreements(
  comparator: VersionComparator,
  pairs: Array<[string, string]>,
  reference: number[]
): string[] {
  const mine = ours(comparator, pairs)
  return pairs
    .map(([a, b], i) => ({ a, b, mine: mine[i], theirs: reference[i] }))
    .filter(({ mine: m, theirs }) => m !== theirs)
    .map(({ a, b, mine: m, theirs }) => `${a} vs ${b}: ours ${m}, reference ${theirs}`)
}

const debianVersions = aptVersions()
const aptMissing =
  debianVersions.length < 1000
    ? 'skipped: fewer than 1000 versions in /var/lib/apt/lists (run apt-get update)'
    : undefined

skipUnless(aptMissing ?? missingPythonModule('apt_pkg', 'python3-apt'))(
  'dpkg ordering against python3-apt on the apt indexes',
  () => {
    it('agrees on 20,000 pairs of real Debian versions', () => {
      const pairs = interestingPairs(debianVersions, 20_000)
      const reference = pythonCompare(
        'import apt_pkg\napt_pkg.init_system()\ncmp = apt_pkg.version_compare',
        pairs
      )
      expect(disagreements(dpkgComparator, pairs, reference)).toEqual([])
    })
  }
)

skipUnless(aptMissing ?? missingTools(['sh', 'dpkg']))(
  'dpkg ordering against dpkg --compare-versions',
  () => {
    it('agrees on 1,500 pairs of real Debian versions and the tilde cases', () => {
      const pairs: Array<[string, string]> = [
        ...interestingPairs(debianVersions, 1_500, 7),
        ['1.0~rc1', '1.0'],
        ['1.0~~', '1.0~'],
        ['1.0~', '1.0'],
        ['1.0', '1.0+b1'],
        ['2.36-9+deb12u4', '2.36-9+deb12u10'],
        ['1:1.0', '2.0'],
        ['1.0-1', '1.0'],
        ['1.0a', '1.0+'],
        ['1.0', '1.00']
      ]
      expect(disagreements(dpkgComparator, pairs, dpkgCompare(pairs))).toEqual([])
    })
  }
)

/** Versions with rpm's awkward parts: tildes, carets, epochs, letters, separators. */
function rpmVersions(): string[] {
  const upstream = [
    '1.0',
    '1.0.0',
    '1.0~rc1',
    '1.0~rc2',
    '1.0^20230101',
    '1.0^git1',
    '1.0a',
    '1.0.a',
    '1.01',
    '1.1',
    '10',
    '2.0_beta',
    '2.0+build',
    'a1',
    '1.0~~',
    '1.0^',
    '1.0~^',
    '5.14.0',
    '5.14.0.1'
  ]
  const releases = ['', '1', '1.el9', '1.el9_2', '2.fc39', '0.1.rc1', '1~beta', '1^post']
  const out: string[] = []
  for (const epoch of ['', '1:']) {
    for (const version of upstream) {
      for (const release of releases) out.push(`${epoch}${version}${release ? `-${release}` : ''}`)
    }
  }
  // Real upstream versions too (dpkg-only characters dropped).
  const random = seededRandom(3)
  for (let i = 0; i < 400 && debianVersions.length > 0; i++) {
    const v = debianVersions[Math.floor(random() * debianVersions.length)]!
    out.push(v.replace(/^\d+:/, '').replace(/[^A-Za-z0-9._+~^-]/g, '.'))
  }
  return [...new Set(out)].sort()
}

skipUnless(missingPythonModule('rpm', 'python3-rpm'))(
  'rpm ordering against rpm.labelCompare',
  () => {
    it('agrees on 10,000 pairs including ~ and ^', () => {
      const pairs = interestingPairs(rpmVersions(), 10_000, 5)
      const reference = pythonCompare(
        `import rpm
def evr(s):
    e, _, rest = s.rpartition(':') if ':' in s else ('0', '', s)
    v, sep, r = rest.rpartition('-')
    return (e or '0', v, r) if sep else (e or '0', rest, None)
def cmp(a, b):
    return rpm.labelCompare(evr(a), evr(b))`,
        pairs
      )
      expect(disagreements(rpmComparator, pairs, reference)).toEqual([])
    })
  }
)

/** Every combination of PEP 440's parts, spelled the ways the spec normalises. */
function pep440Versions(): string[] {
  const out: string[] = []
  for (const release of ['1', '1.0', '1.0.0', '1.1', '1.10', '2!1.0', '0.9'])
    for (const pre of ['', 'a1', 'b2', 'rc1', '.alpha3', '-preview1', 'c1', 'a'])
      for (const post of ['', '.post1', '-1', '.rev2', 'post'])
        for (const dev of ['', '.dev0', '.dev3', 'dev'])
          for (const local of ['', '+local.1', '+abc', '+1.2', '+1.abc'])
            out.push(`${release}${pre}${post}${dev}${local}`)
  return out.sort()
}

skipUnless(missingPythonModule('packaging.version', 'python3-packaging'))(
  'PEP 440 ordering against packaging.version',
  () => {
    it('agrees on 10,000 pairs covering epochs, pre, post, dev and local versions', () => {
      const pairs = interestingPairs(pep440Versions(), 10_000, 11)
      const reference = pythonCompare(
        `from packaging.version import Version
def cmp(a, b):
    x, y = Version(a), Version(b)
    return (x > y) - (x < y)`,
        pairs
      )
      expect(disagreements(pep440Comparator, pairs, reference)).toEqual([])
    })
  }
)

function mavenVersions(): string[] {
  const out: string[] = []
  for (const base of ['1', '1.0', '1.0.0', '1.1', '1.10', '2.0.1', '1.0.0.0'])
    for (const qualifier of [
      '',
      '-alpha1',
      '-a1',
      '-beta-2',
      '-b2',
      '-m3',
      '-milestone-1',
      '-rc1',
      '-cr1',
      '-RC2',
      '-SNAPSHOT',
      '.RELEASE',
      '.Final',
      '-ga',
      '-sp1',
      '-jre',
      '-android',
      '-1',
      '.1-foo',
      'a',
      '-0'
    ])
      out.push(`${base}${qualifier}`)
  out.push('1-0.1', '1-1.foo-bar-1-baz-0.1', '1.0.0-20230101.120000-1', '2.9.10.8', '31.1-jre')
  // Shuffle deterministically so neighbours mix every kind of item.
  const random = seededRandom(13)
  return out
    .map((v) => ({ v, r: random() }))
    .sort((a, b) => a.r - b.r)
    .map(({ v }) => v)
}

skipUnless(
  existsSync(MAVEN_JAR)
    ? missingTools(['java'])
    : `skipped: ${MAVEN_JAR} not found (apt-get install -y maven)`
)('Maven ordering against the Maven jar', () => {
  it('agrees with ComparableVersion on every neighbouring pair', () => {
    const versions = [...mavenVersions(), ...mavenVersions().reverse()]
    const reference = mavenCompare(versions)
    const pairs = versions.slice(1).map((v, i): [string, string] => [versions[i]!, v])
    expect(reference).toHaveLength(pairs.length)
    expect(disagreements(mavenComparator, pairs, reference)).toEqual([])
  })
})

describe.each<[string, VersionComparator, Array<[string, string, number]>]>([
  [
    'apk (apk-tools version.c; Alpine package policy)',
    apkComparator,
    [
      ['1.0', '1.0-r1', -1],
      ['1.0-r1', '1.0-r2', -1],
      ['1.0-r10', '1.0-r9', 1],
      ['1.0_alpha', '1.0_beta', -1],
      ['1.0_beta', '1.0_pre', -1],
      ['1.0_pre', '1.0_rc', -1],
      ['1.0_rc1', '1.0', -1],
      ['1.0', '1.0_p1', -1],
      ['1.0_cvs', '1.0_svn', -1],
      ['1.0_git', '1.0_p', -1],
      ['1.0_rc1', '1.0_rc2', -1],
      ['1.0a', '1.0b', -1],
      ['1.0', '1.0a', -1],
      ['1.0a', '1.0.1', -1],
      ['1.0_p1', '1.0a', -1],
      ['1.0.1', '1.0', 1],
      ['1.10', '1.9', 1],
      ['3.0.13-r0', '3.0.13-r0', 0],
      ['3.1.4_p1-r0', '3.1.4-r5', 1],
      ['2.38.1_rc2-r0', '2.38.1-r0', -1]
    ]
  ],
  [
    'SemVer (semver.org §11)',
    semverComparator,
    [
      ['1.0.0-alpha', '1.0.0-alpha.1', -1],
      ['1.0.0-alpha.1', '1.0.0-alpha.beta', -1],
      ['1.0.0-alpha.beta', '1.0.0-beta', -1],
      ['1.0.0-beta.2', '1.0.0-beta.11', -1],
      ['1.0.0-rc.1', '1.0.0', -1],
      ['1.0.0+build.1', '1.0.0', 0],
      ['2.1.1', '2.1.0', 1],
      ['10.0.0', '9.99.99', 1]
    ]
  ],
  [
    'Go (go.dev/ref/mod: v prefix, pseudo-versions, +incompatible, toolchains)',
    goComparator,
    [
      ['v1.2.3', '1.2.3', 0],
      ['v0.0.0-20191109021931-daa7c04131f5', 'v0.0.1', -1],
      ['v1.2.4-0.20191109021931-daa7c04131f5', 'v1.2.3', 1],
      ['v1.2.4-0.20191109021931-daa7c04131f5', 'v1.2.4', -1],
      ['v1.2.4-pre.0.20191109021931-daa7c04131f5', 'v1.2.4-pre', 1],
      ['v2.0.0+incompatible', 'v2.0.0', 0],
      ['go1.21.3', '1.21.4', -1],
      ['go1.21rc2', '1.21.0', -1],
      ['go1.22', '1.21.9', 1]
    ]
  ],
  [
    'RubyGems (Gem::Version docs)',
    rubygemsComparator,
    [
      ['1.0', '1.0.0', 0],
      ['1.0.a', '1.0', -1],
      ['1.0.a', '1.0.b', -1],
      ['1.0.0.pre', '1.0.0', -1],
      ['1.0.0-rc1', '1.0.0', -1],
      ['1.0.0-rc1', '1.0.0.pre.rc1', 0],
      ['1.0.0.rc1', '1.0.0.beta2', 1],
      ['2.0.0.a10', '2.0.0.a9', 1],
      ['1.2.3', '1.10', -1],
      ['1.0.a1', '1.0.a', 1]
    ]
  ],
  [
    'NuGet (learn.microsoft.com NuGet package versioning)',
    nugetComparator,
    [
      ['1.0', '1.0.0', 0],
      ['1.0.0.0', '1.0.0', 0],
      ['1.0.0-alpha', '1.0.0', -1],
      ['1.0.0-alpha', '1.0.0-Alpha', 0],
      ['1.0.0-alpha.1', '1.0.0-alpha.beta', -1],
      ['1.0.0-beta.2', '1.0.0-beta.11', -1],
      ['1.0.0-rc.1', '1.0.0-rc.1.1', -1],
      ['1.0.0+build', '1.0.0', 0],
      ['1.0.0.1', '1.0.0', 1],
      ['2.0.0', '10.0.0', -1]
    ]
  ]
])('%s', (_name, comparator, cases) => {
  it.each(cases)('%s vs %s is %d', (a, b, expected) => {
    expect(Math.sign(comparator.compare(a, b))).toBe(expected)
    expect(Math.sign(comparator.compare(b, a))).toBe(-expected || 0)
  })
})

describe('comparatorFor', () => {
  it.each([
    ['Debian:12', 'dpkg'],
    ['Ubuntu:22.04:LTS', 'dpkg'],
    ['Alpine:v3.20', 'apk'],
    ['Red Hat', 'rpm'],
    ['npm', 'SemVer'],
    ['crates.io', 'SemVer'],
    ['Go', 'Go'],
    ['PyPI', 'PEP 440'],
    ['Maven', 'Maven'],
    ['RubyGems', 'RubyGems'],
    ['NuGet', 'NuGet']
  ])('orders %s versions with %s rules', (ecosystem, name) => {
    expect(comparatorFor(ecosystem)?.name).toBe(name)
  })

  it('has no ordering for an ecosystem it does not know', () => {
    expect(comparatorFor('Packagist')).toBeUndefined()
  })
})
