/**
 * Debian packages: `/var/lib/dpkg/status` (dpkg(1) "FILES"), and distroless images'
 * `/var/lib/dpkg/status.d/<package>` (one control paragraph per file, no file lists).
 * Licenses come from machine-readable copyright files (DEP-5) where the package ships one.
 */
import type { UnreadInput } from '../../../findings.js'
import type {
  EntrySink,
  FileRequest,
  LayerSubscription,
  LayerVisitor
} from '../../../image/analysis.js'
import type { FileSystem, TarEntry } from '../../../image/types.js'
import type { Package } from '../../../packages/model.js'
import { controlParagraphs, definePackage, type CatalogInput } from './package.js'
import { purl } from '../../../packages/purl.js'
import { BadRecords } from '../../../os/bad-records.js'
import { normalizeLicense } from '../../../packages/license.js'

const STATUS = '/var/lib/dpkg/status'
const STATUS_D = '/var/lib/dpkg/status.d/'
const INFO = '/var/lib/dpkg/info/'

/**
 * A status file takes about 900 bytes per package (this Debian 12 machine: 670,067 bytes for 746
 * packages), so 5,000 packages are 4.5 MB; 16 MiB holds about 18,000, more than a full desktop.
 */
export const DPKG_FILES: FileRequest = {
  globs: [STATUS, `${STATUS_D}*`, '/usr/share/doc/*/copyright'],
  maxBytes: 16 * 1024 * 1024
}

const COPYRIGHT = /^\/usr\/share\/doc\/[^/]+\/copyright$/

/**
 * The licences of each copyright file a layer writes, worked out while the layer is read: kept
 * with the layer in the layer cache, so a re-gate does not parse the base image's copyright
 * files again. The catalog takes them for the layer that wrote the final file.
 */
export const COPYRIGHT_SUBSCRIPTION: LayerSubscription<Map<string, string[]>> = {
  id: 'composition/dpkg-copyright',
  version: 1,
  settings: '',
  createVisitor(): LayerVisitor<Map<string, string[]>> {
    const found = new Map<string, string[]>()
    return {
      onEntry(entry: TarEntry): EntrySink | undefined {
        // A later entry of the same path in the layer is what the layer leaves.
        found.delete(entry.path)
        if (entry.type !== 'file' || entry.size > DPKG_FILES.maxBytes) return undefined
        if (!COPYRIGHT.test(entry.path)) return undefined
        const chunks: Buffer[] = []
        return {
          write: (chunk) => void chunks.push(chunk),
          end: () => found.set(entry.path, licensesOf(Buffer.concat(chunks).toString('utf8')))
        }
      },
      finish: () => found
    }
  }
}

/**
 * What dpkg itself accepts (lib/dpkg/parsehelp.c: pkg_name_is_illegal, parseversion), looser
 * than Debian Policy 5.6.1/5.6.12 so that third-party packages dpkg installed are still read.
 */
const PACKAGE_NAME = /^[A-Za-z0-9][A-Za-z0-9+._-]*$/
const VERSION = /^(?:\d+:)?[A-Za-z0-9.+~:-]+$/

/** Packages of the dpkg database; paragraphs that name no package go to `unread`, one per file. */
export function catalogDpkg(input: CatalogInput, unread: UnreadInput[]): Package[] {
  const { fs } = input.image
  const packages: Package[] = []
  const status = fs.read(STATUS)
  if (status !== undefined) fromStatus(input, STATUS, status.toString('utf8'), packages, unread)
  for (const node of fs.entriesUnder(STATUS_D)) {
    if (node.type !== 'file' || !node.path.startsWith(STATUS_D)) continue
    const name = node.path.slice(STATUS_D.length)
    if (name.includes('/') || name.endsWith('.md5sums')) continue
    const content = fs.read(node.path)
    if (content !== undefined)
      fromStatus(input, node.path, content.toString('utf8'), packages, unread)
  }
  return packages
}

/**
 * Paragraphs separated by blank lines, each with the 1-based line it starts on, found line by
 * line: a file of millions of empty lines is never split into an array of them.
 */
function* paragraphs(text: string): Generator<{ line: number; text: string }> {
  let start = -1
  let startLine = 0
  let line = 0
  for (let at = 0; at <= text.length;) {
    const newline = text.indexOf('\n', at)
    const end = newline === -1 ? text.length : newline
    line++
    const blank = text.slice(at, end).trim() === ''
    if (!blank && start === -1) {
      start = at
      startLine = line
    }
    if (blank && start !== -1) {
      // The paragraph's text without the newline that ends its last line.
      yield { line: startLine, text: text.slice(start, at - 1) }
      start = -1
    }
    if (newline === -1) break
    at = newline + 1
  }
  if (start !== -1) yield { line: startLine, text: text.slice(start) }
}

/** Why a paragraph names no installed package it can be matched by, or undefined when it does. */
function problemOf(fields: Map<string, string> | undefined): string | undefined {
  if (fields === undefined) return 'has no `Field: value` lines'
  const name = fields.get('Package')
  if (name === undefined || name === '') return 'has no Package field'
  if (!PACKAGE_NAME.test(name)) return `has an invalid Package field "${name.slice(0, 40)}"`
  // dpkg keeps removed-but-not-purged packages ("deinstall ok config-files"): not installed.
  const state = fields.get('Status')
  if (state !== undefined && !state.endsWith(' installed')) return undefined
  const version = fields.get('Version')
  if (version === undefined || version === '') return `has no Version field (package ${name})`
  if (!VERSION.test(version)) {
    return `has an invalid Version field "${version.slice(0, 40)}" (package ${name})`
  }
  return undefined
}

/** Adds the installed packages of one status file to `packages`. */
function fromStatus(
  input: CatalogInput,
  path: string,
  text: string,
  packages: Package[],
  unread: UnreadInput[]
): void {
  const { image, distro } = input
  const debianLike = distro?.id === 'debian' || distro?.id === 'ubuntu'
  const ecosystem = debianLike && distro?.ecosystem !== undefined ? distro.ecosystem : 'Debian'
  const namespace = debianLike ? distro!.id : 'debian'
  const distroQualifier =
    debianLike && distro?.versionId !== undefined ? `${distro.id}-${distro.versionId}` : undefined
  const bad = new BadRecords()
  let index = 0
  for (const paragraph of paragraphs(text)) {
    index++
    const fields = controlParagraphs(paragraph.text)[0]
    const problem = problemOf(fields)
    if (problem !== undefined) {
      bad.add(`paragraph ${index} at line ${paragraph.line} ${problem}`)
      continue
    }
    const name = fields!.get('Package')!
    const version = fields!.get('Version')
    const state = fields!.get('Status')
    if (version === undefined || (state !== undefined && !state.endsWith(' installed'))) continue
    if (!input.budget.take(path)) break
    const arch = fields!.get('Architecture')
    const source = sourceOf(fields!.get('Source'), name, version)
    // The package's own file list was written by the layer that installed it; the shared
    // status file is rewritten by every later apt run.
    const list = [`${INFO}${name}:${arch}.list`, `${INFO}${name}.list`].find((p) => image.fs.get(p))
    packages.push(
      definePackage(
        image,
        {
          name,
          version,
          ecosystem,
          purl: purl('deb', namespace, name, version, {
            arch,
            distro: distroQualifier,
            upstream: source === undefined ? undefined : upstream(source, version)
          }),
          path,
          kind: 'os',
          licenses: copyrightLicenses(input, name),
          ...(source === undefined ? {} : { source }),
          ...(arch === undefined ? {} : { arch })
        },
        list ?? path
      )
    )
  }
  const problem = bad.unread(image, path, 'paragraph')
  if (problem !== undefined) unread.push(problem)
}

/** deb-control(5): `Source: name` or `Source: name (version)` when it differs from the binary's. */
function sourceOf(
  field: string | undefined,
  name: string,
  version: string
): { name: string; version: string } | undefined {
  const match = /^(\S+)(?:\s+\((.+)\))?$/.exec(field ?? '')
  if (match === null) return undefined
  const source = { name: match[1]!, version: match[2] ?? version }
  return source.name === name && source.version === version ? undefined : source
}

/** The purl `upstream` qualifier as Syft writes it: the source name, with its version when it differs. */
function upstream(source: { name: string; version: string }, version: string): string {
  return source.version === version ? source.name : `${source.name}@${source.version}`
}

/**
 * The `License:` short names of a DEP-5 copyright file (copyright-format 1.0, "License
 * specification"), as SPDX expressions where Debian's names determine one.
 */
function copyrightLicenses(input: CatalogInput, name: string): string[] {
  const path = `/usr/share/doc/${name}/copyright`
  const { fs } = input.image
  const node = fs.get(path)
  if (node === undefined) return []
  const worked = input.image.visits(COPYRIGHT_SUBSCRIPTION)[node.layer]?.get(path)
  if (worked !== undefined) return worked
  // A hardlink's content is its target's: read from the final filesystem, once per file however
  // many status paragraphs name the package (an image chooses how many).
  let read = hardlinked.get(fs)
  if (read === undefined) {
    read = new Map()
    hardlinked.set(fs, read)
  }
  let licenses = read.get(path)
  if (licenses === undefined) {
    licenses = licensesOf(fs.read(path)?.toString('utf8'))
    read.set(path, licenses)
  }
  return licenses
}

/** Licences of copyright files read from the final filesystem, by filesystem and path. */
const hardlinked = new WeakMap<FileSystem, Map<string, string[]>>()

function licensesOf(text: string | undefined): string[] {
  if (text === undefined || !text.startsWith('Format:')) return []
  const licenses = new Set<string>()
  for (const fields of controlParagraphs(text)) {
    // Stand-alone License paragraphs (no Files:) only give the text of a license named elsewhere.
    if (!fields.has('Files')) continue
    const short = fields.get('License')?.split('\n')[0]?.trim()
    if (short !== undefined && short !== '') licenses.add(normalizeLicense(short))
  }
  return [...licenses].sort()
}
