/**
 * Alpine (and Wolfi/Chainguard) packages: `/lib/apk/db/installed`, one block per package of
 * `X:value` lines (apk-tools "Installed database": P name, V version, A arch, o origin,
 * L license), blocks separated by a blank line.
 */
import type { UnreadInput } from '../../../findings.js'
import type { FileRequest } from '../../../image/analysis.js'
import type { Package } from '../../../packages/model.js'
import { definePackage, type CatalogInput } from './package.js'
import { purl } from '../../../packages/purl.js'
import { BadRecords } from '../../../os/bad-records.js'

const INSTALLED = '/lib/apk/db/installed'

/**
 * The database lists every file (an `R:` and a `Z:` checksum line, about 50 bytes) besides the
 * package fields, so it grows with files, not packages: 64 MiB is over a million files.
 */
export const APK_FILES: FileRequest = { globs: [INSTALLED], maxBytes: 64 * 1024 * 1024 }

/** apk's package names and versions (apk-tools apk_blob_t checks): no whitespace, never empty. */
const TOKEN = /^[^\s/]+$/

/** Packages of apk's database; blocks that name no package go to `unread`, one finding per file. */
export function catalogApk(input: CatalogInput, unread: UnreadInput[]): Package[] {
  const { image, distro } = input
  const text = image.fs.read(INSTALLED)?.toString('utf8')
  if (text === undefined) return []
  const ecosystem = distro?.ecosystem ?? 'Alpine'
  const namespace = distro?.id ?? 'alpine'
  const distroQualifier =
    distro?.versionId === undefined ? undefined : `${distro.id}-${distro.versionId}`
  const packages: Package[] = []
  const bad = new BadRecords()
  let index = 0
  let line = 1
  for (const block of text.split(/(\n\s*\n)/)) {
    const startLine = line
    line += block.split('\n').length - 1
    // The separators, kept by the capturing split only to count lines, are blank.
    if (block.trim() === '') continue
    index++
    const fields = new Map<string, string>()
    for (const entry of block.split('\n')) {
      // Only the first value of a key: F:/R: repeat per file.
      if (entry[1] === ':' && !fields.has(entry[0]!)) fields.set(entry[0]!, entry.slice(2))
    }
    const name = fields.get('P')
    const version = fields.get('V')
    if (name === undefined || !TOKEN.test(name)) {
      bad.add(`block ${index} at line ${startLine + leadingNewlines(block)} has no valid P: name`)
      continue
    }
    if (version === undefined || !TOKEN.test(version)) {
      bad.add(
        `block ${index} at line ${startLine + leadingNewlines(block)} has no valid V: version (package ${name})`
      )
      continue
    }
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
  const problem = bad.unread(image, INSTALLED, 'package block')
  if (problem !== undefined) unread.push(problem)
  return packages
}

function leadingNewlines(block: string): number {
  return /^\n*/.exec(block)![0].length
}

/** Alpine writes `MIT AND BSD-2-Clause`, or older space-separated lists such as `MIT BSD`. */
function licenseOf(value: string | undefined): string[] {
  if (value === undefined || value.trim() === '') return []
  const trimmed = value.trim()
  if (/\s(AND|OR|WITH)\s/.test(trimmed) || !trimmed.includes(' ')) return [trimmed]
  return trimmed.split(/\s+/)
}
