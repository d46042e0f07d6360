/** The embedded policy: safe and quiet (DESIGN.md, "Policy"). */
import { STEP_IDS, type StepId } from '../findings.js'
import type { Policy, StepPolicy } from './policy.js'

/** A well-built image passes; root, a private key or a fixable critical vulnerability fails. */
export function defaultPolicy(): Policy {
  const steps = Object.fromEntries(
    STEP_IDS.map((id): [StepId, StepPolicy] => [id, { enabled: true, failOn: 'high' }])
  ) as Record<StepId, StepPolicy>
  return {
    steps,
    rules: {},
    identity: { minUid: 1000, allowedSetuid: [], requireHealthcheck: true }
  }
}
