/**
 * Where the action puts the result: outputs, workflow annotations, the job summary, a check run
 * and the sticky PR comment. Each GitHub phase catches its own errors: a token that may not do
 * something (a fork's read-only token) costs one notice or warning, never the run.
 */
import * as core from '@actions/core'
import { outputError } from '../files.js'
import { severityRank } from '../findings.js'
import { sourceLinks } from '../report/links.js'
import type { GateReport } from '../report/model.js'
import { findingsByPlace, groupedAnnotation, publishCheckRun } from './checks.js'
import { commentMarker, renderComment, upsertComment } from './comment.js'
import {
  createOctokit,
  isPermissionError,
  readGitHubContext,
  runUrl,
  type GitHubContext
} from './context.js'
import { renderSummary } from './summary.js'

/** GitHub shows at most 10 error and 10 warning annotations per step; send the most severe. */
const ANNOTATIONS_PER_KIND = 10

export interface PublishOptions {
  reportPath: string
  sarifPath?: string
  sbomPath?: string
  /** Signature digest or reference, when the custody step signed the image. */
  signature?: string
  token?: string
  comment: boolean
  checkRun: boolean
  /** The Dockerfile findings were mapped onto, for annotations that have no line. */
  dockerfile?: string
  env: NodeJS.ProcessEnv
}

export async function publish(report: GateReport, options: PublishOptions): Promise<void> {
  try {
    setOutputs(report, options)
  } catch (error) {
    // @actions/core appends to the GITHUB_OUTPUT file: a full disk there is an unwritten output.
    throw outputError(`the step outputs file GITHUB_OUTPUT "${options.env.GITHUB_OUTPUT}"`, error)
  }
  workflowAnnotations(report)
  const context = readGitHubContext(options.env)
  const url = context === undefined ? undefined : runUrl(context)

  if (options.env.GITHUB_STEP_SUMMARY) {
    const summary = renderSummary(report, {
      report: options.reportPath,
      ...(options.sarifPath === undefined ? {} : { sarif: options.sarifPath }),
      ...(options.sbomPath === undefined ? {} : { sbom: options.sbomPath }),
      ...(url === undefined ? {} : { runUrl: url })
    })
    await core.summary
      .addRaw(summary, true)
      .write()
      .catch((error: unknown) => {
        throw outputError(
          `the job summary GITHUB_STEP_SUMMARY "${options.env.GITHUB_STEP_SUMMARY}"`,
          error
        )
      })
  }

  if (context === undefined || !options.token) {
    if (options.comment || options.checkRun) {
      core.info('No GITHUB_REPOSITORY or token: no check run and no PR comment.')
    }
    return
  }
  if (options.checkRun) await checkRunPhase(report, context, options, url)
  if (options.comment) await commentPhase(report, context, options, url)
}

function setOutputs(report: GateReport, options: PublishOptions): void {
  core.setOutput('verdict', report.verdict)
  core.setOutput('critical', report.summary.counts.critical)
  core.setOutput('high', report.summary.counts.high)
  core.setOutput('medium', report.summary.counts.medium)
  core.setOutput('low', report.summary.counts.low)
  core.setOutput('blocking', report.summary.blocking)
  core.setOutput('report', options.reportPath)
  core.setOutput('digest', report.image.digest)
  if (options.sarifPath !== undefined) core.setOutput('sarif', options.sarifPath)
  if (options.sbomPath !== undefined) core.setOutput('sbom', options.sbomPath)
  if (options.signature !== undefined) core.setOutput('signature', options.signature)
}

/** One annotation per line findings land on (findingsByPlace), most severe lines first. */
function workflowAnnotations(report: GateReport): void {
  const groups = findingsByPlace(report.findings)
    .map(({ place, findings }) => ({
      place,
      rank: Math.max(...findings.map((f) => severityRank(f.severity))),
      ...groupedAnnotation(findings)
    }))
    .filter((group) => group.level !== 'notice')
  groups.sort((a, b) => b.rank - a.rank)
  for (const kind of ['failure', 'warning'] as const) {
    for (const group of groups.filter((g) => g.level === kind).slice(0, ANNOTATIONS_PER_KIND)) {
      const properties: core.AnnotationProperties = {
        title: group.title,
        ...(group.place === undefined
          ? {}
          : { file: group.place.file, startLine: group.place.line })
      }
      if (kind === 'failure') core.error(group.message, properties)
      else core.warning(group.message, properties)
    }
  }
}

async function checkRunPhase(
  report: GateReport,
  context: GitHubContext,
  options: PublishOptions,
  url: string | undefined
): Promise<void> {
  try {
    await publishCheckRun(createOctokit(options.token!, context), context, report, {
      fallbackPath: options.dockerfile ?? context.workflowFile ?? '.github',
      ...(url === undefined ? {} : { detailsUrl: url })
    })
  } catch (error) {
    core.warning(
      isPermissionError(error)
        ? 'container-gate: the token cannot create check runs (grant `checks: write`; fork pull requests get a read-only token). The findings are in the log annotations and the job summary.'
        : `container-gate: the check run could not be published: ${(error as Error).message}`
    )
  }
}

async function commentPhase(
  report: GateReport,
  context: GitHubContext,
  options: PublishOptions,
  url: string | undefined
): Promise<void> {
  if (context.pullRequest === undefined) return
  const forkNotice =
    'container-gate: no PR comment, the token of a pull request from a fork is read-only; the job summary and annotations have the findings.'
  if (context.fork) {
    core.notice(forkNotice)
    return
  }
  const marker = commentMarker(report.image.reference, context.workflow, context.job)
  const body = renderComment(report, {
    marker,
    links: sourceLinks(options.env),
    ...(url === undefined ? {} : { summaryUrl: url })
  })
  try {
    const { result, owner } = await upsertComment(
      createOctokit(options.token!, context),
      context,
      context.pullRequest,
      marker,
      body
    )
    core.info(`container-gate: PR comment ${result}.`)
    if (owner.source === 'assumed') {
      core.info(
        `container-gate: the token's user could not be read (GraphQL viewer); only comments by ${owner.login} were taken as the sticky comment.`
      )
    }
  } catch (error) {
    if (isPermissionError(error)) {
      core.notice(
        'container-gate: no PR comment, the token may not write to the pull request (grant `pull-requests: write`; forks get a read-only token).'
      )
    } else {
      core.warning(
        `container-gate: the PR comment could not be published: ${(error as Error).message}`
      )
    }
  }
}
