import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { cpSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { buildImage, writeOciArchive } from '../../../__fixtures__/image-builder.js'
import { ACQUIRE } from '../../../__fixtures__/memory-source.js'
import { tempDir } from '../../../__fixtures__/registry.js'
import { runGate } from '../../../src/engine.js'
import { ConfigurationError } from '../../../src/errors.js'
import type { GatedFinding } from '../../../src/findings.js'
import { silentLogger } from '../../../src/log.js'
import { defaultPolicy } from '../../../src/policy/defaults.js'
import { parsePolicyInputs } from '../../../src/policy/inputs.js'
import { compositionStep, createCompositionStep } from '../../../src/steps/composition/index.js'
import type { Step } from '../../../src/steps/step.js'
import { DEBIAN_OSV_DIR, NPM_OSV_DIR } from './osv-data.js'

const STATUS = `Package: libc6
Status: install ok installed
Priority: optional
Section: libs
Installed-Size: 12986
Maintainer: GNU Libc Maintainers <debian-glibc@lists.debian.org>
Architecture: amd64
Multi-Arch: same
Source: glibc
Version: 2.36-9+deb12u1
Depends: libgcc-s1
Description: GNU C Library: Shared libraries
 Contains the standard libraries that are used by nearly all programs on
 the system.

Package: base-files
Essential: yes
Status: install ok installed
Priority: required
Section: admin
Installed-Size: 340
Maintainer: Santiago Vila <sanvila@debian.org>
Architecture: amd64
Version: 12.4+deb12u5
Description: Debian base system miscellaneous files
 This package contains the basic filesystem hierarchy of a Debian system.
`

const OS_RELEASE = `PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"
NAME="Debian GNU/Linux"
VERSION_ID="12"
VERSION="12 (bookworm)"
VERSION_CODENAME=bookworm
ID=debian
`

function packageJson(name: string, version: string, license: string): string {
  return JSON.stringify({ name, version, license, main: 'index.js' })
}

const image = buildImage({
  layers: [
    {
      entries: [
        { path: 'etc/os-release', content: OS_RELEASE },
        { path: 'var/lib/dpkg/status', content: STATUS }
      ]
    },
    {
      entries: [
        {
          path: 'app/node_modules/lodash/package.json',
          content: packageJson('lodash', '4.17.20', 'MIT')
        },
        {
          path: 'app/node_modules/jsonwebtoken/package.json',
          content: packageJson('jsonwebtoken', '8.5.1', 'MIT')
        },
        {
          path: 'app/node_modules/lodash.template/package.json',
          content: packageJson('lodash.template', '4.5.0', 'MIT')
        },
        {
          path: 'app/node_modules/ghostscript-js/package.json',
          content: packageJson('ghostscript-js', '1.0.0', 'AGPL-3.0-only')
        },
        {
          path: 'app/node_modules/dual/package.json',
          content: packageJson('dual', '1.0.0', '(MIT OR AGPL-3.0-only)')
        }
      ],
      createdBy: 'COPY app /app'
    }
  ],
  config: { User: '10001' }
})

let dir: string
let archive: string
let db: string

beforeAll(() => {
  dir = tempDir('composition')
  archive = join(dir, 'image.tar')
  writeOciArchive(archive, [{ image }])
  db = join(dir, 'osv')
  mkdirSync(db)
  cpSync(NPM_OSV_DIR, join(db, 'npm'), { recursive: true })
  cpSync(DEBIAN_OSV_DIR, join(db, 'debian'), { recursive: true })
})

afterAll(() => rmSync(dir, { recursive: true, force: true }))

async function scan(inputs: Record<string, string>, step: Step = compositionStep) {
  const policy = parsePolicyInputs((name) => ({ 'vuln-db': db, ...inputs })[name], defaultPolicy())
  return runGate(
    {
      image: `oci-archive:${archive}`,
      policy,
      acquire: ACQUIRE
    },
    silentLogger,
    [step]
  )
}

const brief = (f: GatedFinding) => ({
  rule: f.rule,
  severity: f.severity,
  title: f.title,
  blocking: f.blocking,
  ...(f.suppressed === undefined ? {} : { suppressed: f.suppressed.reason })
})

describe('the composition step', () => {
  it('reports every vulnerable package once per problem, OS packages through their source', async () => {
    const { report, artifacts } = await scan({})
    expect(report.steps.find((s) => s.id === 'composition')?.status).toBe('fail')
    expect(artifacts.packages?.map((p) => `${p.ecosystem} ${p.name} ${p.version}`)).toEqual([
      'npm dual 1.0.0',
      'npm ghostscript-js 1.0.0',
      'npm jsonwebtoken 8.5.1',
      'npm lodash.template 4.5.0',
      'npm lodash 4.17.20',
      'Debian:12 base-files 12.4+deb12u5',
      'Debian:12 libc6 2.36-9+deb12u1'
    ])
    const vulnerabilities = report.findings.filter((f) => f.rule === 'composition/vulnerability')
    expect(vulnerabilities.map(brief)).toEqual([
      {
        rule: 'composition/vulnerability',
        severity: 'high',
        title: 'CVE-2023-4911 in libc6 2.36-9+deb12u1 (fixed in 2.36-9+deb12u3)',
        blocking: true
      },
      {
        rule: 'composition/vulnerability',
        severity: 'high',
        title: 'CVE-2022-23539 in jsonwebtoken 8.5.1 (fixed in 9.0.0)',
        blocking: true
      },
      {
        rule: 'composition/vulnerability',
        severity: 'high',
        title: 'CVE-2021-23337 in lodash.template 4.5.0 (no fix yet)',
        blocking: true
      },
      {
        rule: 'composition/vulnerability',
        severity: 'high',
        title: 'CVE-2021-23337 in lodash 4.17.20 (fixed in 4.17.21)',
        blocking: true
      },
      {
        rule: 'composition/vulnerability',
        severity: 'medium',
        title: 'CVE-2023-4527 in libc6 2.36-9+deb12u1 (fixed in 2.36-9+deb12u3)',
        blocking: false
      },
      {
        rule: 'composition/vulnerability',
        severity: 'medium',
        title: 'CVE-2024-2961 in libc6 2.36-9+deb12u1 (fixed in 2.36-9+deb12u7)',
        blocking: false
      },
      {
        rule: 'composition/vulnerability',
        severity: 'medium',
        title: 'CVE-2022-23540 in jsonwebtoken 8.5.1 (fixed in 9.0.0)',
        blocking: false
      },
      {
        rule: 'composition/vulnerability',
        severity: 'medium',
        title: 'CVE-2022-23541 in jsonwebtoken 8.5.1 (fixed in 9.0.0)',
        blocking: false
      },
      {
        rule: 'composition/vulnerability',
        severity: 'medium',
        title: 'CVE-2020-28500 in lodash 4.17.20 (fixed in 4.17.21)',
        blocking: false
      }
    ])
    const glibc = vulnerabilities.find((f) => f.title.startsWith('CVE-2023-4911'))!
    expect(glibc).toMatchObject({
      subject:
        'pkg:deb/debian/libc6@2.36-9+deb12u1?arch=amd64&distro=debian-12&upstream=glibc CVE-2023-4911',
      location: { path: '/var/lib/dpkg/status', layerDigest: image.layers[0]!.digest },
      package: { name: 'libc6', version: '2.36-9+deb12u1', ecosystem: 'Debian:12' },
      vulnerability: {
        id: 'CVE-2023-4911',
        aliases: ['DEBIAN-CVE-2023-4911', 'DSA-5514-1'],
        fixedVersion: '2.36-9+deb12u3'
      }
    })
    expect(glibc.detail).toContain('Severity from Debian urgency high.')
    expect(glibc.detail).toContain(
      'upgrade libc6 (source package glibc) to 2.36-9+deb12u3 or later'
    )
    expect(report.findings.filter((f) => f.rule !== 'composition/vulnerability')).toEqual([])
  })

  it('leaves out unfixed vulnerabilities and rates unknown severities as configured', async () => {
    const { report } = await scan({ 'ignore-unfixed': 'true', 'unknown-severity': 'low' })
    const titles = report.findings.map((f) => `${f.severity} ${f.title}`)
    expect(titles).not.toContain('high CVE-2021-23337 in lodash.template 4.5.0 (no fix yet)')
    expect(titles).toContain('low CVE-2024-2961 in libc6 2.36-9+deb12u1 (fixed in 2.36-9+deb12u7)')
  })

  it('suppresses what an OpenVEX statement declares not_affected, with its reason', async () => {
    const vex = join(dir, 'vex.json')
    writeFileSync(
      vex,
      JSON.stringify({
        '@context': 'https://openvex.dev/ns/v0.2.0',
        '@id': 'https://example.com/vex/1',
        author: 'app team',
        timestamp: '2024-06-01T00:00:00Z',
        version: 1,
        statements: [
          {
            vulnerability: { name: 'GHSA-35jh-r3h4-6jhm' },
            products: [
              {
                '@id': `pkg:oci/app@${image.manifestDigest}`,
                subcomponents: [{ '@id': 'pkg:npm/lodash' }]
              }
            ],
            status: 'not_affected',
            justification: 'vulnerable_code_not_in_execute_path'
          }
        ]
      })
    )
    const { report } = await scan({ vex })
    const lodash = report.findings.filter((f) => f.subject.startsWith('pkg:npm/lodash@4.17.20'))
    expect(lodash.map(brief)).toEqual([
      {
        rule: 'composition/vulnerability',
        severity: 'high',
        title: 'CVE-2021-23337 in lodash 4.17.20 (fixed in 4.17.21)',
        blocking: true,
        suppressed: 'VEX not_affected (vulnerable_code_not_in_execute_path)'
      },
      {
        rule: 'composition/vulnerability',
        severity: 'medium',
        title: 'CVE-2020-28500 in lodash 4.17.20 (fixed in 4.17.21)',
        blocking: false
      }
    ])
    expect(report.summary.suppressed).toBe(1)
  })

  it('reports a denied license unless the expression offers another choice', async () => {
    const { report } = await scan({ 'license-deny': 'AGPL-3.0-only' })
    expect(
      report.findings.filter((f) => f.rule.startsWith('composition/license')).map(brief)
    ).toEqual([
      {
        rule: 'composition/license-denied',
        severity: 'high',
        title: 'ghostscript-js 1.0.0 is under a denied license: AGPL-3.0-only',
        blocking: true
      }
    ])
  })

  it('stops with a configuration error when the data cannot be had, unless allowed', async () => {
    const failing = createCompositionStep({
      loadVulnerabilityData: async ({ ecosystems }) => ({
        sources: [],
        missing: ecosystems.map((ecosystem) => ({ ecosystem, reason: 'ENOTFOUND' })),
        parts: []
      })
    })
    await expect(scan({ 'vuln-db': 'osv' }, failing)).rejects.toThrow(
      new ConfigurationError(
        'input "vuln-db": no vulnerability data for Debian (ENOTFOUND); npm (ENOTFOUND) and no cached copy; restore network access to osv.dev, set vuln-db to a directory or zip of OSV records for offline use, or set allow-no-vuln-data to scan without it.'
      )
    )
    const allowed = await scan({ 'vuln-db': 'osv', 'allow-no-vuln-data': 'true' }, failing)
    expect(allowed.report.steps.find((s) => s.id === 'composition')).toMatchObject({
      status: 'pass',
      notes: [
        '7 packages: Debian:12 2, npm 5',
        'distribution Debian GNU/Linux 12 (bookworm)',
        'NOT matched for lack of data: Debian, npm',
        expect.stringMatching(/^0 vulnerabilities in 0 packages; \d+ ms$/)
      ]
    })
  })

  it('stops with the same error when --vuln-db has no records for an ecosystem of the image', async () => {
    const npmOnly = join(dir, 'osv-npm-only')
    cpSync(NPM_OSV_DIR, npmOnly, { recursive: true })
    await expect(scan({ 'vuln-db': npmOnly })).rejects.toThrow(
      new ConfigurationError(
        `input "vuln-db": no vulnerability data for Debian (${npmOnly} holds no Debian records); add those ecosystems' OSV records (osv.dev publishes ECOSYSTEM/all.zip), set vuln-db to osv to download them, or set allow-no-vuln-data to scan without it.`
      )
    )
    const allowed = await scan({ 'vuln-db': npmOnly, 'allow-no-vuln-data': 'true' })
    expect(allowed.report.steps.find((s) => s.id === 'composition')?.notes).toContain(
      'NOT matched for lack of data: Debian'
    )
    expect(
      allowed.report.findings.filter((f) => f.title.includes('libc6')).map((f) => f.title)
    ).toEqual([])
  })

  it('needs no vulnerability data for an image without packages', async () => {
    let asked = false
    const step = createCompositionStep({
      catalog: () => ({ packages: [] }),
      loadVulnerabilityData: async () => {
        asked = true
        throw new ConfigurationError('not expected')
      }
    })
    const { report } = await scan({ 'vuln-db': 'osv' }, step)
    expect(asked).toBe(false)
    expect(report.steps.find((s) => s.id === 'composition')).toMatchObject({
      status: 'pass',
      notes: ['no packages found', expect.stringMatching(/^0 vulnerabilities in 0 packages/)]
    })
  })
})

describe('packages of an ecosystem OSV does not define', () => {
  it('lists conda packages in the SBOM and asks for no data to match them', async () => {
    const asked: string[][] = []
    const step = createCompositionStep({
      catalog: () => ({
        packages: [
          {
            name: 'openssl',
            version: '3.0.8',
            ecosystem: 'conda',
            purl: 'pkg:conda/openssl@3.0.8?build=h7f8727e_0&subdir=linux-64',
            path: '/opt/conda/conda-meta/openssl-3.0.8-h7f8727e_0.json',
            licenses: [],
            kind: 'language'
          }
        ]
      }),
      loadVulnerabilityData: async ({ ecosystems }) => {
        asked.push(ecosystems)
        throw new ConfigurationError('not expected')
      }
    })
    const { report } = await scan({ 'vuln-db': 'osv' }, step)
    expect(asked).toEqual([])
    expect(report.steps.find((s) => s.id === 'composition')).toMatchObject({
      status: 'pass',
      notes: [
        '1 packages: conda 1',
        'in the SBOM only, as OSV has no data for them: conda 1',
        expect.stringMatching(/^0 vulnerabilities in 0 packages/)
      ]
    })
  })
})

describe('a package installed in many places', () => {
  it('names ten other places in each finding and counts the rest', async () => {
    const copies = buildImage({
      layers: [
        {
          entries: Array.from({ length: 15 }, (_, i) => ({
            path: `app${String(i).padStart(2, '0')}/node_modules/lodash/package.json`,
            content: packageJson('lodash', '4.17.20', 'MIT')
          }))
        }
      ]
    })
    const file = join(dir, 'copies.tar')
    writeOciArchive(file, [{ image: copies }])
    const policy = parsePolicyInputs((name) => ({ 'vuln-db': db })[name], defaultPolicy())
    const { report } = await runGate(
      { image: `oci-archive:${file}`, policy, acquire: ACQUIRE },
      silentLogger,
      [compositionStep]
    )
    const details = report.findings
      .filter((f) => f.rule === 'composition/vulnerability')
      .map((f) => f.detail ?? '')
    expect(details.length).toBeGreaterThan(0)
    for (const detail of details) {
      const also = /Also installed at (.*)\.$/.exec(detail)?.[1] ?? ''
      expect(also.split(', ')).toHaveLength(10)
      expect(also).toMatch(/ and 4 more$/)
    }
  })
})
