/** The SBOM in the format the user chose, from what the composition step found. */
import type { GateResult } from '../engine.js'
import type { SbomFormat } from '../inputs.js'
import { renderCycloneDx } from './cyclonedx.js'
import { renderSpdx } from './spdx.js'

export function renderSbom(
  { report, artifacts }: Pick<GateResult, 'report' | 'artifacts'>,
  format: SbomFormat
): string {
  const packages = artifacts.packages ?? []
  const options = report.startedAt === undefined ? {} : { created: report.startedAt }
  return format === 'spdx'
    ? renderSpdx(report, packages, options)
    : renderCycloneDx(report, packages, options)
}
