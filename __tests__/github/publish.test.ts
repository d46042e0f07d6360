import {
  afterAll,
  afterEach,
  beforeAll,
  beforeEach,
  describe,
  expect,
  it,
  jest
} from '@jest/globals'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { captureOutput, type CapturedOutput } from '../../__fixtures__/capture.js'
import type { GatedFinding, Severity } from '../../src/findings.js'
import { ANNOTATIONS_PER_REQUEST, publishCheckRun } from '../../src/github/checks.js'
import {
  COMMENT_LIMIT,
  MAX_COMMENT_PAGES,
  commentMarker,
  renderComment,
  upsertComment
} from '../../src/github/comment.js'
import { createOctokit, readGitHubContext, type GitHubContext } from '../../src/github/context.js'
import { publish } from '../../src/github/publish.js'
import type { GateReport } from '../../src/report/model.js'
import { startApi, type ApiResponse, type FakeApi } from './api-server.js'

const SEVERITIES: Severity[] = ['critical', 'high', 'medium', 'low', 'info']

function finding(i: number, extra: Partial<GatedFinding> = {}): GatedFinding {
  const severity = SEVERITIES[i % SEVERITIES.length]!
  return {
    step: 'identity',
    rule: 'identity/setuid-file',
    severity,
    title: `Setuid file /usr/lib/tool-${i}`,
    detail: 'Remove the bit.',
    subject: `/usr/lib/tool-${i}`,
    location: { path: `/usr/lib/tool-${i}`, dockerfile: { file: 'Dockerfile', line: 3 } },
    fingerprint: i.toString(16).padStart(16, '0'),
    blocking: severity === 'critical' || severity === 'high',
    ...extra
  }
}

function report(findings: GatedFinding[], extra: Partial<GateReport> = {}): GateReport {
  const blocking = findings.filter((f) => f.blocking && f.suppressed === undefined).length
  return {
    schemaVersion: 1,
    tool: { name: 'container-gate', version: '0.1.0' },
    verdict: blocking > 0 ? 'fail' : 'pass',
    image: {
      reference: 'ghcr.io/acme/app:pr-7',
      digest: `sha256:${'d'.repeat(64)}`,
      configDigest: `sha256:${'c'.repeat(64)}`,
      platform: 'linux/amd64',
      layers: []
    },
    steps: [
      {
        id: 'identity',
        title: 'Container validation',
        status: blocking > 0 ? 'fail' : 'pass',
        durationMs: 12
      }
    ],
    findings,
    summary: {
      counts: Object.fromEntries(
        SEVERITIES.map((s) => [s, findings.filter((f) => f.severity === s).length])
      ) as Record<Severity, number>,
      blocking,
      suppressed: findings.filter((f) => f.suppressed !== undefined).length
    },
    durationMs: 20,
    mode: 'enforce',
    ...extra
  }
}

let api: FakeApi | undefined
afterEach(async () => {
  await api?.close()
  api = undefined
  jest.restoreAllMocks()
})

function context(url: string, extra: Partial<GitHubContext> = {}): GitHubContext {
  return {
    owner: 'acme',
    repo: 'app',
    apiUrl: url,
    serverUrl: 'https://github.com',
    workflow: 'image',
    job: 'gate',
    runId: '42',
    sha: 'abc123',
    pullRequest: 7,
    fork: false,
    ...extra
  }
}

const MARKER = commentMarker('ghcr.io/acme/app:pr-7', 'image', 'gate')

const BOT = { login: 'github-actions[bot]', type: 'Bot' }
const VIEWER_QUERY = { query: 'query { viewer { login } }' }

/** Comments by a person, and the one at `withMarkerAt` by `author` starting with the marker. */
function comments(from: number, count: number, withMarkerAt?: number, author = BOT) {
  return Array.from({ length: count }, (_, i) =>
    from + i === withMarkerAt
      ? { id: from + i, user: author, body: `${MARKER}\nold` }
      : { id: from + i, user: { login: 'octocat', type: 'User' }, body: `comment ${from + i}` }
  )
}

/** GraphQL `viewer { login }` as GitHub answers it for the Actions token. */
function viewer(request: { method: string; path: string }): ApiResponse | undefined {
  if (request.method === 'POST' && request.path === '/graphql') {
    return { status: 200, body: { data: { viewer: { login: 'github-actions[bot]' } } } }
  }
  return undefined
}

describe('upsertComment', () => {
  it('looks for the marker on every page, then creates the comment', async () => {
    api = await startApi((request, url) => {
      const answer = viewer(request)
      if (answer !== undefined) return answer
      if (
        request.method === 'GET' &&
        request.path === '/repos/acme/app/issues/7/comments?per_page=100'
      ) {
        return {
          status: 200,
          body: comments(1, 100),
          headers: {
            link: `<${url}/repos/acme/app/issues/7/comments?per_page=100&page=2>; rel="next"`
          }
        }
      }
      if (request.method === 'GET') return { status: 200, body: comments(101, 3) }
      return { status: 201, body: { id: 500 } }
    })
    const ctx = context(api.url)
    const result = await upsertComment(
      createOctokit('t0ken', ctx),
      ctx,
      7,
      MARKER,
      `${MARKER}\nbody`
    )
    expect(result).toEqual({
      result: 'created',
      owner: { login: 'github-actions[bot]', source: 'token' }
    })
    expect(api.requests.map(({ method, path, body }) => [method, path, body ?? null])).toEqual([
      ['POST', '/graphql', VIEWER_QUERY],
      ['GET', '/repos/acme/app/issues/7/comments?per_page=100', null],
      ['GET', '/repos/acme/app/issues/7/comments?per_page=100&page=2', null],
      ['POST', '/repos/acme/app/issues/7/comments', { body: `${MARKER}\nbody` }]
    ])
    expect(api.requests.every((r) => r.authorization === 'token t0ken')).toBe(true)
  })

  it("updates the token user's comment starting with the marker in place and stops listing", async () => {
    api = await startApi((request, url) => {
      const answer = viewer(request)
      if (answer !== undefined) return answer
      if (request.method === 'GET' && request.path.endsWith('per_page=100')) {
        return {
          status: 200,
          body: comments(1, 100),
          headers: {
            link: `<${url}/repos/acme/app/issues/7/comments?per_page=100&page=2>; rel="next"`
          }
        }
      }
      if (request.method === 'GET' && request.path.endsWith('page=2')) {
        return {
          status: 200,
          body: comments(101, 100, 150),
          headers: {
            link: `<${url}/repos/acme/app/issues/7/comments?per_page=100&page=3>; rel="next"`
          }
        }
      }
      return { status: 200, body: { id: 150 } }
    })
    const ctx = context(api.url)
    const result = await upsertComment(
      createOctokit('t0ken', ctx),
      ctx,
      7,
      MARKER,
      `${MARKER}\nnew`
    )
    expect(result).toEqual({
      result: 'updated',
      owner: { login: 'github-actions[bot]', source: 'token' }
    })
    expect(api.requests.map(({ method, path, body }) => [method, path, body ?? null])).toEqual([
      ['POST', '/graphql', VIEWER_QUERY],
      ['GET', '/repos/acme/app/issues/7/comments?per_page=100', null],
      ['GET', '/repos/acme/app/issues/7/comments?per_page=100&page=2', null],
      ['PATCH', '/repos/acme/app/issues/comments/150', { body: `${MARKER}\nnew` }]
    ])
  })

  it.each([
    ['a personal token', 'alice', { login: 'Alice', type: 'User' }],
    ["a GitHub App's installation token", 'gate-app[bot]', { login: 'gate-app[bot]', type: 'Bot' }]
  ])('finds the comment of %s by the GraphQL viewer login', async (_, login, author) => {
    api = await startApi((request) => {
      if (request.method === 'POST' && request.path === '/graphql') {
        return { status: 200, body: { data: { viewer: { login } } } }
      }
      if (request.method === 'GET') return { status: 200, body: comments(1, 3, 2, author) }
      return { status: 200, body: { id: 2 } }
    })
    const ctx = context(api.url)
    const { result } = await upsertComment(createOctokit('t0ken', ctx), ctx, 7, MARKER, 'x')
    expect(result).toBe('updated')
    expect(api.requests.at(-1)!.path).toBe('/repos/acme/app/issues/comments/2')
  })

  it('when GraphQL is refused, takes only a github-actions[bot] Bot comment as its own', async () => {
    const listed = [
      { id: 1, user: { login: 'github-actions[bot]', type: 'User' }, body: `${MARKER}\nforged` },
      { id: 2, user: BOT, body: `${MARKER}\nours` }
    ]
    api = await startApi((request) => {
      if (request.path === '/graphql') {
        return { status: 403, body: { message: 'Resource not accessible by integration' } }
      }
      if (request.method === 'GET') return { status: 200, body: listed }
      return { status: 200, body: { id: 2 } }
    })
    const ctx = context(api.url)
    const upserted = await upsertComment(createOctokit('t0ken', ctx), ctx, 7, MARKER, 'x')
    expect(upserted).toEqual({
      result: 'updated',
      owner: { login: 'github-actions[bot]', source: 'assumed' }
    })
    expect(api.requests.map(({ method, path }) => [method, path])).toEqual([
      ['POST', '/graphql'],
      ['GET', '/repos/acme/app/issues/7/comments?per_page=100'],
      ['PATCH', '/repos/acme/app/issues/comments/2']
    ])
  })

  it('stops listing after MAX_COMMENT_PAGES pages and creates the comment', async () => {
    api = await startApi((request, url) => {
      const answer = viewer(request)
      if (answer !== undefined) return answer
      if (request.method === 'GET') {
        const page = Number(/[?&]page=(\d+)/.exec(request.path)?.[1] ?? '1')
        return {
          status: 200,
          body: comments(page * 100, 100),
          headers: {
            link: `<${url}/repos/acme/app/issues/7/comments?per_page=100&page=${page + 1}>; rel="next"`
          }
        }
      }
      return { status: 201, body: { id: 1 } }
    })
    const ctx = context(api.url)
    const { result } = await upsertComment(createOctokit('t0ken', ctx), ctx, 7, MARKER, 'x')
    expect(result).toBe('created')
    expect(api.requests.filter((r) => r.method === 'GET')).toHaveLength(MAX_COMMENT_PAGES)
    expect(MAX_COMMENT_PAGES).toBe(50)
  })
})

describe('publishCheckRun', () => {
  it('creates the run with 50 annotations, adds the rest 50 at a time and completes it with the verdict', async () => {
    api = await startApi((request) => ({
      status: request.method === 'POST' ? 201 : 200,
      body: { id: 99 }
    }))
    // 120 places: one annotation per Dockerfile line.
    const findings = Array.from({ length: 120 }, (_, i) =>
      finding(i, {
        location: { path: `/usr/lib/tool-${i}`, dockerfile: { file: 'Dockerfile', line: i + 1 } }
      })
    )
    const ctx = context(api.url)
    await publishCheckRun(createOctokit('t0ken', ctx), ctx, report(findings), {
      fallbackPath: '.github/workflows/image.yml',
      detailsUrl: 'https://github.com/acme/app/actions/runs/42'
    })
    type Body = {
      status?: string
      conclusion?: string
      name?: string
      head_sha?: string
      output: {
        annotations?: Array<{ path: string; start_line: number; annotation_level: string }>
      }
    }
    const shape = api.requests.map((r) => {
      const body = r.body as Body
      return [
        r.method,
        r.path,
        body.status ?? null,
        body.conclusion ?? null,
        body.output.annotations?.length ?? 0
      ]
    })
    expect(shape).toEqual([
      ['POST', '/repos/acme/app/check-runs', 'in_progress', null, 50],
      ['PATCH', '/repos/acme/app/check-runs/99', null, null, 50],
      ['PATCH', '/repos/acme/app/check-runs/99', 'completed', 'failure', 20]
    ])
    const created = api.requests[0]!.body as Body & { details_url: string }
    expect([created.name, created.head_sha, created.details_url]).toEqual([
      'container-gate (ghcr.io/acme/app)',
      'abc123',
      'https://github.com/acme/app/actions/runs/42'
    ])
    expect(created.output.annotations![0]).toEqual(
      expect.objectContaining({ path: 'Dockerfile', start_line: 1, annotation_level: 'failure' })
    )
    expect(ANNOTATIONS_PER_REQUEST).toBe(50)
  })

  it('completes in one request with 50 or fewer annotations; warn mode concludes neutral', async () => {
    api = await startApi(() => ({ status: 201, body: { id: 5 } }))
    const unmapped = finding(0, { location: { path: '/x' } })
    const ctx = context(api.url)
    await publishCheckRun(createOctokit('t0ken', ctx), ctx, report([unmapped], { mode: 'warn' }), {
      fallbackPath: '.github/workflows/image.yml'
    })
    expect(api.requests).toHaveLength(1)
    const body = api.requests[0]!.body as {
      status: string
      conclusion: string
      output: { annotations: Array<{ path: string; start_line: number; message: string }> }
    }
    expect([body.status, body.conclusion]).toEqual(['completed', 'neutral'])
    expect(body.output.annotations[0]).toEqual(
      expect.objectContaining({
        path: '.github/workflows/image.yml',
        start_line: 1,
        message: 'Setuid file /usr/lib/tool-0 (/x)\nRemove the bit.'
      })
    )
  })
})

describe('renderComment', () => {
  it('stays under 65,536 characters with 5,000 findings, blocking first, and links to the summary', () => {
    // 5,000 findings on 5,000 Dockerfile lines: 5,000 changes, too many rows for one comment.
    const findings = Array.from({ length: 5000 }, (_, i) =>
      finding(i, {
        location: { path: `/usr/lib/tool-${i}`, dockerfile: { file: 'Dockerfile', line: i + 1 } }
      })
    )
    const body = renderComment(report(findings), {
      marker: MARKER,
      summaryUrl: 'https://github.com/acme/app/actions/runs/42'
    })
    expect(body.length).toBeLessThanOrEqual(COMMENT_LIMIT)
    expect(
      body.startsWith(`${MARKER}\n## ❌ container-gate: fail for <code>ghcr.io/acme/app</code>`)
    ).toBe(true)
    expect(body).toContain('### What to fix first: 2000 changes for 2000 blocking findings')
    expect(body).toMatch(
      /_Showing \d+ of 5000 rows to stay under GitHub's comment size limit; the \[job summary\]\(https:\/\/github\.com\/acme\/app\/actions\/runs\/42\) and the JSON report have every finding\._\n$/
    )
    const firstOther = body.indexOf('Other findings')
    expect(firstOther === -1 || firstOther > body.indexOf('What to fix first')).toBe(true)
  })

  it('shows new, unchanged and fixed against the baseline and marks new findings', () => {
    const findings = [
      finding(1, { baseline: 'new' }),
      finding(2, { baseline: 'unchanged', blocking: false })
    ]
    const body = renderComment(
      report(findings, {
        baseline: {
          source: 'base.json',
          new: 1,
          unchanged: 1,
          fixed: [
            {
              fingerprint: 'f'.repeat(16),
              rule: 'identity/root-user',
              severity: 'high',
              title: 'Container runs as root'
            }
          ],
          failOnNewOnly: true
        }
      }),
      { marker: MARKER }
    )
    expect(body).toContain(
      'Compared with the baseline <code>base.json</code>: **1 new**, 1 unchanged, 1 fixed. Only new findings block (fail-on-new-only).'
    )
    expect(body).toContain(
      '| high | <code>identity/setuid-file</code>: Setuid file /usr/lib/tool-1 (🆕) | 1 high | <code>Dockerfile:3</code> <code>/usr/lib/tool-1</code> |'
    )
    expect(body).toContain(
      '| medium | <code>identity/setuid-file</code>: Setuid file /usr/lib/tool-2 | 1 medium | <code>Dockerfile:3</code> <code>/usr/lib/tool-2</code> |'
    )
    expect(body).toContain('<details><summary>Fixed since the baseline (1)</summary>')
    expect(body).toContain('| high | <code>identity/root-user</code> | Container runs as root |')
  })

  it('groups the vulnerabilities of a package into one bump row with advisory and Dockerfile links', () => {
    const vulnerable = (id: string, severity: Severity, fixedVersion: string): GatedFinding => ({
      step: 'composition',
      rule: 'composition/vulnerability',
      severity,
      title: `${id} in lodash 4.17.15`,
      subject: `lodash ${id}`,
      location: { dockerfile: { file: 'Dockerfile', line: 5 } },
      package: {
        name: 'lodash',
        version: '4.17.15',
        ecosystem: 'npm',
        purl: 'pkg:npm/lodash@4.17.15'
      },
      vulnerability: { id, aliases: [], fixedVersion },
      fingerprint: id.toLowerCase().padEnd(16, '0').slice(0, 16),
      blocking: true
    })
    const body = renderComment(
      report([
        vulnerable('CVE-2021-23337', 'high', '4.17.21'),
        vulnerable('CVE-2020-8203', 'critical', '4.17.19')
      ]),
      {
        marker: MARKER,
        links: { serverUrl: 'https://github.com', repository: 'acme/app', sha: 'b'.repeat(40) }
      }
    )
    const changes = body.split('\n### What to fix first: 1 change for 2 blocking findings\n\n')[1]!
    expect(changes.split('\n')).toEqual([
      '| Severity | Change | Clears | Where |',
      '| --- | --- | --- | --- |',
      `| critical | bump lodash 4.17.15 → 4.17.21: [CVE-2020-8203](https://osv.dev/vulnerability/CVE-2020-8203), [CVE-2021-23337](https://osv.dev/vulnerability/CVE-2021-23337) | 1 critical, 1 high | [<code>Dockerfile:5</code>](https://github.com/acme/app/blob/${'b'.repeat(40)}/Dockerfile#L5) |`,
      ''
    ])
  })

  it('escapes what comes from the image so it cannot close the marker or inject HTML', () => {
    const hostile = finding(1, { title: 'x --> <img src=x onerror=alert(1)> [link](http://e.vil)' })
    const body = renderComment(report([hostile]), { marker: MARKER })
    expect(body).not.toContain('<img')
    expect(body.indexOf('-->')).toBe(MARKER.length - 3)
    expect(body).toContain(
      'x --&gt; &lt;img src=x onerror=alert(1)&gt; \\[link\\](http:\u200b//e.vil)'
    )
  })

  it('keys the marker by image name, workflow and job', () => {
    expect(commentMarker('ghcr.io/acme/app:pr-7', 'image', 'gate')).toBe(
      commentMarker('ghcr.io/acme/app:pr-8', 'image', 'gate')
    )
    expect(
      new Set([
        MARKER,
        commentMarker('ghcr.io/acme/worker:pr-7', 'image', 'gate'),
        commentMarker('ghcr.io/acme/app:pr-7', 'image', 'scan')
      ]).size
    ).toBe(3)
    expect(MARKER).toMatch(/^<!-- container-gate:[0-9a-f]{16} -->$/)
  })
})

describe('publish', () => {
  let dir: string
  let output: CapturedOutput
  const saved = { ...process.env }

  // core.summary remembers the summary file of its first use: one directory for the whole block.
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'publish-'))
  })

  afterAll(() => {
    rmSync(dir, { recursive: true, force: true })
  })

  beforeEach(() => {
    output = captureOutput()
    for (const name of ['GITHUB_OUTPUT', 'GITHUB_STEP_SUMMARY']) {
      process.env[name] = join(dir, name)
      writeFileSync(process.env[name]!, '')
    }
  })

  afterEach(() => {
    process.env = { ...saved }
  })

  function env(url: string, event: object): NodeJS.ProcessEnv {
    const eventPath = join(dir, 'event.json')
    writeFileSync(eventPath, JSON.stringify(event))
    return {
      ...process.env,
      GITHUB_REPOSITORY: 'acme/app',
      GITHUB_API_URL: url,
      GITHUB_EVENT_PATH: eventPath,
      GITHUB_SHA: 'merge-sha',
      GITHUB_WORKFLOW: 'image',
      GITHUB_JOB: 'gate',
      GITHUB_RUN_ID: '42',
      GITHUB_WORKFLOW_REF: 'acme/app/.github/workflows/image.yml@refs/pull/7/merge'
    }
  }

  const pull = (head: string) => ({
    pull_request: {
      number: 7,
      head: { sha: 'head-sha', repo: { full_name: head } },
      base: { repo: { full_name: 'acme/app' } }
    }
  })

  it('on a fork PR: one notice for the comment, one warning for the refused check run, outputs and summary written, no failure', async () => {
    api = await startApi(() => ({
      status: 403,
      body: { message: 'Resource not accessible by integration' }
    }))
    await publish(report([finding(0)]), {
      reportPath: '/tmp/r.json',
      sarifPath: '/tmp/r.sarif',
      token: 't0ken',
      comment: true,
      checkRun: true,
      env: env(api.url, pull('someone/app'))
    })
    expect(
      api.requests.map((r) => [r.method, r.path, (r.body as { head_sha?: string }).head_sha])
    ).toEqual([['POST', '/repos/acme/app/check-runs', 'head-sha']])
    const notices = output.stdout.split('\n').filter((line) => line.startsWith('::notice'))
    const warnings = output.stdout
      .split('\n')
      .filter((line) => line.startsWith('::warning') && line.includes('container-gate:'))
    expect(notices).toHaveLength(1)
    expect(notices[0]).toContain('pull request from a fork is read-only')
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toContain('cannot create check runs')
    expect(process.exitCode ?? 0).toBe(0)
    const outputs = readFileSync(process.env.GITHUB_OUTPUT!, 'utf8')
    for (const name of ['verdict', 'critical', 'high', 'blocking', 'report', 'sarif', 'digest']) {
      expect([name, outputs.includes(`${name}<<`)]).toEqual([name, true])
    }
    const summary = readFileSync(process.env.GITHUB_STEP_SUMMARY!, 'utf8')
    expect(summary).toContain('container-gate: fail')
    expect(summary).toContain('SARIF <code>/tmp/r.sarif</code>')
  })

  it('on a PR from the same repository: a check run and the sticky comment', async () => {
    api = await startApi(
      (request) =>
        viewer(request) ??
        (request.method === 'GET' ? { status: 200, body: [] } : { status: 201, body: { id: 1 } })
    )
    await publish(report([finding(0)]), {
      reportPath: '/tmp/r.json',
      token: 't0ken',
      comment: true,
      checkRun: true,
      dockerfile: 'Dockerfile',
      env: env(api.url, pull('acme/app'))
    })
    expect(api.requests.map((r) => [r.method, r.path])).toEqual([
      ['POST', '/repos/acme/app/check-runs'],
      ['POST', '/graphql'],
      ['GET', '/repos/acme/app/issues/7/comments?per_page=100'],
      ['POST', '/repos/acme/app/issues/7/comments']
    ])
    expect((api.requests[3]!.body as { body: string }).body).toContain(
      '[job summary](https://github.com/acme/app/actions/runs/42)'
    )
  })

  it('reads the run context from the environment and the event', () => {
    const ctx = readGitHubContext({
      GITHUB_REPOSITORY: 'acme/app',
      GITHUB_WORKFLOW_REF: 'acme/app/.github/workflows/image.yml@refs/heads/main',
      GITHUB_SHA: 'abc'
    })
    expect(ctx).toEqual(
      expect.objectContaining({
        owner: 'acme',
        repo: 'app',
        sha: 'abc',
        fork: false,
        workflowFile: '.github/workflows/image.yml'
      })
    )
    expect(readGitHubContext({})).toBeUndefined()
  })
})
