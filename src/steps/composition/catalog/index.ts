/**
 * The catalog: every OS and language package in the final filesystem (issue 3, "Catalogers"),
 * with the distribution it belongs to. Pure: it reads what the engine captured.
 */
import type { UnreadInput } from '../../../findings.js'
import type { FileRequest, LayerSubscription } from '../../../image/analysis.js'
import {
  MAX_OWNED_PATHS,
  OWNED_FILES_REQUEST,
  ownedFiles,
  ownedFilesCut
} from '../../../os/owned-files.js'
import { BadRecords, unreadFile } from '../../../os/bad-records.js'
import type { ImageView } from '../../step.js'
import type { Package } from '../../../packages/model.js'
import { APK_FILES, catalogApk } from './apk.js'
import { BINARIES_SUBSCRIPTION } from './binaries.js'
import { detectDistro, OS_RELEASE_FILES, type Distro } from './distro.js'
import { COPYRIGHT_SUBSCRIPTION, DPKG_FILES, catalogDpkg } from './dpkg.js'
import { LANGUAGE_FILES, catalogLanguages } from './language.js'
import { PackageBudget, definePackage, type CatalogInput } from './package.js'
import { RPM_FILES, catalogRpm } from './rpm.js'

export type { Distro } from './distro.js'

export interface Catalog {
  packages: Package[]
  distro?: Distro
  /** Package databases and metadata files, or records in them, that could not be read. */
  unread?: UnreadInput[]
}

export const CATALOG_FILES: FileRequest[] = [
  { globs: OS_RELEASE_FILES, maxBytes: 64 * 1024 },
  OWNED_FILES_REQUEST,
  DPKG_FILES,
  APK_FILES,
  RPM_FILES,
  LANGUAGE_FILES
]

export const CATALOG_SUBSCRIPTIONS: LayerSubscription[] = [
  BINARIES_SUBSCRIPTION,
  COPYRIGHT_SUBSCRIPTION
]

export function catalogPackages(image: ImageView): Catalog {
  const distro = detectDistro(image.fs)
  const input: CatalogInput = {
    image,
    owned: ownedFiles(image.fs),
    budget: new PackageBudget(),
    ...(distro === undefined ? {} : { distro })
  }
  const unread: UnreadInput[] = []
  const packages: Package[] = []
  const oversized = new Map<string, BadRecords>()
  // OS packages first: when the scan's packages run out, what the distribution installed is kept.
  for (const cataloger of [
    catalogDpkg,
    catalogApk,
    catalogRpm,
    catalogLanguages,
    catalogBinaries
  ]) {
    // A loop, not push(...found): a cataloger may find more packages than a call has arguments.
    for (const pkg of cataloger(input, unread)) {
      const problem = oversizeField(pkg)
      if (problem === undefined) packages.push(pkg)
      else {
        let bad = oversized.get(pkg.path)
        if (bad === undefined) oversized.set(pkg.path, (bad = new BadRecords()))
        bad.add(problem)
      }
    }
  }
  for (const [path, bad] of oversized) unread.push(bad.unread(image, path, 'package record')!)
  packages.sort(comparePackages)
  const cut = input.budget.unread(image)
  if (cut !== undefined) unread.push(cut)
  const ownedCut = ownedFilesCut(image.fs)
  if (ownedCut !== undefined) {
    unread.push(
      unreadFile(
        image,
        ownedCut,
        `the package databases list more than ${MAX_OWNED_PATHS} files, the most one scan reads; the files listed from here on are treated as the image's own`
      )
    )
  }
  unread.sort((a, b) => compare(a.path, b.path))
  return distro === undefined ? { packages, unread } : { packages, distro, unread }
}

/** Binary and archive packages from the layer pass, kept only when the final filesystem still has the file that layer wrote. */
function catalogBinaries(input: CatalogInput, unread: UnreadInput[]): Package[] {
  const { image, owned, budget } = input
  const packages: Package[] = []
  image.visits(BINARIES_SUBSCRIPTION).forEach((found, layer) => {
    for (const { path, packages: drafts, unread: reason } of found ?? []) {
      const node = image.fs.get(path)
      if (node?.layer !== layer || node.type !== 'file' || owned.has(path)) continue
      const layerDigest = image.layers[layer]?.digest
      if (reason !== undefined) {
        unread.push(layerDigest === undefined ? { path, reason } : { path, layerDigest, reason })
      }
      for (const { nested, ...draft } of drafts) {
        if (!budget.take(path)) return
        packages.push(
          definePackage(
            image,
            {
              ...draft,
              path: nested === undefined || nested === '' ? path : `${path}:${nested}`,
              kind: 'language'
            },
            path
          )
        )
      }
    }
  })
  return packages
}

/**
 * Longest package name and version the catalog keeps (docs/limits.md). Real ones are far shorter
 * (npm allows 214 characters for a name; versions are tens); a crafted record of thousands makes
 * every map keyed by a package slow (V8 hashes strings past 16,383 characters by length alone).
 */
export const MAX_PACKAGE_NAME_CHARS = 1_024
export const MAX_PACKAGE_VERSION_CHARS = 256

function oversizeField(pkg: Package): string | undefined {
  if (pkg.name.length > MAX_PACKAGE_NAME_CHARS)
    return `a package name of ${pkg.name.length} characters (over ${MAX_PACKAGE_NAME_CHARS})`
  if (pkg.version.length > MAX_PACKAGE_VERSION_CHARS)
    return `a version of ${pkg.version.length} characters (over ${MAX_PACKAGE_VERSION_CHARS}) for ${pkg.name}`
  return undefined
}

/** Stable order for reports and SBOMs: by path, then ecosystem, name and version. */
function comparePackages(a: Package, b: Package): number {
  return (
    compare(a.path, b.path) ||
    compare(a.ecosystem, b.ecosystem) ||
    compare(a.name, b.name) ||
    compare(a.version, b.version)
  )
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}
