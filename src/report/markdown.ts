/** GitHub-flavoured Markdown: the job summary and the sticky PR comment. */
import type { GatedFinding } from '../findings.js'
import type { GateReport, StepStatus } from './model.js'
import { formatDuration, printable } from './table.js'

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

/** Text in a table cell: no HTML, no emphasis, links or code, and `|` cannot end the cell. */
export function escapeText(value: string): string {
  return printable(value)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/[\\`*_[\]|~#!]/g, (char) => `\\${char}`)
}

/**
 * A code span that holds any text (CommonMark 6.1): the fence is longer than any backtick run
 * inside. In a GFM table `\|` is still needed inside code.
 */
export function codeSpan(value: string): string {
  const text = printable(value).replace(/\|/g, '\\|')
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length))
  const fence = '`'.repeat(longest + 1)
  const pad = text.startsWith('`') || text.endsWith('`') ? ' ' : ''
  return `${fence}${pad}${text}${pad}${fence}`
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
    ...(path === undefined ? [] : [codeSpan(path)]),
    ...(dockerfile === undefined ? [] : [codeSpan(`${dockerfile.file}:${dockerfile.line}`)])
  ].join(' ')
}

function findingTable(findings: GatedFinding[]): string[] {
  return table(
    ['Severity', 'Rule', 'Finding', 'Location'],
    ['---', '---', '---', '---'],
    findings.map((finding) => [
      finding.severity,
      codeSpan(finding.rule),
      escapeText(finding.title) +
        (finding.suppressed === undefined
          ? ''
          : ` (suppressed: ${escapeText(finding.suppressed.reason)})`),
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
    `Image ${codeSpan(report.image.reference)} at ${codeSpan(report.image.digest)} (${escapeText(report.image.platform)}): ${plural(blockingCount, 'blocking finding')}.`,
    '',
    ...table(
      ['Step', 'Status', 'Duration', 'Note'],
      ['---', '---', '---:', '---'],
      report.steps.map((step) => [
        escapeText(step.title),
        `${STATUS_ICON[step.status]} ${step.status}`,
        formatDuration(step.durationMs),
        step.reason === undefined ? '' : escapeText(step.reason)
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
