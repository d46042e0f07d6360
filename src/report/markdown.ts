/** GitHub-flavoured Markdown: the job summary and the sticky PR comment. */
import { plural } from '../units.js'
import { isBlocking, severityCounts, shownPath, type GatedFinding } from '../findings.js'
import type { BaselineSummary, FixedFinding, GateReport, StepStatus } from './model.js'
import { escapeMarkdown } from './escape.js'
import {
  ADVISORIES_SHOWN,
  baselineCounts,
  FIXED_SHOWN,
  fixAction,
  fixGroups,
  type FixGroup
} from './fixes.js'
import { advisoryLink, dockerfileLink, sourceLinks, type SourceLinks } from './links.js'
import { formatDuration } from './table.js'

export interface MarkdownOptions {
  /** Characters; default 65536, GitHub's limit for a comment body. */
  maxLength?: number
  /** Where Dockerfile lines link to; default from the Actions environment. */
  links?: SourceLinks
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

function location(finding: GatedFinding, links: SourceLinks): string {
  const path = shownPath(finding)
  const { dockerfile } = finding.location
  return [
    ...(path === undefined ? [] : [inlineCode(path)]),
    ...(dockerfile === undefined ? [] : [dockerfileLink(dockerfile.file, dockerfile.line, links)])
  ].join(' ')
}

/** Drops the columns no row fills (GitHub renders an empty column as noise). */
function filledTable(header: string[], align: string[], rows: string[][]): string[] {
  const keep = header.map((_, index) => rows.some((row) => (row[index] ?? '') !== ''))
  const pick = <T>(cells: T[]): T[] => cells.filter((_, index) => keep[index])
  return table(pick(header), pick(align), rows.map(pick))
}

/** One finding's row, with its fix (the job summary is where the comment sends people for it). */
function findingRow(finding: GatedFinding, links: SourceLinks): string[] {
  return [
    finding.severity,
    inlineCode(finding.rule),
    escapeMarkdown(finding.title) +
      (finding.baseline === 'new' ? ' (🆕)' : '') +
      (finding.vulnerability === undefined ? '' : ` (${advisoryLink(finding.vulnerability.id)})`) +
      (finding.suppressed === undefined
        ? ''
        : ` (suppressed: ${escapeMarkdown(finding.suppressed.reason)})`),
    location(finding, links),
    finding.detail === undefined ? '' : escapeMarkdown(finding.detail)
  ]
}

function findingTable(findings: GatedFinding[], links: SourceLinks): string[] {
  return filledTable(
    ['Severity', 'Rule', 'Finding', 'Location', 'Details'],
    ['---', '---', '---', '---', '---'],
    findings.map((finding) => findingRow(finding, links))
  )
}

/** One "What to fix first" row: severity, the change, what it clears, where. */
export function fixRow(group: FixGroup, links: SourceLinks): string[] {
  const count = group.size
  let change: string
  if (group.kind === 'upgrade') {
    const ids = group.findings.map((finding) => finding.vulnerability!.id)
    const more = ids.length > ADVISORIES_SHOWN ? `, and ${ids.length - ADVISORIES_SHOWN} more` : ''
    change = `${escapeMarkdown(fixAction(group))}: ${ids.slice(0, ADVISORIES_SHOWN).map(advisoryLink).join(', ')}${more}`
  } else {
    change = `${inlineCode(group.rule)}${count > 1 ? ` ×${count}` : ''}: ${escapeMarkdown(fixAction(group))}`
  }
  const path = shownPath(group.findings[0]!)
  const where = [
    ...(group.dockerfile === undefined
      ? []
      : [dockerfileLink(group.dockerfile.file, group.dockerfile.line, links)]),
    // An upgrade's findings share the package's path; a rule's several findings have several.
    ...(path === undefined || (group.kind === 'rule' && count > 1) ? [] : [inlineCode(path)])
  ].join(' ')
  // 🆕: the change clears a finding the baseline does not have.
  const fresh = group.findings.some((finding) => finding.baseline === 'new') ? ' (🆕)' : ''
  return [group.severity, `${change}${fresh}`, severityCounts(group.counts), where]
}

/** The comparison with the baseline, as the PR comment and the job summary say it. */
export function baselineSentence(baseline: BaselineSummary): string {
  return `Compared with the baseline ${inlineCode(baseline.source)}: ${baselineCounts(baseline, (text) => `**${text}**`)}`
}

/** A finding the baseline had and this run does not: severity, rule, title. */
export function fixedCells(finding: FixedFinding): string[] {
  return [finding.severity, inlineCode(finding.rule), escapeMarkdown(finding.title)]
}

export const FIX_HEADER = ['Severity', 'Change', 'Clears', 'Where']
export const FIX_ALIGN = ['---', '---', '---', '---']

/** The "What to fix first" table, without columns no row fills. */
export function fixTable(groups: FixGroup[], links: SourceLinks): string[] {
  return filledTable(
    FIX_HEADER,
    FIX_ALIGN,
    groups.map((group) => fixRow(group, links))
  )
}

/**
 * The most rows `render` can show within `maxLength`: the first `shown` changes and findings
 * (blocking ones first, as `render` shows them) are longer than their cells together, so no
 * more can fit. Renders rows only until they overflow.
 */
function mostRows(
  report: GateReport,
  groups: FixGroup[],
  maxLength: number,
  links: SourceLinks
): number {
  const findings = [
    ...report.findings.filter(isBlocking),
    ...report.findings.filter((f) => !isBlocking(f))
  ]
  const length = (cells: string[]): number => cells.reduce((sum, cell) => sum + cell.length, 0)
  let used = 0
  for (const [index, finding] of findings.entries()) {
    const group = groups[index]
    used +=
      length(findingRow(finding, links)) + (group === undefined ? 0 : length(fixRow(group, links)))
    if (used > maxLength) return index
  }
  return findings.length
}

/** The whole document, showing only the first `shown` changes and findings (blocking ones first). */
function render(
  report: GateReport,
  groups: FixGroup[],
  shown: number,
  maxLength: number,
  links: SourceLinks
): string {
  const { counts, blocking: blockingCount, suppressed } = report.summary
  const blocking = report.findings.filter(isBlocking)
  const others = report.findings.filter((f) => !isBlocking(f))
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
  if (report.baseline !== undefined) lines.push('', baselineSentence(report.baseline))
  if (report.mode === 'warn' && report.verdict === 'fail') {
    lines.push('', '> [!WARNING]', '> `mode: warn`: the policy failed, but the run does not.')
  }
  // The changes table shrinks with the finding rows, so a huge report still fits whole rows.
  const shownGroups = groups.slice(0, shown)
  if (shownGroups.length > 0) {
    lines.push(
      '',
      `### What to fix first (${plural(groups.length, 'change')})`,
      '',
      ...fixTable(shownGroups, links)
    )
  }
  if (shownBlocking.length > 0) {
    lines.push(
      '',
      `### Blocking findings (${blocking.length})`,
      '',
      ...findingTable(shownBlocking, links)
    )
  }
  if (shownOthers.length > 0) {
    lines.push(
      '',
      `<details><summary>Other findings (${others.length})</summary>`,
      '',
      ...findingTable(shownOthers, links),
      '',
      '</details>'
    )
  }
  const fixed = report.baseline?.fixed ?? []
  if (fixed.length > 0) {
    const more = fixed.length - FIXED_SHOWN
    lines.push(
      '',
      `<details><summary>Fixed since the baseline (${fixed.length})</summary>`,
      '',
      ...table(
        ['Severity', 'Rule', 'Finding'],
        ['---', '---', '---'],
        fixed.slice(0, FIXED_SHOWN).map(fixedCells)
      ),
      ...(more > 0 ? ['', `_And ${more} more; the JSON report lists them all._`] : []),
      '',
      '</details>'
    )
  }
  const total = report.findings.length
  if (shown < total) {
    lines.push(
      '',
      `_Showing ${shownGroups.length} of ${plural(groups.length, 'change')} and ${shown} of ${total} findings to stay under ${maxLength} characters; the JSON report has them all._`
    )
  }
  return `${lines.join('\n')}\n`
}

/**
 * Truncates by dropping whole rows (other findings first, then blocking ones, and the changes
 * from the end) and says how many are shown; the output never exceeds `maxLength`. Rows that
 * cannot fit are never rendered: each render below shows at most `mostRows`.
 */
export function renderMarkdown(report: GateReport, options: MarkdownOptions = {}): string {
  const maxLength = options.maxLength ?? DEFAULT_MAX_LENGTH
  const links = options.links ?? sourceLinks(process.env)
  const total = report.findings.length
  // Grouped once: the search below renders up to log2(most) times.
  const groups = fixGroups(report.findings)
  const most = mostRows(report, groups, maxLength, links)
  if (most === total) {
    const full = render(report, groups, total, maxLength, links)
    if (full.length <= maxLength) return full
  }

  // Length grows with the rows shown: find the most rows that fit.
  let low = 0
  let high = Math.min(most, total - 1)
  while (low < high) {
    const middle = Math.ceil((low + high) / 2)
    if (render(report, groups, middle, maxLength, links).length <= maxLength) low = middle
    else high = middle - 1
  }
  const fitted = render(report, groups, low, maxLength, links)
  if (fitted.length <= maxLength) return fitted
  const cut = '\n\n_Cut to fit the length limit; the JSON report has everything._\n'
  return `${fitted.slice(0, Math.max(0, maxLength - cut.length))}${cut}`.slice(0, maxLength)
}
