/** A step that is part of the pipeline but not built yet: it says so rather than silently passing. */
import type { StepId } from '../findings.js'
import type { Step } from './step.js'

export function notImplementedStep(id: StepId, title: string): Step {
  return { id, title, run: async () => ({ findings: [], skipped: 'not implemented' }) }
}
