/** The one finding shape every step produces and every report prints (docs/architecture.md). */
import { createHash } from 'node:crypto'

export const SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'] as const
export type Severity = (typeof SEVERITIES)[number]

/** Higher is worse; `info` is 0. */
export function severityRank(severity: Severity): number {
  return SEVERITIES.length - 1 - SEVERITIES.indexOf(severity)
}

/**
 * CVSS v3.1 §5 / v4.0 §6 qualitative ratings, also what SARIF `security-severity` means
 * (0.0 is None, reported as info).
 */
export function severityFromScore(score: number): Severity {
  if (score >= 9) return 'critical'
  if (score >= 7) return 'high'
  if (score >= 4) return 'medium'
  if (score > 0) return 'low'
  return 'info'
}

export function isSeverity(value: string): value is Severity {
  return (SEVERITIES as readonly string[]).includes(value)
}

export const STEP_IDS = [
  'identity',
  'tests',
  'code',
  'composition',
  'hardening',
  'custody'
] as const
export type StepId = (typeof STEP_IDS)[number]

export function isStepId(value: string): value is StepId {
  return (STEP_IDS as readonly string[]).includes(value)
}

export interface FindingLocation {
  /** Absolute path inside the image filesystem, e.g. `/etc/shadow`. */
  path?: string
  /** 1-based line in the file at `path` (code step: scripts and source). */
  line?: number
  /** Compressed digest of the layer the finding came from. */
  layerDigest?: string
  dockerfile?: { file: string; line: number }
  /**
   * A file of the repository the finding is about, relative to its root (imported SAST results
   * point at source code, not at the image); reports and annotations prefer it to `dockerfile`.
   */
  source?: { file: string; line?: number }
}

export interface FindingPackage {
  name: string
  version: string
  ecosystem: string
  purl: string
}

export interface FindingVulnerability {
  id: string
  aliases: string[]
  fixedVersion?: string
}

/** What a step reports, before policy decides whether it blocks. */
export interface Finding {
  step: StepId
  /** `step/kebab-name`, e.g. `identity/root-user`. */
  rule: string
  severity: Severity
  title: string
  /** One or two sentences: what is wrong and how to fix it. */
  detail?: string
  location: FindingLocation
  package?: FindingPackage
  vulnerability?: FindingVulnerability
  /**
   * What makes this finding distinct from others of the same rule (a path, a package, a port).
   * Part of the fingerprint; never a secret value.
   */
  subject: string
  /**
   * The step's own reason not to block it (a VEX statement, a secret allow-list). The gate
   * reports it as `suppressed` like an ignore (policy/suppress.ts), so it shows in every report.
   */
  suppression?: Suppressed
}

/** Why a finding does not block, and where that was decided (an ignore's file and line, an input). */
export interface Suppressed {
  reason: string
  source: string
}

/** A finding after policy: fingerprinted, blocking or not, maybe suppressed. */
export interface GatedFinding extends Omit<Finding, 'suppression'> {
  fingerprint: string
  blocking: boolean
  suppressed?: Suppressed
  /** Set when a baseline was given: `new` in this run, or `unchanged` since the baseline. */
  baseline?: 'new' | 'unchanged'
  /** Set on the one finding of a rule that stands for its findings over the report's bound. */
  unlisted?: UnlistedFindings
}

/** A finding that fails the gate: blocking by policy and not suppressed. */
export function isBlocking(finding: GatedFinding): boolean {
  return finding.blocking && finding.suppressed === undefined
}

/** Counts by severity as one phrase, worst first: `2 critical, 1 low`. */
export function severityCounts(counts: Record<Severity, number>): string {
  return SEVERITIES.filter((severity) => counts[severity] > 0)
    .map((severity) => `${counts[severity]} ${severity}`)
    .join(', ')
}

/**
 * The findings of one rule a report does not list (policy/evaluate.ts, `listFindings`), counted
 * as the report's summary counts them, with their fingerprints so that a baseline made from the
 * report still knows them.
 */
export interface UnlistedFindings {
  count: number
  /** Unsuppressed ones by severity. */
  counts: Record<Severity, number>
  /** Unsuppressed ones that block. */
  blocking: number
  suppressed: number
  fingerprints: string[]
}

/** Why a step could not read one of its inputs whole: over a cap, truncated, unparseable, corrupt. */
export interface UnreadInput {
  /** Path in the image, or a name for inputs that are not files (e.g. `image config history`). */
  path: string
  /** Compressed digest of the layer the input came from, when it is one layer's file. */
  layerDigest?: string
  /** Why, as a clause: "it is 2.0 MiB, over the 1.0 MiB this step reads". */
  reason: string
}

/**
 * docs/architecture.md: an input a step needs but could not read whole is a finding of that
 * step (`<step>/input-not-analysed`, high, so blocking under the default fail-on), never silence.
 */
export function inputNotAnalysed(step: StepId, input: UnreadInput): Finding {
  return {
    step,
    rule: `${step}/input-not-analysed`,
    severity: 'high',
    title: `${input.path} was not analysed: ${input.reason}`,
    detail:
      'The gate cannot vouch for what it did not read. Fix or shrink the file, or raise the limit (docs/limits.md); turn the rule to warn only if you accept the gap.',
    location: {
      ...(input.path.startsWith('/') ? { path: input.path } : {}),
      ...(input.layerDigest === undefined ? {} : { layerDigest: input.layerDigest })
    },
    subject: input.path
  }
}

/**
 * An image path in a title or a message, the longest path shown to a person, and a subject in the
 * JSON report (its fingerprint is the finding's identity): long enough for any real path (most
 * are under 100 characters), short enough that a report of thousands of findings under a crafted
 * 16,000-character directory stays readable and small.
 */
export const SHOWN_PATH_CHARS = 256

/**
 * A finding's location path and package fields in the JSON report: Linux `PATH_MAX` (4,096
 * bytes), past which no process in the container can open the file by its name anyway.
 */
export const REPORTED_PATH_CHARS = 4_096

/** A title: a sentence naming one thing; the backstop for image text other than the path in it. */
export const TITLE_CHARS = 1_024

/** A detail: one or two sentences. */
export const DETAIL_CHARS = 4_096

/**
 * `text` cut to at most `max` characters by an ellipsis in the middle, so both ends show: a
 * path's top directories and its file name, a secret subject's hash. Never splits a surrogate
 * pair. Cutting a cut text again to a shorter length gives what cutting the original would, so a
 * path cut in a title matches the same path cut again for display (`shownPath`).
 */
export function shortened(text: string, max: number): string {
  if (text.length <= max) return text
  let head = Math.ceil((max - 1) / 2)
  let tail = max - 1 - head
  if (isHighSurrogate(text.charCodeAt(head - 1))) head -= 1
  if (isHighSurrogate(text.charCodeAt(text.length - tail - 1))) tail -= 1
  return `${text.slice(0, head)}…${text.slice(text.length - tail)}`
}

/**
 * A finding's path as reports show it to a person: cut as `boundedFinding` cuts it in titles, so
 * a renderer sees whether the title already names it.
 */
export function shownPath(finding: Pick<Finding, 'location'>): string | undefined {
  const { path } = finding.location
  return path === undefined ? undefined : shortened(path, SHOWN_PATH_CHARS)
}

/**
 * A path as part of a finding's subject, the identity its fingerprint hashes: whole up to
 * `PATH_MAX`, past which no process can open it by name; a longer one (only a crafted image has
 * one) is cut, with a digest of the whole path so that two such paths stay two findings.
 */
export function subjectPath(path: string): string {
  if (path.length <= REPORTED_PATH_CHARS) return path
  const digest = createHash('sha256').update(path).digest('hex').slice(0, 12)
  return `${shortened(path, REPORTED_PATH_CHARS - 13)}#${digest}`
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff
}

/**
 * A finding as reports hold it: every string that can come from an image bounded (docs/limits.md).
 * Runs after policy, so ignores, fingerprints and the order saw the whole path.
 */
export function boundedFinding(finding: GatedFinding): GatedFinding {
  const { path } = finding.location
  const inText = (text: string): string =>
    path === undefined || path.length <= SHOWN_PATH_CHARS
      ? text
      : text.replaceAll(path, shortened(path, SHOWN_PATH_CHARS))
  const result: GatedFinding = {
    ...finding,
    title: shortened(inText(finding.title), TITLE_CHARS),
    subject: shortened(finding.subject, REPORTED_PATH_CHARS),
    location:
      path === undefined
        ? finding.location
        : { ...finding.location, path: shortened(path, REPORTED_PATH_CHARS) }
  }
  if (finding.detail !== undefined) result.detail = shortened(inText(finding.detail), DETAIL_CHARS)
  if (finding.package !== undefined) {
    const { name, version, ecosystem, purl } = finding.package
    result.package = {
      name: shortened(name, REPORTED_PATH_CHARS),
      version: shortened(version, REPORTED_PATH_CHARS),
      ecosystem,
      purl: shortened(purl, REPORTED_PATH_CHARS)
    }
  }
  return result
}

/**
 * A finding a step did not make in full because its bound was reached (docs/limits.md): what the
 * policy needs to judge it as if it had been made (rule overrides, fail-on, ignores by rule, path,
 * fingerprint, package or vulnerability, the baseline, the step's own suppression). The engine
 * folds a rule's dropped findings into one finding that stands for them (policy/evaluate.ts).
 */
export interface DroppedFinding {
  rule: string
  severity: Severity
  fingerprint: string
  path?: string
  package?: FindingPackage
  vulnerability?: FindingVulnerability
  suppression?: Suppressed
}

/** Dropped findings a step keeps for the policy; past it, only counted (`Dropped.tail`). */
export const MAX_DROPPED_FINDINGS = 1_000_000

/** What a step did not make in full: dropped findings, and beyond those, counts per rule. */
export class Dropped {
  readonly items: DroppedFinding[] = []
  /** Per rule: findings past MAX_DROPPED_FINDINGS, or past a layer's own bound. */
  readonly tail = new Map<string, Uncounted>()

  constructor(readonly step: StepId) {}

  get size(): number {
    return this.items.length
  }

  add(finding: DroppedFinding): void {
    if (this.items.length < MAX_DROPPED_FINDINGS) this.items.push(finding)
    else this.count(finding.rule, 1, finding.severity, finding.path ?? '')
  }

  /** Findings of `rule` known only by number: they block as their rule and severity do. */
  count(rule: string, count: number, severity: Severity, path: string): void {
    this.tail.set(rule, countInto(this.tail.get(rule), count, severity, path))
  }
}

/**
 * Findings a step counts instead of making, past a bound an image could otherwise push to millions
 * (a real image never comes near): how many, the worst severity, and the first one's place. Plain
 * data, so a layer's count can be kept with its analysis in the layer cache.
 */
export interface Uncounted {
  count: number
  severity: Severity
  path: string
  /** The 0-based layer of the first one. */
  layer?: number
}

/** Adds `count` findings at `severity` (first at `path`) to `into`, or starts it. */
export function countInto(
  into: Uncounted | undefined,
  count: number,
  severity: Severity,
  path: string,
  layer?: number
): Uncounted {
  if (into === undefined)
    return layer === undefined ? { count, severity, path } : { count, severity, path, layer }
  into.count += count
  if (severityRank(severity) > severityRank(into.severity)) into.severity = severity
  return into
}
