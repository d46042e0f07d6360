/** The job summary: the Markdown report (with the baseline comparison), expired ignores and where the files are. */
import { escapeMarkdown } from '../report/escape.js'
import { inlineCode, renderMarkdown } from '../report/markdown.js'
import type { GateReport } from '../report/model.js'

/** GitHub caps the job summary at 1 MiB per step. */
export const SUMMARY_LIMIT = 1024 * 1024 - 1024

export interface SummaryFiles {
  report: string
  sarif?: string
  sbom?: string
  /** The run's page: uploaded artifacts are listed there. */
  runUrl?: string
}

function extras(report: GateReport, files: SummaryFiles): string[] {
  const lines: string[] = []
  for (const ignore of report.expiredIgnores ?? []) {
    lines.push(
      `⚠️ The ignore at ${inlineCode(ignore.source)} expired on ${escapeMarkdown(ignore.until)} and no longer suppresses (${escapeMarkdown(ignore.reason)}).`,
      ''
    )
  }
  const files_ = [
    `JSON report ${inlineCode(files.report)}`,
    ...(files.sarif === undefined ? [] : [`SARIF ${inlineCode(files.sarif)}`]),
    ...(files.sbom === undefined ? [] : [`SBOM ${inlineCode(files.sbom)}`])
  ]
  const artifacts =
    files.runUrl === undefined
      ? ''
      : ` Uploaded artifacts are listed on the [run page](${files.runUrl}#artifacts).`
  lines.push(
    `Files: ${files_.join(', ')} (outputs \`report\`, \`sarif\`, \`sbom\`).${artifacts}`,
    ''
  )
  return lines
}

export function renderSummary(report: GateReport, files: SummaryFiles): string {
  const top = extras(report, files).join('\n')
  const body = renderMarkdown(report, { maxLength: SUMMARY_LIMIT - top.length - 2 })
  const [heading, ...rest] = body.split('\n')
  return [heading, '', top, ...rest].join('\n')
}
