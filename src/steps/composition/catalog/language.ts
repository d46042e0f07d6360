/**
 * Language packages whose metadata is a small file in the final filesystem: npm `package.json`
 * under `node_modules`, Python `*.dist-info/METADATA`, `*.egg-info` and zipped `*.egg`, .NET
 * `*.deps.json`, RubyGems `specifications/*.gemspec` (and `specifications/default/` for the gems
 * Ruby bundles) and Composer `vendor/composer/installed.json`.
 * A package whose metadata file an OS package owns is the OS package's, and left out here.
 */
import { Minimatch } from 'minimatch'
import type { UnreadInput } from '../../../findings.js'
import type { FileRequest } from '../../../image/analysis.js'
import type { Package } from '../../../packages/model.js'
import { controlParagraphs, definePackage, type CatalogInput } from './package.js'
import { purl } from '../../../packages/purl.js'
import { normalizeLicense } from '../../../packages/license.js'
import { BadRecords, unreadFile } from '../../../os/bad-records.js'
import { inflateMember, memberData, zipMembers } from '../zip.js'
import { CONDA_ECOSYSTEM } from '../../../packages/model.js'

interface MetadataCataloger {
  globs: string[]
  /**
   * Packages described by one metadata file (no ownership check, no layer yet). Throws when the
   * file cannot be read as its format; a bad entry of a file that lists many goes to `onBad`.
   */
  parse(
    content: Buffer,
    onBad: (where: string) => void,
    /** Drafts past this many are not made (a file may list more than the scan has room for). */
    max: number
  ): Omit<Package, 'path' | 'layerDigest' | 'kind'>[]
  /** A package the file at `path` names that is no package of this ecosystem, left out. */
  excludes?(path: string, pkg: Omit<Package, 'path' | 'layerDigest' | 'kind'>): boolean
}

/** The metadata file names no package although its format requires one. */
class UnreadableMetadata extends Error {}

const NPM_GLOBS = ['/**/node_modules/*/package.json', '/**/node_modules/@*/*/package.json']
/** A glob segment that matches `word` in any letter case (the file requests' globs are case-sensitive). */
const anyCase = (word: string): string => word.replace(/[a-z]/g, (c) => `[${c}${c.toUpperCase()}]`)
/**
 * importlib.metadata finds distributions by the lowercased directory suffix, then opens METADATA
 * or PKG-INFO by their exact names; eggs (setuptools "The Internal Structure of Python Eggs")
 * keep PKG-INFO under EGG-INFO, in a directory or in a zip.
 */
const PYTHON_GLOBS = [
  `/**/*.${anyCase('dist-info')}/METADATA`,
  `/**/*.${anyCase('egg-info')}/PKG-INFO`,
  `/**/*.${anyCase('egg-info')}`,
  `/**/*.${anyCase('egg')}/EGG-INFO/PKG-INFO`
]
const EGG_GLOBS = [`/**/*.${anyCase('egg')}`]
const DOTNET_GLOBS = ['/**/*.deps.json']
/**
 * RubyGems keeps installed gems' specifications in `<GEM_HOME>/specifications/` and those of the
 * default gems Ruby ships (json, psych, openssl…) in `specifications/default/`
 * (`Gem.default_specifications_dir`).
 */
const RUBY_GLOBS = ['/**/specifications/*.gemspec', '/**/specifications/default/*.gemspec']
const COMPOSER_GLOBS = ['/**/vendor/composer/installed.json']
/** conda records each package it installs in `<prefix>/conda-meta/<name>-<version>-<build>.json`. */
const CONDA_GLOBS = ['/**/conda-meta/*.json']

/** A parser of a text format as a cataloger's parse. */
const text =
  (
    parse: (text: string, onBad: (where: string) => void, max: number) => Draft[]
  ): MetadataCataloger['parse'] =>
  (content, onBad, max) =>
    parse(content.toString('utf8'), onBad, max)

/**
 * CPython 2's own build installs `lib-dynload/Python-2.x.egg-info` (RHEL:
 * `Python-2.7.5-py2.7.egg-info`) for the distribution `Python`: the interpreter, not a PyPI
 * package (Python 3's setup.py leaves install_egg_info out). Such a file is the interpreter's
 * wherever it was copied to; a `Python` installed like any distribution (dist-info) is kept.
 */
const isInterpreterMetadata = (path: string, pkg: Draft): boolean =>
  pkg.name === 'Python' &&
  (path.includes('/lib-dynload/') ||
    /\/Python-\d+\.\d+(?:\.\d+)?(?:-py\d+\.\d+)?\.egg-info$/.test(path))

/**
 * CPython's own test suite (`lib/python3.11/test/`, Debian's libpython3.11-testsuite) carries
 * eggs and dist-info as test data (`test_importlib/data/example-21.12-py3.6.egg`): not installed.
 */
const STDLIB_TEST_DATA = /\/lib\/python\d(?:\.\d{1,2})?\/test\//

const CATALOGERS: MetadataCataloger[] = [
  { globs: NPM_GLOBS, parse: text(parseNpm) },
  { globs: PYTHON_GLOBS, parse: text(parsePython), excludes: isInterpreterMetadata },
  { globs: EGG_GLOBS, parse: parseEgg },
  { globs: DOTNET_GLOBS, parse: text(parseDotnet) },
  { globs: RUBY_GLOBS, parse: text(parseGemspec) },
  { globs: COMPOSER_GLOBS, parse: text(parseComposer) },
  { globs: CONDA_GLOBS, parse: text(parseConda) }
]

/**
 * Per file. The largest metadata files on a developer machine are ~110 KB (a METADATA with its
 * README); Composer's installed.json of a 500-package application (~5 KB per entry) and the
 * deps.json of a large .NET service run to a few MB, so 16 MiB leaves a margin of 5×. A zipped
 * egg holds the code too; the eggs of large distributions (numpy, pandas) are 10–15 MB.
 */
export const LANGUAGE_FILES: FileRequest = {
  globs: CATALOGERS.flatMap((c) => c.globs),
  maxBytes: 16 * 1024 * 1024
}

const COMPILED = CATALOGERS.map((cataloger) => ({
  cataloger,
  globs: cataloger.globs.map((glob) => new Minimatch(glob, { dot: true }))
}))

/** Every glob above ends in one of these names, so most paths are ruled out without a glob. */
const CANDIDATE =
  /\/(package\.json|METADATA|PKG-INFO|[^/]*\.egg-info|[^/]*\.egg|[^/]*\.deps\.json|[^/]*\.gemspec|installed\.json|conda-meta\/[^/]*\.json)$/i

/** Language packages; metadata files that do not parse go to `unread`, one per file. */
export function catalogLanguages(input: CatalogInput, unread: UnreadInput[]): Package[] {
  const { image, owned, budget } = input
  const packages: Package[] = []
  for (const node of image.fs.entries()) {
    if (node.type !== 'file' || !CANDIDATE.test(node.path)) continue
    const cataloger = COMPILED.find((c) => c.globs.some((glob) => glob.match(node.path)))?.cataloger
    if (cataloger === undefined || owned.has(node.path) || STDLIB_TEST_DATA.test(node.path))
      continue
    if (budget.remaining === 0) {
      budget.cut(node.path)
      break
    }
    const content = image.fs.read(node.path)
    if (content === undefined) continue
    let found: ReturnType<MetadataCataloger['parse']>
    const bad = new BadRecords()
    try {
      // One more than fits, so that a file listing more is noted where the packages ran out.
      found = cataloger.parse(content, (where) => bad.add(where), budget.remaining + 1)
    } catch (error) {
      unread.push(
        unreadFile(
          image,
          node.path,
          `${unparseable(error)}; the package it describes is not in the SBOM`
        )
      )
      continue
    }
    const problem = bad.unread(image, node.path, 'package')
    if (problem !== undefined) unread.push(problem)
    for (const pkg of found) {
      if (cataloger.excludes?.(node.path, pkg) === true) continue
      if (!budget.take(node.path)) break
      packages.push(definePackage(image, { ...pkg, path: node.path, kind: 'language' }))
    }
  }
  return packages
}

type Draft = ReturnType<MetadataCataloger['parse']>[number]

function unparseable(error: unknown): string {
  if (error instanceof SyntaxError) return `it is not valid JSON (${error.message.slice(0, 120)})`
  if (error instanceof UnreadableMetadata) return error.message
  return `it could not be parsed (${error instanceof Error ? error.message.slice(0, 120) : String(error)})`
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined
}

/** npm's `license` (SPDX expression), or the deprecated `{ type }` object / `licenses` array. */
function npmLicenses(json: Record<string, unknown>): string[] {
  const one = json['license']
  if (typeof one === 'string') return [one]
  if (isRecord(one) && typeof one['type'] === 'string') return [one['type']]
  const many = json['licenses']
  if (!Array.isArray(many)) return []
  return many.flatMap((l): string[] =>
    typeof l === 'string' ? [l] : isRecord(l) && typeof l['type'] === 'string' ? [l['type']] : []
  )
}

export function parseNpm(text: string): Draft[] {
  const json: unknown = JSON.parse(text)
  if (!isRecord(json)) throw new UnreadableMetadata('it is not a JSON object')
  const fullName = str(json['name'])
  const version = str(json['version'])
  // Not a broken record: packages ship test fixtures under their own node_modules (resolve,
  // eslint-plugin-import), and a private or workspace package.json may have neither field.
  if (fullName === undefined || version === undefined || !isNpmName(fullName)) return []
  const slash = fullName.startsWith('@') ? fullName.indexOf('/') : -1
  const namespace = slash === -1 ? undefined : fullName.slice(0, slash)
  const name = slash === -1 ? fullName : fullName.slice(slash + 1)
  return [
    {
      name: fullName,
      version,
      ecosystem: 'npm',
      purl: purl('npm', namespace, name, version),
      licenses: npmLicenses(json)
    }
  ]
}

/**
 * A name npm can install (validate-npm-package-name, old packages' rules: upper case and
 * `~'!()*` and names over 214 characters allowed): not starting with `.` or `_`, `name` or
 * `@scope/name` with a name not starting with `.`, each part URL-safe as it is. Others are test
 * data (Trivy's `@invalid/packageName/`), no registry package.
 */
function isNpmName(fullName: string): boolean {
  if (/^[._]/.test(fullName)) return false
  if (!fullName.startsWith('@')) return encodeURIComponent(fullName) === fullName
  const parts = fullName.slice(1).split('/')
  return (
    parts.length === 2 &&
    !parts[1]!.startsWith('.') &&
    parts.every((part) => part !== '' && encodeURIComponent(part) === part)
  )
}

/** Core metadata (packaging.python.org "Core metadata specifications"): email-style headers. */
export function parsePython(text: string): Draft[] {
  const headers = (text.split(/\r?\n\r?\n/)[0] ?? '').replace(/\r/g, '')
  const fields = new Map<string, string[]>()
  for (const [key, value] of controlParagraphs(headers)[0] ?? []) {
    fields.set(key.toLowerCase(), [value])
  }
  // Repeated headers (Classifier) collapse in controlParagraphs; licenses come from the others.
  const name = fields.get('name')?.[0]
  const version = fields.get('version')?.[0]
  // Core metadata 1.0 onwards requires both: without them this is not an installed distribution.
  if (name === undefined || name === '' || version === undefined || version === '') {
    throw new UnreadableMetadata('it has no Name or no Version header')
  }
  const expression = fields.get('license-expression')?.[0]
  const license = fields.get('license')?.[0]
  const licenses =
    expression !== undefined
      ? [expression]
      : license !== undefined &&
          license !== '' &&
          !license.includes('\n') &&
          license.length <= 80 &&
          license !== 'UNKNOWN'
        ? [license]
        : classifierLicenses(headers)
  return [
    { name, version, ecosystem: 'PyPI', purl: purl('pypi', undefined, name, version), licenses }
  ]
}

/**
 * `Classifier: License :: …` headers (pypi.org/classifiers) by their last segment, as an SPDX id
 * where it determines one, else as free text (`BSD License` names no one BSD variant).
 * `OSI Approved` alone says nothing.
 */
function classifierLicenses(headers: string): string[] {
  const found = [...headers.matchAll(/^Classifier:[ \t]*License[ \t]*::(.*)$/gim)].flatMap((m) => {
    const segments = m[1]!.split('::').map((segment) => segment.trim())
    const last = segments.at(-1)!
    if (last === '' || last === 'OSI Approved' || last.length > 80) return []
    return [normalizeLicense(last)]
  })
  return [...new Set(found)]
}

/** The member of a zipped egg that holds its core metadata. */
const EGG_PKG_INFO = 'EGG-INFO/PKG-INFO'
/** A PKG-INFO with its long description; the largest seen are ~110 KB. */
const MAX_PKG_INFO_BYTES = 1024 * 1024

/** A zipped egg (setuptools "The Internal Structure of Python Eggs"): `EGG-INFO/PKG-INFO` inside. */
export function parseEgg(archive: Buffer): Draft[] {
  const member = zipMembers(archive, (name) => name === EGG_PKG_INFO)[0]
  if (member === undefined) throw new UnreadableMetadata(`it has no ${EGG_PKG_INFO}`)
  const pkgInfo = inflateMember(member, memberData(archive, member), MAX_PKG_INFO_BYTES)
  return parsePython(pkgInfo.toString('utf8'))
}

/** The name the .NET SDK gives the bundled runtime of a self-contained app, before its NuGet id. */
const RUNTIME_PACK_PREFIX = 'runtimepack.'
/** Target entry fields that list files the app loads (dotnet/runtime docs "deps.json"). */
const RUNTIME_ASSETS = ['runtime', 'native', 'runtimeTargets', 'resources']

/**
 * .NET `*.deps.json` (dotnet/runtime docs "deps.json"): `libraries` keyed `Name/Version`, NuGet
 * packages and the runtime packs of a self-contained app (`runtimepack.<id>/<version>`). A
 * library whose entry in the runtime target lists no runtime assets (reference and meta packages)
 * is not deployed with the app, and left out; one the target does not list is kept.
 */
export function parseDotnet(
  text: string,
  _onBad?: (where: string) => void,
  max = Infinity
): Draft[] {
  const json: unknown = JSON.parse(text)
  const libraries = isRecord(json) ? json['libraries'] : undefined
  if (!isRecord(json) || !isRecord(libraries)) {
    throw new UnreadableMetadata('it has no "libraries" object')
  }
  const target = runtimeTarget(json)
  const drafts: Draft[] = []
  for (const key in libraries) {
    if (drafts.length >= max) break
    const library = libraries[key]
    const slash = key.indexOf('/')
    if (slash <= 0 || slash === key.length - 1 || !isRecord(library)) continue
    const type = library['type']
    if (type !== 'package' && type !== 'runtimepack') continue
    const entry = target?.[key]
    if (isRecord(entry) && !RUNTIME_ASSETS.some((field) => hasEntries(entry[field]))) continue
    const id = key.slice(0, slash)
    const name =
      type === 'runtimepack' && id.startsWith(RUNTIME_PACK_PREFIX)
        ? id.slice(RUNTIME_PACK_PREFIX.length)
        : id
    const version = key.slice(slash + 1)
    drafts.push({
      name,
      version,
      ecosystem: 'NuGet',
      purl: purl('nuget', undefined, name, version),
      licenses: []
    })
  }
  return drafts
}

/** The `targets` section `runtimeTarget.name` names, or the first one; none when there are none. */
function runtimeTarget(json: Record<string, unknown>): Record<string, unknown> | undefined {
  const targets = json['targets']
  if (!isRecord(targets)) return undefined
  const runtime = json['runtimeTarget']
  const named = isRecord(runtime) ? str(runtime['name']) : undefined
  const chosen =
    named !== undefined && Object.hasOwn(targets, named)
      ? targets[named]
      : Object.values(targets)[0]
  return isRecord(chosen) ? chosen : undefined
}

function hasEntries(value: unknown): boolean {
  return isRecord(value) ? Object.keys(value).length > 0 : Array.isArray(value) && value.length > 0
}

/**
 * A gem's installed specification is Ruby source written by `Gem::Specification#to_ruby`
 * (`do |s|`); hand-written ones name the block variable as they like (`spec`, `gem`).
 */
export function parseGemspec(text: string): Draft[] {
  const block =
    /Gem::Specification\.new\s*(?:\([^)\n]{0,200}\)\s*)?(?:do|\{)\s*\|\s*([A-Za-z_]\w*)\s*\|/.exec(
      text
    )?.[1]
  if (block === undefined) throw new UnreadableMetadata('it has no Gem::Specification.new block')
  const quoted = (field: string): string | undefined =>
    new RegExp(`^[ \\t]*${block}\\.${field}\\s*=\\s*(["'])([^"'\\n]+)\\1`, 'm').exec(text)?.[2]
  const name = quoted('name')
  const version =
    quoted('version') ??
    new RegExp(
      `^[ \\t]*${block}\\.version\\s*=\\s*Gem::Version\\.new\\((["'])([^"'\\n]+)\\1\\)`,
      'm'
    ).exec(text)?.[2]
  if (name === undefined || version === undefined) {
    throw new UnreadableMetadata(`it sets no ${block}.name or no ${block}.version`)
  }
  const list = new RegExp(`^[ \\t]*${block}\\.licenses\\s*=\\s*\\[([^\\]\\n]*)\\]`, 'm').exec(
    text
  )?.[1]
  const licenses =
    list === undefined
      ? [quoted('license')].filter((l): l is string => l !== undefined)
      : [...list.matchAll(/(["'])([^"']+)\1/g)].map((m) => m[2]!)
  return [
    { name, version, ecosystem: 'RubyGems', purl: purl('gem', undefined, name, version), licenses }
  ]
}

/** Composer's installed.json: an array (Composer 1) or `{ packages: [...] }` (Composer 2). */
export function parseComposer(
  text: string,
  onBad: (where: string) => void,
  max = Infinity
): Draft[] {
  const json: unknown = JSON.parse(text)
  const list: unknown = Array.isArray(json) ? json : isRecord(json) ? json['packages'] : undefined
  if (!Array.isArray(list)) throw new UnreadableMetadata('it has no "packages" array')
  const drafts: Draft[] = []
  for (let i = 0; i < list.length && drafts.length < max; i++) {
    const entry: unknown = list[i]
    const fullName = isRecord(entry) ? str(entry['name']) : undefined
    const version = isRecord(entry) ? str(entry['version']) : undefined
    if (!isRecord(entry) || fullName === undefined || version === undefined) {
      onBad(`entry ${i + 1} has no name or no version`)
      continue
    }
    const [vendor, name] = fullName.includes('/') ? fullName.split('/', 2) : [undefined, fullName]
    const license = entry['license']
    drafts.push({
      name: fullName,
      version,
      ecosystem: 'Packagist',
      purl: purl('composer', vendor, name!, version),
      licenses: Array.isArray(license)
        ? license.filter((l): l is string => typeof l === 'string')
        : typeof license === 'string'
          ? [license]
          : []
    })
  }
  return drafts
}

/**
 * A conda package record (`conda-meta/*.json`, conda's PrefixRecord): name, version, build and
 * licence. OSV has no conda ecosystem, so these are in the SBOM and not looked up; the Python
 * packages conda installs also have their own dist-info, which is (as PyPI).
 */
export function parseConda(text: string): Draft[] {
  const json: unknown = JSON.parse(text)
  if (!isRecord(json)) throw new UnreadableMetadata('it is not a JSON object')
  const name = str(json['name'])
  const version = str(json['version'])
  if (name === undefined || version === undefined)
    throw new UnreadableMetadata('it has no "name" or no "version"')
  const license = str(json['license'])
  return [
    {
      name,
      version,
      ecosystem: CONDA_ECOSYSTEM,
      purl: purl('conda', undefined, name, version, {
        build: str(json['build']),
        subdir: str(json['subdir'])
      }),
      licenses: license === undefined ? [] : [license]
    }
  ]
}
