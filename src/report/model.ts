/** The JSON report (docs/architecture.md, "Reports"); every output format renders from this. */
import type { GatedFinding, Severity, StepId } from '../findings.js'

export type StepStatus = 'pass' | 'fail' | 'skipped' | 'error'
export type Verdict = 'pass' | 'fail'

export interface StepReport {
  id: StepId
  title: string
  status: StepStatus
  durationMs: number
  /** Why a step was skipped or errored. */
  reason?: string
  notes?: string[]
}

export interface ReportLayer {
  digest: string
  diffId: string
  size: number
  createdBy?: string
  /** The layer's analysis came from the layer cache (an earlier run read the same bytes). */
  cached?: boolean
}

/** `warn` reports everything and never fails the run; `enforce` fails it on a `fail` verdict. */
export type Mode = 'enforce' | 'warn'

/** A baseline finding that this run no longer has. */
export interface FixedFinding {
  fingerprint: string
  rule: string
  severity: Severity
  title: string
}

/** The comparison with a baseline report, by fingerprint. */
export interface BaselineSummary {
  /** The baseline report file or image reference. */
  source: string
  new: number
  unchanged: number
  fixed: FixedFinding[]
  /** `fail-on-new-only`: findings already in the baseline do not block. */
  failOnNewOnly: boolean
}

/** An ignore whose `until` date has passed: it no longer suppresses anything. */
export interface ExpiredIgnore {
  /** Where the ignore is written, e.g. `.container-gate.yml:12`. */
  source: string
  reason: string
  until: string
}

export interface GateReport {
  schemaVersion: 1
  tool: { name: 'container-gate'; version: string }
  verdict: Verdict
  image: {
    reference: string
    digest: string
    indexDigest?: string
    configDigest: string
    /** `os/arch[/variant]` */
    platform: string
    user?: string
    layers: ReportLayer[]
  }
  steps: StepReport[]
  /** Most severe first; blocking before non-blocking at equal severity. */
  findings: GatedFinding[]
  summary: {
    /** Unsuppressed findings by severity. */
    counts: Record<Severity, number>
    blocking: number
    suppressed: number
  }
  durationMs: number
  /** When the scan started (ISO 8601); SBOMs carry it as their creation time. */
  startedAt?: string
  mode?: Mode
  baseline?: BaselineSummary
  expiredIgnores?: ExpiredIgnore[]
}
