/** The one finding shape every step produces and every report prints (DESIGN.md, contracts). */

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
}

/** A finding after policy: fingerprinted, blocking or not, maybe suppressed. */
export interface GatedFinding extends Finding {
  fingerprint: string
  blocking: boolean
  suppressed?: { reason: string; source: string }
  /** Set when a baseline was given: `new` in this run, or `unchanged` since the baseline. */
  baseline?: 'new' | 'unchanged'
}
