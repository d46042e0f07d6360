/**
 * RubyGems version ordering (Gem::Version#<=>): segments of digits or letters; a letter segment
 * makes a pre-release (`1.0.a` < `1.0`); `-` is read as `.pre.`; trailing zeros of the numeric
 * part and of the pre-release part do not count.
 */
import { compareDigits, compareText, type VersionComparator } from './comparator.js'

// Gem::Version::ANCHORED_VERSION_PATTERN
const PATTERN = /^\s*[0-9]+(?:\.[0-9a-zA-Z]+)*(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?\s*$/

type Segment = string | { number: string }

function canonicalSegments(version: string): Segment[] {
  const text = version.trim().replace(/-/g, '.pre.')
  const segments: Segment[] = [...text.matchAll(/[0-9]+|[a-z]+/gi)].map(([s]) =>
    /^\d/.test(s) ? { number: s } : s
  )
  const firstString = segments.findIndex((s) => typeof s === 'string')
  const split = firstString === -1 ? segments.length : firstString
  const trim = (part: Segment[]): Segment[] => {
    const copy = [...part]
    while (copy.length > 0) {
      const last = copy[copy.length - 1]!
      if (typeof last === 'string' || !/^0+$/.test(last.number)) break
      copy.pop()
    }
    return copy
  }
  return [...trim(segments.slice(0, split)), ...trim(segments.slice(split))]
}

function compareGems(a: string, b: string): number {
  const x = canonicalSegments(a)
  const y = canonicalSegments(b)
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const left = x[i] ?? { number: '0' }
    const right = y[i] ?? { number: '0' }
    if (typeof left === 'string' && typeof right === 'string') {
      const result = compareText(left, right)
      if (result !== 0) return result
    } else if (typeof left === 'string') {
      return -1
    } else if (typeof right === 'string') {
      return 1
    } else {
      const result = compareDigits(left.number, right.number)
      if (result !== 0) return result
    }
  }
  return 0
}

export const rubygemsComparator: VersionComparator = {
  name: 'RubyGems',
  compare: compareGems,
  isValid: (version) => PATTERN.test(version)
}
