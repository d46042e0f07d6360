/**
 * How severe a vulnerability is, from what its records say. One precedence, documented in
 * docs/vulnerability-data.md:
 *   1. for distribution packages, the distribution's own rating of the matched package
 *      (Debian urgency, Ubuntu priority) — it knows how the package is built and used;
 *   2. the newest CVSS version given: v4.0, else v3.x, else v2 (base score, FIRST's ratings);
 *   3. the database's own rating (GHSA `database_specific.severity`);
 *   4. otherwise `unknown`, which the policy maps (input `unknown-severity`, default medium).
 * When records of one problem disagree, the best-ranked source wins, then the worse severity.
 */
import cvss from 'ae-cvss-calculator'
import type { Severity } from '../../../findings.js'
import { severityFromScore, severityRank } from '../../../findings.js'
import type { OsvAffected, OsvSeverity } from './schema.js'

export type AdvisorySeverity = Severity | 'unknown'

export interface SeverityRating {
  severity: AdvisorySeverity
  /** Where it came from, for the report: `CVSS 4.0 8.7`, `Debian urgency high`, `GHSA MODERATE`. */
  source: string
  /** 1 distribution, 2 CVSS v4, 3 CVSS v3, 4 CVSS v2, 5 database, 6 unknown: lower wins. */
  precedence: number
}

export const UNKNOWN_RATING: SeverityRating = {
  severity: 'unknown',
  source: 'no rating in the data',
  precedence: 6
}

/** NVD's CVSS v2 ratings: there is no critical in v2. */
function ratingFromV2Score(score: number): Severity {
  if (score >= 7) return 'high'
  if (score >= 4) return 'medium'
  if (score > 0) return 'low'
  return 'info'
}

const CVSS_METRIC = /^[A-Za-z]+:[A-Za-z]+$/

type BaseScore = { version: string; score: number } | undefined

/** Scores by vector: advisories repeat a few thousand distinct vectors across many records. */
const scores = new Map<string, BaseScore>()

/** The base score of a vector, or undefined when the vector is malformed. */
export function cvssBaseScore(vector: string): BaseScore {
  if (!scores.has(vector)) scores.set(vector, computeBaseScore(vector))
  return scores.get(vector)
}

function computeBaseScore(vector: string): BaseScore {
  const parts = vector.trim().split('/')
  const prefix = /^CVSS:(\d\.\d)$/.exec(parts[0] ?? '')?.[1]
  const metrics = prefix === undefined ? parts : parts.slice(1)
  if (metrics.length === 0 || !metrics.every((m) => CVSS_METRIC.test(m))) return undefined
  try {
    const calculator =
      prefix === '4.0'
        ? new cvss.Cvss4P0(vector)
        : prefix === '3.1'
          ? new cvss.Cvss3P1(vector)
          : prefix === '3.0'
            ? new cvss.Cvss3P0(vector)
            : prefix === undefined
              ? new cvss.Cvss2(vector)
              : undefined
    const score = calculator?.calculateScores().base
    return typeof score === 'number' && Number.isFinite(score)
      ? { version: prefix ?? '2.0', score }
      : undefined
  } catch {
    return undefined
  }
}

function cvssRating(entry: OsvSeverity): SeverityRating | undefined {
  if (!['CVSS_V2', 'CVSS_V3', 'CVSS_V4'].includes(entry.type)) return undefined
  const base = cvssBaseScore(entry.score)
  // A vector whose metrics are all missing scores 0 in the library; that is no rating at all.
  if (base === undefined || base.score === 0) return undefined
  const precedence = base.version === '4.0' ? 2 : base.version.startsWith('3') ? 3 : 4
  return {
    severity: precedence === 4 ? ratingFromV2Score(base.score) : severityFromScore(base.score),
    source: `CVSS ${base.version} ${base.score.toFixed(1)}`,
    precedence
  }
}

/** Debian security tracker urgencies; `**`-marked ones are the same level (not yet reviewed). */
const DEBIAN_URGENCY: Record<string, Severity> = {
  unimportant: 'low',
  low: 'low',
  medium: 'medium',
  high: 'high'
}

/** Ubuntu CVE tracker priorities (OSV severity type `Ubuntu`). */
const UBUNTU_PRIORITY: Record<string, Severity> = {
  negligible: 'low',
  low: 'low',
  medium: 'medium',
  high: 'high',
  critical: 'critical'
}

function distributionRating(affected: OsvAffected): SeverityRating | undefined {
  const urgency = [affected.ecosystem_specific?.urgency, affected.database_specific?.urgency].find(
    (value): value is string => typeof value === 'string'
  )
  const debian =
    urgency === undefined ? undefined : DEBIAN_URGENCY[urgency.replace(/\*+$/, '').trim()]
  if (debian !== undefined) {
    return { severity: debian, source: `Debian urgency ${urgency}`, precedence: 1 }
  }
  const ubuntu = affected.severity?.find((s) => s.type === 'Ubuntu')
  const priority = ubuntu === undefined ? undefined : UBUNTU_PRIORITY[ubuntu.score.toLowerCase()]
  return priority === undefined || ubuntu === undefined
    ? undefined
    : { severity: priority, source: `Ubuntu priority ${ubuntu.score}`, precedence: 1 }
}

/** GHSA `database_specific.severity`: LOW, MODERATE, HIGH, CRITICAL. */
const DATABASE_SEVERITY: Record<string, Severity> = {
  LOW: 'low',
  MODERATE: 'medium',
  MEDIUM: 'medium',
  HIGH: 'high',
  CRITICAL: 'critical'
}

/** Better first: lower precedence, then the worse severity (unknown is never worse). */
export function compareRatings(a: SeverityRating, b: SeverityRating): number {
  const rank = (r: SeverityRating): number =>
    r.severity === 'unknown' ? -1 : severityRank(r.severity)
  return a.precedence - b.precedence || rank(b) - rank(a)
}

export interface RatedAdvisory {
  severity?: OsvSeverity[]
  databaseSeverity?: string
}

/** The rating of one record for one matched `affected` entry. */
export function rateAdvisory(
  advisory: RatedAdvisory,
  affected: OsvAffected,
  distributionPackage: boolean
): SeverityRating {
  const candidates: SeverityRating[] = []
  if (distributionPackage) {
    const distribution = distributionRating(affected)
    if (distribution !== undefined) candidates.push(distribution)
  }
  for (const entry of [...(affected.severity ?? []), ...(advisory.severity ?? [])]) {
    const rating = cvssRating(entry)
    if (rating !== undefined) candidates.push(rating)
  }
  const database =
    advisory.databaseSeverity === undefined
      ? undefined
      : DATABASE_SEVERITY[advisory.databaseSeverity.toUpperCase()]
  if (database !== undefined) {
    candidates.push({
      severity: database,
      source: `database severity ${advisory.databaseSeverity}`,
      precedence: 5
    })
  }
  return bestRating(candidates)
}

export function bestRating(ratings: SeverityRating[]): SeverityRating {
  return [...ratings].sort(compareRatings)[0] ?? UNKNOWN_RATING
}
