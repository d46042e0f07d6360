/**
 * PEP 440 version ordering for PyPI, as the `packaging` library implements it
 * (packaging.version.Version: epoch, release, pre, post, dev, local).
 */
import { compareDigits, compareText, sign, type VersionComparator } from './comparator.js'

// packaging.version.VERSION_PATTERN, anchored, case-insensitive.
const PATTERN = new RegExp(
  '^\\s*v?' +
    '(?:(?<epoch>[0-9]+)!)?' +
    '(?<release>[0-9]+(?:\\.[0-9]+)*)' +
    '(?<pre>[-_.]?(?<pre_l>alpha|a|beta|b|preview|pre|c|rc)[-_.]?(?<pre_n>[0-9]+)?)?' +
    '(?<post>(?:-(?<post_n1>[0-9]+))|(?:[-_.]?(?<post_l>post|rev|r)[-_.]?(?<post_n2>[0-9]+)?))?' +
    '(?<dev>[-_.]?(?<dev_l>dev)[-_.]?(?<dev_n>[0-9]+)?)?' +
    '(?:\\+(?<local>[a-z0-9]+(?:[-_.][a-z0-9]+)*))?' +
    '\\s*$',
  'i'
)

/** A key part: -Infinity/Infinity stand for packaging's NegativeInfinity/Infinity. */
type Part = number | string

interface Key {
  epoch: string
  release: string[]
  pre: [Part, Part]
  post: Part
  dev: Part
  local: Array<string> | undefined
}

const PRE_NAMES: Record<string, string> = {
  alpha: 'a',
  a: 'a',
  beta: 'b',
  b: 'b',
  c: 'rc',
  pre: 'rc',
  preview: 'rc',
  rc: 'rc'
}

function key(version: string): Key | undefined {
  const groups = PATTERN.exec(version)?.groups
  if (groups === undefined) return undefined
  const release = (groups.release ?? '0').split('.')
  // Trailing zeros do not count: 1.0 == 1.0.0.
  while (release.length > 1 && /^0+$/.test(release[release.length - 1]!)) release.pop()
  const preLabel = groups.pre_l === undefined ? undefined : PRE_NAMES[groups.pre_l.toLowerCase()]
  const postNumber =
    groups.post_n1 ?? groups.post_n2 ?? (groups.post_l === undefined ? undefined : '0')
  const devNumber = groups.dev_l === undefined ? undefined : (groups.dev_n ?? '0')
  const pre: [Part, Part] =
    preLabel !== undefined
      ? [preLabel, groups.pre_n ?? '0']
      : postNumber === undefined && devNumber !== undefined
        ? [-Infinity, -Infinity] // 1.0.dev0 sorts before 1.0a0
        : [Infinity, Infinity]
  return {
    epoch: groups.epoch ?? '0',
    release,
    pre,
    post: postNumber ?? -Infinity,
    dev: devNumber ?? Infinity,
    local: groups.local?.toLowerCase().split(/[-_.]/)
  }
}

/** Numbers compare as numbers, labels as text; the infinities bound both. */
function comparePart(a: Part, b: Part): number {
  if (typeof a === 'number' || typeof b === 'number') {
    const x = typeof a === 'number' ? a : 0
    const y = typeof b === 'number' ? b : 0
    return sign(x - y)
  }
  return /^\d+$/.test(a) && /^\d+$/.test(b) ? compareDigits(a, b) : compareText(a, b)
}

/** Local segments: numeric beats alphanumeric; a shorter list that is a prefix sorts first. */
function compareLocal(a: string[] | undefined, b: string[] | undefined): number {
  if (a === undefined || b === undefined) return a === b ? 0 : a === undefined ? -1 : 1
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i]
    const y = b[i]
    if (x === undefined || y === undefined) return x === undefined ? -1 : 1
    const xNumeric = /^\d+$/.test(x)
    const yNumeric = /^\d+$/.test(y)
    if (xNumeric !== yNumeric) return xNumeric ? 1 : -1
    const result = xNumeric ? compareDigits(x, y) : compareText(x, y)
    if (result !== 0) return result
  }
  return 0
}

function compareRelease(a: string[], b: string[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const result = compareDigits(a[i] ?? '0', b[i] ?? '0')
    if (result !== 0) return result
  }
  return 0
}

function comparePep440(a: string, b: string): number {
  const x = key(a)
  const y = key(b)
  if (x === undefined || y === undefined) return 0
  return (
    compareDigits(x.epoch, y.epoch) ||
    compareRelease(x.release, y.release) ||
    comparePart(x.pre[0], y.pre[0]) ||
    comparePart(x.pre[1], y.pre[1]) ||
    comparePart(x.post, y.post) ||
    comparePart(x.dev, y.dev) ||
    compareLocal(x.local, y.local)
  )
}

export const pep440Comparator: VersionComparator = {
  name: 'PEP 440',
  compare: comparePep440,
  isValid: (version) => key(version) !== undefined
}
