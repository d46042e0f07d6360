/**
 * Where the action runs, from the runner's environment and the event payload
 * (https://docs.github.com/actions/reference/variables-reference).
 */
import { readFileSync } from 'node:fs'
import { getOctokit } from '@actions/github'

export interface GitHubContext {
  owner: string
  repo: string
  apiUrl: string
  serverUrl: string
  workflow: string
  job: string
  runId?: string
  runAttempt?: string
  /** The commit a check run belongs to: a pull request's head, else GITHUB_SHA. */
  sha?: string
  pullRequest?: number
  /** A pull request from a fork: the workflow token is read-only there. */
  fork: boolean
  /** `.github/workflows/x.yml`, from GITHUB_WORKFLOW_REF. */
  workflowFile?: string
}

export type Octokit = ReturnType<typeof getOctokit>

interface PullRequestEvent {
  pull_request?: {
    number?: number
    head?: { sha?: string; repo?: { full_name?: string } | null }
    base?: { repo?: { full_name?: string } }
  }
}

function readEvent(path: string | undefined): PullRequestEvent {
  if (path === undefined || path === '') return {}
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as PullRequestEvent
  } catch {
    return {}
  }
}

/** Undefined outside GitHub Actions (no GITHUB_REPOSITORY). */
export function readGitHubContext(env: NodeJS.ProcessEnv): GitHubContext | undefined {
  const [owner, repo] = (env.GITHUB_REPOSITORY ?? '').split('/')
  if (!owner || !repo) return undefined
  const pull = readEvent(env.GITHUB_EVENT_PATH).pull_request
  const head = pull?.head?.repo?.full_name
  const base = pull?.base?.repo?.full_name ?? `${owner}/${repo}`
  // owner/repo/.github/workflows/ci.yml@refs/heads/main
  const workflowFile = /^[^/]+\/[^/]+\/([^@]+)@/.exec(env.GITHUB_WORKFLOW_REF ?? '')?.[1]
  const sha = pull?.head?.sha ?? env.GITHUB_SHA
  return {
    owner,
    repo,
    apiUrl: env.GITHUB_API_URL || 'https://api.github.com',
    serverUrl: env.GITHUB_SERVER_URL || 'https://github.com',
    workflow: env.GITHUB_WORKFLOW ?? '',
    job: env.GITHUB_JOB ?? '',
    ...(env.GITHUB_RUN_ID ? { runId: env.GITHUB_RUN_ID } : {}),
    ...(env.GITHUB_RUN_ATTEMPT ? { runAttempt: env.GITHUB_RUN_ATTEMPT } : {}),
    ...(sha ? { sha } : {}),
    ...(pull?.number === undefined ? {} : { pullRequest: pull.number }),
    fork: pull !== undefined && head !== base,
    ...(workflowFile === undefined ? {} : { workflowFile })
  }
}

/** The run's page, where the job summary is shown. */
export function runUrl(context: GitHubContext): string | undefined {
  if (context.runId === undefined) return undefined
  const attempt =
    context.runAttempt !== undefined && context.runAttempt !== '1'
      ? `/attempts/${context.runAttempt}`
      : ''
  return `${context.serverUrl}/${context.owner}/${context.repo}/actions/runs/${context.runId}${attempt}`
}

/** One client for every GitHub call, pointed at GITHUB_API_URL (GHES, or a test server). */
export function createOctokit(token: string, context: GitHubContext): Octokit {
  return getOctokit(token, { baseUrl: context.apiUrl })
}

/** A 403 (or 404 on a private repository) means the token may not do this: not our failure. */
export function isPermissionError(error: unknown): boolean {
  const status = (error as { status?: unknown }).status
  return status === 403 || status === 404
}
