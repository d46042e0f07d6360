/** Links and paths in Markdown reports: advisories to osv.dev, Dockerfile lines to the commit. */
import { escapeMarkdown } from './escape.js'

/** Where the repository's files are at the scanned commit; from the Actions environment. */
export interface SourceLinks {
  serverUrl?: string
  repository?: string
  sha?: string
  /** The runner's checkout (GITHUB_WORKSPACE): paths under it are shown relative to it. */
  workspace?: string
  /** RUNNER_TEMP: files there are shown by their base name. */
  runnerTemp?: string
}

export function sourceLinks(env: NodeJS.ProcessEnv): SourceLinks {
  const pick = (name: string): string | undefined =>
    env[name] === undefined || env[name] === '' ? undefined : env[name]
  const links: SourceLinks = {}
  const serverUrl = pick('GITHUB_SERVER_URL')
  const repository = pick('GITHUB_REPOSITORY')
  const sha = pick('GITHUB_SHA')
  const workspace = pick('GITHUB_WORKSPACE')
  const runnerTemp = pick('RUNNER_TEMP')
  if (serverUrl !== undefined) links.serverUrl = serverUrl
  if (repository !== undefined) links.repository = repository
  if (sha !== undefined) links.sha = sha
  if (workspace !== undefined) links.workspace = workspace
  if (runnerTemp !== undefined) links.runnerTemp = runnerTemp
  return links
}

/**
 * Advisory ids come from vulnerability data, so only these shapes become URLs: CVE, GHSA (its
 * alphabet) and `PREFIX-…` ids as the OSV schema's `id` field names them.
 */
const ADVISORY_ID = /^(CVE-\d{4}-\d{4,}|GHSA(-[23456789cfghjmpqrvwx]{4}){3}|[A-Z]+-[\w.-]+)$/

/** `[CVE-2021-23337](https://osv.dev/vulnerability/CVE-2021-23337)`, or escaped text. */
export function advisoryLink(id: string): string {
  return ADVISORY_ID.test(id)
    ? `[${escapeMarkdown(id)}](https://osv.dev/vulnerability/${id})`
    : escapeMarkdown(id)
}

const REPOSITORY = /^[\w.-]+\/[\w.-]+$/
const SHA = /^[0-9a-f]{40}([0-9a-f]{24})?$/
const HTTPS = /^https:\/\/[\w.-]+(:\d+)?$/

/**
 * A repository file as reviewers know it: relative to the workspace, the base name of a runner
 * temp file, the path unchanged otherwise. Runner paths say nothing to a reviewer.
 */
export function displayPath(file: string, links: SourceLinks): string {
  const workspace = links.workspace?.replace(/\/+$/, '')
  if (workspace !== undefined && file.startsWith(`${workspace}/`)) {
    return file.slice(workspace.length + 1)
  }
  const temp = links.runnerTemp?.replace(/\/+$/, '')
  const isTemp =
    (temp !== undefined && file.startsWith(`${temp}/`)) ||
    file.startsWith('/tmp/') ||
    file.startsWith('/home/runner/work/')
  return isTemp ? (file.split('/').at(-1) ?? file) : file
}

/** The path relative to the repository root, when the file is in the checkout. */
function repositoryPath(file: string, links: SourceLinks): string | undefined {
  const workspace = links.workspace?.replace(/\/+$/, '')
  if (workspace !== undefined && file.startsWith(`${workspace}/`)) {
    return file.slice(workspace.length + 1)
  }
  return file.startsWith('/') ? undefined : file
}

/** `Dockerfile:12` as code, linked to the line at the commit when the repository is known. */
export function dockerfileLink(file: string, line: number, links: SourceLinks): string {
  const text = `<code>${escapeMarkdown(`${displayPath(file, links)}:${line}`)}</code>`
  const path = repositoryPath(file, links)
  const { serverUrl, repository, sha } = links
  if (
    path === undefined ||
    serverUrl === undefined ||
    repository === undefined ||
    sha === undefined ||
    !HTTPS.test(serverUrl) ||
    !REPOSITORY.test(repository) ||
    !SHA.test(sha) ||
    path.split('/').some((part) => part === '..' || part === '.' || part === '')
  ) {
    return text
  }
  // `(` and `)` would end the Markdown link destination.
  const encoded = path
    .split('/')
    .map((part) =>
      encodeURIComponent(part).replace(/[()]/g, (c) => `%${c.charCodeAt(0).toString(16)}`)
    )
    .join('/')
  return `[${text}](${serverUrl}/${repository}/blob/${sha}/${encoded}#L${line})`
}
