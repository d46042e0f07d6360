/**
 * The advisory index: ecosystem + package name → the `affected` entries naming it, built once
 * per data version so that matching costs O(packages), not O(advisories). Pure.
 */
import { baseEcosystem } from '../../../packages/versions/index.js'
import type { OsvAffected, OsvRange, OsvRecord, OsvSeverity } from './schema.js'

/** What reports and severity need of a record; details and references are not kept. */
export interface Advisory {
  id: string
  aliases: string[]
  upstream: string[]
  summary?: string
  severity?: OsvSeverity[]
  /** GHSA `database_specific.severity`. */
  databaseSeverity?: string
}

export interface AffectedEntry {
  advisory: Advisory
  affected: OsvAffected
}

export interface AdvisoryIndex {
  lookup(ecosystem: string, name: string): AffectedEntry[]
  /** Records indexed (withdrawn ones are not). */
  readonly advisories: number
  readonly withdrawn: number
  /** Ecosystems named by some indexed record. */
  readonly ecosystems: ReadonlySet<string>
}

/** An index's contents by key, as the builder holds them and an index file stores them. */
export interface IndexContents {
  entries: ReadonlyMap<string, AffectedEntry[]>
  advisories: number
  withdrawn: number
  ecosystems: ReadonlySet<string>
}

/** How each ecosystem spells a package name the same way twice (OSV "affected[].package.name"). */
export function normalizeName(ecosystem: string, name: string): string {
  switch (baseEcosystem(ecosystem)) {
    case 'PyPI':
      // PEP 503 normalised names: runs of -, _ and . are one -, case-insensitive.
      return name.toLowerCase().replace(/[-_.]+/g, '-')
    case 'NuGet':
    case 'Packagist':
      return name.toLowerCase()
    default:
      return name
  }
}

export function indexKey(ecosystem: string, name: string): string {
  return `${ecosystem}\0${normalizeName(ecosystem, name)}`
}

function stringArray(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : []
}

/** The distribution's rating lives in `ecosystem_specific`/`database_specific.urgency` (Debian). */
function urgencyOf(specific: Record<string, unknown> | undefined): Record<string, unknown> {
  const urgency = specific?.urgency
  return typeof urgency === 'string' ? { urgency } : {}
}

/**
 * Only what matching (ranges, versions) and rating (severity, urgency) read — the package is the
 * index key: GHSA and distribution records carry source URLs, binaries and the like in the
 * `*_specific` objects, which would make the index, in memory and on disk, several times larger.
 */
function indexedAffected(affected: OsvAffected): OsvAffected {
  const ecosystemSpecific = urgencyOf(affected.ecosystem_specific)
  const databaseSpecific = urgencyOf(affected.database_specific)
  return {
    ...(affected.severity === undefined ? {} : { severity: affected.severity }),
    ...(affected.ranges === undefined
      ? {}
      : {
          ranges: affected.ranges.map((range): OsvRange => ({
            type: range.type,
            events: range.events
          }))
        }),
    ...(affected.versions === undefined ? {} : { versions: affected.versions }),
    ...(Object.keys(ecosystemSpecific).length === 0
      ? {}
      : { ecosystem_specific: ecosystemSpecific }),
    ...(Object.keys(databaseSpecific).length === 0 ? {} : { database_specific: databaseSpecific })
  }
}

/** An index over entries found by key (a map in memory, or slices of an index file). */
export function indexOf(
  counts: Omit<IndexContents, 'entries'>,
  entries: (key: string) => AffectedEntry[] | undefined
): AdvisoryIndex {
  return {
    lookup: (ecosystem, name) => entries(indexKey(ecosystem, name)) ?? [],
    advisories: counts.advisories,
    withdrawn: counts.withdrawn,
    ecosystems: counts.ecosystems
  }
}

/** Collects records one at a time (so a large zip never sits in memory whole), then indexes them. */
export class AdvisoryIndexBuilder {
  private readonly entries = new Map<string, AffectedEntry[]>()
  private readonly ecosystems = new Set<string>()
  private advisories = 0
  private withdrawn = 0

  add(record: OsvRecord): void {
    // OSV "withdrawn": the record is no longer valid; its affected list must not be matched.
    if (record.withdrawn !== undefined) {
      this.withdrawn++
      return
    }
    const databaseSeverity = record.database_specific?.severity
    const advisory: Advisory = {
      id: record.id,
      aliases: stringArray(record.aliases),
      upstream: stringArray(record.upstream),
      ...(record.summary === undefined ? {} : { summary: record.summary }),
      ...(record.severity === undefined ? {} : { severity: record.severity }),
      ...(typeof databaseSeverity === 'string' ? { databaseSeverity } : {})
    }
    this.advisories++
    for (const affected of record.affected ?? []) {
      const pkg = affected.package
      if (typeof pkg?.ecosystem !== 'string' || typeof pkg.name !== 'string') continue
      this.ecosystems.add(pkg.ecosystem)
      const k = indexKey(pkg.ecosystem, pkg.name)
      const entry = { advisory, affected: indexedAffected(affected) }
      const list = this.entries.get(k)
      if (list === undefined) this.entries.set(k, [entry])
      else list.push(entry)
    }
  }

  contents(): IndexContents {
    return {
      entries: this.entries,
      advisories: this.advisories,
      withdrawn: this.withdrawn,
      ecosystems: this.ecosystems
    }
  }

  build(): AdvisoryIndex {
    return indexOf(this.contents(), (key) => this.entries.get(key))
  }
}

export function buildIndex(records: Iterable<OsvRecord>): AdvisoryIndex {
  const builder = new AdvisoryIndexBuilder()
  for (const record of records) builder.add(record)
  return builder.build()
}

/** Several indexes (one per ecosystem's zip) looked up as one. */
export function combineIndexes(indexes: AdvisoryIndex[]): AdvisoryIndex {
  if (indexes.length === 1) return indexes[0]!
  return {
    lookup: (ecosystem, name) => indexes.flatMap((index) => index.lookup(ecosystem, name)),
    advisories: indexes.reduce((sum, index) => sum + index.advisories, 0),
    withdrawn: indexes.reduce((sum, index) => sum + index.withdrawn, 0),
    ecosystems: new Set(indexes.flatMap((index) => [...index.ecosystems]))
  }
}
