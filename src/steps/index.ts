/** The six verification methods in pipeline order (DESIGN.md, "The six methods"). */
import { identityStep } from './identity/index.js'
import { notImplementedStep } from './not-implemented.js'
import type { Step } from './step.js'

export const STEPS: readonly Step[] = [
  identityStep,
  notImplementedStep('tests', 'Security unit tests'),
  notImplementedStep('code', 'Code analysis'),
  notImplementedStep('composition', 'Composition analysis'),
  notImplementedStep('hardening', 'Hardening'),
  notImplementedStep('custody', 'Signing and chain of custody')
]
