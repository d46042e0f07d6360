/**
 * Go module build information embedded in Go binaries (Go's debug/buildinfo): a 32-byte header
 * starting `\xff Go buildinf:` at a 16-byte aligned offset; from Go 1.18 (flags bit 2) the
 * toolchain version and the module info follow as varint-length-prefixed strings.
 * Older binaries keep pointers into the data segment instead; those are not read.
 */
import type { Package } from '../../../packages/model.js'
import { purl } from '../../../packages/purl.js'

export const GO_BUILDINFO_MAGIC = Buffer.from('\xff Go buildinf:', 'latin1')
export const GO_BUILDINFO_HEADER = 32
const FLAGS_INLINE_STRINGS = 0x2

export type Draft = Omit<Package, 'path' | 'layerDigest' | 'kind'>

/** True when `header` (at least 16 bytes from the magic) is a real build info header, not the magic as a string constant. */
export function isBuildInfoHeader(header: Buffer): boolean {
  const ptrSize = header[14]
  return (
    header.subarray(0, 14).equals(GO_BUILDINFO_MAGIC) &&
    (ptrSize === 4 || ptrSize === 8) &&
    ((header[15] ?? 0) & FLAGS_INLINE_STRINGS) !== 0
  )
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
  let modInfo = mod[0]
  // runtime/debug wraps the module info in 16-byte sentinels.
  if (modInfo.length >= 33 && modInfo[modInfo.length - 17] === '\n')
    modInfo = modInfo.slice(16, -16)
  return { goVersion: version[0], modInfo }
}

export function goPackages(info: GoBuildInfo): Draft[] {
  const modules: { path: string; version: string }[] = []
  for (const line of info.modInfo.split('\n')) {
    const [kind, path, version] = line.split('\t')
    if (path === undefined || version === undefined) continue
    if (kind === 'mod' || kind === 'dep') modules.push({ path, version })
    // `=>` replaces the module on the line before it.
    else if (kind === '=>' && modules.length > 0) modules[modules.length - 1] = { path, version }
  }
  const drafts = modules
    // A main module built from a checkout has no version to match advisories against.
    .filter((m) => m.version !== '(devel)' && m.version !== '')
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
