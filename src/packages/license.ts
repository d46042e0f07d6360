/** SPDX license expressions (SPDX spec 2.3, Annex D) as package metadata gives them. */
import parseSpdx from 'spdx-expression-parse'

export type LicenseChoice =
  /** One license from the SPDX list, e.g. `MIT`. */
  | { kind: 'id'; id: string }
  /** A valid compound expression, e.g. `MIT OR Apache-2.0`. */
  | { kind: 'expression'; expression: string }
  /** Free text that is no SPDX expression, e.g. `BSD-like` or a URL. */
  | { kind: 'name'; name: string }

export function classifyLicense(value: string): LicenseChoice {
  try {
    const parsed = parseSpdx(value)
    if ('license' in parsed && parsed.plus === undefined && parsed.exception === undefined) {
      return parsed.license.startsWith('LicenseRef-')
        ? { kind: 'expression', expression: value }
        : { kind: 'id', id: parsed.license }
    }
    return { kind: 'expression', expression: value }
  } catch {
    return { kind: 'name', name: value }
  }
}
