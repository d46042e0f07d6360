/**
 * SemVer 2.0.0 ordering (npm, crates.io, Hex, Pub) with the `semver` package, and Go's module
 * versions: semver with a `v` prefix, `+incompatible` builds and pseudo-versions
 * (`v0.0.0-20191109021931-daa7c04131f5`, go.dev/ref/mod#pseudo-versions), which are SemVer
 * pre-releases designed to sort correctly.
 */
import semver from 'semver'
import type { VersionComparator } from './comparator.js'

export const semverComparator: VersionComparator = {
  name: 'SemVer',
  compare: (a, b) => semver.compare(a, b),
  isValid: (version) => semver.valid(version) !== null
}

/** Go toolchain versions (`go1.21.3`, `1.22`) and module versions (`v1.2.3`) as SemVer. */
export function goToSemver(version: string): string | undefined {
  const trimmed = version.trim()
  const module = /^v?(\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?)$/.exec(trimmed)
  if (module?.[1] !== undefined) return semver.valid(module[1]) ?? undefined
  // Toolchain: go1.21, go1.21.3, go1.21rc2 (go.dev/doc/toolchain#version).
  const toolchain = /^(?:go)?(\d+)\.(\d+)(?:\.(\d+))?(?:(rc|beta)(\d+))?$/.exec(trimmed)
  if (toolchain === null) return undefined
  const [, major, minor, patch = '0', pre, preNumber] = toolchain
  return `${major}.${minor}.${patch}${pre === undefined ? '' : `-${pre}.${preNumber}`}`
}

export const goComparator: VersionComparator = {
  name: 'Go',
  compare: (a, b) => semver.compare(goToSemver(a) ?? a, goToSemver(b) ?? b),
  isValid: (version) => goToSemver(version) !== undefined
}
