/** GitHub-flavoured Markdown: the job summary and the sticky PR comment. */
import type { GatedFinding } from '../findings.js'
import type { GateReport, StepStatus } from './model.js'
import { escapeMarkdown } from './escape.js'
import { formatDuration } from './table.js'

export interface MarkdownOptions {
  /** Characters; default 65536, GitHub's limit for a comment body. */
  maxLength?: number
}

const DEFAULT_MAX_LENGTH = 65_536

const STATUS_ICON: Record<StepStatus, string> = {
  pass: '✅',
  fail: '❌',
  skipped: '⏭️',
  error: '💥'
}

/**
 * Monospace text that holds anything: a Markdown code span cannot escape `<` or `|`, so this is
 * an HTML `code` element around escaped Markdown (GitHub allows it, also in table cells).
 */
export function inlineCode(value: string): string {
  return `<code>${escapeMarkdown(value)}</code>`
}

function table(header: string[], align: string[], rows: string[][]): string[] {
  return [
    `| ${header.join(' | ')} |`,
    `| ${align.join(' | ')} |`,
    ...rows.map((row) => `| ${row.join(' | ')} |`)
  ]
}

function location(finding: GatedFinding): string {
  const { path, dockerfile } = finding.location
  return [
    ...(path === undefined ? [] : [inlineCode(path)]),
    ...(dockerfile === undefined ? [] : [inlineCode(`${dockerfile.file}:${dockerfile.line}`)])
  ].join(' ')
}

function findingTable(findings: GatedFinding[]): string[] {
  return table(
    ['Severity', 'Rule', 'Finding', 'Location'],
    ['---', '---', '---', '---'],
    findings.map((finding) => [
      finding.severity,
      inlineCode(finding.rule),
      escapeMarkdown(finding.title) +
        (finding.suppressed === undefined
          ? ''
          : ` (suppressed: ${escapeMarkdown(finding.suppressed.reason)})`),
      location(finding)
    ])
  )
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`
}

/** The whole document, showing only the first `shown` findings (blocking ones first). */
function render(report: GateReport, shown: number, maxLength: number): string {
  const { counts, blocking: blockingCount, suppressed } = report.summary
  const blocking = report.findings.filter((f) => f.blocking && f.suppressed === undefined)
  const others = report.findings.filter((f) => !f.blocking || f.suppressed !== undefined)
  const shownBlocking = blocking.slice(0, shown)
  const shownOthers = others.slice(0, Math.max(0, shown - blocking.length))
  const icon = report.verdict === 'pass' ? '✅' : '❌'

  const lines = [
    `## ${icon} container-gate: ${report.verdict}`,
    '',
    `Image ${inlineCode(report.image.reference)} at ${inlineCode(report.image.digest)} (${escapeMarkdown(report.image.platform)}): ${plural(blockingCount, 'blocking finding')}.`,
    '',
    ...table(
      ['Step', 'Status', 'Duration', 'Note'],
      ['---', '---', '---:', '---'],
      report.steps.map((step) => [
        escapeMarkdown(step.title),
        `${STATUS_ICON[step.status]} ${step.status}`,
        formatDuration(step.durationMs),
        step.reason === undefined ? '' : escapeMarkdown(step.reason)
      ])
    ),
    '',
    ...table(
      ['Critical', 'High', 'Medium', 'Low', 'Info', 'Suppressed'],
      ['---:', '---:', '---:', '---:', '---:', '---:'],
      [
        [counts.critical, counts.high, counts.medium, counts.low, counts.info, suppressed].map(
          String
        )
      ]
    )
  ]
  if (shownBlocking.length > 0) {
    lines.push('', `### Blocking findings (${blocking.length})`, '', ...findingTable(shownBlocking))
  }
  if (shownOthers.length > 0) {
    lines.push(
      '',
      `<details><summary>Other findings (${others.length})</summary>`,
      '',
      ...findingTable(shownOthers),
      '',
      '</details>'
    )
  }
  const total = report.findings.length
  if (shown < total) {
    lines.push(
      '',
      `_Showing ${shown} of ${total} findings to stay under ${maxLength} characters; the JSON report has them all._`
    )
  }
  return `${lines.join('\n')}\n`
}

/**
 * Truncates by dropping whole finding rows (other findings first, then blocking ones) and says
 * how many are shown; the output never exceeds `maxLength`.
 */
export function renderMarkdown(report: GateReport, options: MarkdownOptions = {}): string {
  const maxLength = options.maxLength ?? DEFAULT_MAX_LENGTH
  const total = report.findings.length
  const full = render(report, total, maxLength)
  if (full.length <= maxLength) return full

  // Length grows with the rows shown: find the most rows that fit.
  let low = 0
  let high = total - 1
  while (low < high) {
    const middle = Math.ceil((low + high) / 2)
    if (render(report, middle, maxLength).length <= maxLength) low = middle
    else high = middle - 1
  }
  const fitted = render(report, low, maxLength)
  if (fitted.length <= maxLength) return fitted
  const cut = '\n\n_Cut to fit the length limit; the JSON report has everything._\n'
  return `${fitted.slice(0, Math.max(0, maxLength - cut.length))}${cut}`.slice(0, maxLength)
}
