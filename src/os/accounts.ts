/** The account databases of the image: passwd(5), group(5), shadow(5). */
import { BadRecords } from './bad-records.js'

export interface PasswdEntry {
  name: string
  /** `x` when the hash lives in /etc/shadow; empty means no password at all. */
  password: string
  uid: number
  gid: number
  shell: string
}

export interface GroupEntry {
  name: string
  gid: number
}

export interface ShadowEntry {
  name: string
  password: string
}

/**
 * An account file's entries, and the lines that look like entries but could not be read as one
 * (never dropped silently), each as `line N <why>`.
 */
export interface AccountFile<T> {
  entries: T[]
  unread: BadRecords
}

interface Fields {
  line: number
  fields: string[]
  /** NIS compat lines (`+`, `+::::::`, `-@group`) are nss_compat's; the files backend ignores them. */
  compat: boolean
}

function records(text: string): Fields[] {
  return text
    .split('\n')
    .map((line, i) => ({ line: i + 1, text: line.replace(/\r$/, '') }))
    .filter(({ text }) => text.trim() !== '' && !text.startsWith('#'))
    .map(({ line, text }) => ({ line, fields: text.split(':'), compat: /^[+-]/.test(text) }))
}

function id(field: string | undefined): number | undefined {
  return field !== undefined && /^\d+$/.test(field) ? Number(field) : undefined
}

/**
 * Why an entry line has no name or numeric ID. libc does not simply skip such a line: glibc reads
 * the UID with strtoul, so ` 0` or `+0` is root; the gate cannot vouch for what it cannot read.
 */
function problem(fields: string[], idFields: Array<[string, number]>): string | undefined {
  if (!fields[0]) return 'has no name'
  for (const [label, index] of idFields) {
    const value = fields[index]
    if (value === undefined)
      return `has ${fields.length} field${fields.length === 1 ? '' : 's'}, no ${label}`
    if (id(value) === undefined) return `${label} "${value.slice(0, 20)}" is not a number`
  }
  return undefined
}

/** passwd(5): name:password:UID:GID:GECOS:directory:shell. */
export function readPasswd(text: string): AccountFile<PasswdEntry> {
  const file: AccountFile<PasswdEntry> = { entries: [], unread: new BadRecords() }
  for (const { line, fields, compat } of records(text)) {
    const why = problem(fields, [
      ['UID', 2],
      ['GID', 3]
    ])
    if (why !== undefined) {
      if (!compat) file.unread.add(`line ${line} ${why}`)
      continue
    }
    const [name = '', password = '', uid = '', gid = '', , , shell = ''] = fields
    file.entries.push({ name, password, uid: Number(uid), gid: Number(gid), shell })
  }
  return file
}

/** group(5): name:password:GID:members. */
export function readGroup(text: string): AccountFile<GroupEntry> {
  const file: AccountFile<GroupEntry> = { entries: [], unread: new BadRecords() }
  for (const { line, fields, compat } of records(text)) {
    const why = problem(fields, [['GID', 2]])
    if (why === undefined) file.entries.push({ name: fields[0]!, gid: Number(fields[2]) })
    else if (!compat) file.unread.add(`line ${line} ${why}`)
  }
  return file
}

/** shadow(5): only the name and the password matter here; the old two-field form is valid. */
export function readShadow(text: string): AccountFile<ShadowEntry> {
  const file: AccountFile<ShadowEntry> = { entries: [], unread: new BadRecords() }
  for (const { line, fields } of records(text)) {
    const [name = '', password = ''] = fields
    if (name === '') file.unread.add(`line ${line} has no name`)
    else file.entries.push({ name, password })
  }
  return file
}

/** The entries only, for steps that need no report of unreadable lines. */
export function parsePasswd(text: string): PasswdEntry[] {
  return readPasswd(text).entries
}

/** An empty shell field means /bin/sh (passwd(5)); these shells refuse interactive logins. */
const NON_LOGIN_SHELL = /\/(nologin|false|sync|halt|shutdown)$/

export function hasLoginShell(entry: PasswdEntry): boolean {
  return !NON_LOGIN_SHELL.test(entry.shell)
}

/** IDs used by more than one name, in ascending order. */
export function duplicateIds(entries: Array<{ name: string; id: number }>): Map<number, string[]> {
  const byId = new Map<number, string[]>()
  for (const { name, id } of entries) {
    const names = byId.get(id)
    if (names === undefined) byId.set(id, [name])
    else names.push(name)
  }
  return new Map([...byId].filter(([, names]) => names.length > 1).sort(([a], [b]) => a - b))
}
