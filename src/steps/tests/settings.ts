/** Settings of the `tests` step. */
import type { StepSettings } from '../settings.js'

// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface TestsSettings {}

export const testsSettings: StepSettings<TestsSettings> = {
  inputs: [],
  defaults: () => ({}),
  parse: (_get, base) => base
}
