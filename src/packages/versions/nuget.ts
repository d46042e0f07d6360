/**
 * NuGet version ordering (NuGet.Versioning VersionComparer, learn.microsoft.com "NuGet package
 * versioning"): up to four numeric parts (missing ones are 0), then release labels — a version
 * without labels is newer; labels compare dot by dot, numbers numerically and below text, text
 * case-insensitively; build metadata after `+` is ignored.
 */
import { compareDigits, compareText, type VersionComparator } from './comparator.js'

const PATTERN =
  /^\s*v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:\.(\d+))?(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?(?:\+[0-9A-Za-z-.]+)?\s*$/

interface NuGetVersion {
  numbers: string[]
  labels: string[]
}

function parse(version: string): NuGetVersion | undefined {
  const match = PATTERN.exec(version)
  if (match === null) return undefined
  const [, major = '0', minor = '0', patch = '0', revision = '0', release] = match
  return { numbers: [major, minor, patch, revision], labels: release?.split('.') ?? [] }
}

function compareLabel(a: string, b: string): number {
  const x = /^\d+$/.test(a)
  const y = /^\d+$/.test(b)
  if (x && y) return compareDigits(a, b)
  if (x !== y) return x ? -1 : 1
  return compareText(a.toLowerCase(), b.toLowerCase())
}

function compareNuGet(a: string, b: string): number {
  const x = parse(a)
  const y = parse(b)
  if (x === undefined || y === undefined) return 0
  for (let i = 0; i < 4; i++) {
    const result = compareDigits(x.numbers[i]!, y.numbers[i]!)
    if (result !== 0) return result
  }
  if (x.labels.length === 0 || y.labels.length === 0) {
    return x.labels.length === y.labels.length ? 0 : x.labels.length === 0 ? 1 : -1
  }
  for (let i = 0; i < Math.max(x.labels.length, y.labels.length); i++) {
    const left = x.labels[i]
    const right = y.labels[i]
    if (left === undefined || right === undefined) return left === undefined ? -1 : 1
    const result = compareLabel(left, right)
    if (result !== 0) return result
  }
  return 0
}

export const nugetComparator: VersionComparator = {
  name: 'NuGet',
  compare: compareNuGet,
  isValid: (version) => parse(version) !== undefined
}
