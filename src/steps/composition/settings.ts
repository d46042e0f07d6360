/** Settings of the `composition` step: vulnerability data, fix state, severity, licenses, VEX. */
import { invalidInput, parseBooleanInput, splitList } from '../../input-values.js'
import parseSpdx from 'spdx-expression-parse'
import { isSeverity, SEVERITIES, type Severity } from '../../findings.js'
import type { InputLookup } from '../../input-values.js'
import type { StepSettings } from '../settings.js'

export interface CompositionSettings {
  /** `osv` (download the ecosystems the image needs, cached), a directory of OSV JSON, or a zip. */
  vulnDb: string
  /** Scan without vulnerability data rather than fail when none can be had. */
  allowNoVulnData: boolean
  /** Leave out vulnerabilities that have no fixed version yet. */
  ignoreUnfixed: boolean
  /** The severity of a vulnerability whose data gives none. */
  unknownSeverity: Severity
  /** SPDX license ids a package may not be under (e.g. AGPL-3.0-only). */
  licenseDeny: string[]
  /** When set, the only SPDX license ids a package may be under. */
  licenseAllow: string[]
  /** OpenVEX documents whose `not_affected`/`fixed` statements suppress vulnerabilities. */
  vex: string[]
}

type InputName =
  | 'vuln-db'
  | 'allow-no-vuln-data'
  | 'ignore-unfixed'
  | 'unknown-severity'
  | 'license-deny'
  | 'license-allow'
  | 'vex'

/**
 * Newline- or comma-separated items. (policy/inputs.ts has splitList, but importing it from here
 * closes an import cycle through policy/step-settings.ts; these values never hold brace globs.)
 */

/** Each item must be one license id from the SPDX list (or a LicenseRef-). */
function parseLicenseIds(name: InputName, value: string): string[] {
  return splitList(value, /[\s,]/).map((id) => {
    try {
      const parsed = parseSpdx(id)
      if ('license' in parsed && parsed.plus === undefined && parsed.exception === undefined) {
        return parsed.license
      }
    } catch {
      // reported below
    }
    throw invalidInput(name, id, 'list SPDX license ids such as AGPL-3.0-only or GPL-3.0-or-later.')
  })
}

export const compositionSettings: StepSettings<CompositionSettings> = {
  inputs: [
    {
      name: 'vuln-db',
      default: 'osv',
      description:
        'Vulnerability data in OSV format: `osv` downloads the ecosystems the image needs from osv.dev (cached between runs; the cached copy is used with a warning when the download fails), or a directory of OSV JSON files, or an osv.dev `all.zip`, for offline use. The word `osv` always means the download: name a directory called osv as `./osv`.'
    },
    {
      name: 'allow-no-vuln-data',
      default: 'false',
      description:
        'Scan even when no vulnerability data can be had for an ecosystem in the image (its packages are not matched and the report says so). By default that stops the gate.'
    },
    {
      name: 'ignore-unfixed',
      default: 'false',
      description: 'Leave out vulnerabilities that have no fixed version yet.'
    },
    {
      name: 'unknown-severity',
      default: 'medium',
      description: `Severity given to a vulnerability whose data rates it nowhere: ${SEVERITIES.join(', ')}.`
    },
    {
      name: 'license-deny',
      list: true,
      description:
        'SPDX license ids no package may be under, e.g. `AGPL-3.0-only` (composition/license-denied). A choice (`MIT OR AGPL-3.0-only`) is fine while one side is allowed.'
    },
    {
      name: 'license-allow',
      list: true,
      description:
        'When set, the only SPDX license ids packages may be under (composition/license-not-allowed); packages without license data are reported too.'
    },
    {
      name: 'vex',
      list: true,
      description:
        'OpenVEX documents (files): `not_affected` and `fixed` statements suppress the matching vulnerability findings, with the statement as the reason.'
    }
  ],
  defaults: () => ({
    vulnDb: 'osv',
    allowNoVulnData: false,
    ignoreUnfixed: false,
    unknownSeverity: 'medium',
    licenseDeny: [],
    licenseAllow: [],
    vex: []
  }),
  parse(get: InputLookup, base: CompositionSettings): CompositionSettings {
    const read = (name: InputName): string | undefined => {
      const value = get(name)?.trim()
      return value === undefined || value === '' ? undefined : value
    }
    const vulnDb = read('vuln-db')
    const allowNoVulnData = read('allow-no-vuln-data')
    const ignoreUnfixed = read('ignore-unfixed')
    const unknownSeverity = read('unknown-severity')?.toLowerCase()
    if (unknownSeverity !== undefined && !isSeverity(unknownSeverity)) {
      throw invalidInput(
        'unknown-severity',
        unknownSeverity,
        `use one of ${SEVERITIES.join(', ')}.`
      )
    }
    const deny = read('license-deny')
    const allow = read('license-allow')
    const vex = read('vex')
    return {
      vulnDb: vulnDb ?? base.vulnDb,
      allowNoVulnData:
        allowNoVulnData === undefined
          ? base.allowNoVulnData
          : parseBooleanInput('allow-no-vuln-data', allowNoVulnData),
      ignoreUnfixed:
        ignoreUnfixed === undefined
          ? base.ignoreUnfixed
          : parseBooleanInput('ignore-unfixed', ignoreUnfixed),
      unknownSeverity: unknownSeverity ?? base.unknownSeverity,
      licenseDeny: deny === undefined ? base.licenseDeny : parseLicenseIds('license-deny', deny),
      licenseAllow:
        allow === undefined ? base.licenseAllow : parseLicenseIds('license-allow', allow),
      vex: vex === undefined ? base.vex : splitList(vex)
    }
  }
}
