/**
 * What stops a finding from blocking besides its severity: ignores written in the policy file
 * (each with a reason and maybe an expiry date) and a baseline report, compared by fingerprint,
 * so a pull request is blocked only for the findings it introduced (docs/architecture.md).
 */
import { readFile, stat } from 'node:fs/promises'
import { formatBytes } from '../units.js'
import { minimatch } from 'minimatch'
import { ConfigurationError } from '../errors.js'
import { isSeverity, type Finding, type GatedFinding } from '../findings.js'
import type { BaselineSummary, ExpiredIgnore, FixedFinding } from '../report/model.js'

/** One entry of `ignores:`. Every selector given must match; at least one is given. */
export interface Ignore {
  rule?: string
  fingerprint?: string
  /** minimatch glob against the finding's path in the image. */
  path?: string
  /** A package name or purl. */
  package?: string
  /** A vulnerability id or one of its aliases. */
  vulnerability?: string
  reason: string
  /** `YYYY-MM-DD`: the ignore suppresses through this day (UTC) and not after. */
  until?: string
  /** Where it is written, e.g. `.container-gate.yml:12`; reported as `suppressed.source`. */
  source: string
}

/** What the policy knows besides thresholds when it gates findings. */
export interface Suppression {
  ignores: Ignore[]
  /** Today as `YYYY-MM-DD` (UTC), to expire ignores. */
  today: string
  /** Fingerprints of the baseline report's findings, when a baseline was given. */
  baseline?: ReadonlySet<string>
  /** Findings already in the baseline are reported but do not block. */
  failOnNewOnly: boolean
}

export function isoDay(date: Date): string {
  return date.toISOString().slice(0, 10)
}

export function isExpired(ignore: Ignore, today: string): boolean {
  // ISO dates compare correctly as text.
  return ignore.until !== undefined && ignore.until < today
}

export function expiredIgnores(ignores: Ignore[], today: string): ExpiredIgnore[] {
  return ignores
    .filter((ignore) => isExpired(ignore, today))
    .map(({ source, reason, until }) => ({ source, reason, until: until! }))
}

export function matchesIgnore(ignore: Ignore, finding: Finding, fingerprint: string): boolean {
  const { path } = finding.location
  return (
    (ignore.rule === undefined || ignore.rule === finding.rule) &&
    (ignore.fingerprint === undefined || ignore.fingerprint === fingerprint) &&
    (ignore.path === undefined ||
      (path !== undefined && minimatch(path, ignore.path, { dot: true }))) &&
    (ignore.package === undefined ||
      ignore.package === finding.package?.name ||
      ignore.package === finding.package?.purl) &&
    (ignore.vulnerability === undefined ||
      ignore.vulnerability === finding.vulnerability?.id ||
      (finding.vulnerability?.aliases.includes(ignore.vulnerability) ?? false))
  )
}

/** No ignores and no baseline: only the steps' own suppressions apply. */
export const NO_SUPPRESSION: Suppression = { ignores: [], today: '', failOnNewOnly: false }

/**
 * The one place a finding becomes suppressed: the first active ignore that matches, else the
 * step's own suppression (a VEX statement, a secret allow-list); then the baseline applies.
 */
export function suppress(
  findings: (GatedFinding & Pick<Finding, 'suppression'>)[],
  suppression: Suppression
): GatedFinding[] {
  const active = suppression.ignores.filter((ignore) => !isExpired(ignore, suppression.today))
  return findings.map(({ suppression: own, ...finding }) => {
    const ignore = active.find((candidate) =>
      matchesIgnore(candidate, finding, finding.fingerprint)
    )
    const suppressed = ignore === undefined ? own : { reason: ignore.reason, source: ignore.source }
    const result: GatedFinding = suppressed === undefined ? finding : { ...finding, suppressed }
    if (suppression.baseline !== undefined) {
      result.baseline = suppression.baseline.has(finding.fingerprint) ? 'unchanged' : 'new'
      if (suppression.failOnNewOnly && result.baseline === 'unchanged') result.blocking = false
    }
    return result
  })
}

/** A finding as a baseline report holds it: only what the comparison and the comment need. */
export interface BaselineFinding extends FixedFinding {
  blocking: boolean
}

/** The findings of a baseline report, and where they came from. */
export interface Baseline {
  source: string
  /** The findings it lists, without those standing for unlisted ones (policy/evaluate.ts). */
  findings: BaselineFinding[]
  /** Fingerprints of findings it counted but did not list. */
  unlisted?: string[]
}

/** Every fingerprint the baseline knows, listed or not. */
export function baselineFingerprints(baseline: Baseline): Set<string> {
  const known = new Set(baseline.findings.map((finding) => finding.fingerprint))
  for (const print of baseline.unlisted ?? []) known.add(print)
  return known
}

/** The baseline of a report made in this run (a baseline image scanned now). */
export function reportBaseline(source: string, findings: GatedFinding[]): Baseline {
  const listed: BaselineFinding[] = []
  const unlisted: string[] = []
  for (const { fingerprint, rule, severity, title, blocking, unlisted: more } of findings) {
    if (more === undefined) listed.push({ fingerprint, rule, severity, title, blocking })
    else for (const print of more.fingerprints) unlisted.push(print)
  }
  return { source, findings: listed, unlisted }
}

/** New, unchanged and fixed counts for the report and the PR comment. */
export function compareBaseline(
  findings: GatedFinding[],
  baseline: Baseline,
  failOnNewOnly: boolean
): BaselineSummary {
  const previous = baselineFingerprints(baseline)
  const current = new Set<string>()
  let total = 0
  let unchanged = 0
  for (const finding of findings) {
    // A finding standing for unlisted ones is those; any known only by number are new.
    const prints = finding.unlisted?.fingerprints ?? [finding.fingerprint]
    total += finding.unlisted?.count ?? 1
    for (const print of prints) {
      current.add(print)
      if (previous.has(print)) unchanged += 1
    }
  }
  const fixed = baseline.findings
    .filter((finding) => !current.has(finding.fingerprint))
    .map(({ fingerprint, rule, severity, title }) => ({ fingerprint, rule, severity, title }))
  return {
    source: baseline.source,
    new: total - unchanged,
    unchanged,
    fixed,
    failOnNewOnly
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/**
 * Reads the findings of a JSON report (docs/architecture.md: schemaVersion 1). A report that
 * is not one is a ConfigurationError naming the input; the caller decides what a missing file means.
 */
export function parseBaselineReport(text: string, source: string): Baseline {
  const bad = (why: string): ConfigurationError =>
    new ConfigurationError(
      `input "baseline" ${source} ${why}; pass a JSON report written by container-gate --report, or an image reference.`,
      'BAD_BASELINE'
    )
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    throw bad('is not JSON')
  }
  if (!isRecord(parsed) || parsed.schemaVersion !== 1 || !Array.isArray(parsed.findings)) {
    throw bad('is not a container-gate report (schemaVersion 1 with findings)')
  }
  const findings: BaselineFinding[] = []
  const unlisted: string[] = []
  parsed.findings.forEach((item: unknown, index) => {
    if (
      !isRecord(item) ||
      typeof item.fingerprint !== 'string' ||
      typeof item.rule !== 'string' ||
      typeof item.severity !== 'string' ||
      !isSeverity(item.severity)
    ) {
      throw bad(`has a finding without fingerprint, rule or severity at findings[${index}]`)
    }
    // The finding standing for a rule's unlisted ones: it is not one, they are.
    if (isRecord(item.unlisted)) {
      const prints = item.unlisted.fingerprints
      if (!Array.isArray(prints) || !prints.every((print) => typeof print === 'string')) {
        throw bad(`has unlisted findings without fingerprints at findings[${index}]`)
      }
      for (const print of prints) unlisted.push(print)
      return
    }
    findings.push({
      fingerprint: item.fingerprint,
      rule: item.rule,
      severity: item.severity,
      title: typeof item.title === 'string' ? item.title : item.rule,
      blocking: item.blocking === true
    })
  })
  return { source, findings, unlisted }
}

/** A report file (`*.json`, or any path that exists) rather than an image reference. */
export function isReportPath(value: string, exists: (path: string) => boolean): boolean {
  return value.toLowerCase().endsWith('.json') || exists(value)
}

/** A report of 100,000 findings is about 60 MB; a baseline larger than this is not a report. */
const MAX_BASELINE_BYTES = 256 * 1024 * 1024

/** Reads a baseline report; undefined when the file does not exist (e.g. no cache yet). */
export async function readBaselineReport(path: string): Promise<Baseline | undefined> {
  let text: string
  try {
    const { size } = await stat(path)
    if (size > MAX_BASELINE_BYTES) {
      throw new ConfigurationError(
        `input "baseline" ${path} is ${formatBytes(size)}, more than the ${formatBytes(MAX_BASELINE_BYTES)} a report may be; name the JSON report of an earlier run.`,
        'BAD_BASELINE'
      )
    }
    text = await readFile(path, 'utf8')
  } catch (error) {
    if (error instanceof ConfigurationError) throw error
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw new ConfigurationError(
      `input "baseline" ${path} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'}); name a readable JSON report.`,
      'BAD_BASELINE',
      { cause: error }
    )
  }
  return parseBaselineReport(text, path)
}
