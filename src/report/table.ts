/** The terminal report: what a person reads after `container-gate scan`. */
import { plural } from '../units.js'
import { severityCounts, shownPath, type GatedFinding, type Severity } from '../findings.js'
import { escapeTerminal } from './escape.js'
import {
  ADVISORIES_SHOWN,
  baselineCounts,
  baselineMark,
  blockingHeadline,
  FIXED_SHOWN,
  fixAction,
  fixGroups,
  fixText,
  type FixGroup
} from './fixes.js'
import type { GateReport, StepStatus } from './model.js'

export interface TableOptions {
  /** ANSI colour (SGR) codes; off for files, pipes and NO_COLOR. */
  color: boolean
  /** Columns to wrap at (at spaces); default the terminal's width, else 100. */
  width?: number
}

const SGR = {
  bold: '1',
  dim: '2',
  red: '31',
  green: '32',
  yellow: '33',
  cyan: '36',
  boldRed: '1;31',
  boldGreen: '1;32'
} as const

type Style = keyof typeof SGR

const STATUS_STYLE: Record<StepStatus, Style> = {
  pass: 'green',
  fail: 'red',
  skipped: 'yellow',
  error: 'boldRed'
}

const SEVERITY_STYLE: Record<Severity, Style> = {
  critical: 'boldRed',
  high: 'red',
  medium: 'yellow',
  low: 'cyan',
  info: 'dim'
}

export function formatDuration(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`
}

/** Columns padded on the plain text, then styled, so escape codes never skew the alignment. */
function columns(
  rows: Array<Array<[string, Style?]>>,
  paint: (text: string, style?: Style) => string
): string[] {
  const widths: number[] = []
  for (const row of rows) {
    row.forEach(([text], index) => (widths[index] = Math.max(widths[index] ?? 0, text.length)))
  }
  return rows.map((row) =>
    `  ${row
      .map(([text, style], index) => {
        const padded = index === row.length - 1 ? text : text.padEnd(widths[index] ?? 0)
        return paint(padded, style)
      })
      .join('  ')}`.trimEnd()
  )
}

/** Terminal width: the terminal's own, else 100 (files, pipes, CI logs). */
function terminalWidth(stream: { isTTY?: boolean; columns?: number } = process.stdout): number {
  return stream.isTTY === true && stream.columns !== undefined && stream.columns > 0
    ? stream.columns
    : DEFAULT_WIDTH
}

const DEFAULT_WIDTH = 100
/** Severity column: `CRITICAL` and two spaces, after the two-space margin. */
const INDENT = 12

/**
 * Breaks `text` into lines of at most `width` characters at spaces; only a word longer than a
 * whole line is split.
 */
export function wrapWords(text: string, width: number): string[] {
  const lines: string[] = []
  let line = ''
  for (let word of text.split(' ')) {
    while (word.length > width) {
      if (line !== '') lines.push(line)
      lines.push(word.slice(0, width))
      word = word.slice(width)
      line = ''
    }
    if (line === '') line = word
    else if (line.length + 1 + word.length <= width) line += ` ${word}`
    else {
      lines.push(line)
      line = word
    }
  }
  if (line !== '' || lines.length === 0) lines.push(line)
  return lines
}

function groupLines(
  group: FixGroup,
  width: number,
  paint: (text: string, style?: Style) => string
): string[] {
  const first = group.findings[0]!
  const count = group.size
  const rule = escapeTerminal(group.rule)
  const action = escapeTerminal(fixAction(group))
  const dockerfile =
    group.dockerfile === undefined
      ? ''
      : ` (${escapeTerminal(`${group.dockerfile.file}:${group.dockerfile.line}`)})`
  const path = escapeTerminal(shownPath(first) ?? '')
  // Most titles already name their file; print the path only when it adds something. An
  // upgrade's findings share the package's path; a rule's several findings have several.
  const shared = group.kind === 'upgrade' || count === 1
  const where = path === '' || action.includes(path) || !shared ? '' : `  ${path}`
  const mark = baselineMark(group.findings)
  const headline =
    (group.kind === 'upgrade'
      ? `${action}: ${severityCounts(group.counts)} (${advisoryIds(group)})${dockerfile}${where}`
      : `${rule}${count > 1 ? ` ×${count}` : ''}${dockerfile}: ${action}${where}`) +
    (mark === undefined ? '' : `  [${mark}]`)
  const fix = fixText(group)
  const textWidth = Math.max(20, width - INDENT)
  const pad = ' '.repeat(INDENT)
  const lines = severityLines(group.severity, headline, width, paint)
  if (fix !== undefined) {
    lines.push(
      ...wrapWords(escapeTerminal(fix), textWidth).map((line) => `${pad}${paint(line, 'dim')}`)
    )
  }
  return lines.map((line) => line.trimEnd())
}

/** The advisories an upgrade clears, as the Markdown report lists them: the first five, then a count. */
function advisoryIds(group: FixGroup): string {
  const ids = group.findings.map((finding) => escapeTerminal(finding.vulnerability?.id ?? ''))
  const more = ids.length > ADVISORIES_SHOWN ? ` and ${ids.length - ADVISORIES_SHOWN} more` : ''
  return `${ids.slice(0, ADVISORIES_SHOWN).join(', ')}${more}`
}

/** `lines.push(...more)` for a list of any length (spread arguments overflow the stack). */
function append(lines: string[], more: string[]): void {
  for (const line of more) lines.push(line)
}

/** `text` wrapped under a severity column, as the findings and changes are printed. */
function severityLines(
  severity: Severity,
  text: string,
  width: number,
  paint: (text: string, style?: Style) => string
): string[] {
  return wrapWords(text, Math.max(20, width - INDENT)).map((line, index) =>
    index === 0
      ? `  ${paint(severity.toUpperCase().padEnd(INDENT - 2), SEVERITY_STYLE[severity])}${line}`
      : `${' '.repeat(INDENT)}${line}`
  )
}

/** A suppressed finding, one per line as before grouping: it needs no change, only a reason. */
function suppressedLines(
  finding: GatedFinding,
  width: number,
  paint: (text: string, style?: Style) => string
): string[] {
  const title = escapeTerminal(finding.title)
  const path = escapeTerminal(shownPath(finding) ?? '')
  const where = path === '' || title.includes(path) ? '' : `  ${path}`
  const reason = escapeTerminal(finding.suppressed?.reason ?? '')
  return severityLines(
    finding.severity,
    `${escapeTerminal(finding.rule)}: ${title}${where}  (suppressed: ${reason})`,
    width,
    paint
  )
}

export function renderTable(report: GateReport, options: TableOptions): string {
  const paint = (text: string, style?: Style): string =>
    options.color && style !== undefined ? `\u001b[${SGR[style]}m${text}\u001b[0m` : text
  const lines: string[] = [
    paint(`${report.tool.name} ${report.tool.version}`, 'bold'),
    `Image     ${escapeTerminal(report.image.reference)}`,
    `Digest    ${escapeTerminal(report.image.digest)}`,
    `Platform  ${escapeTerminal(report.image.platform)}`,
    '',
    paint('Steps', 'bold'),
    ...columns(
      report.steps.map((step) => [
        [step.status.toUpperCase(), STATUS_STYLE[step.status]],
        [step.id],
        [formatDuration(step.durationMs).padStart(8)],
        [step.reason === undefined ? '' : escapeTerminal(step.reason)]
      ]),
      paint
    )
  ]

  if (report.baseline !== undefined) {
    lines.push(
      '',
      `Baseline  ${escapeTerminal(report.baseline.source)}: ${baselineCounts(report.baseline)}`
    )
  }

  const width = options.width ?? terminalWidth()
  const groups = fixGroups(report.findings)
  const blocking = groups.filter((group) => group.blocking)
  const others = groups.filter((group) => !group.blocking)
  const othersCount = others.reduce((sum, group) => sum + group.size, 0)
  for (const [heading, section] of [
    [`What to fix first: ${blockingHeadline(blocking)}`, blocking],
    [
      `Other findings (${plural(othersCount, 'finding')} in ${plural(others.length, 'change')})`,
      others
    ]
  ] as const) {
    if (section.length === 0) continue
    lines.push('', paint(heading, 'bold'))
    for (const group of section) append(lines, groupLines(group, width, paint))
  }
  const suppressedFindings = report.findings.filter((f) => f.suppressed !== undefined)
  if (suppressedFindings.length > 0) {
    lines.push('', paint(`Suppressed (${suppressedFindings.length})`, 'bold'))
    for (const finding of suppressedFindings) {
      append(lines, suppressedLines(finding, width, paint))
    }
  }

  const fixed = report.baseline?.fixed ?? []
  if (fixed.length > 0) {
    lines.push('', paint(`Fixed since the baseline (${fixed.length})`, 'bold'))
    for (const finding of fixed.slice(0, FIXED_SHOWN)) {
      const text = `${escapeTerminal(finding.rule)}: ${escapeTerminal(finding.title)}`
      append(lines, severityLines(finding.severity, text, width, paint))
    }
    if (fixed.length > FIXED_SHOWN)
      lines.push(
        `${' '.repeat(INDENT)}and ${fixed.length - FIXED_SHOWN} more (the JSON report lists them)`
      )
  }

  const { counts, suppressed } = report.summary
  const errored = report.steps.filter((step) => step.status === 'error').length
  const reasons = [
    plural(report.summary.blocking, 'blocking finding'),
    ...(errored > 0 ? [`${plural(errored, 'step')} errored`] : [])
  ]
  lines.push(
    '',
    `Findings  ${counts.critical} critical, ${counts.high} high, ${counts.medium} medium, ${counts.low} low, ${counts.info} info; ${suppressed} suppressed`,
    paint(
      `Verdict   ${report.verdict.toUpperCase()} (${reasons.join(', ')})${report.mode === 'warn' && report.verdict === 'fail' ? '; warn mode: the run does not fail' : ''}`,
      report.verdict === 'pass' ? 'boldGreen' : 'boldRed'
    )
  )
  return `${lines.join('\n')}\n`
}
