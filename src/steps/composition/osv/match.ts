/**
 * Matching packages against the advisory index with OSV's range semantics
 * (ossf.github.io/osv-schema, "Evaluation"), merging aliases so one problem in one package is
 * one result. Pure.
 */
import type { Package } from '../model.js'
import {
  baseEcosystem,
  comparatorFor,
  goComparator,
  semverComparator,
  type VersionComparator
} from '../versions/index.js'
import type { AdvisoryIndex, AffectedEntry } from './index.js'
import type { OsvAffected, OsvEvent, OsvRange } from './schema.js'
import { bestRating, rateAdvisory, type SeverityRating } from './severity.js'

export interface MatchedVulnerability {
  /** The canonical id: a CVE when the problem has one, else a GHSA, else the record's id. */
  id: string
  /** Every other id of the same problem (record ids and their aliases), sorted. */
  aliases: string[]
  /** The lowest version that fixes it above the installed one; absent: no fix yet. */
  fixedVersion?: string
  rating: SeverityRating
  summary?: string
  /** The records that matched, by id. */
  records: string[]
}

interface Hit {
  entry: AffectedEntry
  fixed: string[]
}

/** The name and version OS advisories are written against: the source package for Debian, Alpine, RPM. */
export function advisoryCoordinates(pkg: Package): { name: string; version: string } {
  return pkg.kind === 'os' && pkg.source !== undefined
    ? { name: pkg.source.name, version: pkg.source.version || pkg.version }
    : { name: pkg.name, version: pkg.version }
}

function rangeComparator(range: OsvRange, ecosystem: VersionComparator | undefined, base: string) {
  if (range.type === 'SEMVER') return base === 'Go' ? goComparator : semverComparator
  return range.type === 'ECOSYSTEM' ? ecosystem : undefined
}

function eventVersion(event: OsvEvent): string | undefined {
  return event.introduced ?? event.fixed ?? event.last_affected ?? event.limit
}

/**
 * OSV evaluation: walk the events in version order ("0" first); `introduced` at or below the
 * version makes it affected, `fixed` at or below or `last_affected` below makes it not; `limit`
 * bounds the whole range. Events whose versions the ecosystem cannot parse are skipped.
 */
export function rangeIncludes(version: string, range: OsvRange, cmp: VersionComparator): boolean {
  const events = (range.events ?? []).filter((event) => {
    const v = eventVersion(event)
    return v !== undefined && (event.introduced === '0' || cmp.isValid(v))
  })
  const rank = (event: OsvEvent): number => (event.introduced !== undefined ? 0 : 1)
  events.sort((a, b) => {
    if (a.introduced === '0' || b.introduced === '0') {
      return (a.introduced === '0' ? 0 : 1) - (b.introduced === '0' ? 0 : 1)
    }
    return cmp.compare(eventVersion(a)!, eventVersion(b)!) || rank(a) - rank(b)
  })
  let affected = false
  const limits: string[] = []
  for (const event of events) {
    if (event.introduced !== undefined) {
      if (event.introduced === '0' || cmp.compare(version, event.introduced) >= 0) affected = true
    } else if (event.fixed !== undefined) {
      if (cmp.compare(version, event.fixed) >= 0) affected = false
    } else if (event.last_affected !== undefined) {
      if (cmp.compare(version, event.last_affected) > 0) affected = false
    } else if (event.limit !== undefined) {
      limits.push(event.limit)
    }
  }
  if (affected && limits.length > 0 && limits.every((limit) => cmp.compare(version, limit) >= 0)) {
    return false
  }
  return affected
}

/** Whether one `affected` entry covers the version; returns the fixes above it when it does. */
export function affects(
  affected: OsvAffected,
  version: string,
  ecosystem: string
): { fixed: string[] } | undefined {
  const comparator = comparatorFor(ecosystem)
  const base = baseEcosystem(ecosystem)
  const fixed: string[] = []
  let hit = false
  for (const range of affected.ranges ?? []) {
    const cmp = rangeComparator(range, comparator, base)
    if (cmp === undefined || !cmp.isValid(version) || !rangeIncludes(version, range, cmp)) continue
    hit = true
    for (const event of range.events ?? []) {
      if (
        event.fixed !== undefined &&
        cmp.isValid(event.fixed) &&
        cmp.compare(event.fixed, version) > 0
      ) {
        fixed.push(event.fixed)
      }
    }
  }
  // OSV "versions": an explicit list, compared exactly (or by the ecosystem's equality).
  if (!hit) {
    hit = (affected.versions ?? []).some(
      (listed) =>
        listed === version ||
        (comparator !== undefined &&
          comparator.isValid(listed) &&
          comparator.isValid(version) &&
          comparator.compare(listed, version) === 0)
    )
  }
  return hit ? { fixed } : undefined
}

const CVE = /^CVE-\d{4}-\d+$/
const GHSA = /^GHSA(-[23456789cfghjmpqrvwx]{4}){3}$/

function canonicalId(ids: string[]): string {
  const sorted = [...ids].sort()
  return sorted.find((id) => CVE.test(id)) ?? sorted.find((id) => GHSA.test(id)) ?? sorted[0]!
}

/** Union-find over ids: records sharing an alias (or a single upstream id) describe one problem. */
function groupHits(hits: Hit[]): Hit[][] {
  const parent = new Map<string, string>()
  const find = (id: string): string => {
    let root = id
    while (parent.get(root) !== undefined && parent.get(root) !== root) root = parent.get(root)!
    parent.set(id, root)
    return root
  }
  const union = (a: string, b: string): void => {
    const x = find(a)
    const y = find(b)
    if (x !== y) parent.set(y, x)
  }
  for (const { entry } of hits) {
    const { id, aliases, upstream } = entry.advisory
    find(id)
    for (const alias of aliases) union(id, alias)
    // A record derived from exactly one upstream problem is that problem; a DSA listing several
    // CVEs is not merged with each of them (that would merge unrelated problems).
    if (upstream.length === 1) union(id, upstream[0]!)
  }
  const groups = new Map<string, Hit[]>()
  for (const hit of hits) {
    const root = find(hit.entry.advisory.id)
    const group = groups.get(root)
    if (group === undefined) groups.set(root, [hit])
    else group.push(hit)
  }
  return [...groups.values()]
}

export function lowestVersion(versions: string[], ecosystem: string): string | undefined {
  const cmp = comparatorFor(ecosystem)
  const unique = [...new Set(versions)]
  if (cmp === undefined) return unique.sort()[0]
  return unique.sort((a, b) => cmp.compare(a, b))[0]
}

/** Every vulnerability affecting the package, one per problem (aliases merged). */
export function matchPackage(index: AdvisoryIndex, pkg: Package): MatchedVulnerability[] {
  const { name, version } = advisoryCoordinates(pkg)
  const base = baseEcosystem(pkg.ecosystem)
  const candidates = [
    ...index.lookup(pkg.ecosystem, name),
    // A record for the ecosystem without a release (`Debian`) applies to every release.
    ...(base === pkg.ecosystem ? [] : index.lookup(base, name))
  ]
  const hits: Hit[] = []
  for (const entry of candidates) {
    const result = affects(entry.affected, version, pkg.ecosystem)
    if (result !== undefined) hits.push({ entry, fixed: result.fixed })
  }
  return groupHits(hits)
    .map((group) => {
      const ids = new Set<string>()
      for (const { entry } of group) {
        ids.add(entry.advisory.id)
        for (const alias of entry.advisory.aliases) ids.add(alias)
        if (entry.advisory.upstream.length === 1) ids.add(entry.advisory.upstream[0]!)
      }
      const id = canonicalId([...ids])
      const fixedVersion = lowestVersion(
        group.flatMap((hit) => hit.fixed),
        pkg.ecosystem
      )
      const rating = bestRating(
        group.map(({ entry }) => rateAdvisory(entry.advisory, entry.affected, pkg.kind === 'os'))
      )
      const summary = group.map(({ entry }) => entry.advisory.summary).find((s) => s !== undefined)
      return {
        id,
        aliases: [...ids].filter((other) => other !== id).sort(),
        ...(fixedVersion === undefined ? {} : { fixedVersion }),
        rating,
        ...(summary === undefined ? {} : { summary }),
        records: [...new Set(group.map(({ entry }) => entry.advisory.id))].sort()
      }
    })
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
}
