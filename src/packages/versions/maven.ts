/**
 * Maven version ordering: org.apache.maven.artifact.versioning.ComparableVersion as shipped in
 * Maven 3.8 (the reference the tests run against). A version is a list of items: numbers,
 * qualifiers (alpha < beta < milestone < rc = cr < snapshot < "" = ga = final = release < sp <
 * any other, lexically) and sub-lists started by `-` or by a switch between digits and letters.
 */
import { compareDigits, compareText, sign, type VersionComparator } from './comparator.js'

type Item = { kind: 'int'; value: string } | { kind: 'string'; value: string } | ListItem
interface ListItem {
  kind: 'list'
  items: Item[]
}

const QUALIFIERS = ['alpha', 'beta', 'milestone', 'rc', 'snapshot', '', 'sp']
const ALIASES: Record<string, string> = { ga: '', final: '', release: '', cr: 'rc' }
const RELEASE_INDEX = String(QUALIFIERS.indexOf(''))

function stringItem(value: string, followedByDigit: boolean): Item {
  let name = value
  if (followedByDigit && name.length === 1) {
    name = { a: 'alpha', b: 'beta', m: 'milestone' }[name] ?? name
  }
  return { kind: 'string', value: ALIASES[name] ?? name }
}

function comparableQualifier(qualifier: string): string {
  const index = QUALIFIERS.indexOf(qualifier)
  return index === -1 ? `${QUALIFIERS.length}-${qualifier}` : String(index)
}

function parseItem(isDigit: boolean, text: string): Item {
  return isDigit ? { kind: 'int', value: text.replace(/^0+/, '') || '0' } : stringItem(text, false)
}

function isNull(item: Item): boolean {
  if (item.kind === 'int') return item.value === '0'
  if (item.kind === 'string') return comparableQualifier(item.value) === RELEASE_INDEX
  return item.items.length === 0
}

/** ListItem.normalize: drop trailing null items (0, "", empty lists) up to the last non-list. */
function normalize(list: ListItem): void {
  for (let i = list.items.length - 1; i >= 0; i--) {
    const item = list.items[i]!
    if (isNull(item)) list.items.splice(i, 1)
    else if (item.kind !== 'list') break
  }
}

function parse(version: string): ListItem {
  const text = version.toLowerCase()
  const root: ListItem = { kind: 'list', items: [] }
  let list = root
  const stack: ListItem[] = [root]
  const push = (): void => {
    const next: ListItem = { kind: 'list', items: [] }
    list.items.push(next)
    list = next
    stack.push(next)
  }
  let isDigit = false
  let start = 0
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!
    if (c === '.' || c === '-') {
      list.items.push(
        i === start ? { kind: 'int', value: '0' } : parseItem(isDigit, text.slice(start, i))
      )
      start = i + 1
      if (c === '-') push()
    } else if (c >= '0' && c <= '9') {
      if (!isDigit && i > start) {
        list.items.push(stringItem(text.slice(start, i), true))
        start = i
        push()
      }
      isDigit = true
    } else {
      if (isDigit && i > start) {
        list.items.push(parseItem(true, text.slice(start, i)))
        start = i
        push()
      }
      isDigit = false
    }
  }
  if (text.length > start) list.items.push(parseItem(isDigit, text.slice(start)))
  while (stack.length > 0) normalize(stack.pop()!)
  return root
}

/** Item.compareTo; `b` undefined stands for Java's null (the other list ran out). */
function compareItem(a: Item, b: Item | undefined): number {
  if (a.kind === 'int') {
    if (b === undefined) return a.value === '0' ? 0 : 1
    return b.kind === 'int' ? compareDigits(a.value, b.value) : 1
  }
  if (a.kind === 'string') {
    if (b === undefined) return sign(compareText(comparableQualifier(a.value), RELEASE_INDEX))
    if (b.kind === 'int' || b.kind === 'list') return -1
    return sign(compareText(comparableQualifier(a.value), comparableQualifier(b.value)))
  }
  if (b === undefined) {
    // MNG-6964: the whole list is compared with null, not only its first item.
    for (const item of a.items) {
      const result = compareItem(item, undefined)
      if (result !== 0) return result
    }
    return 0
  }
  if (b.kind === 'int') return -1
  if (b.kind === 'string') return 1
  for (let i = 0; i < Math.max(a.items.length, b.items.length); i++) {
    const left = a.items[i]
    const right = b.items[i]
    const result =
      left === undefined
        ? right === undefined
          ? 0
          : -compareItem(right, undefined)
        : compareItem(left, right)
    if (result !== 0) return result
  }
  return 0
}

export const mavenComparator: VersionComparator = {
  name: 'Maven',
  compare: (a, b) => compareItem(parse(a), parse(b)),
  isValid: (version) => version.trim() !== ''
}
