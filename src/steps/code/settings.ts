/** Settings of the `code` step. */
import type { StepSettings } from '../settings.js'

// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface CodeSettings {}

export const codeSettings: StepSettings<CodeSettings> = {
  inputs: [],
  defaults: () => ({}),
  parse: (_get, base) => base
}
