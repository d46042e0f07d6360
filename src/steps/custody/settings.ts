/** Settings of the `custody` step. */
import type { StepSettings } from '../settings.js'

// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface CustodySettings {}

export const custodySettings: StepSettings<CustodySettings> = {
  inputs: [],
  defaults: () => ({}),
  parse: (_get, base) => base
}
