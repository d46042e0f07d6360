/**
 * A check run carrying every finding as an annotation. Workflow-command annotations are capped
 * per step; the Checks API takes at most 50 annotations per request, so the run is created with
 * the first 50 and updated with the rest, the last request completing it with the verdict
 * (https://docs.github.com/rest/checks/runs).
 */
import { severityCounts, severityRank, type GatedFinding } from '../findings.js'
import { escapeMarkdown, escapeTerminal } from '../report/escape.js'
import { inlineCode } from '../report/markdown.js'
import type { GateReport } from '../report/model.js'
import { countBySeverity } from '../report/summary.js'
import { imageName } from '../report/sarif.js'
import type { GitHubContext, Octokit } from './context.js'

export const ANNOTATIONS_PER_REQUEST = 50

/** The Checks API refuses an output summary or annotation message longer than this. */
const TEXT_LIMIT = 65_535

export interface CheckAnnotation {
  path: string
  start_line: number
  end_line: number
  annotation_level: 'failure' | 'warning' | 'notice'
  title: string
  message: string
}

export type CheckConclusion = 'success' | 'failure' | 'neutral'

/** `warn` mode reports a failing verdict as neutral: visible, never blocking. */
export function conclusion(report: GateReport): CheckConclusion {
  if (report.verdict === 'pass') return 'success'
  return report.mode === 'warn' ? 'neutral' : 'failure'
}

/** Findings listed in a grouped annotation's text before `and N more`. */
const LISTED = 20

/**
 * Unsuppressed findings grouped by the repository line they land on: their source file, else
 * their Dockerfile line (base-image findings all land on its FROM), else `fallbackPath` line 1.
 * A line with one finding gets its own annotation; a line with more gets ONE, with a count.
 * Without `fallbackPath`, a finding with no line is a group of its own.
 */
export function findingsByPlace(
  findings: GatedFinding[],
  fallbackPath?: string
): Array<{ place?: { file: string; line: number }; findings: GatedFinding[] }> {
  const groups = new Map<
    string,
    { place?: { file: string; line: number }; findings: GatedFinding[] }
  >()
  for (const [index, finding] of findings.entries()) {
    if (finding.suppressed !== undefined) continue
    const place =
      repositoryPlace(finding) ??
      (fallbackPath === undefined ? undefined : { file: fallbackPath, line: 1 })
    // Findings with no line share nothing a reader could act on together: one annotation each.
    const key = place === undefined ? `\0${index}` : `${place.file}\0${place.line}`
    const group = groups.get(key) ?? { ...(place === undefined ? {} : { place }), findings: [] }
    group.findings.push(finding)
    groups.set(key, group)
  }
  return [...groups.values()]
}

/** The level, title and text of one annotation for the findings on one line. */
export function groupedAnnotation(findings: GatedFinding[]): {
  level: CheckAnnotation['annotation_level']
  title: string
  message: string
} {
  const worst = [...findings].sort((a, b) => severityRank(b.severity) - severityRank(a.severity))
  const first = worst[0]!
  const level = findings.some((f) => f.blocking)
    ? 'failure'
    : worst.every((f) => f.severity === 'info')
      ? 'notice'
      : 'warning'
  if (findings.length === 1) {
    return { level, title: annotationTitle(first), message: annotationMessage(first) }
  }
  const counts = countBySeverity(findings)
  const listed = worst
    .slice(0, LISTED)
    .map((f) => `${f.severity.toUpperCase()} ${escapeTerminal(f.rule)}: ${escapeTerminal(f.title)}`)
  const more = findings.length > LISTED ? [`and ${findings.length - LISTED} more`] : []
  return {
    level,
    title: `${findings.length} findings: ${severityCounts(counts)}`,
    message: [...listed, ...more].join('\n')
  }
}

export function annotations(findings: GatedFinding[], fallbackPath: string): CheckAnnotation[] {
  return findingsByPlace(findings, fallbackPath).map(({ place, findings: group }) => {
    const { level, title, message } = groupedAnnotation(group)
    const { file, line } = place ?? { file: fallbackPath, line: 1 }
    return {
      path: file,
      start_line: line,
      end_line: line,
      annotation_level: level,
      title,
      message: message.slice(0, TEXT_LIMIT)
    }
  })
}

/** `HIGH identity/setuid-file`: plain text, one line. */
export function annotationTitle(finding: GatedFinding): string {
  return `${finding.severity.toUpperCase()} ${escapeTerminal(finding.rule)}`
}

/**
 * An annotation's plain text (check runs and workflow commands): the title, the image path when
 * the title does not name it, and the detail on a second line. Each part is one escaped line, so
 * the image cannot add lines or reorder what a reader sees.
 */
export function annotationMessage(finding: GatedFinding): string {
  const { path } = finding.location
  const where =
    path === undefined || finding.title.includes(path) ? '' : ` (${escapeTerminal(path)})`
  const detail = finding.detail === undefined ? '' : `\n${escapeTerminal(finding.detail)}`
  return `${escapeTerminal(finding.title)}${where}${detail}`
}

/** The repository file and line a finding is about: its source file, else its Dockerfile line. */
export function repositoryPlace(finding: GatedFinding): { file: string; line: number } | undefined {
  const { source, dockerfile } = finding.location
  if (source !== undefined) return { file: source.file, line: source.line ?? 1 }
  return dockerfile
}

export interface CheckRunOptions {
  fallbackPath: string
  /** Link shown on the check run: the run's page with the job summary. */
  detailsUrl?: string
}

export function checkRunName(report: GateReport): string {
  return `container-gate (${imageName(report.image.reference)})`
}

function summaryText(report: GateReport): string {
  const { counts, blocking, suppressed } = report.summary
  const lines = [
    `Verdict **${report.verdict}**${report.mode === 'warn' ? ' (warn mode: not enforced)' : ''} for ${inlineCode(report.image.reference)} at ${inlineCode(report.image.digest)}.`,
    '',
    `${blocking} blocking; ${counts.critical} critical, ${counts.high} high, ${counts.medium} medium, ${counts.low} low, ${counts.info} info; ${suppressed} suppressed.`,
    '',
    ...report.steps.map(
      (step) =>
        `- ${step.id}: ${step.status}${step.reason ? ` (${escapeMarkdown(step.reason)})` : ''}`
    )
  ]
  return lines.join('\n').slice(0, TEXT_LIMIT)
}

/** Creates the check run and returns its id. Needs `checks: write`. */
export async function publishCheckRun(
  octokit: Octokit,
  context: GitHubContext,
  report: GateReport,
  options: CheckRunOptions
): Promise<number> {
  const all = annotations(report.findings, options.fallbackPath)
  const batches: CheckAnnotation[][] = []
  for (let i = 0; i < all.length; i += ANNOTATIONS_PER_REQUEST) {
    batches.push(all.slice(i, i + ANNOTATIONS_PER_REQUEST))
  }
  const where = { owner: context.owner, repo: context.repo }
  const output = (batch: CheckAnnotation[] = []) => ({
    title: `${report.verdict}: ${report.summary.blocking} blocking, ${all.length} annotations`,
    summary: summaryText(report),
    ...(batch.length === 0 ? {} : { annotations: batch })
  })
  const done = { status: 'completed' as const, conclusion: conclusion(report) }
  const single = batches.length <= 1
  const created = await octokit.rest.checks.create({
    ...where,
    name: checkRunName(report),
    head_sha: context.sha ?? '',
    ...(options.detailsUrl === undefined ? {} : { details_url: options.detailsUrl }),
    ...(single ? done : { status: 'in_progress' as const }),
    output: output(batches[0])
  })
  const id = created.data.id
  for (const [index, batch] of batches.slice(1).entries()) {
    const lastBatch = index === batches.length - 2
    await octokit.rest.checks.update({
      ...where,
      check_run_id: id,
      ...(lastBatch ? done : {}),
      output: output(batch)
    })
  }
  return id
}
