/** The one finding shape every step produces and every report prints (docs/architecture.md). */

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
