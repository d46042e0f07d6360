/** The embedded policy: safe and quiet (docs/architecture.md, "Policy"). */
import { STEP_IDS, type StepId } from '../findings.js'
import type { Policy, StepPolicy } from './policy.js'
import { STEP_SETTINGS } from './step-settings.js'

/** A well-built image passes; root, a private key or a fixable critical vulnerability fails. */
export function defaultPolicy(): Policy {
  const steps = Object.fromEntries(
    STEP_IDS.map((id): [StepId, StepPolicy] => [id, { enabled: true, failOn: 'high' }])
  ) as Record<StepId, StepPolicy>
  return {
    steps,
    rules: {},
    identity: STEP_SETTINGS.identity.defaults(),
    tests: STEP_SETTINGS.tests.defaults(),
    code: STEP_SETTINGS.code.defaults(),
    composition: STEP_SETTINGS.composition.defaults(),
    hardening: STEP_SETTINGS.hardening.defaults(),
    custody: STEP_SETTINGS.custody.defaults()
  }
}
