/** The account databases of the image: passwd(5), group(5), shadow(5). */

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

function records(text: string): string[][] {
  return text
    .split('\n')
    .map((line) => line.replace(/\r$/, ''))
    .filter((line) => line.trim() !== '' && !line.startsWith('#'))
    .map((line) => line.split(':'))
}

function id(field: string | undefined): number | undefined {
  return field !== undefined && /^\d+$/.test(field) ? Number(field) : undefined
}

/** Lines with a non-numeric UID/GID are skipped, as getpwent(3) does (NIS `+` lines, typos). */
export function parsePasswd(text: string): PasswdEntry[] {
  const entries: PasswdEntry[] = []
  for (const [name, password = '', uidField, gidField, , , shell = ''] of records(text)) {
    const uid = id(uidField)
    const gid = id(gidField)
    if (name && uid !== undefined && gid !== undefined) {
      entries.push({ name, password, uid, gid, shell })
    }
  }
  return entries
}

export function parseGroup(text: string): GroupEntry[] {
  const entries: GroupEntry[] = []
  for (const [name, , gidField] of records(text)) {
    const gid = id(gidField)
    if (name && gid !== undefined) entries.push({ name, gid })
  }
  return entries
}

export function parseShadow(text: string): ShadowEntry[] {
  return records(text)
    .filter(([name]) => Boolean(name))
    .map(([name = '', password = '']) => ({ name, password }))
}

/** An empty shell field means /bin/sh (passwd(5)); these shells refuse interactive logins. */
const NON_LOGIN_SHELL = /\/(nologin|false|sync|halt|shutdown)$/

export function hasLoginShell(entry: PasswdEntry): boolean {
  return !NON_LOGIN_SHELL.test(entry.shell)
}

/** IDs used by more than one name, in ascending order. */
export function duplicateIds(entries: Array<{ name: string; id: number }>): Map<number, string[]> {
  const byId = new Map<number, string[]>()
  for (const { name, id } of entries) byId.set(id, [...(byId.get(id) ?? []), name])
  return new Map([...byId].filter(([, names]) => names.length > 1).sort(([a], [b]) => a - b))
}
