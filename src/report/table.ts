/** The terminal report: what a person reads after `container-gate scan`. */
import type { GatedFinding, Severity } from '../findings.js'
import { escapeTerminal } from './escape.js'
import type { GateReport, StepStatus } from './model.js'

export interface TableOptions {
  /** ANSI colour (SGR) codes; off for files, pipes and NO_COLOR. */
  color: boolean
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

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`
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

function findingRow(finding: GatedFinding): Array<[string, Style?]> {
  const title = escapeTerminal(finding.title)
  const path = finding.location.path === undefined ? '' : escapeTerminal(finding.location.path)
  // Most titles already name their file; print the path only when it adds something.
  const where = path === '' || title.includes(path) ? '' : `  ${path}`
  const suppressed =
    finding.suppressed === undefined
      ? ''
      : `  (suppressed: ${escapeTerminal(finding.suppressed.reason)})`
  return [
    [finding.severity.toUpperCase(), SEVERITY_STYLE[finding.severity]],
    [escapeTerminal(finding.rule)],
    [`${title}${where}${suppressed}`]
  ]
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

  const blocking = report.findings.filter((f) => f.blocking && f.suppressed === undefined)
  const others = report.findings.filter((f) => !f.blocking || f.suppressed !== undefined)
  for (const [heading, group] of [
    ['Blocking findings', blocking],
    ['Other findings', others]
  ] as const) {
    if (group.length === 0) continue
    lines.push(
      '',
      paint(`${heading} (${group.length})`, 'bold'),
      ...columns(group.map(findingRow), paint)
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
      `Verdict   ${report.verdict.toUpperCase()} (${reasons.join(', ')})`,
      report.verdict === 'pass' ? 'boldGreen' : 'boldRed'
    )
  )
  return `${lines.join('\n')}\n`
}
