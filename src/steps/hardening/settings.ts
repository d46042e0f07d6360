/** Settings of the `hardening` step. */
import type { StepSettings } from '../settings.js'

// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface HardeningSettings {}

export const hardeningSettings: StepSettings<HardeningSettings> = {
  inputs: [],
  defaults: () => ({}),
  parse: (_get, base) => base
}
