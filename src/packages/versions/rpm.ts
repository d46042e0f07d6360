/**
 * RPM version ordering: `[epoch:]version[-release]`, each part compared with rpmvercmp
 * (rpm lib/rpmvercmp.c, rpm ≥ 4.15 with `~` sorting before and `^` after the end of a version).
 */
import { compareDigits, compareText, sign, type VersionComparator } from './comparator.js'

const isAlnum = (c: string | undefined): boolean => c !== undefined && /[A-Za-z0-9]/.test(c)
const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9'
const isAlpha = (c: string | undefined): boolean => c !== undefined && /[A-Za-z]/.test(c)

export function rpmvercmp(a: string, b: string): number {
  if (a === b) return 0
  let i = 0
  let j = 0
  for (;;) {
    while (i < a.length && !isAlnum(a[i]) && a[i] !== '~' && a[i] !== '^') i++
    while (j < b.length && !isAlnum(b[j]) && b[j] !== '~' && b[j] !== '^') j++
    if (a[i] === '~' || b[j] === '~') {
      if (a[i] !== '~') return 1
      if (b[j] !== '~') return -1
      i++
      j++
      continue
    }
    if (a[i] === '^' || b[j] === '^') {
      if (i >= a.length) return -1
      if (j >= b.length) return 1
      if (a[i] !== '^') return 1
      if (b[j] !== '^') return -1
      i++
      j++
      continue
    }
    if (i >= a.length || j >= b.length) break
    const numeric = isDigit(a[i])
    const take = numeric ? isDigit : isAlpha
    let x = i
    while (take(a[x])) x++
    let y = j
    while (take(b[y])) y++
    // A numeric segment is newer than an alphabetic one.
    if (y === j) return numeric ? 1 : -1
    const left = a.slice(i, x)
    const right = b.slice(j, y)
    const result = numeric ? compareDigits(left, right) : compareText(left, right)
    if (result !== 0) return sign(result)
    i = x
    j = y
  }
  if (i >= a.length && j >= b.length) return 0
  return i < a.length ? 1 : -1
}

export interface Evr {
  epoch: string
  version: string
  release?: string
}

export function parseEvr(value: string): Evr {
  const colon = value.indexOf(':')
  const epoch = colon === -1 ? '0' : value.slice(0, colon) || '0'
  const rest = colon === -1 ? value : value.slice(colon + 1)
  const hyphen = rest.lastIndexOf('-')
  return hyphen === -1
    ? { epoch, version: rest }
    : { epoch, version: rest.slice(0, hyphen), release: rest.slice(hyphen + 1) }
}

/** rpm's labelCompare over `epoch:version-release`; a missing epoch is 0, a missing release "". */
export const rpmComparator: VersionComparator = {
  name: 'rpm',
  compare(a, b) {
    const x = parseEvr(a)
    const y = parseEvr(b)
    return (
      sign(compareDigits(x.epoch, y.epoch)) ||
      rpmvercmp(x.version, y.version) ||
      rpmvercmp(x.release ?? '', y.release ?? '')
    )
  },
  isValid: (version) => /^(?:\d+:)?[A-Za-z0-9._+~^]+(?:-[A-Za-z0-9._+~^]+)?$/.test(version)
}
