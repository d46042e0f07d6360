/**
 * "What to fix first": findings grouped by the change a person makes — one package upgrade, or one
 * rule at one Dockerfile line — most severe first. The terminal table, the Markdown report and
 * the PR comment all print these groups.
 */
import {
  SEVERITIES,
  severityRank,
  type FindingPackage,
  type GatedFinding,
  type Severity
} from '../findings.js'
// The ecosystems' own version orders: in npm 4.17.9 < 4.17.21, which text order gets wrong.
import { comparatorFor } from '../packages/versions/index.js'
import type { BaselineSummary } from './model.js'
import { plural } from '../units.js'

export interface FixGroup {
  /** `upgrade`: one package's vulnerabilities; `rule`: one rule's findings at one Dockerfile line. */
  kind: 'upgrade' | 'rule'
  rule: string
  /** Most severe first, then in the report's order. */
  findings: GatedFinding[]
  /** The findings it clears, counting those a finding for unlisted ones stands for. */
  size: number
  severity: Severity
  blocking: boolean
  counts: Record<Severity, number>
  package?: FindingPackage
  /** The highest fixed version needed across the package's vulnerabilities. */
  fixedVersion?: string
  /** Vulnerabilities of the package with no fixed version. */
  unfixed: number
  dockerfile?: { file: string; line: number }
}

/** Compares in the ecosystem's order; text order when the ecosystem has none or a version is invalid. */
function compareVersions(ecosystem: string, a: string, b: string): number {
  const comparator = comparatorFor(ecosystem)
  if (comparator !== undefined && comparator.isValid(a) && comparator.isValid(b)) {
    return comparator.compare(a, b)
  }
  return a < b ? -1 : a > b ? 1 : 0
}

function groupKey(finding: GatedFinding): string {
  const pkg = finding.package
  if (pkg !== undefined && finding.vulnerability !== undefined) {
    return ['upgrade', pkg.ecosystem, pkg.name, pkg.version, finding.location.path ?? ''].join('\0')
  }
  // Blocking findings are kept apart so a blocking row counts only what blocks (a package's
  // upgrade clears all its vulnerabilities at once, so it stays one row).
  const dockerfile = finding.location.dockerfile
  return [
    'rule',
    finding.rule,
    dockerfile?.file ?? '',
    dockerfile?.line ?? '',
    finding.blocking
  ].join('\0')
}

/** 1, or the unsuppressed findings a finding for a rule's unlisted ones stands for. */
function cleared(finding: GatedFinding): number {
  const counts = finding.unlisted?.counts
  return counts === undefined ? 1 : SEVERITIES.reduce((sum, severity) => sum + counts[severity], 0)
}

/** Groups the unsuppressed findings: most severe first, blocking first, then the biggest groups. */
export function fixGroups(findings: GatedFinding[]): FixGroup[] {
  const groups = new Map<string, FixGroup>()
  for (const finding of findings) {
    if (finding.suppressed !== undefined) continue
    const key = groupKey(finding)
    let group = groups.get(key)
    if (group === undefined) {
      const upgrade = key.startsWith('upgrade\0')
      group = {
        kind: upgrade ? 'upgrade' : 'rule',
        rule: finding.rule,
        findings: [],
        severity: finding.severity,
        blocking: false,
        size: 0,
        counts: Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>,
        unfixed: 0,
        ...(upgrade && finding.package !== undefined ? { package: finding.package } : {}),
        ...(finding.location.dockerfile === undefined
          ? {}
          : { dockerfile: finding.location.dockerfile })
      }
      groups.set(key, group)
    }
    group.findings.push(finding)
    group.size += cleared(finding)
    if (finding.unlisted === undefined) {
      group.counts[finding.severity] += 1
    } else {
      for (const severity of SEVERITIES) group.counts[severity] += finding.unlisted.counts[severity]
    }
    group.blocking ||= finding.blocking
    if (severityRank(finding.severity) > severityRank(group.severity)) {
      group.severity = finding.severity
    }
    if (group.kind === 'upgrade') {
      const fixed = finding.vulnerability?.fixedVersion
      if (fixed === undefined) group.unfixed += 1
      else if (
        group.fixedVersion === undefined ||
        compareVersions(group.package!.ecosystem, fixed, group.fixedVersion) > 0
      ) {
        group.fixedVersion = fixed
      }
    }
  }
  for (const group of groups.values()) {
    // Stable: findings of one severity keep the report's order.
    group.findings.sort((a, b) => severityRank(b.severity) - severityRank(a.severity))
  }
  return [...groups.values()]
    .map((group, order) => ({ group, order }))
    .sort(
      (a, b) =>
        severityRank(b.group.severity) - severityRank(a.group.severity) ||
        Number(b.group.blocking) - Number(a.group.blocking) ||
        b.group.size - a.group.size ||
        a.order - b.order
    )
    .map(({ group }) => group)
}

/** The blocking findings a group clears, counting those a finding for unlisted ones stands for. */
export function blockingCleared(group: FixGroup): number {
  return group.findings.reduce(
    (sum, finding) => sum + (finding.unlisted?.blocking ?? Number(finding.blocking)),
    0
  )
}

/**
 * What the blocking changes do, as the table and the PR comment head them: `11 changes for 11
 * blocking findings (and 2 more findings they clear)` — an upgrade also clears the package's
 * vulnerabilities that do not block, which the summary counts too.
 */
export function blockingHeadline(blocking: FixGroup[]): string {
  const cleared = blocking.reduce((sum, group) => sum + blockingCleared(group), 0)
  const more = blocking.reduce((sum, group) => sum + group.size, 0) - cleared
  return `${plural(blocking.length, 'change')} for ${plural(cleared, 'blocking finding')}${more > 0 ? ` (and ${plural(more, 'more finding')} they clear)` : ''}`
}

/**
 * The change, as plain unescaped text (renderers escape it for their medium):
 * `bump lodash 4.17.15 → 4.17.21`, or the finding's title, with `and N more like it`.
 */
export function fixAction(group: FixGroup): string {
  const first = group.findings[0]!
  if (group.kind === 'upgrade' && group.package !== undefined) {
    const { name, version } = group.package
    const unfixed = group.unfixed === 0 ? '' : ` (${group.unfixed} with no fixed version yet)`
    return group.fixedVersion === undefined
      ? `${name} ${version}: no fixed version yet`
      : `bump ${name} ${version} → ${group.fixedVersion}${unfixed}`
  }
  const more = group.size - cleared(first)
  return more === 0 ? first.title : `${first.title} and ${more} more like it`
}

/** How to fix it: the first finding's detail (an upgrade's action is its own fix). */
export function fixText(group: FixGroup): string | undefined {
  if (group.kind === 'upgrade') return undefined
  return group.findings[0]!.detail
}

/** Advisories an upgrade's row names before `and N more`. */
export const ADVISORIES_SHOWN = 5

/** Fixed findings a report lists by name; the rest are counted. */
export const FIXED_SHOWN = 20

/**
 * The comparison with the baseline as one sentence, the source left to the caller to escape:
 * `10 new, 6 unchanged, 2 fixed. Only new findings block (fail-on-new-only).`; `strong` marks the
 * new count where the medium can (Markdown).
 */
export function baselineCounts(
  baseline: BaselineSummary,
  strong: (text: string) => string = (text) => text
): string {
  const { new: added, unchanged, fixed, failOnNewOnly } = baseline
  return `${strong(`${added} new`)}, ${unchanged} unchanged, ${fixed.length} fixed.${failOnNewOnly ? ' Only new findings block (fail-on-new-only).' : ''}`
}

/** How a change's findings compare with the baseline: `new`, `unchanged`, or `2 of 3 new`. */
export function baselineMark(findings: GatedFinding[]): string | undefined {
  const known = findings.filter((f) => f.baseline !== undefined)
  if (known.length === 0) return undefined
  const added = known.filter((f) => f.baseline === 'new').length
  if (added === known.length) return 'new'
  return added === 0 ? 'unchanged' : `${added} of ${known.length} new`
}
