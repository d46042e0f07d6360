/** The JSON report (DESIGN.md, "Contracts"); every output format renders from this. */
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
}
