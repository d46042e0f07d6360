/**
 * Debian version ordering: deb-version(7) and Debian Policy §5.6.12, as `dpkg --compare-versions`
 * implements it (lib/dpkg/version.c, verrevcmp).
 */
import { compareDigits, sign, type VersionComparator } from './comparator.js'

interface DpkgVersion {
  epoch: string
  upstream: string
  revision: string
}

const VALID = /^(?:(\d+):)?([0-9][A-Za-z0-9.+~:-]*?)(?:-([A-Za-z0-9.+~]+))?$/

function parse(version: string): DpkgVersion {
  const trimmed = version.trim()
  const colon = trimmed.indexOf(':')
  const epoch = colon === -1 ? '0' : trimmed.slice(0, colon)
  const rest = colon === -1 ? trimmed : trimmed.slice(colon + 1)
  const hyphen = rest.lastIndexOf('-')
  return hyphen === -1
    ? { epoch, upstream: rest, revision: '' }
    : { epoch, upstream: rest.slice(0, hyphen), revision: rest.slice(hyphen + 1) }
}

const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9'
const isLetter = (c: string): boolean => /[A-Za-z]/.test(c)

/** `~` sorts before everything, even the end of the string; letters before other characters. */
function order(c: string | undefined): number {
  if (c === undefined || isDigit(c)) return 0
  if (c === '~') return -1
  if (isLetter(c)) return c.charCodeAt(0)
  return c.charCodeAt(0) + 256
}

function verrevcmp(a: string, b: string): number {
  let i = 0
  let j = 0
  while (i < a.length || j < b.length) {
    while ((i < a.length && !isDigit(a[i])) || (j < b.length && !isDigit(b[j]))) {
      const ac = order(a[i])
      const bc = order(b[j])
      if (ac !== bc) return ac - bc
      i++
      j++
    }
    let x = i
    while (isDigit(a[x])) x++
    let y = j
    while (isDigit(b[y])) y++
    const diff = compareDigits(a.slice(i, x) || '0', b.slice(j, y) || '0')
    if (diff !== 0) return diff
    i = x
    j = y
  }
  return 0
}

export const dpkgComparator: VersionComparator = {
  name: 'dpkg',
  compare(a, b) {
    const x = parse(a)
    const y = parse(b)
    return sign(
      compareDigits(x.epoch, y.epoch) ||
        verrevcmp(x.upstream, y.upstream) ||
        verrevcmp(x.revision, y.revision)
    )
  },
  isValid: (version) => VALID.test(version.trim())
}
