/**
 * Alpine (and Wolfi/Chainguard) packages: `/lib/apk/db/installed`, one block per package of
 * `X:value` lines (apk-tools "Installed database": P name, V version, A arch, o origin,
 * L license), blocks separated by a blank line.
 */
import type { FileRequest } from '../../../image/analysis.js'
import type { Package } from '../model.js'
import { definePackage, purl, type CatalogInput } from './package.js'

const INSTALLED = '/lib/apk/db/installed'

export const APK_FILES: FileRequest = { globs: [INSTALLED], maxBytes: 64 * 1024 * 1024 }

export function catalogApk(input: CatalogInput): Package[] {
  const { image, distro } = input
  const text = image.fs.read(INSTALLED)?.toString('utf8')
  if (text === undefined) return []
  const ecosystem = distro?.ecosystem ?? 'Alpine'
  const namespace = distro?.id ?? 'alpine'
  const distroQualifier =
    distro?.versionId === undefined ? undefined : `${distro.id}-${distro.versionId}`
  const packages: Package[] = []
  for (const block of text.split(/\n\s*\n/)) {
    const fields = new Map<string, string>()
    for (const line of block.split('\n')) {
      // Only the first value of a key: F:/R: repeat per file.
      if (line[1] === ':' && !fields.has(line[0]!)) fields.set(line[0]!, line.slice(2))
    }
    const name = fields.get('P')
    const version = fields.get('V')
    if (name === undefined || version === undefined) continue
    const arch = fields.get('A')
    const origin = fields.get('o')
    packages.push(
      definePackage(image, {
        name,
        version,
        ecosystem,
        purl: purl('apk', namespace, name, version, {
          arch,
          distro: distroQualifier,
          upstream: origin === undefined || origin === name ? undefined : origin
        }),
        path: INSTALLED,
        kind: 'os',
        licenses: licenseOf(fields.get('L')),
        ...(origin === undefined || origin === name ? {} : { source: { name: origin, version } }),
        ...(arch === undefined ? {} : { arch })
      })
    )
  }
  return packages
}

/** Alpine writes `MIT AND BSD-2-Clause`, or older space-separated lists such as `MIT BSD`. */
function licenseOf(value: string | undefined): string[] {
  if (value === undefined || value.trim() === '') return []
  const trimmed = value.trim()
  if (/\s(AND|OR|WITH)\s/.test(trimmed) || !trimmed.includes(' ')) return [trimmed]
  return trimmed.split(/\s+/)
}
