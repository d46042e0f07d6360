/** Settings of the `identity` step: the system UID range, accepted setuid files, HEALTHCHECK. */
import { invalidInput, parseBooleanInput, splitList } from '../../input-values.js'
import type { InputSpec } from '../../input-values.js'
import type { StepSettings } from '../settings.js'

export interface IdentitySettings {
  /** UIDs/GIDs below this are in the host's system range (ID mapping); default 1000. */
  minUid: number
  /** Globs of setuid/setgid files that are accepted. */
  allowedSetuid: string[]
  /** Report a missing HEALTHCHECK (low). */
  requireHealthcheck: boolean
}

export const IDENTITY_INPUTS = [
  {
    name: 'min-uid',
    default: '1000',
    description:
      'UIDs and GIDs below this are in the system range and reported by identity/system-range-uid.'
  },
  {
    name: 'allowed-setuid',
    default: '',
    list: true,
    description:
      'Globs of absolute paths (e.g. `/usr/bin/ping`) whose setuid/setgid bits are accepted.'
  },
  {
    name: 'require-healthcheck',
    default: 'true',
    description: 'Report an image without a HEALTHCHECK (identity/missing-healthcheck, low).'
  }
] as const satisfies readonly InputSpec[]

type IdentityInputName = (typeof IDENTITY_INPUTS)[number]['name']

/** UIDs are unsigned 32-bit on Linux. */
const MAX_UID = 0xffffffff

function parseMinUid(value: string): number {
  const uid = /^\d+$/.test(value) ? Number(value) : Number.NaN
  if (!Number.isSafeInteger(uid) || uid > MAX_UID) {
    throw invalidInput('min-uid', value, `use a whole number from 0 to ${MAX_UID}, e.g. 1000.`)
  }
  return uid
}

function parseAllowedSetuid(value: string): string[] {
  const globs = splitList(value, /,/)
  const relative = globs.find((glob) => !glob.startsWith('/') && !glob.startsWith('*'))
  if (relative !== undefined) {
    throw invalidInput(
      'allowed-setuid',
      relative,
      'use globs of absolute paths, e.g. /usr/bin/ping or /usr/lib/**/chrome-sandbox.'
    )
  }
  return globs
}

export const identitySettings: StepSettings<IdentitySettings> = {
  inputs: [...IDENTITY_INPUTS],
  defaults: () => ({ minUid: 1000, allowedSetuid: [], requireHealthcheck: true }),
  parse: (get, base) => {
    const read = (name: IdentityInputName): string | undefined => {
      const value = get(name)?.trim()
      return value === undefined || value === '' ? undefined : value
    }
    const minUid = read('min-uid')
    const allowedSetuid = read('allowed-setuid')
    const requireHealthcheck = read('require-healthcheck')
    return {
      minUid: minUid === undefined ? base.minUid : parseMinUid(minUid),
      allowedSetuid:
        allowedSetuid === undefined ? base.allowedSetuid : parseAllowedSetuid(allowedSetuid),
      requireHealthcheck:
        requireHealthcheck === undefined
          ? base.requireHealthcheck
          : parseBooleanInput('require-healthcheck', requireHealthcheck)
    }
  }
}
