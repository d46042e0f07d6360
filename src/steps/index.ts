/** The six verification methods in pipeline order (docs/architecture.md, "The six steps"). */
import { codeStep } from './code/index.js'
import { compositionStep } from './composition/index.js'
import { custodyStep } from './custody/index.js'
import { hardeningStep } from './hardening/index.js'
import { identityStep } from './identity/index.js'
import type { Step } from './step.js'
import { testsStep } from './tests/index.js'

export const STEPS: readonly Step[] = [
  identityStep,
  testsStep,
  codeStep,
  compositionStep,
  hardeningStep,
  custodyStep
]
