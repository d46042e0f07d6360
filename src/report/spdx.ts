/**
 * The SBOM as SPDX 2.3 JSON (https://spdx.github.io/spdx-spec/v2.3/): the image is the
 * described package (primaryPackagePurpose CONTAINER, its digest as the checksum); it CONTAINS
 * every package, each with its purl as a PACKAGE-MANAGER external reference. Deterministic:
 * the namespace and SPDX ids derive from the image digest and the packages.
 */
import { createHash } from 'node:crypto'
import { classifyLicense } from '../packages/license.js'
import type { Package } from '../packages/model.js'
import { imagePurl, sbomId, type SbomOptions } from './cyclonedx.js'
import type { GateReport } from './model.js'

const NOASSERTION = 'NOASSERTION'
/** SPDX 2.3 §6.5: a unique URI per document; not meant to resolve. */
const NAMESPACE_BASE = 'https://spdx.container-gate.dev/sbom'
/** The earliest time SPDX can express, for when the caller does not say when the scan ran. */
const UNKNOWN_TIME = '1970-01-01T00:00:00Z'

interface ExtractedLicense {
  licenseId: string
  extractedText: string
  name: string
}

/** SPDX 2.3 §10: licenses that are not on the SPDX list are `LicenseRef-` ids with their text. */
class LicenseRefs {
  readonly extracted = new Map<string, ExtractedLicense>()

  declared(licenses: string[]): string {
    if (licenses.length === 0) return NOASSERTION
    const parts = licenses.map((license) => {
      const choice = classifyLicense(license)
      if (choice.kind === 'id') return choice.id
      if (choice.kind === 'expression') return choice.expression
      const licenseId = `LicenseRef-${choice.name.replace(/[^A-Za-z0-9.-]+/g, '-').replace(/^-+|-+$/g, '') || 'unknown'}`
      this.extracted.set(licenseId, { licenseId, extractedText: choice.name, name: choice.name })
      return licenseId
    })
    return parts.length === 1
      ? parts[0]!
      : parts.map((p) => (/\s/.test(p) ? `(${p})` : p)).join(' AND ')
  }
}

export function renderSpdx(
  report: GateReport,
  packages: Package[],
  options: SbomOptions = {}
): string {
  const { image } = report
  const id = sbomId(report, packages)
  const licenses = new LicenseRefs()
  const ids = spdxIds(packages)
  const imageId = 'SPDXRef-Image'
  const document = {
    spdxVersion: 'SPDX-2.3',
    dataLicense: 'CC0-1.0',
    SPDXID: 'SPDXRef-DOCUMENT',
    name: image.reference,
    documentNamespace: `${NAMESPACE_BASE}/${image.digest.replace(/^sha256:/, '')}-${id.slice(0, 16)}`,
    creationInfo: {
      created: options.created ?? UNKNOWN_TIME,
      creators: [`Tool: ${report.tool.name}-${report.tool.version}`]
    },
    documentDescribes: [imageId],
    packages: [
      {
        name: image.reference,
        SPDXID: imageId,
        versionInfo: image.digest,
        downloadLocation: NOASSERTION,
        filesAnalyzed: false,
        primaryPackagePurpose: 'CONTAINER',
        checksums: [{ algorithm: 'SHA256', checksumValue: image.digest.replace(/^sha256:/, '') }],
        licenseConcluded: NOASSERTION,
        licenseDeclared: NOASSERTION,
        copyrightText: NOASSERTION,
        externalRefs: [purlRef(imagePurl(report))]
      },
      ...packages.map((pkg, i) => ({
        name: pkg.name,
        SPDXID: ids[i],
        versionInfo: pkg.version,
        downloadLocation: NOASSERTION,
        filesAnalyzed: false,
        ...(pkg.kind === 'language' ? { primaryPackagePurpose: 'LIBRARY' } : {}),
        sourceInfo: `found at ${pkg.path}${pkg.layerDigest === undefined ? '' : ` in layer ${pkg.layerDigest}`}`,
        licenseConcluded: NOASSERTION,
        licenseDeclared: licenses.declared(pkg.licenses),
        copyrightText: NOASSERTION,
        externalRefs: [purlRef(pkg.purl)]
      }))
    ],
    relationships: [
      {
        spdxElementId: 'SPDXRef-DOCUMENT',
        relationshipType: 'DESCRIBES',
        relatedSpdxElement: imageId
      },
      ...ids.map((related) => ({
        spdxElementId: imageId,
        relationshipType: 'CONTAINS',
        relatedSpdxElement: related
      }))
    ],
    ...(licenses.extracted.size === 0
      ? {}
      : {
          hasExtractedLicensingInfos: [...licenses.extracted.values()].sort((a, b) =>
            a.licenseId < b.licenseId ? -1 : 1
          )
        })
  }
  return JSON.stringify(document, null, 2) + '\n'
}

function purlRef(locator: string): {
  referenceCategory: string
  referenceType: string
  referenceLocator: string
} {
  return { referenceCategory: 'PACKAGE-MANAGER', referenceType: 'purl', referenceLocator: locator }
}

/** SPDX ids (`[A-Za-z0-9.-]+`) from the purl and path, so one package keeps its id as others come and go. */
function spdxIds(packages: Package[]): string[] {
  const used = new Set<string>()
  const next = new Map<string, number>()
  return packages.map((pkg) => {
    const hash = createHash('sha256').update(`${pkg.purl}\t${pkg.path}`).digest('hex').slice(0, 16)
    let id = `SPDXRef-Package-${pkg.name.replace(/[^A-Za-z0-9.-]+/g, '-')}-${hash}`
    // Numbering goes on where it stopped for this hash: every smaller number is taken already.
    let n = next.get(hash) ?? 2
    while (used.has(id)) id = `SPDXRef-Package-${hash}-${n++}`
    next.set(hash, n)
    used.add(id)
    return id
  })
}
