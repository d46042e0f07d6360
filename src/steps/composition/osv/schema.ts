/** The OSV schema (ossf.github.io/osv-schema, 1.3–1.7): the fields matching and reporting read. */

export interface OsvEvent {
  introduced?: string
  fixed?: string
  last_affected?: string
  limit?: string
}

export interface OsvRange {
  type: 'ECOSYSTEM' | 'SEMVER' | 'GIT' | string
  repo?: string
  events: OsvEvent[]
}

export interface OsvSeverity {
  type: 'CVSS_V2' | 'CVSS_V3' | 'CVSS_V4' | 'Ubuntu' | string
  score: string
}

export interface OsvAffected {
  package?: { ecosystem: string; name: string; purl?: string }
  severity?: OsvSeverity[]
  ranges?: OsvRange[]
  versions?: string[]
  ecosystem_specific?: Record<string, unknown>
  database_specific?: Record<string, unknown>
}

export interface OsvRecord {
  schema_version?: string
  id: string
  modified?: string
  published?: string
  withdrawn?: string
  aliases?: string[]
  /** Schema 1.7: the upstream vulnerabilities a downstream record (e.g. a distribution's) derives from. */
  upstream?: string[]
  related?: string[]
  summary?: string
  details?: string
  severity?: OsvSeverity[]
  affected?: OsvAffected[]
  database_specific?: Record<string, unknown>
}

/** Checks the shape matching relies on; anything else in the record is left alone. */
export function isOsvRecord(value: unknown): value is OsvRecord {
  if (typeof value !== 'object' || value === null) return false
  const record = value as Partial<OsvRecord>
  return (
    typeof record.id === 'string' &&
    (record.affected === undefined || Array.isArray(record.affected)) &&
    (record.aliases === undefined || Array.isArray(record.aliases))
  )
}
