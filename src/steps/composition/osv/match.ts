/**
 * Matching packages against the advisory index with OSV's range semantics
 * (ossf.github.io/osv-schema, "Evaluation"), merging aliases so one problem in one package is
 * one result. Pure.
 */
import type { Package } from '../../../packages/model.js'
import {
  baseEcosystem,
  comparatorFor,
  goComparator,
  semverComparator,
  type VersionComparator
} from '../../../packages/versions/index.js'
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

/** One problem in one package: the records that name it, and every id it goes by. */
interface Problem {
  ids: Set<string>
  hits: Hit[]
  /** The hits about this problem alone; a DSA fixing three CVEs is about each of them only in part. */
  own: Hit[]
}

/**
 * Groups matching records into problems, as the OSV schema relates ids: `aliases` are the same
 * vulnerability (symmetric, transitive); `upstream` names the vulnerabilities a downstream record
 * (a distribution's) is about (transitive, not symmetric). A record's problems are the upstream-
 * most ids it reaches; a record with no upstream is a problem of its own. So `DEBIAN-CVE-2023-4911`
 * (upstream `CVE-2023-4911`) and `DSA-5514-1` (upstream `CVE-2023-4527`, `CVE-2023-4911`) are two
 * problems, CVE-2023-4527 and CVE-2023-4911, the DSA listed with each. `related` is not followed:
 * the schema means other vulnerabilities by it.
 */
function groupProblems(hits: Hit[]): Problem[] {
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
    find(entry.advisory.id)
    for (const alias of entry.advisory.aliases) union(entry.advisory.id, alias)
  }
  // Upstream links between alias classes, for following them transitively.
  const upstreamOf = new Map<string, Set<string>>()
  for (const { entry } of hits) {
    if (entry.advisory.upstream.length === 0) continue
    const root = find(entry.advisory.id)
    const set = upstreamOf.get(root) ?? new Set<string>()
    for (const id of entry.advisory.upstream) set.add(id)
    upstreamOf.set(root, set)
  }
  const reach = (root: string, seen: Set<string>): string[] => {
    const ids: string[] = []
    for (const id of upstreamOf.get(root) ?? []) {
      if (seen.has(id)) continue
      seen.add(id)
      ids.push(id, ...reach(find(id), seen))
    }
    return ids
  }
  const problems = new Map<string, Problem>()
  const problem = (root: string): Problem => {
    let found = problems.get(root)
    if (found === undefined) {
      found = { ids: new Set([root]), hits: [], own: [] }
      problems.set(root, found)
    }
    return found
  }
  for (const hit of hits) {
    const { id, aliases } = hit.entry.advisory
    const upstream = reach(find(id), new Set([id]))
    const roots = [...new Set(upstream.filter((u) => !upstreamOf.has(find(u))).map((u) => find(u)))]
    if (roots.length === 0) roots.push(find(id))
    for (const root of roots) {
      const target = problem(root)
      target.hits.push(hit)
      for (const known of [id, ...aliases]) target.ids.add(known)
      if (roots.length === 1) {
        target.own.push(hit)
        for (const known of upstream) target.ids.add(known)
      }
    }
  }
  // Every name of the problem itself: ids that alias its root.
  for (const id of parent.keys()) problems.get(find(id))?.ids.add(id)
  return [...problems.values()]
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
  return groupProblems(hits)
    .map(({ ids, hits: group, own }) => {
      const id = canonicalId([...ids])
      const fixedVersion = lowestVersion(
        group.flatMap((hit) => hit.fixed),
        pkg.ecosystem
      )
      // A record about several problems (a DSA) speaks for each only where none of its own does.
      const about = own.length > 0 ? own : group
      const rating = bestRating(
        about.map(({ entry }) => rateAdvisory(entry.advisory, entry.affected, pkg.kind === 'os'))
      )
      const summary = about.map(({ entry }) => entry.advisory.summary).find((s) => s !== undefined)
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
