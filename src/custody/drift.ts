/**
 * Drift: what changed between the content manifest of an earlier stage and an image or a
 * running container's filesystem now. Paths a running container is expected to change are
 * ignored; an executable that appeared is the classic drift attack and is reported high.
 */
import { Minimatch } from 'minimatch'
import type { Finding, Severity } from '../findings.js'
import type { ContentEntry, ContentManifest } from './model.js'

/**
 * Runtime paths: scratch and log directories, kernel filesystems, and the files the runtime
 * bind-mounts into every container (they show up in `docker export`).
 */
export const DEFAULT_EXPECTED_CHANGES = [
  '/tmp/**',
  '/var/tmp/**',
  '/var/log/**',
  '/var/cache/**',
  '/run/**',
  '/var/run/**',
  '/proc/**',
  '/sys/**',
  '/dev/**',
  '/.dockerenv',
  '/etc/hostname',
  '/etc/hosts',
  '/etc/resolv.conf',
  '/etc/mtab'
]

export type DriftKind = 'added' | 'removed' | 'changed' | 'permissions'

export interface DriftChange {
  kind: DriftKind
  path: string
  before?: ContentEntry
  after?: ContentEntry
  /** What differs for `changed`/`permissions`: `content`, `type`, `link`, `mode`, `owner`. */
  differences: string[]
}

function isExecutable(entry: ContentEntry | undefined): boolean {
  return entry?.type === 'file' && (parseInt(entry.mode, 8) & 0o111) !== 0
}

function compile(globs: string[]): (path: string) => boolean {
  const matchers = globs.map((glob) => new Minimatch(glob, { dot: true }))
  // `/tmp/**` also covers `/tmp` itself.
  return (path) =>
    matchers.some(
      (m) => m.match(path) || (m.pattern.endsWith('/**') && m.pattern.slice(0, -3) === path)
    )
}

function differences(before: ContentEntry, after: ContentEntry): string[] {
  const found: string[] = []
  if (before.type !== after.type) found.push('type')
  else if (before.sha256 !== after.sha256 || before.size !== after.size) found.push('content')
  if (before.linkTarget !== after.linkTarget || before.device !== after.device) found.push('link')
  if (before.mode !== after.mode) found.push('mode')
  if (before.uid !== after.uid || before.gid !== after.gid) found.push('owner')
  return found
}

/**
 * Changes from `baseline` to `current`, in path order. Directories count only when both sides
 * have them: layer tars often leave parent directories implicit, a filesystem export never does.
 */
export function compareManifests(
  baseline: ContentManifest,
  current: ContentManifest,
  expected: string[] = DEFAULT_EXPECTED_CHANGES
): DriftChange[] {
  const ignored = compile(expected)
  const before = new Map(baseline.entries.map((entry) => [entry.path, entry]))
  const after = new Map(current.entries.map((entry) => [entry.path, entry]))
  const paths = [...new Set([...before.keys(), ...after.keys()])].sort()
  const changes: DriftChange[] = []
  for (const path of paths) {
    if (ignored(path)) continue
    const was = before.get(path)
    const now = after.get(path)
    if (was === undefined && now !== undefined) {
      if (now.type !== 'dir') changes.push({ kind: 'added', path, after: now, differences: [] })
    } else if (was !== undefined && now === undefined) {
      if (was.type !== 'dir') changes.push({ kind: 'removed', path, before: was, differences: [] })
    } else if (was !== undefined && now !== undefined) {
      const found = differences(was, now)
      if (found.length === 0) continue
      const kind = found.some((d) => d === 'content' || d === 'type' || d === 'link')
        ? 'changed'
        : 'permissions'
      changes.push({ kind, path, before: was, after: now, differences: found })
    }
  }
  return changes
}

function gainedPrivilege(change: DriftChange): boolean {
  const was = parseInt(change.before?.mode ?? '0', 8)
  const now = parseInt(change.after?.mode ?? '0', 8)
  return (now & ~was & 0o6000) !== 0 || (change.after?.uid === 0 && change.before?.uid !== 0)
}

function describe(entry: ContentEntry | undefined): string {
  if (entry === undefined) return 'nothing'
  const what = entry.type === 'file' ? `${entry.sha256 ?? 'unknown content'}` : entry.type
  return `${what} mode ${entry.mode} owner ${entry.uid}:${entry.gid}`
}

const FIX =
  'Rebuild and redeploy from the gated image instead of changing a running container; if the path is meant to change, add it to drift-expected.'

/** One finding per change; `against` names the baseline (e.g. its content digest). */
export function driftFindings(changes: DriftChange[], against: string): Finding[] {
  return changes.map((change): Finding => {
    let rule: string
    let severity: Severity
    let title: string
    switch (change.kind) {
      case 'added':
        rule = isExecutable(change.after) ? 'drift-added-executable' : 'drift-added-file'
        severity = isExecutable(change.after) ? 'high' : 'medium'
        title = isExecutable(change.after)
          ? `Executable ${change.path} was added after the gate`
          : `${change.path} was added after the gate`
        break
      case 'removed':
        rule = 'drift-removed-file'
        severity = 'low'
        title = `${change.path} was removed after the gate`
        break
      case 'changed':
        rule = 'drift-changed-file'
        severity = isExecutable(change.after) || isExecutable(change.before) ? 'high' : 'medium'
        title = `${change.path} changed after the gate (${change.differences.join(', ')})`
        break
      case 'permissions':
        rule = 'drift-permissions'
        severity = gainedPrivilege(change) ? 'high' : 'medium'
        title = `${change.path} changed ${change.differences.join(' and ')} after the gate`
        break
    }
    return {
      step: 'custody',
      rule: `custody/${rule}`,
      severity,
      title,
      detail: `Compared with content manifest ${against}: was ${describe(change.before)}, now ${describe(change.after)}. ${FIX}`,
      subject: change.path,
      location: { path: change.path }
    }
  })
}
