/** Settings of the `composition` step. */
import type { StepSettings } from '../settings.js'

// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface CompositionSettings {}

export const compositionSettings: StepSettings<CompositionSettings> = {
  inputs: [],
  defaults: () => ({}),
  parse: (_get, base) => base
}
