/**
 * The SBOM as CycloneDX 1.6 JSON (https://cyclonedx.org/docs/1.6/json/): the image is
 * `metadata.component` (a container, identified by its digest); every package is a component
 * with its purl, licenses, and where it was found. Deterministic: same image and packages,
 * same bytes (the serial number derives from the image digest and the packages).
 */
import { createHash } from 'node:crypto'
import { classifyLicense } from '../packages/license.js'
import { purl } from '../packages/purl.js'
import type { Package } from '../packages/model.js'
import type { GateReport } from './model.js'

export interface SbomOptions {
  /** ISO 8601 time of the scan; omitted from CycloneDX, required by SPDX (default the Unix epoch). */
  created?: string
}

type CycloneDxLicense =
  { license: { id: string } } | { license: { name: string } } | { expression: string }

/**
 * CycloneDX allows either license objects or exactly one expression (bom-1.6 `licenseChoice`),
 * so several licenses with a compound among them become one `AND` expression.
 */
export function cycloneDxLicenses(licenses: string[]): CycloneDxLicense[] {
  const choices = licenses.map(classifyLicense)
  if (choices.some((c) => c.kind === 'expression') && choices.every((c) => c.kind !== 'name')) {
    const parts = choices.map((c) =>
      c.kind === 'id' ? c.id : c.kind === 'expression' ? c.expression : ''
    )
    return [
      { expression: parts.length === 1 ? parts[0]! : parts.map((p) => `(${p})`).join(' AND ') }
    ]
  }
  return choices.map((c) =>
    c.kind === 'id'
      ? { license: { id: c.id } }
      : { license: { name: c.kind === 'name' ? c.name : c.expression } }
  )
}

export function renderCycloneDx(
  report: GateReport,
  packages: Package[],
  options: SbomOptions = {}
): string {
  const { image } = report
  const refs = bomRefs(packages)
  const bom = {
    $schema: 'http://cyclonedx.org/schema/bom-1.6.schema.json',
    bomFormat: 'CycloneDX',
    specVersion: '1.6',
    serialNumber: `urn:uuid:${uuidFrom(sbomId(report, packages))}`,
    version: 1,
    metadata: {
      ...(options.created === undefined ? {} : { timestamp: options.created }),
      tools: {
        components: [{ type: 'application', name: report.tool.name, version: report.tool.version }]
      },
      component: {
        type: 'container',
        'bom-ref': image.digest,
        name: image.reference,
        version: image.digest,
        purl: imagePurl(report),
        hashes: [{ alg: 'SHA-256', content: image.digest.replace(/^sha256:/, '') }],
        properties: [
          { name: 'container-gate:image:config-digest', value: image.configDigest },
          { name: 'container-gate:image:platform', value: image.platform },
          ...image.layers.map((layer, i) => ({
            name: `container-gate:image:layer:${i}`,
            value: `${layer.digest} ${layer.diffId}`
          }))
        ]
      }
    },
    components: packages.map((pkg, i) => ({
      type: 'library',
      'bom-ref': refs[i],
      name: pkg.name,
      version: pkg.version,
      purl: pkg.purl,
      ...(pkg.licenses.length === 0 ? {} : { licenses: cycloneDxLicenses(pkg.licenses) }),
      properties: properties(pkg)
    })),
    dependencies: [{ ref: image.digest, dependsOn: [...refs].sort() }]
  }
  return JSON.stringify(bom, null, 2) + '\n'
}

function properties(pkg: Package): { name: string; value: string }[] {
  const list: [string, string | undefined][] = [
    ['container-gate:package:ecosystem', pkg.ecosystem],
    ['container-gate:package:kind', pkg.kind],
    ['container-gate:package:path', pkg.path],
    ['container-gate:package:layer-digest', pkg.layerDigest],
    ['container-gate:package:arch', pkg.arch],
    ['container-gate:package:source-name', pkg.source?.name],
    ['container-gate:package:source-version', pkg.source?.version]
  ]
  return list.flatMap(([name, value]) => (value === undefined ? [] : [{ name, value }]))
}

/** bom-refs must be unique: the purl, qualified by the path when one purl is found twice. */
function bomRefs(packages: Package[]): string[] {
  const counts = new Map<string, number>()
  for (const pkg of packages) counts.set(pkg.purl, (counts.get(pkg.purl) ?? 0) + 1)
  const used = new Set<string>()
  // Where the numbering of one purl and path goes on: every smaller number is taken already, so
  // an image listing one package thousands of times is numbered in one pass.
  const next = new Map<string, number>()
  return packages.map((pkg) => {
    const base = `${pkg.purl}#${pkg.path}`
    let ref = counts.get(pkg.purl) === 1 ? pkg.purl : base
    let n = next.get(base) ?? 2
    while (used.has(ref)) ref = `${base}#${n++}`
    next.set(base, n)
    used.add(ref)
    return ref
  })
}

/** pkg:oci (purl-spec types): the image by its digest, named after the reference's last path segment. */
export function imagePurl(report: GateReport): string {
  const reference = report.image.reference
    .replace(/^[a-z-]+:(?!\/\/)/, '')
    .replace(/^docker:\/\//, '')
  const path = reference.split('@')[0]!.replace(/:[^/:]*$/, '')
  const name = (path.split('/').pop() ?? 'image').toLowerCase() || 'image'
  return purl('oci', undefined, name, report.image.digest, {
    arch: report.image.platform.split('/')[1]
  })
}

/** What identifies one SBOM: the image and the package list (a different list is a different document). */
export function sbomId(report: GateReport, packages: Package[]): string {
  const hash = createHash('sha256')
  hash.update(report.image.digest)
  for (const pkg of packages) hash.update(`\n${pkg.purl}\t${pkg.path}`)
  return hash.digest('hex')
}

/** An RFC 4122 version-5-shaped UUID from a hash, so the serial number is stable. */
function uuidFrom(seed: string): string {
  const hex = createHash('sha256').update(seed).digest('hex').slice(0, 32).split('')
  hex[12] = '5'
  hex[16] = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16)
  const h = hex.join('')
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`
}
