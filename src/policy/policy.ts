/** The policy model shared by all steps (docs/architecture.md, "Policy"). */
import type { Severity, StepId } from '../findings.js'
import type { CodeSettings } from '../steps/code/settings.js'
import type { CompositionSettings } from '../steps/composition/settings.js'
import type { CustodySettings } from '../steps/custody/settings.js'
import type { HardeningSettings } from '../steps/hardening/settings.js'
import type { IdentitySettings } from '../steps/identity/settings.js'
import type { TestsSettings } from '../steps/tests/settings.js'

export type RuleAction = 'off' | 'warn' | 'error'

export interface StepPolicy {
  enabled: boolean
  /** Findings at or above this severity block; `none` never blocks. */
  failOn: Severity | 'none'
}

export interface Policy {
  steps: Record<StepId, StepPolicy>
  /** Per-rule overrides: `off` drops the finding, `warn` never blocks, `error` always blocks. */
  rules: Record<string, RuleAction>
  identity: IdentitySettings
  tests: TestsSettings
  code: CodeSettings
  composition: CompositionSettings
  hardening: HardeningSettings
  custody: CustodySettings
}
