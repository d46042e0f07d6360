/**
 * The advisory index: ecosystem + package name → the `affected` entries naming it, built once
 * per data version so that matching costs O(packages), not O(advisories). Pure.
 */
import { baseEcosystem } from '../versions/index.js'
import type { OsvAffected, OsvRecord, OsvSeverity } from './schema.js'

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

function key(ecosystem: string, name: string): string {
  return `${ecosystem}\0${normalizeName(ecosystem, name)}`
}

function stringArray(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : []
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
      const k = key(pkg.ecosystem, pkg.name)
      const entry = { advisory, affected }
      const list = this.entries.get(k)
      if (list === undefined) this.entries.set(k, [entry])
      else list.push(entry)
    }
  }

  build(): AdvisoryIndex {
    const entries = this.entries
    return {
      lookup: (ecosystem, name) => entries.get(key(ecosystem, name)) ?? [],
      advisories: this.advisories,
      withdrawn: this.withdrawn,
      ecosystems: this.ecosystems
    }
  }
}

export function buildIndex(records: Iterable<OsvRecord>): AdvisoryIndex {
  const builder = new AdvisoryIndexBuilder()
  for (const record of records) builder.add(record)
  return builder.build()
}
