/**
 * Go module build information embedded in Go binaries (Go's debug/buildinfo): a 32-byte header
 * starting `\xff Go buildinf:` at a 16-byte aligned offset; from Go 1.18 (flags bit 2) the
 * toolchain version and the module info follow as varint-length-prefixed strings. Go 1.13–1.17
 * put the addresses of two Go string variables there instead (go-legacy.ts reads those).
 */
import type { Package } from '../../../packages/model.js'
import { purl } from '../../../packages/purl.js'
import { fields } from './elf.js'

export const GO_BUILDINFO_MAGIC = Buffer.from('\xff Go buildinf:', 'latin1')
export const GO_BUILDINFO_HEADER = 32
const FLAGS_INLINE_STRINGS = 0x2

export type Draft = Omit<Package, 'path' | 'layerDigest' | 'kind'>

const FLAGS_BIG_ENDIAN = 0x1

/**
 * What `header` (at least 16 bytes from the magic) is: a Go 1.18+ header with the strings inline,
 * a Go 1.13–1.17 header with their addresses, or undefined (the magic as a string constant).
 */
export function buildInfoHeaderKind(header: Buffer): 'inline' | 'addresses' | undefined {
  const ptrSize = header[14]
  if (!header.subarray(0, 14).equals(GO_BUILDINFO_MAGIC) || (ptrSize !== 4 && ptrSize !== 8))
    return undefined
  return ((header[15] ?? 0) & FLAGS_INLINE_STRINGS) !== 0 ? 'inline' : 'addresses'
}

/** True when `header` is a Go 1.18+ build info header, not the magic as a string constant. */
function isBuildInfoHeader(header: Buffer): boolean {
  return buildInfoHeaderKind(header) === 'inline'
}

/** A Go 1.13–1.17 header: the addresses of runtime.buildVersion and runtime.modinfo (Go strings). */
export interface BuildInfoAddresses {
  ptrSize: 4 | 8
  little: boolean
  version: number
  modInfo: number
}

/** The addresses in a Go 1.13–1.17 header (32 bytes from the magic), else undefined. */
export function buildInfoAddresses(header: Buffer): BuildInfoAddresses | undefined {
  if (header.length < GO_BUILDINFO_HEADER || buildInfoHeaderKind(header) !== 'addresses')
    return undefined
  const ptrSize = header[14] === 4 ? 4 : 8
  const little = (header[15]! & FLAGS_BIG_ENDIAN) === 0
  const { word } = fields(little, ptrSize === 8)
  return { ptrSize, little, version: word(header, 16), modInfo: word(header, 16 + ptrSize) }
}

/** runtime/debug's sentinels around the module info string (cmd/go/internal/modload). */
export const MODINFO_START = Buffer.from('3077af0c9274080241e1c107e6d618e6', 'hex')
export const MODINFO_END = Buffer.from('f932433186182072008242104116d8f2', 'hex')

/** The module info without runtime/debug's 16-byte sentinels, when it carries them. */
export function unwrapModInfo(modInfo: string): string {
  return modInfo.length >= 33 && modInfo[modInfo.length - 17] === '\n'
    ? modInfo.slice(16, -16)
    : modInfo
}

function readString(bytes: Buffer, offset: number): [string, number] | undefined {
  let length = 0
  let shift = 0
  let at = offset
  for (;;) {
    const byte = bytes[at++]
    if (byte === undefined || shift > 28) return undefined
    length |= (byte & 0x7f) << shift
    shift += 7
    if ((byte & 0x80) === 0) break
  }
  if (at + length > bytes.length) return undefined
  return [bytes.toString('utf8', at, at + length), at + length]
}

export interface GoBuildInfo {
  /** e.g. `go1.22.3` */
  goVersion: string
  /** debug.BuildInfo.String(): `path`, `mod`, `dep`, `=>`, `build` lines. */
  modInfo: string
}

/** Reads the version and module info from bytes starting at the magic. */
export function parseBuildInfo(bytes: Buffer): GoBuildInfo | undefined {
  if (!isBuildInfoHeader(bytes)) return undefined
  const version = readString(bytes, GO_BUILDINFO_HEADER)
  if (version === undefined) return undefined
  const mod = readString(bytes, version[1])
  if (mod === undefined) return undefined
  return { goVersion: version[0], modInfo: unwrapModInfo(mod[0]) }
}

/** Settings read from one binary's module info; longer lines are not Go's and are skipped. */
const MAX_SETTING_CHARS = 64 * 1024
/** `-X` assignments looked at in one `-ldflags` value before giving up. */
const MAX_X_ASSIGNMENTS = 256

/**
 * The `build` lines of debug.BuildInfo.String() (`build\tkey=value`). runtime/debug writes a
 * value with spaces, tabs, quotes or newlines as strconv.Quote does; the first setting of a key wins.
 */
function buildSettings(lines: string[]): Map<string, string> {
  const settings = new Map<string, string>()
  for (const line of lines) {
    if (!line.startsWith('build\t') || line.length > MAX_SETTING_CHARS) continue
    const setting = line.slice('build\t'.length)
    const equals = setting.indexOf('=')
    if (equals <= 0) continue
    const key = setting.slice(0, equals)
    const raw = setting.slice(equals + 1)
    const value = raw.startsWith('"') ? goUnquote(raw) : raw
    if (value !== undefined && !settings.has(key)) settings.set(key, value)
  }
  return settings
}

const ESCAPES: Record<string, string> = {
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  '\\': '\\',
  '"': '"',
  "'": "'"
}

/** strconv.Unquote for a double-quoted Go string literal; undefined when it is not one. */
function goUnquote(quoted: string): string | undefined {
  if (quoted.length < 2 || !quoted.endsWith('"')) return undefined
  const body = quoted.slice(1, -1)
  let out = ''
  for (let at = 0; at < body.length; at++) {
    const char = body[at]!
    if (char === '"') return undefined
    if (char !== '\\') {
      out += char
      continue
    }
    const next = body[++at]
    if (next === undefined) return undefined
    const simple = ESCAPES[next]
    if (simple !== undefined) {
      out += simple
      continue
    }
    const digits = next === 'x' ? 2 : next === 'u' ? 4 : next === 'U' ? 8 : 0
    const hex = body.slice(at + 1, at + 1 + digits)
    if (digits === 0 || !/^[0-9a-fA-F]+$/.test(hex) || hex.length !== digits) return undefined
    const code = parseInt(hex, 16)
    if (code > 0x10ffff) return undefined
    out += String.fromCodePoint(code)
    at += digits
  }
  return out
}

/** cmd/internal/quoted.Split, which cmd/go applies to `-ldflags`: fields split on spaces, '…' or "…" quoting. */
function splitFlags(flags: string): string[] {
  const fields: string[] = []
  let at = 0
  while (at < flags.length) {
    while (at < flags.length && /\s/.test(flags[at]!)) at++
    if (at >= flags.length) break
    const quote = flags[at]
    if (quote === '"' || quote === "'") {
      const end = flags.indexOf(quote, at + 1)
      if (end === -1) break
      fields.push(flags.slice(at + 1, end))
      at = end + 1
    } else {
      let end = at
      while (end < flags.length && !/\s/.test(flags[end]!)) end++
      fields.push(flags.slice(at, end))
      at = end
    }
  }
  return fields
}

/** A full SemVer 2.0.0 version, `v` optional: what a release stamps into its version variable. */
const SEMVER =
  /^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/

/**
 * The version a release build stamped with the linker (`-ldflags "-X main.version=v1.2.3"`), as
 * Trivy reads it: the first `-X importpath.name=value` whose variable name is `version` or `ver` in
 * any case (`main.version`, `main.Version`, `…/version.Version`, `…/cmd.version`, `main.VER`) and
 * whose value is SemVer. Given as a Go module version, with the `v`.
 */
export function ldflagsVersion(ldflags: string): string | undefined {
  const fields = splitFlags(ldflags.slice(0, MAX_SETTING_CHARS))
  let seen = 0
  for (let i = 0; i < fields.length && seen < MAX_X_ASSIGNMENTS; i++) {
    const field = fields[i]!
    let assignment: string | undefined
    if (field === '-X' || field === '--X') assignment = fields[++i]
    else if (field.startsWith('-X=')) assignment = field.slice(3)
    else if (field.startsWith('--X=')) assignment = field.slice(4)
    if (assignment === undefined) continue
    seen++
    const equals = assignment.indexOf('=')
    if (equals <= 0) continue
    const symbol = assignment.slice(0, equals)
    const name = symbol.slice(symbol.lastIndexOf('.') + 1).toLowerCase()
    const value = assignment.slice(equals + 1).trim()
    if (symbol.includes('.') && (name === 'version' || name === 'ver') && SEMVER.test(value)) {
      return value.startsWith('v') ? value : `v${value}`
    }
  }
  return undefined
}

/** What `vcs.revision` holds: a git or Mercurial commit hash (Go writes it as the VCS prints it). */
const VCS_REVISION = /^[0-9a-f]{12,64}$/

/**
 * The pseudo-version (go.dev/ref/mod#pseudo-versions) of a build from a checkout without a tag,
 * `v0.0.0-<UTC yyyymmddhhmmss of vcs.time>-<first 12 hex of vcs.revision>`, with `+dirty` for
 * `vcs.modified=true`: what Go 1.24 and later stamp as the main module's version themselves, so
 * older toolchains' `(devel)` builds read the same. OSV's Go ranges are SEMVER, where a
 * pseudo-version is a pre-release of v0.0.0 and orders by commit time like any other Go version.
 */
export function vcsPseudoVersion(settings: Map<string, string>): string | undefined {
  const revision = settings.get('vcs.revision')
  const time = settings.get('vcs.time')
  if (revision === undefined || time === undefined || !VCS_REVISION.test(revision)) return undefined
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/.test(time))
    return undefined
  const date = new Date(time)
  if (Number.isNaN(date.getTime())) return undefined
  const stamp = date
    .toISOString()
    .replace(/\.\d+Z$/, '')
    .replace(/[-:T]/g, '')
  const dirty = settings.get('vcs.modified') === 'true' ? '+dirty' : ''
  return `v0.0.0-${stamp}-${revision.slice(0, 12)}${dirty}`
}

/** The version Go itself gives a main module it knows no version of (runtime/debug.Module). */
const DEVEL = '(devel)'

/**
 * The version of a `(devel)` main module: the version a release stamped with `-X`, else the
 * pseudo-version of the commit it was built from. A commit without a time (`vcs.revision` but no
 * `vcs.time`: cmd/go writes the time only when the VCS gave one) can have no pseudo-version, which
 * orders by that time; the module keeps Go's `(devel)`, as Syft reports it
 * (`pkg:golang/…@(devel)`; Trivy leaves the version empty). A `v0.0.0-<revision>` would be a
 * SemVer pre-release that OSV's ranges order below every release, so it would match each advisory
 * introduced at 0; `(devel)` is no version a comparator orders, and matches no range. With no
 * commit either, nothing identifies the build: it is left out.
 */
function mainModuleVersion(settings: Map<string, string>): string | undefined {
  const stamped = ldflagsVersion(settings.get('-ldflags') ?? '') ?? vcsPseudoVersion(settings)
  if (stamped !== undefined) return stamped
  return VCS_REVISION.test(settings.get('vcs.revision') ?? '') ? DEVEL : undefined
}

export function goPackages(info: GoBuildInfo): Draft[] {
  const lines = info.modInfo.split('\n')
  const modules: { path: string; version: string; main?: true }[] = []
  // Worked out once: a crafted buildinfo may hold many `mod` lines, each asking for it.
  let mainVersion: string | undefined
  for (const line of lines) {
    const [kind, path, version] = line.split('\t')
    if (path === undefined || version === undefined) continue
    if (kind === 'mod' && (version === DEVEL || version === '')) {
      // A main module built from a checkout, not fetched at a version (`go install m@v`).
      mainVersion ??= mainModuleVersion(buildSettings(lines)) ?? ''
      modules.push({ path, version: mainVersion, main: true })
    } else if (kind === 'mod' || kind === 'dep') modules.push({ path, version })
    // `=>` replaces the module on the line before it.
    else if (kind === '=>' && modules.length > 0) modules[modules.length - 1] = { path, version }
  }
  const drafts = modules
    .filter((m) => m.version !== '' && (m.version !== DEVEL || m.main === true))
    .map((m): Draft => {
      const slash = m.path.lastIndexOf('/')
      return {
        name: m.path,
        version: m.version,
        ecosystem: 'Go',
        purl: purl(
          'golang',
          slash === -1 ? undefined : m.path.slice(0, slash),
          m.path.slice(slash + 1),
          m.version
        ),
        licenses: []
      }
    })
  // OSV lists Go's standard library as the `stdlib` module with versions like `1.22.3`.
  const toolchain = /^go(\d+\.\d+(?:\.\d+)?)/.exec(info.goVersion)?.[1]
  if (toolchain !== undefined) {
    drafts.push({
      name: 'stdlib',
      version: toolchain,
      ecosystem: 'Go',
      purl: purl('golang', undefined, 'stdlib', toolchain),
      licenses: []
    })
  }
  return drafts
}
