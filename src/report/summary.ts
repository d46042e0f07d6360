/** Counts shared by the report model and every renderer. */
import { SEVERITIES, type GatedFinding, type Severity } from '../findings.js'

/** Unsuppressed findings by severity, every severity present (GateReport.summary.counts). */
export function countBySeverity(findings: GatedFinding[]): Record<Severity, number> {
  const counts = Object.fromEntries(SEVERITIES.map((severity) => [severity, 0])) as Record<
    Severity,
    number
  >
  for (const finding of findings) {
    // A finding standing for unlisted ones counts as those (policy/evaluate.ts).
    const inner = finding.unlisted
    if (inner !== undefined)
      for (const severity of SEVERITIES) counts[severity] += inner.counts[severity]
    else if (finding.suppressed === undefined) counts[finding.severity] += 1
  }
  return counts
}
