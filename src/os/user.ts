/**
 * The image config's `User` (OCI image-spec config.md): `user`, `uid`, `user:group`, `uid:gid`,
 * `uid:group`, `user:gid`; empty means root.
 */
import type { GroupEntry, PasswdEntry } from './accounts.js'

export interface ConfiguredUser {
  /** The value as written, trimmed; '' when unset. */
  raw: string
  user: string
  group?: string
}

export function parseUser(value: string | undefined): ConfiguredUser {
  const raw = (value ?? '').trim()
  const colon = raw.indexOf(':')
  if (colon < 0) return { raw, user: raw }
  const group = raw.slice(colon + 1)
  return { raw, user: raw.slice(0, colon), ...(group === '' ? {} : { group }) }
}

export function isNumericId(value: string): boolean {
  return /^\d+$/.test(value)
}

/** What the runtime would run as, resolved the way runc does (libcontainer/user). */
export interface ResolvedUser {
  root: boolean
  /** Undefined when a name cannot be resolved: the runtime refuses to start the container. */
  uid?: number
  gid?: number
  /** The GID came from no group and no passwd entry: runc falls back to GID 0. */
  gidDefaulted: boolean
  unknownUser?: string
  unknownGroup?: string
}

export function resolveUser(
  configured: ConfiguredUser,
  passwd: PasswdEntry[],
  groups: GroupEntry[]
): ResolvedUser {
  const { user, group } = configured
  const entry = isNumericId(user)
    ? passwd.find((candidate) => candidate.uid === Number(user))
    : passwd.find((candidate) => candidate.name === user)
  const uid = isNumericId(user) ? Number(user) : entry?.uid
  const root = user === '' || user === 'root' || uid === 0

  let gid: number | undefined
  let unknownGroup: string | undefined
  if (group === undefined) {
    gid = entry?.gid ?? (isNumericId(user) ? 0 : undefined)
  } else if (isNumericId(group)) {
    gid = Number(group)
  } else {
    gid = groups.find((candidate) => candidate.name === group)?.gid
    if (gid === undefined) unknownGroup = group
  }

  return {
    root,
    ...(uid === undefined ? {} : { uid }),
    ...(gid === undefined ? {} : { gid }),
    gidDefaulted: group === undefined && entry === undefined && isNumericId(user),
    ...(user !== '' && !isNumericId(user) && entry === undefined ? { unknownUser: user } : {}),
    ...(unknownGroup === undefined ? {} : { unknownGroup })
  }
}
