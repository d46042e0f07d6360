/**
 * Language packages whose metadata is a small file in the final filesystem: npm `package.json`
 * under `node_modules`, Python `*.dist-info/METADATA` and `*.egg-info`, .NET `*.deps.json`,
 * RubyGems `specifications/*.gemspec` and Composer `vendor/composer/installed.json`.
 * A package whose metadata file an OS package owns is the OS package's, and left out here.
 */
import { Minimatch } from 'minimatch'
import type { UnreadInput } from '../../../findings.js'
import type { FileRequest } from '../../../image/analysis.js'
import type { Package } from '../../../packages/model.js'
import { controlParagraphs, definePackage, type CatalogInput } from './package.js'
import { purl } from '../../../packages/purl.js'
import { BadRecords, unreadFile } from '../../../os/bad-records.js'

interface MetadataCataloger {
  globs: string[]
  /**
   * Packages described by one metadata file (no ownership check, no layer yet). Throws when the
   * file cannot be read as its format; a bad entry of a file that lists many goes to `onBad`.
   */
  parse(
    text: string,
    onBad: (where: string) => void
  ): Omit<Package, 'path' | 'layerDigest' | 'kind'>[]
}

/** The metadata file names no package although its format requires one. */
class UnreadableMetadata extends Error {}

const NPM_GLOBS = ['/**/node_modules/*/package.json', '/**/node_modules/@*/*/package.json']
const PYTHON_GLOBS = ['/**/*.dist-info/METADATA', '/**/*.egg-info/PKG-INFO', '/**/*.egg-info']
const DOTNET_GLOBS = ['/**/*.deps.json']
const RUBY_GLOBS = ['/**/specifications/*.gemspec']
const COMPOSER_GLOBS = ['/**/vendor/composer/installed.json']

const CATALOGERS: MetadataCataloger[] = [
  { globs: NPM_GLOBS, parse: parseNpm },
  { globs: PYTHON_GLOBS, parse: parsePython },
  { globs: DOTNET_GLOBS, parse: parseDotnet },
  { globs: RUBY_GLOBS, parse: parseGemspec },
  { globs: COMPOSER_GLOBS, parse: parseComposer }
]

/**
 * Per file. The largest metadata files on a developer machine are ~110 KB (a METADATA with its
 * README); Composer's installed.json of a 500-package application (~5 KB per entry) and the
 * deps.json of a large .NET service run to a few MB, so 16 MiB leaves a margin of 5×.
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
  /\/(package\.json|METADATA|PKG-INFO|[^/]*\.egg-info|[^/]*\.deps\.json|[^/]*\.gemspec|installed\.json)$/

/** Language packages; metadata files that do not parse go to `unread`, one per file. */
export function catalogLanguages(input: CatalogInput, unread: UnreadInput[]): Package[] {
  const { image, owned } = input
  const packages: Package[] = []
  for (const node of image.fs.entries()) {
    if (node.type !== 'file' || !CANDIDATE.test(node.path)) continue
    const cataloger = COMPILED.find((c) => c.globs.some((glob) => glob.match(node.path)))?.cataloger
    if (cataloger === undefined || owned.has(node.path)) continue
    const content = image.fs.read(node.path)
    if (content === undefined) continue
    let found: ReturnType<MetadataCataloger['parse']>
    const bad = new BadRecords()
    try {
      found = cataloger.parse(content.toString('utf8'), (where) => bad.add(where))
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
  if (fullName === undefined || version === undefined) return []
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

/** Core metadata (packaging.python.org "Core metadata specifications"): email-style headers. */
export function parsePython(text: string): Draft[] {
  const headers = text.split(/\r?\n\r?\n/)[0] ?? ''
  const fields = new Map<string, string[]>()
  for (const [key, value] of controlParagraphs(headers.replace(/\r/g, ''))[0] ?? []) {
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
          !license.includes('\n') &&
          license.length <= 80 &&
          license !== 'UNKNOWN'
        ? [license]
        : []
  return [
    { name, version, ecosystem: 'PyPI', purl: purl('pypi', undefined, name, version), licenses }
  ]
}

/** .NET `*.deps.json` (dotnet/runtime docs "deps.json"): `libraries` keyed `Name/Version`. */
export function parseDotnet(text: string): Draft[] {
  const json: unknown = JSON.parse(text)
  const libraries = isRecord(json) ? json['libraries'] : undefined
  if (!isRecord(libraries)) throw new UnreadableMetadata('it has no "libraries" object')
  return Object.entries(libraries).flatMap(([key, library]): Draft[] => {
    const slash = key.indexOf('/')
    if (slash <= 0 || !isRecord(library) || library['type'] !== 'package') return []
    const name = key.slice(0, slash)
    const version = key.slice(slash + 1)
    return [
      {
        name,
        version,
        ecosystem: 'NuGet',
        purl: purl('nuget', undefined, name, version),
        licenses: []
      }
    ]
  })
}

/** A gem's installed specification is Ruby source written by `Gem::Specification#to_ruby`. */
export function parseGemspec(text: string): Draft[] {
  const quoted = (field: string): string | undefined =>
    new RegExp(`^\\s*s\\.${field}\\s*=\\s*"([^"]+)"`, 'm').exec(text)?.[1]
  const name = quoted('name')
  const version =
    quoted('version') ?? /^\s*s\.version\s*=\s*Gem::Version\.new\("([^"]+)"\)/m.exec(text)?.[1]
  if (name === undefined || version === undefined) {
    throw new UnreadableMetadata('it sets no s.name or no s.version')
  }
  const list = /^\s*s\.licenses\s*=\s*\[([^\]]*)\]/m.exec(text)?.[1]
  const licenses =
    list === undefined
      ? [quoted('license')].filter((l): l is string => l !== undefined)
      : [...list.matchAll(/"([^"]+)"/g)].map((m) => m[1]!)
  return [
    { name, version, ecosystem: 'RubyGems', purl: purl('gem', undefined, name, version), licenses }
  ]
}

/** Composer's installed.json: an array (Composer 1) or `{ packages: [...] }` (Composer 2). */
export function parseComposer(text: string, onBad: (where: string) => void): Draft[] {
  const json: unknown = JSON.parse(text)
  const list = Array.isArray(json) ? json : isRecord(json) ? json['packages'] : undefined
  if (!Array.isArray(list)) throw new UnreadableMetadata('it has no "packages" array')
  return list.flatMap((entry, i): Draft[] => {
    const fullName = isRecord(entry) ? str(entry['name']) : undefined
    const version = isRecord(entry) ? str(entry['version']) : undefined
    if (!isRecord(entry) || fullName === undefined || version === undefined) {
      onBad(`entry ${i + 1} has no name or no version`)
      return []
    }
    const [vendor, name] = fullName.includes('/') ? fullName.split('/', 2) : [undefined, fullName]
    const license = entry['license']
    return [
      {
        name: fullName,
        version,
        ecosystem: 'Packagist',
        purl: purl('composer', vendor, name!, version),
        licenses: Array.isArray(license)
          ? license.filter((l): l is string => typeof l === 'string')
          : typeof license === 'string'
            ? [license]
            : []
      }
    ]
  })
}
