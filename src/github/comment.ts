/**
 * The sticky pull-request comment: one per image and job, found again by a hidden marker and
 * updated in place on every push, so a busy PR gets one comment per image, not one per run.
 */
import { sha256 } from '../image/digest.js'
import type { GatedFinding } from '../findings.js'
import { codeSpan, escapeText } from '../report/markdown.js'
import type { FixedFinding, GateReport, StepStatus } from '../report/model.js'
import { imageName } from '../report/sarif.js'
import { formatDuration } from '../report/table.js'
import type { GitHubContext, Octokit } from './context.js'

/** GitHub refuses comment bodies longer than this (characters). */
export const COMMENT_LIMIT = 65_536

const STATUS_ICON: Record<StepStatus, string> = {
  pass: '✅',
  fail: '❌',
  skipped: '⏭️',
  error: '💥'
}

/**
 * `<!-- container-gate:1f2e… -->`, keyed by image name, workflow and job, so matrix legs that gate
 * different images keep their own comments. The key is hashed: names never end the HTML comment.
 */
export function commentMarker(image: string, workflow: string, job: string): string {
  const key = sha256([imageName(image), workflow, job].join('\0')).slice('sha256:'.length)
  return `<!-- container-gate:${key.slice(0, 16)} -->`
}

export interface CommentOptions {
  marker: string
  /** Where the job summary with every finding is (the run's page). */
  summaryUrl?: string
  /** Characters; default GitHub's limit. */
  maxLength?: number
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`
}

function where(finding: GatedFinding): string {
  const { path, dockerfile } = finding.location
  return [
    ...(dockerfile === undefined ? [] : [codeSpan(`${dockerfile.file}:${dockerfile.line}`)]),
    ...(path === undefined ? [] : [codeSpan(path)])
  ].join(' ')
}

function findingRow(finding: GatedFinding, baseline: boolean): string {
  const flags = [
    ...(baseline && finding.baseline === 'new' ? ['🆕'] : []),
    ...(finding.suppressed === undefined
      ? []
      : [`suppressed: ${escapeText(finding.suppressed.reason)}`])
  ]
  const title = escapeText(finding.title) + (flags.length === 0 ? '' : ` (${flags.join(', ')})`)
  return `| ${finding.severity} | ${codeSpan(finding.rule)} | ${title} | ${where(finding)} |`
}

function fixedRow(finding: FixedFinding): string {
  return `| ${finding.severity} | ${codeSpan(finding.rule)} | ${escapeText(finding.title)} |`
}

interface Section {
  open: string[]
  close: string[]
  rows: string[]
}

function length(lines: string[]): number {
  return lines.reduce((sum, line) => sum + line.length + 1, 0)
}

/**
 * The comment body. Rows are dropped from the end — fixed findings, then other findings, then
 * blocking ones — until it fits `maxLength`, and the comment says so with a link to the summary.
 */
export function renderComment(report: GateReport, options: CommentOptions): string {
  const maxLength = options.maxLength ?? COMMENT_LIMIT
  const baseline = report.baseline !== undefined
  const blocking = report.findings.filter((f) => f.blocking && f.suppressed === undefined)
  const others = report.findings.filter((f) => !f.blocking || f.suppressed !== undefined)
  const icon = report.verdict === 'pass' ? '✅' : '❌'
  const warnOnly =
    report.mode === 'warn' && report.verdict === 'fail' ? ' (warn mode: not enforced)' : ''
  const { counts } = report.summary

  const head = [
    options.marker,
    `## ${icon} container-gate: ${report.verdict}${warnOnly} for ${codeSpan(imageName(report.image.reference))}`,
    '',
    `${codeSpan(report.image.digest)} · ${escapeText(report.image.platform)} · ${plural(report.summary.blocking, 'blocking finding')} · ${counts.critical} critical, ${counts.high} high, ${counts.medium} medium, ${counts.low} low, ${counts.info} info, ${report.summary.suppressed} suppressed`,
    '',
    '| Step | Status | Duration | Note |',
    '| --- | --- | ---: | --- |',
    ...report.steps.map(
      (step) =>
        `| ${escapeText(step.title)} | ${STATUS_ICON[step.status]} ${step.status} | ${formatDuration(step.durationMs)} | ${step.reason === undefined ? '' : escapeText(step.reason)} |`
    )
  ]
  if (report.baseline !== undefined) {
    const { new: added, unchanged, fixed, failOnNewOnly } = report.baseline
    head.push(
      '',
      `Compared with the baseline ${codeSpan(report.baseline.source)}: **${added} new**, ${unchanged} unchanged, ${fixed.length} fixed.${failOnNewOnly ? ' Only new findings block (fail-on-new-only).' : ''}`
    )
  }
  if (report.expiredIgnores !== undefined && report.expiredIgnores.length > 0) {
    head.push(
      '',
      `⚠️ ${plural(report.expiredIgnores.length, 'ignore')} expired and no longer suppress: ${report.expiredIgnores
        .map((ignore) => `${codeSpan(ignore.source)} (until ${ignore.until})`)
        .join(', ')}.`
    )
  }

  const table = ['| Severity | Rule | Finding | Where |', '| --- | --- | --- | --- |']
  const sections: Section[] = [
    {
      open: ['', `### Blocking findings (${blocking.length})`, '', ...table],
      close: [],
      rows: blocking.map((finding) => findingRow(finding, baseline))
    },
    {
      open: ['', `<details><summary>Other findings (${others.length})</summary>`, '', ...table],
      close: ['', '</details>'],
      rows: others.map((finding) => findingRow(finding, baseline))
    },
    {
      open: [
        '',
        `<details><summary>Fixed since the baseline (${report.baseline?.fixed.length ?? 0})</summary>`,
        '',
        '| Severity | Rule | Finding |',
        '| --- | --- | --- |'
      ],
      close: ['', '</details>'],
      rows: (report.baseline?.fixed ?? []).map(fixedRow)
    }
  ]

  const total = sections.reduce((sum, section) => sum + section.rows.length, 0)
  const link =
    options.summaryUrl === undefined
      ? 'the job summary'
      : `the [job summary](${options.summaryUrl})`
  const note = (shown: number): string[] =>
    shown === total
      ? options.summaryUrl === undefined
        ? []
        : ['', `_Every finding, with its fix, is in the [job summary](${options.summaryUrl})._`]
      : [
          '',
          `_Showing ${shown} of ${total} rows to stay under GitHub's comment size limit; ${link} and the JSON report have every finding._`
        ]

  const budget = maxLength - length(head) - length(note(-1))
  // Greedy in priority order, whole rows only; a section's frame counts once it shows a row.
  const shown = sections.map(() => 0)
  let used = 0
  fill: for (const [index, section] of sections.entries()) {
    const frame = length([...section.open, ...section.close])
    for (const row of section.rows) {
      const cost = row.length + 1 + (shown[index] === 0 ? frame : 0)
      if (used + cost > budget) break fill
      used += cost
      shown[index] += 1
    }
  }
  const lines = [
    ...head,
    ...sections.flatMap((section, index) =>
      shown[index] === 0
        ? []
        : [...section.open, ...section.rows.slice(0, shown[index]), ...section.close]
    ),
    ...note(shown.reduce((sum, rows) => sum + rows, 0))
  ]
  return `${lines.join('\n')}\n`.slice(0, maxLength)
}

export type CommentResult = 'created' | 'updated'

/**
 * Updates the comment carrying `marker` on the pull request, or creates it. Comments are listed
 * 100 a page, following the Link header until the marker turns up.
 */
export async function upsertComment(
  octokit: Octokit,
  context: GitHubContext,
  pullRequest: number,
  marker: string,
  body: string
): Promise<CommentResult> {
  const where = { owner: context.owner, repo: context.repo }
  for await (const page of octokit.paginate.iterator(octokit.rest.issues.listComments, {
    ...where,
    issue_number: pullRequest,
    per_page: 100
  })) {
    const existing = page.data.find((comment) => comment.body?.includes(marker) === true)
    if (existing !== undefined) {
      await octokit.rest.issues.updateComment({ ...where, comment_id: existing.id, body })
      return 'updated'
    }
  }
  await octokit.rest.issues.createComment({ ...where, issue_number: pullRequest, body })
  return 'created'
}
