/**
 * Java archives (JAR/WAR/EAR, Spring Boot fat jars) and the archives nested in them: Maven
 * coordinates from every `pom.properties` (maven-archiver writes
 * `META-INF/maven/<group>/<artifact>/`; shaded jars, Spring Boot's `BOOT-INF/classes/` and
 * exploded WARs keep them deeper), licences from the `pom.xml` beside each, else from
 * `META-INF/MANIFEST.MF` (JAR File Specification, "Main Attributes"; OSGi Bundle-* headers).
 *
 * The work is linear in the archive: members that overlap are not read, so the archives nested at
 * one level hold together at most the bytes of the level above, and every inflation, finished or
 * stopped at its limit, is charged to the archive's MAX_ARCHIVE_INFLATE_BYTES.
 */
import { formatBytes } from '../../../units.js'
import {
  inflateMember,
  memberData,
  overlappingMembers,
  ZipBudgetError,
  zipMembers
} from '../zip.js'
import type { Draft } from './go.js'
import { purl } from '../../../packages/purl.js'
import { spdxLicense } from '../../../packages/license.js'

export const JAVA_ARCHIVE = /\.(jar|war|ear|par|sar|jpi|hpi|kar|rar)$/i
const POM_PROPERTIES = /(?:^|\/)pom\.properties$/
const POM_XML = /(?:^|\/)pom\.xml$/
const MANIFEST = 'META-INF/MANIFEST.MF'
/** How deep archives nest in practice: EAR → WAR → JAR. */
const MAX_DEPTH = 3
/** Archives above this, in a layer or inside another archive, are not opened. */
export const MAX_ARCHIVE_BYTES = 128 * 1024 * 1024
/**
 * A pom.properties is a few lines; a manifest of a large OSGi bundle (Export-Package of every
 * package) reaches some hundred KiB.
 */
export const MAX_METADATA_MEMBER_BYTES = 1024 * 1024
/**
 * Bytes inflated for one archive in a layer, nested archives included; a member stopped at its
 * limit counts the bytes it inflated. Jars inside jars are already compressed, so a real archive
 * inflates to about its own size, at most MAX_ARCHIVE_BYTES.
 */
export const MAX_ARCHIVE_INFLATE_BYTES = 256 * 1024 * 1024

export interface JavaPackage extends Draft {
  /** `outer.war:WEB-INF/lib/inner.jar` for nested archives, '' for the archive itself. */
  nested: string
}

/** What one archive holds: its packages, and the members that were too big to read. */
export interface JavaArchive {
  packages: JavaPackage[]
  /** Why a member was not read, as a clause naming it: "its member a.jar:b.jar inflates to…". */
  unread: string[]
}

/**
 * The packages an archive and the archives nested in it hold. Throws when the archive itself is
 * not a zip; a nested one that is not is skipped (a test resource named *.jar).
 */
export function javaPackages(archive: Buffer, fileName: string): JavaArchive {
  const result: JavaArchive = { packages: [], unread: [] }
  scan(archive, fileName, 0, '', { left: MAX_ARCHIVE_INFLATE_BYTES }, result)
  return result
}

function scan(
  archive: Buffer,
  fileName: string,
  depth: number,
  nested: string,
  budget: { left: number },
  result: JavaArchive
): void {
  const listed = zipMembers(
    archive,
    (name) =>
      name === MANIFEST ||
      POM_PROPERTIES.test(name) ||
      POM_XML.test(name) ||
      (depth < MAX_DEPTH && JAVA_ARCHIVE.test(name))
  )
  // A pom.xml is read only for the licences of the pom.properties beside it.
  const poms = new Set(
    listed.filter((m) => POM_PROPERTIES.test(m.name)).map((m) => directoryOf(m.name))
  )
  const members = listed.filter((m) => !POM_XML.test(m.name) || poms.has(directoryOf(m.name)))
  const at = (name: string): string => (nested === '' ? name : `${nested}:${name}`)
  // K directory entries on one stored jar that does the same one level down read its bytes K^depth
  // times; refused, each level reads the bytes of the one above at most once.
  const overlapping = overlappingMembers(archive, members)
  const [first] = overlapping
  if (first !== undefined) {
    const more = overlapping.size > 1 ? `, as do ${overlapping.size - 1} more` : ''
    result.unread.push(
      `its member ${at(first[0].name)} overlaps ${at(first[1].name)}${more} (a zip bomb's layout)`
    )
  }
  const files: Record<string, Buffer> = {}
  for (const member of members) {
    if (overlapping.has(member)) continue
    const cap = JAVA_ARCHIVE.test(member.name) ? MAX_ARCHIVE_BYTES : MAX_METADATA_MEMBER_BYTES
    const limit = Math.min(cap, budget.left)
    try {
      const content = inflateMember(member, memberData(archive, member), limit)
      // A stored member is a view of the archive; only inflated bytes are new memory.
      if (member.method !== 0) budget.left -= content.length
      files[member.name] = content
    } catch (error) {
      if (!(error instanceof ZipBudgetError)) {
        if (!JAVA_ARCHIVE.test(member.name)) throw error
        // A nested jar whose stream turns corrupt after inflating a lot cost that work: charged
        // as the most it could have inflated (deflate expands at most 1032:1), so that many of
        // them cannot inflate without bound.
        if (member.method !== 0) budget.left -= Math.min(limit, member.compressedSize * 1032)
        continue
      }
      // Inflating up to the limit cost as much as keeping it would have.
      if (member.method !== 0) budget.left -= limit
      result.unread.push(
        limit === cap
          ? `its member ${at(member.name)} inflates to more than ${formatBytes(cap)}`
          : `its members inflate to more than ${formatBytes(MAX_ARCHIVE_INFLATE_BYTES)} in all, passed at ${at(member.name)}`
      )
    }
  }
  const found: JavaPackage[] = []
  const seen = new Set<string>()
  const properties = Object.keys(files)
    .filter((name) => POM_PROPERTIES.test(name))
    .sort()
  for (const name of properties) {
    const props = javaProperties(Buffer.from(files[name]!).toString('utf8'))
    const group = props.get('groupId')
    const artifact = props.get('artifactId')
    const version = props.get('version')
    if (!group || !artifact || !version) continue
    // A shaded jar may carry the same coordinates twice (its own and a relocated copy).
    const key = `${group}:${artifact}@${version}`
    if (seen.has(key)) continue
    seen.add(key)
    const pom = files[`${directoryOf(name)}pom.xml`]
    const licenses = pom === undefined ? [] : pomLicenses(Buffer.from(pom).toString('utf8'))
    found.push(maven(group, artifact, version, nested, licenses))
  }
  if (found.length === 0) {
    const fromManifest = manifestPackage(files[MANIFEST], fileName, nested)
    if (fromManifest !== undefined) found.push(fromManifest)
  }
  for (const pkg of found) result.packages.push(pkg)
  for (const name of Object.keys(files).sort()) {
    if (!JAVA_ARCHIVE.test(name)) continue
    const content = files[name]!
    // Dropped from the map so that each nested archive's bytes go once it has been read.
    delete files[name]
    try {
      scan(content, name.slice(name.lastIndexOf('/') + 1), depth + 1, at(name), budget, result)
    } catch {
      // A nested file named *.jar that is not a zip (a test resource) holds no packages.
    }
  }
}

/** `a/b/pom.properties` → `a/b/`, `pom.properties` → ``. */
function directoryOf(name: string): string {
  return name.slice(0, name.lastIndexOf('/') + 1)
}

function maven(
  group: string,
  artifact: string,
  version: string,
  nested: string,
  licenses: string[] = []
): JavaPackage {
  return {
    // OSV's Maven package names are `groupId:artifactId`.
    name: `${group}:${artifact}`,
    version,
    ecosystem: 'Maven',
    purl: purl('maven', group, artifact, version),
    licenses,
    nested
  }
}

/** java.util.Properties: `key=value` or `key: value`, `#`/`!` comments. */
function javaProperties(text: string): Map<string, string> {
  const result = new Map<string, string>()
  for (const line of text.split(/\r?\n/)) {
    const trimmed = line.trim()
    if (trimmed === '' || trimmed.startsWith('#') || trimmed.startsWith('!')) continue
    const match = /^([^=:\s]+)\s*[=:\s]\s*(.*)$/.exec(trimmed)
    if (match !== null) result.set(match[1]!, match[2]!.trim())
  }
  return result
}

/** Manifest main attributes: `Name: value`, continuation lines start with one space. */
function manifestAttributes(bytes: Uint8Array): Map<string, string> {
  const text = Buffer.from(bytes)
    .toString('utf8')
    .replace(/\r?\n /g, '')
  const main = text.split(/\r?\n\r?\n/)[0] ?? ''
  const result = new Map<string, string>()
  for (const line of main.split(/\r?\n/)) {
    const colon = line.indexOf(':')
    if (colon > 0) result.set(line.slice(0, colon).trim(), line.slice(colon + 1).trim())
  }
  return result
}

function manifestPackage(
  bytes: Uint8Array | undefined,
  fileName: string,
  nested: string
): JavaPackage | undefined {
  const attributes = bytes === undefined ? new Map<string, string>() : manifestAttributes(bytes)
  // `name-1.2.3.jar` is the Maven repository layout's file name.
  const fromFile = /^(.+?)-(\d[^-]*(?:-[A-Za-z0-9.]+)?)\.[a-z]+$/i.exec(fileName)
  const version =
    attributes.get('Implementation-Version') ?? attributes.get('Bundle-Version') ?? fromFile?.[2]
  const symbolic = attributes.get('Bundle-SymbolicName')?.split(';')[0]?.trim()
  const artifact = fromFile?.[1] ?? attributes.get('Implementation-Title') ?? symbolic
  if (version === undefined || artifact === undefined) return undefined
  const vendorId = attributes.get('Implementation-Vendor-Id')?.trim()
  const group =
    (vendorId !== undefined && MAVEN_ID.test(vendorId) ? vendorId : undefined) ??
    groupOf(symbolic, artifact) ??
    groupOf(attributes.get('Automatic-Module-Name')?.trim(), artifact)
  // purl-spec requires a Maven namespace; like Syft, fall back to the artifact id.
  return maven(group ?? artifact, artifact, version, nested)
}

/** Maven's groupId/artifactId characters (maven-model's ID_REGEX). */
const MAVEN_ID = /^[A-Za-z0-9_.-]+$/

/**
 * The groupId an OSGi symbolic name or a JPMS module name implies: the name without its artifact
 * id (`com.fasterxml.jackson.core.jackson-databind` → `com.fasterxml.jackson.core`), else, as
 * Trivy reads it, without its last segment (`org.apache.commons.text` → `org.apache.commons`),
 * when what is left is a reverse domain name (`javax.inject` for `atinject-jsr330-api` gives
 * no groupId rather than `javax`).
 */
function groupOf(name: string | undefined, artifact: string): string | undefined {
  if (name === undefined || !MAVEN_ID.test(name)) return undefined
  if (name.endsWith(`.${artifact}`)) return name.slice(0, -artifact.length - 1)
  const group = name.slice(0, Math.max(0, name.lastIndexOf('.')))
  return group.includes('.') ? group : undefined
}

/** Licence names in a pom.xml, each held to this length; a longer one is no name. */
const MAX_LICENSE_NAME_CHARS = 200
/** `<license>` entries read from one pom.xml. */
const MAX_POM_LICENSES = 16

/**
 * `<licenses><license><name>` of a POM (maven-4.0.0.xsd), as SPDX ids where the name, else the
 * `<url>`, determines one, and the rest as written (judged as free text by the licence policy).
 * Text-level: the project's own `<licenses>` is the first one, and no other POM element holds a
 * `<licenses>`.
 */
export function pomLicenses(xml: string): string[] {
  const text = withoutComments(xml)
  const start = text.indexOf('<licenses>')
  const end = text.indexOf('</licenses>', start)
  if (start === -1 || end === -1) return []
  const section = text.slice(start, end)
  const licenses: string[] = []
  for (const entry of section.split('<license>').slice(1, MAX_POM_LICENSES + 1)) {
    const name = /<name>([^<]*)<\/name>/.exec(entry)?.[1]
    const url = /<url>([^<]*)<\/url>/.exec(entry)?.[1]
    const license =
      (name === undefined ? undefined : spdxLicense(xmlText(name))) ??
      (url === undefined ? undefined : licenseOfUrl(xmlText(url))) ??
      (name === undefined ? undefined : xmlText(name))
    if (license !== undefined && license !== '' && license.length <= MAX_LICENSE_NAME_CHARS)
      licenses.push(license)
  }
  return licenses
}

function withoutComments(xml: string): string {
  let out = ''
  let at = 0
  for (;;) {
    const open = xml.indexOf('<!--', at)
    if (open === -1) return out + xml.slice(at)
    out += xml.slice(at, open)
    const close = xml.indexOf('-->', open + 4)
    if (close === -1) return out
    at = close + 3
  }
}

const XML_ENTITIES: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'"
}

function xmlText(raw: string): string {
  return raw
    .replace(/&(amp|lt|gt|quot|apos);/g, (_, entity: string) => XML_ENTITIES[entity]!)
    .replace(/\s+/g, ' ')
    .trim()
}

/**
 * The licence a `<url>` names: opensource.org's pages (`/licenses/MIT`, `/license/unlicense/`,
 * `/licenses/mit-license.php`) by the name in their path, the others by the table below.
 */
function licenseOfUrl(url: string): string | undefined {
  const osi =
    /^https?:\/\/(?:www\.)?opensource\.org\/licenses?\/([A-Za-z0-9.+-]+?)(?:-license)?(?:\.php|\.html)?\/?$/i.exec(
      url
    )?.[1]
  return osi !== undefined ? spdxLicense(osi) : SPDX_BY_URL.find(([re]) => re.test(url))?.[1]
}

const SPDX_BY_URL: [RegExp, string][] = [
  [/^https?:\/\/(?:www\.)?apache\.org\/licenses\/LICENSE-2\.0(?:\.txt|\.html)?$/, 'Apache-2.0'],
  [/^https?:\/\/(?:www\.)?eclipse\.org\/legal\/epl-v10\.html$/, 'EPL-1.0'],
  [/^https?:\/\/(?:www\.)?eclipse\.org\/legal\/epl-2\.0\/?$/, 'EPL-2.0']
]
