import { describe, expect, it } from '@jest/globals'
import type { GatedFinding, Severity } from '../../src/findings.js'
import { severityCounts } from '../../src/findings.js'
import { blockingHeadline, fixAction, fixGroups } from '../../src/report/fixes.js'
import { fixTable } from '../../src/report/markdown.js'
import { wrapWords } from '../../src/report/table.js'

function vulnerability(
  id: string,
  severity: Severity,
  pkg: { name: string; version: string; ecosystem: string },
  fixedVersion?: string
): GatedFinding {
  return {
    step: 'composition',
    rule: 'composition/vulnerability',
    severity,
    title: `${id} in ${pkg.name} ${pkg.version}`,
    subject: `${pkg.name}@${pkg.version} ${id}`,
    location: { path: '/app/package-lock.json' },
    package: { ...pkg, purl: `pkg:npm/${pkg.name}@${pkg.version}` },
    vulnerability: { id, aliases: [], ...(fixedVersion === undefined ? {} : { fixedVersion }) },
    fingerprint: id.toLowerCase().padEnd(16, '0').slice(0, 16),
    blocking: severity === 'critical'
  }
}

function setuid(path: string, line: number, severity: Severity = 'high'): GatedFinding {
  return {
    step: 'identity',
    rule: 'identity/setuid-file',
    severity,
    title: `Setuid file ${path}`,
    detail: 'Remove the bit.',
    subject: path,
    location: { path, dockerfile: { file: 'Dockerfile', line } },
    fingerprint: path.padEnd(16, '0').slice(0, 16),
    blocking: true
  }
}

const LODASH = { name: 'lodash', version: '4.17.5', ecosystem: 'npm' }
const OPENSSL = { name: 'openssl', version: '1.1.1n-0+deb11u3', ecosystem: 'Debian:11' }

describe('blockingHeadline', () => {
  it('counts the blocking findings and, apart, the others a blocking upgrade also clears', () => {
    const groups = fixGroups([
      vulnerability('GHSA-1', 'critical', LODASH, '4.17.21'),
      vulnerability('GHSA-2', 'medium', LODASH, '4.17.21'),
      vulnerability('GHSA-3', 'low', LODASH, '4.17.21'),
      setuid('/usr/bin/a', 3)
    ])
    expect(blockingHeadline(groups.filter((g) => g.blocking))).toBe(
      '2 changes for 2 blocking findings (and 2 more findings they clear)'
    )
    expect(blockingHeadline(groups.filter((g) => g.kind === 'rule'))).toBe(
      '1 change for 1 blocking finding'
    )
  })
})

describe('fixGroups', () => {
  it('bumps an npm package to the highest fixed version in semver order, not text order', () => {
    const [group, ...rest] = fixGroups([
      vulnerability('GHSA-1', 'high', LODASH, '4.17.21'),
      vulnerability('GHSA-2', 'critical', LODASH, '4.17.9')
    ])
    expect(rest).toEqual([])
    expect([group!.kind, group!.fixedVersion, group!.severity, group!.findings.length]).toEqual([
      'upgrade',
      '4.17.21',
      'critical',
      2
    ])
    expect(fixAction(group!)).toBe('bump lodash 4.17.5 → 4.17.21')
    expect(severityCounts(group!.counts)).toBe('1 critical, 1 high')
  })

  it('bumps a Debian package past an epoch, which outranks any later upstream version', () => {
    const [group] = fixGroups([
      vulnerability('DSA-1', 'high', OPENSSL, '2.0.0-1'),
      vulnerability('DSA-2', 'high', OPENSSL, '1:1.1.1w-0+deb11u1')
    ])
    expect(fixAction(group!)).toBe('bump openssl 1.1.1n-0+deb11u3 → 1:1.1.1w-0+deb11u1')
  })

  it('counts the vulnerabilities of a package that have no fixed version', () => {
    const [partly] = fixGroups([
      vulnerability('GHSA-1', 'high', LODASH, '4.17.21'),
      vulnerability('GHSA-2', 'medium', LODASH),
      vulnerability('GHSA-3', 'low', LODASH)
    ])
    expect(partly!.unfixed).toBe(2)
    expect(fixAction(partly!)).toBe('bump lodash 4.17.5 → 4.17.21 (2 with no fixed version yet)')
    const [none] = fixGroups([vulnerability('GHSA-2', 'medium', LODASH)])
    expect([none!.unfixed, fixAction(none!)]).toEqual([1, 'lodash 4.17.5: no fixed version yet'])
  })

  it('collapses one rule on one Dockerfile line into one group with a count, most severe first', () => {
    const groups = fixGroups([
      setuid('/usr/bin/a', 1, 'medium'),
      vulnerability('GHSA-1', 'critical', LODASH, '4.17.21'),
      setuid('/usr/bin/b', 1),
      setuid('/usr/bin/c', 1),
      setuid('/app/run', 7)
    ])
    expect(
      groups.map((group) => [group.severity, group.findings.length, fixAction(group)])
    ).toEqual([
      ['critical', 1, 'bump lodash 4.17.5 → 4.17.21'],
      ['high', 3, 'Setuid file /usr/bin/b and 2 more like it'],
      ['high', 1, 'Setuid file /app/run']
    ])
  })

  it('leaves suppressed findings out', () => {
    expect(
      fixGroups([{ ...setuid('/usr/bin/a', 1), suppressed: { reason: 'ok', source: 'p.yml' } }])
    ).toEqual([])
  })
})

describe('fixTable', () => {
  it('drops a column no row fills', () => {
    const noWhere = { ...setuid('/usr/bin/a', 1), location: {} }
    expect(fixTable(fixGroups([noWhere]), {})).toEqual([
      '| Severity | Change | Clears |',
      '| --- | --- | --- |',
      '| high | <code>identity/setuid-file</code>: Setuid file /usr/bin/a | 1 high |'
    ])
  })
})

describe('wrapWords', () => {
  it('breaks at spaces within the width and never inside a word', () => {
    expect(wrapWords('bump lodash 4.17.5 → 4.17.21: 3 critical, 2 high', 20)).toEqual([
      'bump lodash 4.17.5 →',
      '4.17.21: 3 critical,',
      '2 high'
    ])
  })

  it('splits only a word longer than a whole line', () => {
    expect(wrapWords('see /usr/lib/x86_64-linux-gnu/libssl.so.3 now', 16)).toEqual([
      'see',
      '/usr/lib/x86_64-',
      'linux-gnu/libssl',
      '.so.3 now'
    ])
  })
})
