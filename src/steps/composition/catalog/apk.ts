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
import { BadRecords, unreadFile } from '../../../os/bad-records.js'
import { formatBytes } from '../../../units.js'

const INSTALLED = '/lib/apk/db/installed'

/**
 * The database lists every file (an `R:` and a `Z:` checksum line, about 50 bytes) besides the
 * package fields, so it grows with files, not packages: 64 MiB is over a million files.
 */
export const APK_FILES: FileRequest = { globs: [INSTALLED], maxBytes: 64 * 1024 * 1024 }

/** Packages one database may list: real ones list hundreds to a few thousand. */
export const MAX_DATABASE_PACKAGES = 100_000

/** apk's package names and versions (apk-tools apk_blob_t checks): no whitespace, never empty. */
const TOKEN = /^[^\s/]+$/

/** Packages of apk's database; blocks that name no package go to `unread`, one finding per file. */
export function catalogApk(input: CatalogInput, unread: UnreadInput[]): Package[] {
  const { image, distro } = input
  const content = image.fs.read(INSTALLED)
  if (content === undefined) return []
  // Kept up to the owned-files request's larger cap: this reader's own applies here.
  if (content.length > APK_FILES.maxBytes) {
    unread.push(
      unreadFile(
        image,
        INSTALLED,
        `it is ${formatBytes(content.length)}, over the ${formatBytes(APK_FILES.maxBytes)} the apk cataloger reads`
      )
    )
    return []
  }
  const text = content.toString('utf8')
  const ecosystem = distro?.ecosystem ?? 'Alpine'
  const namespace = distro?.id ?? 'alpine'
  const distroQualifier =
    distro?.versionId === undefined ? undefined : `${distro.id}-${distro.versionId}`
  const packages: Package[] = []
  const bad = new BadRecords()
  let index = 0
  let line = 1
  for (const block of blocksAndSeparators(text)) {
    const startLine = line
    line += block.split('\n').length - 1
    // The separators, kept by the capturing split only to count lines, are blank.
    if (block.trim() === '') continue
    index++
    // A block can be 9 bytes and its package ~750: a database of millions would not fit.
    if (packages.length === MAX_DATABASE_PACKAGES) {
      unread.push(
        unreadFile(
          image,
          INSTALLED,
          `it lists more than ${MAX_DATABASE_PACKAGES} packages; the first ${MAX_DATABASE_PACKAGES} are reported`
        )
      )
      break
    }
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
    if (!input.budget.take(INSTALLED)) break
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

/**
 * What `text.split(/(\n\s*\n)/)` gives (blocks, and the blank separators between them), one at a
 * time: a database of millions of tiny blocks is not split into an array of them first.
 */
function* blocksAndSeparators(text: string): Generator<string> {
  const separator = /\n\s*\n/g
  let start = 0
  for (let match = separator.exec(text); match !== null; match = separator.exec(text)) {
    yield text.slice(start, match.index)
    yield match[0]
    start = match.index + match[0].length
  }
  yield text.slice(start)
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
