import { describe, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { Ajv } from 'ajv'
import parseSpdx from 'spdx-expression-parse'
import { buildImage } from '../../__fixtures__/image-builder.js'
import { memorySource } from '../../__fixtures__/memory-source.js'
import { runGate } from '../../src/engine.js'
import { silentLogger } from '../../src/log.js'
import { defaultPolicy } from '../../src/policy/defaults.js'
import { cycloneDxLicenses, renderCycloneDx } from '../../src/report/cyclonedx.js'
import type { GateReport } from '../../src/report/model.js'
import { renderSpdx } from '../../src/report/spdx.js'
import {
  CATALOG_FILES,
  CATALOG_SUBSCRIPTIONS,
  catalogPackages
} from '../../src/steps/composition/catalog/index.js'
import type { Package } from '../../src/packages/model.js'

const SCHEMAS = join(
  dirname(createRequire(import.meta.url).resolve('@cyclonedx/cyclonedx-library/package.json')),
  'res/schema'
)

function schema(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(SCHEMAS, name), 'utf8')) as Record<string, unknown>
}

/** bom-1.6 refers to `spdx.SNAPSHOT.schema.json` while that schema's own $id is `spdx.schema.json`. */
function under(name: string): [Record<string, unknown>, string] {
  const rest = schema(name)
  delete rest['$id']
  return [rest, `http://cyclonedx.org/schema/${name}`]
}

/** The official CycloneDX 1.6 schema with the two schemas it references, by the names it uses. */
function cycloneDxValidator() {
  const ajv = new Ajv({
    strict: false,
    allErrors: true,
    formats: {
      'date-time': /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/,
      'iri-reference': true,
      'idn-email': true,
      email: true,
      uri: true,
      'uri-reference': true
    }
  })
  ajv.addSchema(...under('spdx.SNAPSHOT.schema.json'))
  ajv.addSchema(...under('jsf-0.82.SNAPSHOT.schema.json'))
  return ajv.compile(schema('bom-1.6.SNAPSHOT.schema.json'))
}

const image = buildImage({
  layers: [
    {
      entries: [
        { path: 'etc/os-release', content: 'ID=alpine\nVERSION_ID=3.20.0\n' },
        {
          path: 'lib/apk/db/installed',
          content:
            'P:musl\nV:1.2.5-r0\nA:x86_64\nL:MIT\no:musl\n\nP:busybox\nV:1.36.1-r29\nA:x86_64\nL:GPL-2.0-only\no:busybox\n\n'
        }
      ]
    },
    {
      entries: [
        {
          path: 'app/node_modules/a/package.json',
          content: '{"name":"a","version":"1.0.0","license":"(MIT OR Apache-2.0)"}'
        },
        {
          path: 'app/node_modules/b/package.json',
          content: '{"name":"b","version":"2.0.0","license":"SEE LICENSE IN LICENSE.md"}'
        },
        {
          path: 'app/node_modules/c/node_modules/a/package.json',
          content:
            '{"name":"a","version":"1.0.0","licenses":[{"type":"MIT"},{"type":"BSD-3-Clause"}]}'
        },
        {
          path: 'app/node_modules/@scope/d/package.json',
          content: '{"name":"@scope/d","version":"0.1.0"}'
        }
      ]
    }
  ]
})

async function scan(): Promise<{ report: GateReport; packages: Package[] }> {
  let packages: Package[] = []
  const { report } = await runGate(
    {
      image: 'oci:sbom-test',
      policy: defaultPolicy(),
      acquire: { platform: image.platform, insecureRegistries: [], env: {} }
    },
    silentLogger,
    [
      {
        id: 'composition',
        title: 'catalog',
        needs: () => ({ files: CATALOG_FILES, subscriptions: CATALOG_SUBSCRIPTIONS }),
        run: async ({ image: view }) => {
          packages = catalogPackages(view).packages
          return { findings: [], artifacts: { packages } }
        }
      }
    ],
    () => memorySource(image, { reference: 'registry.example/team/app:1.0' })
  )
  return { report, packages }
}

describe('CycloneDX 1.6 SBOM', () => {
  it('is valid against the official CycloneDX 1.6 JSON schema', async () => {
    const { report, packages } = await scan()
    const validate = cycloneDxValidator()
    const bom: unknown = JSON.parse(
      renderCycloneDx(report, packages, { created: '2024-05-01T10:00:00Z' })
    )
    expect(validate(bom) ? [] : validate.errors).toEqual([])
    // The validator does reject what the schema forbids.
    expect(
      validate({
        bomFormat: 'CycloneDX',
        specVersion: '1.6',
        components: [{ type: 'nope', name: 'x' }]
      })
    ).toBe(false)
  })

  it('names the image by digest and every package with purl, licenses, path and layer', async () => {
    const { report, packages } = await scan()
    const bom = JSON.parse(renderCycloneDx(report, packages)) as {
      serialNumber: string
      metadata: {
        timestamp?: string
        component: { type: string; name: string; version: string; purl: string; hashes: unknown[] }
      }
      components: {
        'bom-ref': string
        name: string
        purl: string
        licenses?: unknown[]
        properties: { name: string; value: string }[]
      }[]
    }
    expect(bom.metadata.timestamp).toBeUndefined()
    expect(bom.metadata.component).toMatchObject({
      type: 'container',
      name: 'registry.example/team/app:1.0',
      version: image.manifestDigest,
      purl: `pkg:oci/app@${image.manifestDigest}?arch=amd64`,
      hashes: [{ alg: 'SHA-256', content: image.manifestDigest.slice('sha256:'.length) }]
    })
    expect(bom.components.map((c) => [c['bom-ref'], c.licenses])).toEqual([
      ['pkg:npm/%40scope/d@0.1.0', undefined],
      ['pkg:npm/a@1.0.0#/app/node_modules/a/package.json', [{ expression: '(MIT OR Apache-2.0)' }]],
      ['pkg:npm/b@2.0.0', [{ license: { name: 'SEE LICENSE IN LICENSE.md' } }]],
      [
        'pkg:npm/a@1.0.0#/app/node_modules/c/node_modules/a/package.json',
        [{ license: { id: 'MIT' } }, { license: { id: 'BSD-3-Clause' } }]
      ],
      [
        'pkg:apk/alpine/busybox@1.36.1-r29?arch=x86_64&distro=alpine-3.20.0',
        [{ license: { id: 'GPL-2.0-only' } }]
      ],
      [
        'pkg:apk/alpine/musl@1.2.5-r0?arch=x86_64&distro=alpine-3.20.0',
        [{ license: { id: 'MIT' } }]
      ]
    ])
    expect(bom.components[1]!.properties).toEqual([
      { name: 'container-gate:package:ecosystem', value: 'npm' },
      { name: 'container-gate:package:kind', value: 'language' },
      { name: 'container-gate:package:path', value: '/app/node_modules/a/package.json' },
      { name: 'container-gate:package:layer-digest', value: image.layers[1]!.digest }
    ])
    expect(bom.serialNumber).toMatch(
      /^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/
    )
  })

  it('renders the same bytes for the same image and packages', async () => {
    const first = await scan()
    const second = await scan()
    expect(renderCycloneDx(second.report, second.packages)).toBe(
      renderCycloneDx(first.report, first.packages)
    )
    expect(renderSpdx(second.report, second.packages)).toBe(
      renderSpdx(first.report, first.packages)
    )
  })

  it.each([
    [['MIT'], [{ license: { id: 'MIT' } }]],
    [
      ['MIT', 'ISC'],
      [{ license: { id: 'MIT' } }, { license: { id: 'ISC' } }]
    ],
    [
      ['GPL-2.0-or-later WITH Classpath-exception-2.0'],
      [{ expression: 'GPL-2.0-or-later WITH Classpath-exception-2.0' }]
    ],
    [['MIT', 'Apache-2.0 OR MIT'], [{ expression: '(MIT) AND (Apache-2.0 OR MIT)' }]],
    [['BSD-like'], [{ license: { name: 'BSD-like' } }]],
    [
      ['Apache-2.0 OR MIT', 'custom'],
      [{ license: { name: 'Apache-2.0 OR MIT' } }, { license: { name: 'custom' } }]
    ]
  ])('writes licenses %j as %j', (licenses, expected) => {
    expect(cycloneDxLicenses(licenses)).toEqual(expected)
  })
})

describe('SPDX 2.3 SBOM', () => {
  it('has every field SPDX 2.3 requires, the image as the described CONTAINER, and valid license expressions', async () => {
    const { report, packages } = await scan()
    type SpdxPackage = {
      name: string
      SPDXID: string
      versionInfo: string
      downloadLocation: string
      licenseDeclared: string
      externalRefs: { referenceType: string; referenceLocator: string }[]
      primaryPackagePurpose?: string
      sourceInfo?: string
      checksums?: unknown[]
    }
    const doc = JSON.parse(renderSpdx(report, packages, { created: '2024-05-01T10:00:00Z' })) as {
      spdxVersion: string
      dataLicense: string
      SPDXID: string
      name: string
      documentNamespace: string
      creationInfo: { created: string; creators: string[] }
      documentDescribes: string[]
      packages: SpdxPackage[]
      relationships: {
        spdxElementId: string
        relationshipType: string
        relatedSpdxElement: string
      }[]
      hasExtractedLicensingInfos?: { licenseId: string; extractedText: string }[]
    }
    expect(doc).toMatchObject({
      spdxVersion: 'SPDX-2.3',
      dataLicense: 'CC0-1.0',
      SPDXID: 'SPDXRef-DOCUMENT',
      name: 'registry.example/team/app:1.0',
      creationInfo: {
        created: '2024-05-01T10:00:00Z',
        creators: [`Tool: container-gate-${report.tool.version}`]
      },
      documentDescribes: ['SPDXRef-Image']
    })
    expect(doc.documentNamespace).toMatch(
      new RegExp(
        `^https://spdx\\.container-gate\\.dev/sbom/${image.manifestDigest.slice(7)}-[0-9a-f]{16}$`
      )
    )
    expect(doc.packages).toHaveLength(packages.length + 1)
    expect(doc.packages[0]).toMatchObject({
      SPDXID: 'SPDXRef-Image',
      versionInfo: image.manifestDigest,
      primaryPackagePurpose: 'CONTAINER',
      checksums: [{ algorithm: 'SHA256', checksumValue: image.manifestDigest.slice(7) }]
    })
    const ids = new Set<string>()
    for (const pkg of doc.packages) {
      // SPDX 2.3 §7: name, SPDXID, downloadLocation are mandatory; ids are unique `SPDXRef-[A-Za-z0-9.-]+`.
      expect(pkg.name).not.toBe('')
      expect(pkg.SPDXID).toMatch(/^SPDXRef-[A-Za-z0-9.-]+$/)
      expect(ids.has(pkg.SPDXID)).toBe(false)
      ids.add(pkg.SPDXID)
      expect(pkg.downloadLocation).toBe('NOASSERTION')
      if (pkg.licenseDeclared !== 'NOASSERTION')
        expect(() => parseSpdx(pkg.licenseDeclared)).not.toThrow()
    }
    expect(
      doc.packages.slice(1).map((p) => [p.externalRefs[0]!.referenceLocator, p.licenseDeclared])
    ).toEqual(
      packages.map((p, i) => [
        p.purl,
        [
          'NOASSERTION',
          '(MIT OR Apache-2.0)',
          'LicenseRef-SEE-LICENSE-IN-LICENSE.md',
          'MIT AND BSD-3-Clause',
          'GPL-2.0-only',
          'MIT'
        ][i]
      ])
    )
    expect(doc.hasExtractedLicensingInfos).toEqual([
      {
        licenseId: 'LicenseRef-SEE-LICENSE-IN-LICENSE.md',
        extractedText: 'SEE LICENSE IN LICENSE.md',
        name: 'SEE LICENSE IN LICENSE.md'
      }
    ])
    expect(doc.packages[1]!.sourceInfo).toBe(
      `found at /app/node_modules/@scope/d/package.json in layer ${image.layers[1]!.digest}`
    )
    expect(doc.relationships).toEqual([
      {
        spdxElementId: 'SPDXRef-DOCUMENT',
        relationshipType: 'DESCRIBES',
        relatedSpdxElement: 'SPDXRef-Image'
      },
      ...doc.packages.slice(1).map((p) => ({
        spdxElementId: 'SPDXRef-Image',
        relationshipType: 'CONTAINS',
        relatedSpdxElement: p.SPDXID
      }))
    ])
  })
})

describe('SBOM ids of a package listed many times', () => {
  it('numbers 20,000 copies of one package in one pass, each id unique', async () => {
    const { report, packages } = await scan()
    const copies = Array.from({ length: 20_000 }, () => ({ ...packages[0]! }))
    const bom = JSON.parse(renderCycloneDx(report, copies)) as {
      components: { 'bom-ref': string }[]
    }
    const refs = bom.components.map((c) => c['bom-ref'])
    const base = `${copies[0]!.purl}#${copies[0]!.path}`
    expect(refs.slice(0, 3)).toEqual([base, `${base}#2`, `${base}#3`])
    expect(refs.at(-1)).toBe(`${base}#20000`)
    expect(new Set(refs).size).toBe(20_000)
    const spdx = JSON.parse(renderSpdx(report, copies)) as { packages: { SPDXID: string }[] }
    const ids = spdx.packages.map((p) => p.SPDXID).filter((id) => id.startsWith('SPDXRef-Package-'))
    expect(ids).toHaveLength(20_000)
    expect(new Set(ids).size).toBe(20_000)
  })
})
