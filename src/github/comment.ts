/**
 * The sticky pull-request comment: one per image and job, found again by a hidden marker and
 * updated in place on every push, so a busy PR gets one comment per image, not one per run.
 */
import { plural } from '../units.js'
import { sha256 } from '../image/digest.js'
import { blockingHeadline, fixGroups, type FixGroup } from '../report/fixes.js'
import type { SourceLinks } from '../report/links.js'
import { escapeMarkdown } from '../report/escape.js'
import {
  baselineSentence,
  FIX_ALIGN,
  FIX_HEADER,
  fixedCells,
  fixRow,
  inlineCode
} from '../report/markdown.js'
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
  /** Where Dockerfile lines link to (sourceLinks of the run's environment); default no links. */
  links?: SourceLinks
}

function groupRow(group: FixGroup, links: SourceLinks, columns: boolean[]): string {
  const cells = fixRow(group, links)
  return `| ${cells.filter((_, index) => columns[index]).join(' | ')} |`
}

function fixedRow(finding: FixedFinding): string {
  return `| ${fixedCells(finding).join(' | ')} |`
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
  const icon = report.verdict === 'pass' ? '✅' : '❌'
  const warnOnly =
    report.mode === 'warn' && report.verdict === 'fail' ? ' (warn mode: not enforced)' : ''
  const { counts } = report.summary

  const head = [
    options.marker,
    `## ${icon} container-gate: ${report.verdict}${warnOnly} for ${inlineCode(imageName(report.image.reference))}`,
    '',
    `${inlineCode(report.image.digest)} · ${escapeMarkdown(report.image.platform)} · ${plural(report.summary.blocking, 'blocking finding')} · ${counts.critical} critical, ${counts.high} high, ${counts.medium} medium, ${counts.low} low, ${counts.info} info, ${report.summary.suppressed} suppressed`,
    '',
    '| Step | Status | Duration | Note |',
    '| --- | --- | ---: | --- |',
    ...report.steps.map(
      (step) =>
        `| ${escapeMarkdown(step.title)} | ${STATUS_ICON[step.status]} ${step.status} | ${formatDuration(step.durationMs)} | ${step.reason === undefined ? '' : escapeMarkdown(step.reason)} |`
    )
  ]
  if (report.baseline !== undefined) {
    head.push('', baselineSentence(report.baseline))
  }
  if (report.expiredIgnores !== undefined && report.expiredIgnores.length > 0) {
    head.push(
      '',
      `⚠️ ${plural(report.expiredIgnores.length, 'ignore')} expired and no longer suppress: ${report.expiredIgnores
        .map((ignore) => `${inlineCode(ignore.source)} (until ${escapeMarkdown(ignore.until)})`)
        .join(', ')}.`
    )
  }

  const links = options.links ?? {}
  const groups = fixGroups(report.findings)
  const blocking = groups.filter((group) => group.blocking)
  const others = groups.filter((group) => !group.blocking)
  // No empty columns: a column shows when any row of either table fills it.
  const columns = FIX_HEADER.map((_, index) =>
    groups.some((group) => fixRow(group, links)[index] !== '')
  )
  const pick = (cells: string[]): string => `| ${cells.filter((_, i) => columns[i]).join(' | ')} |`
  const table = [pick(FIX_HEADER), pick(FIX_ALIGN)]
  const othersCount = others.reduce((sum, group) => sum + group.size, 0)
  const sections: Section[] = [
    {
      open: ['', `### What to fix first: ${blockingHeadline(blocking)}`, '', ...table],
      close: [],
      rows: blocking.map((group) => groupRow(group, links, columns))
    },
    {
      open: [
        '',
        `<details><summary>Other findings (${plural(othersCount, 'finding')} in ${plural(others.length, 'change')})</summary>`,
        '',
        ...table
      ],
      close: ['', '</details>'],
      rows: others.map((group) => groupRow(group, links, columns))
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

/** The app whose installation token is the Actions `GITHUB_TOKEN`, as REST names its comments. */
export const ACTIONS_BOT = 'github-actions[bot]'

/** Pages of 100 comments looked through for ours; past that a new comment is created. */
export const MAX_COMMENT_PAGES = 50

/**
 * Whose comments may be the sticky comment. The marker is public (anyone can compute it and a
 * file name can carry it), so only comments by the token's own user count. `token`: read with
 * GraphQL `viewer { login }`, which answers for installation tokens (`github-actions[bot]`,
 * `my-app[bot]`) and personal tokens alike, where REST `GET /user` refuses installation tokens.
 * `assumed`: the viewer could not be read (GraphQL disabled or refused), so the token is taken
 * to be the Actions `GITHUB_TOKEN` and only a Bot named `github-actions[bot]` counts; another
 * token then finds no comment of its own and creates one, which is safe, only noisier.
 */
export interface CommentOwner {
  login: string
  source: 'token' | 'assumed'
}

export async function commentOwner(octokit: Octokit): Promise<CommentOwner> {
  try {
    const answer = await octokit.graphql<{ viewer?: { login?: unknown } | null }>(
      'query { viewer { login } }'
    )
    const login = answer.viewer?.login
    if (typeof login === 'string' && login !== '') return { login, source: 'token' }
  } catch {
    // Fall through to the assumption below: the comment is still published.
  }
  return { login: ACTIONS_BOT, source: 'assumed' }
}

interface ListedComment {
  id: number
  body?: string | null
  user?: { login: string; type?: string } | null
}

/** Ours: written by the owner (logins are case-insensitive) and starting with the marker. */
function isSticky(comment: ListedComment, owner: CommentOwner, marker: string): boolean {
  const user = comment.user
  if (user === null || user === undefined) return false
  if (user.login.toLowerCase() !== owner.login.toLowerCase()) return false
  if (owner.source === 'assumed' && user.type !== 'Bot') return false
  return comment.body?.startsWith(`${marker}\n`) === true
}

export interface UpsertResult {
  result: CommentResult
  owner: CommentOwner
}

/**
 * Updates the comment of the token's own user that starts with `marker`, or creates it.
 * Comments are listed 100 a page, following the Link header until ours turns up (at most
 * MAX_COMMENT_PAGES pages).
 */
export async function upsertComment(
  octokit: Octokit,
  context: GitHubContext,
  pullRequest: number,
  marker: string,
  body: string
): Promise<UpsertResult> {
  const owner = await commentOwner(octokit)
  const where = { owner: context.owner, repo: context.repo }
  let pages = 0
  for await (const page of octokit.paginate.iterator(octokit.rest.issues.listComments, {
    ...where,
    issue_number: pullRequest,
    per_page: 100
  })) {
    const existing = page.data.find((comment) => isSticky(comment, owner, marker))
    if (existing !== undefined) {
      await octokit.rest.issues.updateComment({ ...where, comment_id: existing.id, body })
      return { result: 'updated', owner }
    }
    pages += 1
    if (pages >= MAX_COMMENT_PAGES) break
  }
  await octokit.rest.issues.createComment({ ...where, issue_number: pullRequest, body })
  return { result: 'created', owner }
}
