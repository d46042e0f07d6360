/**
 * Alpine version ordering, as apk-tools' version.c: numbers separated by dots, one optional
 * letter, suffixes (`_alpha` < `_beta` < `_pre` < `_rc` < release < `_cvs` < `_svn` < `_git` <
 * `_hg` < `_p`, each with an optional number), an optional `~hash` and the package revision `-rN`.
 */
import { compareDigits, sign, type VersionComparator } from './comparator.js'

// Token kinds in apk-tools' order: when two versions agree up to a point, the one that continues
// with the earlier kind is the greater: 1.0.1 > 1.0a > 1.0_p1 > 1.0-r1 > 1.0.
const enum Kind {
  Digit = 0,
  Letter = 1,
  Suffix = 2,
  SuffixNumber = 3,
  Hash = 4,
  Revision = 5,
  End = 6
}

interface Token {
  kind: Kind
  /** Digits for numbers, the letter, the suffix's rank, or the hash. */
  value: string | number
}

const PRE = ['alpha', 'beta', 'pre', 'rc']
const POST = ['cvs', 'svn', 'git', 'hg', 'p']
const GRAMMAR =
  /^(\d+(?:\.\d+)*)([a-z])?((?:_(?:alpha|beta|pre|rc|cvs|svn|git|hg|p)\d*)*)(?:~([0-9a-f]+))?(?:-r(\d+))?$/

function suffixRank(name: string): number {
  const pre = PRE.indexOf(name)
  return pre === -1 ? POST.indexOf(name) + 1 : pre - PRE.length
}

function tokenize(version: string): Token[] | undefined {
  const match = GRAMMAR.exec(version)
  if (match === null) return undefined
  const [, numbers = '', letter, suffixes = '', hash, revision] = match
  const tokens: Token[] = numbers.split('.').map((value) => ({ kind: Kind.Digit, value }))
  if (letter !== undefined) tokens.push({ kind: Kind.Letter, value: letter.charCodeAt(0) })
  for (const [, name = '', number = ''] of suffixes.matchAll(/_([a-z]+)(\d*)/g)) {
    tokens.push({ kind: Kind.Suffix, value: suffixRank(name) })
    if (number !== '') tokens.push({ kind: Kind.SuffixNumber, value: number })
  }
  if (hash !== undefined) tokens.push({ kind: Kind.Hash, value: hash })
  if (revision !== undefined) tokens.push({ kind: Kind.Revision, value: revision })
  tokens.push({ kind: Kind.End, value: 0 })
  return tokens
}

function compareValues(kind: Kind, a: string | number, b: string | number): number {
  if (kind === Kind.Digit || kind === Kind.SuffixNumber || kind === Kind.Revision) {
    return compareDigits(String(a), String(b))
  }
  // A hash says which commit, not which is newer: apk treats two hashes as equal.
  if (kind === Kind.Hash) return 0
  return sign(Number(a) - Number(b))
}

function compareApk(a: string, b: string): number {
  const x = tokenize(a)
  const y = tokenize(b)
  if (x === undefined || y === undefined) return 0
  for (let i = 0; ; i++) {
    const left = x[i]!
    const right = y[i]!
    if (left.kind === Kind.End && right.kind === Kind.End) return 0
    if (left.kind === right.kind) {
      const result = compareValues(left.kind, left.value, right.value)
      if (result !== 0) return sign(result)
      continue
    }
    // A pre-release suffix makes a version older than whatever the other one continues with.
    if (left.kind === Kind.Suffix && Number(left.value) < 0) return -1
    if (right.kind === Kind.Suffix && Number(right.value) < 0) return 1
    return left.kind > right.kind ? -1 : 1
  }
}

export const apkComparator: VersionComparator = {
  name: 'apk',
  compare: compareApk,
  isValid: (version) => tokenize(version) !== undefined
}
