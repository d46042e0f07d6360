/** What every cataloger shares: how a Package is put together and where it came from. */
import type { ImageView } from '../../step.js'
import type { Package } from '../../../packages/model.js'
import type { Distro } from './distro.js'
import { layerOf } from '../../../os/bad-records.js'
import { normalizeLicense } from '../../../packages/license.js'

/** What a cataloger gets: the image, the distribution, and the files OS packages own. */
export interface CatalogInput {
  image: ImageView
  distro?: Distro
  /** From ownedFiles: language packages found at these paths belong to an OS package. */
  owned: Set<string>
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
