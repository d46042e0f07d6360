/** Where the action puts the result: outputs, the job summary and annotations. */
import * as core from '@actions/core'
import { severityRank } from '../findings.js'
import { renderMarkdown } from '../report/markdown.js'
import type { GateReport } from '../report/model.js'

/** GitHub shows at most 10 error and 10 warning annotations per step; send the most severe. */
const ANNOTATIONS_PER_KIND = 10

/** The job summary is capped at 1 MiB per step. */
const SUMMARY_LIMIT = 1024 * 1024 - 1024

export async function publish(report: GateReport, reportPath: string): Promise<void> {
  core.setOutput('verdict', report.verdict)
  core.setOutput('critical', report.summary.counts.critical)
  core.setOutput('high', report.summary.counts.high)
  core.setOutput('medium', report.summary.counts.medium)
  core.setOutput('low', report.summary.counts.low)
  core.setOutput('blocking', report.summary.blocking)
  core.setOutput('report', reportPath)
  core.setOutput('digest', report.image.digest)

  const active = report.findings
    .filter((f) => f.suppressed === undefined)
    .sort((a, b) => severityRank(b.severity) - severityRank(a.severity))
  for (const finding of active.filter((f) => f.blocking).slice(0, ANNOTATIONS_PER_KIND)) {
    core.error(annotationText(finding), annotationProperties(finding))
  }
  for (const finding of active
    .filter((f) => !f.blocking && f.severity !== 'info')
    .slice(0, ANNOTATIONS_PER_KIND)) {
    core.warning(annotationText(finding), annotationProperties(finding))
  }

  if (process.env.GITHUB_STEP_SUMMARY) {
    await core.summary.addRaw(renderMarkdown(report, { maxLength: SUMMARY_LIMIT }), true).write()
  }
}

type Finding = GateReport['findings'][number]

function annotationText(finding: Finding): string {
  const where = finding.location.path === undefined ? '' : ` (${finding.location.path})`
  return `${finding.title}${where}${finding.detail === undefined ? '' : `\n${finding.detail}`}`
}

function annotationProperties(finding: Finding): core.AnnotationProperties {
  const dockerfile = finding.location.dockerfile
  return {
    title: `${finding.severity.toUpperCase()} ${finding.rule}`,
    ...(dockerfile === undefined ? {} : { file: dockerfile.file, startLine: dockerfile.line })
  }
}
