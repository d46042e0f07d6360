/** What every cataloger shares: how a Package is put together and where it came from. */
import type { ImageView } from '../../step.js'
import type { Package } from '../../../packages/model.js'
import type { Distro } from './distro.js'
import type { UnreadInput } from '../../../findings.js'
import { layerOf, unreadFile } from '../../../os/bad-records.js'
import { normalizeLicense } from '../../../packages/license.js'

/** What a cataloger gets: the image, the distribution, and the files OS packages own. */
export interface CatalogInput {
  image: ImageView
  distro?: Distro
  /** From ownedFiles: language packages found at these paths belong to an OS package. */
  owned: Set<string>
  /** Shared by every cataloger of the scan: a package is defined only when it takes one. */
  budget: PackageBudget
}

/**
 * Packages one scan catalogs, across all catalogers (docs/limits.md). Real images hold hundreds
 * to tens of thousands (a desktop distribution with a large node_modules); each package costs
 * 1–2 KB through matching, the SBOMs and the report, so this keeps a scan's packages in ~200 MB
 * whatever number of tiny records a crafted database lists.
 */
export const MAX_SCAN_PACKAGES = 100_000

/** What is left of the scan's packages; the file where they ran out becomes one unread input. */
export class PackageBudget {
  private left: number
  private stoppedAt: string | undefined

  constructor(readonly limit = MAX_SCAN_PACKAGES) {
    this.left = limit
  }

  /** How many more packages fit. */
  get remaining(): number {
    return this.left
  }

  /** Takes one package of `path`: false, and `path` noted if it is the first, once none is left. */
  take(path: string): boolean {
    if (this.left > 0) {
      this.left--
      return true
    }
    this.stoppedAt ??= path
    return false
  }

  /** Notes that `path` lists packages that did not fit, when none is left (a parser stopped early). */
  cut(path: string): void {
    if (this.left === 0) this.stoppedAt ??= path
  }

  /** The input where packages stopped being catalogued, or undefined when all fit. */
  unread(image: ImageView): UnreadInput | undefined {
    if (this.stoppedAt === undefined) return undefined
    return unreadFile(
      image,
      this.stoppedAt,
      `the image lists more than ${this.limit} packages, the most one scan catalogs; packages from this file on (and in the files catalogued after it) are not in the SBOM and not matched against advisories`
    )
  }
}

/**
 * Drops empty fields and gives licences as SPDX ids where their names determine one, so packages
 * compare and serialise the same way whatever found them.
 */
export function definePackage(
  image: ImageView,
  fields: Omit<Package, 'layerDigest' | 'licenses'> & { licenses?: string[] },
  /** The file whose writer is the layer that added the package; default `fields.path`. */
  origin: string = fields.path
): Package {
  const layerDigest = layerOf(image, origin)
  const licenses = [
    ...new Set((fields.licenses ?? []).map(normalizeLicense).filter((l) => l !== ''))
  ]
  const pkg: Package = { ...fields, licenses }
  if (layerDigest !== undefined) pkg.layerDigest = layerDigest
  if (pkg.arch === undefined || pkg.arch === '') delete pkg.arch
  if (pkg.source === undefined) delete pkg.source
  return pkg
}

/** RFC 822-style control paragraphs (deb-control(5), apk's installed db uses its own lines). */
export function controlParagraphs(text: string): Map<string, string>[] {
  const paragraphs: Map<string, string>[] = []
  let current = new Map<string, string>()
  let last: string | undefined
  for (const line of text.split('\n')) {
    if (line.trim() === '') {
      if (current.size > 0) paragraphs.push(current)
      current = new Map()
      last = undefined
    } else if ((line.startsWith(' ') || line.startsWith('\t')) && last !== undefined) {
      current.set(last, `${current.get(last)}\n${line.trim()}`)
    } else {
      const colon = line.indexOf(':')
      if (colon <= 0) continue
      last = line.slice(0, colon).trim()
      current.set(last, line.slice(colon + 1).trim())
    }
  }
  if (current.size > 0) paragraphs.push(current)
  return paragraphs
}
