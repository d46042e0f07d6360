/** Policy applied to findings: fingerprints, blocking, step status and the verdict. */
import { severityRank, STEP_IDS, type Finding, type GatedFinding } from '../findings.js'
import { sha256 } from '../image/digest.js'
import type { StepReport, StepStatus, Verdict } from '../report/model.js'
import type { Policy } from './policy.js'
import { NO_SUPPRESSION, suppress, type Suppression } from './suppress.js'

/**
 * 16 lowercase hex digits: the first 64 bits of sha256 over step, rule, subject, package purl and
 * vulnerability id, NUL-separated (NUL cannot occur in a path, so no two keys collide by joining).
 * Title, detail, severity and location are left out so rewording a message or moving a file to
 * another layer keeps baselines, ignores and PR comments pointing at the same finding.
 */
export function fingerprint(finding: Finding): string {
  const key = [
    finding.step,
    finding.rule,
    finding.subject,
    finding.package?.purl ?? '',
    finding.vulnerability?.id ?? ''
  ].join('\0')
  return sha256(key).slice('sha256:'.length, 'sha256:'.length + 16)
}

function blocks(finding: Finding, policy: Policy): boolean {
  const action = policy.rules[finding.rule]
  if (action === 'error') return true
  if (action === 'warn') return false
  const failOn = policy.steps[finding.step].failOn
  return failOn !== 'none' && severityRank(finding.severity) >= severityRank(failOn)
}

/** Report order (model.ts): most severe first, blocking first, then step order, rule, subject. */
export function compareGated(a: GatedFinding, b: GatedFinding): number {
  return (
    severityRank(b.severity) - severityRank(a.severity) ||
    Number(b.blocking) - Number(a.blocking) ||
    STEP_IDS.indexOf(a.step) - STEP_IDS.indexOf(b.step) ||
    compareText(a.rule, b.rule) ||
    compareText(a.subject, b.subject) ||
    compareText(a.fingerprint, b.fingerprint)
  )
}

/** Code-unit order, not locale order: reports must not depend on the runner's locale. */
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

/**
 * Rule `off` drops a finding, `warn` never blocks, `error` always blocks; otherwise it blocks at
 * or above its step's fail-on severity (`none` never). Then ignores and the steps' own
 * suppressions suppress and, with fail-on-new-only, findings already in the baseline stop
 * blocking. Returned in report order.
 */
export function gate(
  findings: Finding[],
  policy: Policy,
  suppression?: Suppression
): GatedFinding[] {
  const gated = findings
    .filter((finding) => policy.rules[finding.rule] !== 'off')
    .map((finding) => ({
      ...finding,
      fingerprint: fingerprint(finding),
      blocking: blocks(finding, policy)
    }))
  return suppress(gated, suppression ?? NO_SUPPRESSION).sort(compareGated)
}

function isBlocking(finding: GatedFinding): boolean {
  return finding.blocking && finding.suppressed === undefined
}

/** The status of a step that ran, from its own gated findings; the engine sets skipped/error. */
export function stepStatus(findings: GatedFinding[]): Extract<StepStatus, 'pass' | 'fail'> {
  return findings.some(isBlocking) ? 'fail' : 'pass'
}

/** Fails closed: a step that errored fails the gate; a skipped step says so but does not fail. */
export function verdict(findings: GatedFinding[], steps: StepReport[]): Verdict {
  const failed = findings.some(isBlocking) || steps.some((step) => step.status === 'error')
  return failed ? 'fail' : 'pass'
}
