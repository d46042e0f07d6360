/** Each step's own settings, composed into the policy (src/steps/<id>/settings.ts). */
import { codeSettings } from '../steps/code/settings.js'
import { compositionSettings } from '../steps/composition/settings.js'
import { custodySettings } from '../steps/custody/settings.js'
import { hardeningSettings } from '../steps/hardening/settings.js'
import { identitySettings } from '../steps/identity/settings.js'
import { testsSettings } from '../steps/tests/settings.js'

export const STEP_SETTINGS = {
  identity: identitySettings,
  tests: testsSettings,
  code: codeSettings,
  composition: compositionSettings,
  hardening: hardeningSettings,
  custody: custodySettings
} as const
