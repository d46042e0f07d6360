/**
 * Hostile images, class "no injection into what people read": file names, user and account
 * names, labels and imported SARIF results carrying HTML, comment markers, mentions, table
 * pipes, backticks, newlines, ANSI escapes and bidi controls are shown escaped in every medium,
 * and a comment carrying our public marker is ours only when our token's user wrote it.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { captureOutput } from '../../__fixtures__/capture.js'
import { buildImage } from '../../__fixtures__/image-builder.js'
import { ACQUIRE, memorySource } from '../../__fixtures__/memory-source.js'
import { tokenLike } from '../../__fixtures__/tokens.js'
import { runGate } from '../../src/engine.js'
import type { StepId } from '../../src/findings.js'
import { commentMarker, renderComment, upsertComment } from '../../src/github/comment.js'
import { createOctokit, type GitHubContext } from '../../src/github/context.js'
import { publish } from '../../src/github/publish.js'
import { renderSummary } from '../../src/github/summary.js'
import { silentLogger } from '../../src/log.js'
import { defaultPolicy } from '../../src/policy/defaults.js'
import { renderJunit } from '../../src/report/junit.js'
import type { GateReport } from '../../src/report/model.js'
import { renderSarif } from '../../src/report/sarif.js'
import { renderTable } from '../../src/report/table.js'
import { parseSarif } from '../../src/steps/code/sarif.js'
import { startApi, type FakeApi } from '../github/api-server.js'

/** The sticky comment's marker for this image, workflow and job: public, so anyone can forge it. */
const MARKER = commentMarker('oci:test', 'image', 'gate')
const FILE_NAME = `${MARKER}<img src=x onerror=alert(1)>@octocat a|b\nc \`x\` \u001b[31m \u202e \u2028 \r`
const USER = '@octocat`<img src=x onerror=alert(1)>`'
const ACCOUNT = '<img src=x>@octocat'
const LABEL = '<b>@octocat|x'
/** An imported SARIF result: the repository file name decodes to `%`, CR, LF, `:` and `,`. */
const SARIF_IMPORT = {
  version: '2.1.0',
  runs: [
    {
      tool: { driver: { name: 'Semgrep', rules: [{ id: 'x' }] } },
      results: [
        {
          ruleId: 'x',
          level: 'error',
          message: { text: `${MARKER} [click](javascript:alert(1)) @octocat` },
          locations: [
            {
              physicalLocation: {
                artifactLocation: { uri: 'src/a%25b%0D%0Ac%3Ad%2Ce.py' },
                region: { startLine: 3 }
              }
            }
          ]
        }
      ]
    }
  ]
}

let report: GateReport

beforeAll(async () => {
  const policy = defaultPolicy()
  for (const id of Object.keys(policy.steps) as StepId[]) {
    policy.steps[id].enabled = ['identity', 'code', 'hardening'].includes(id)
  }
  policy.code.sarifResults = parseSarif(JSON.stringify(SARIF_IMPORT), 'semgrep.sarif')
  const image = buildImage({
    layers: [
      {
        entries: [
          { path: 'etc/' },
          {
            path: 'etc/passwd',
            content: `root:x:0:0:root:/root:/bin/sh\n${ACCOUNT}:x:10002:10002::/:/bin/sh\n`
          },
          { path: 'etc/shadow', content: `${ACCOUNT}::19000:0:99999:7:::\n`, mode: 0o640 },
          { path: 'usr/' },
          { path: 'usr/bin/' },
          { path: `usr/bin/${FILE_NAME}`, content: 'x', mode: 0o4755 }
        ]
      }
    ],
    config: {
      User: USER,
      Labels: { [LABEL]: `ghp_${tokenLike(36)}` },
      Healthcheck: { Test: ['CMD', 'true'] }
    }
  })
  ;({ report } = await runGate(
    { image: 'oci:test', policy, acquire: ACQUIRE },
    silentLogger,
    undefined,
    () => memorySource(image)
  ))
})

/** What every medium must never carry raw from the image. */
const BIDI_AND_CONTROLS =
  // eslint-disable-next-line no-control-regex
  /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/

describe('GitHub Markdown (sticky comment and job summary)', () => {
  const SETUID_MARKDOWN =
    'Setuid file /usr/bin/&lt;\\!-- container-gate:7c62c1d0349baa37 --&gt;&lt;img src=x onerror=alert(1)&gt;@\u200boctocat a\\|b\\\\x0ac \\`x\\` \\\\x1b\\[31m \\\\u202e \\\\u2028 \\\\x0d'

  it('renders each hostile text escaped in its comment row', () => {
    const body = renderComment(report, { marker: MARKER })
    const rows = body.split('\n').filter((line) => /^\| (critical|high|medium) \|/.test(line))
    expect(rows).toEqual([
      '| critical | <code>identity/empty-password</code>: Account "&lt;img src=x&gt;@\u200boctocat" has an empty password | 1 critical | <code>/etc/shadow</code> |',
      '| critical | <code>hardening/secret-github-pat</code>: GitHub personal access token (classic) in label &lt;b&gt;@\u200boctocat\\|x | 1 critical |  |',
      `| high | <code>identity/setuid-file</code>: ${SETUID_MARKDOWN} | 1 high | <code>${SETUID_MARKDOWN.slice('Setuid file '.length)}</code> |`,
      '| high | <code>code/sarif-semgrep-x</code>: Semgrep x: &lt;\\!-- container-gate:7c62c1d0349baa37 --&gt; \\[click\\](javascript:alert(1)) @\u200boctocat (src/a%25b%0D%0Ac%3Ad%2Ce.py:3) | 1 high |  |',
      '| medium | <code>identity/non-numeric-user</code>: User "@\u200boctocat\\`&lt;img src=x onerror=alert(1)&gt;\\`" is not numeric | 1 medium |  |',
      '| medium | <code>identity/unknown-user</code>: User "@\u200boctocat\\`&lt;img src=x onerror=alert(1)&gt;\\`" is not in /etc/passwd | 1 medium | <code>/etc/passwd</code> |'
    ])
  })

  it.each([
    ['the sticky comment', () => renderComment(report, { marker: MARKER })],
    ['the job summary', () => renderSummary(report, { report: 'report.json' })]
  ])(
    '%s has no HTML, comment marker, live mention or control character from the image',
    (_, render) => {
      const markdown = render()
      // Our own marker opens the comment; nothing from the image can open or close another.
      expect(markdown.split('<!--').length - 1).toBe(markdown.startsWith(MARKER) ? 1 : 0)
      expect(markdown.split('-->').length - 1).toBe(markdown.startsWith(MARKER) ? 1 : 0)
      expect(markdown).not.toMatch(/<(img|b)\b/)
      expect(markdown).not.toMatch(/@octocat/)
      // `\[click\](javascript:…)` is text: an escaped bracket opens no link.
      expect(markdown).not.toMatch(/(?<!\\)\]\(javascript:/)
      expect(markdown).not.toMatch(BIDI_AND_CONTROLS)
      // Every row has as many cells as its table's header: no `|` or newline from the image split one.
      let cells = 0
      let previous = ''
      for (const line of markdown.split('\n')) {
        const count = line.split(/(?<!\\)\|/).length
        if (line.startsWith('| ') && !previous.startsWith('| ')) cells = count
        if (line.startsWith('| ')) expect([line, count]).toEqual([line, cells])
        previous = line
      }
    }
  )

  it('shows the setuid row in the job summary as in the comment', () => {
    expect(renderSummary(report, { report: 'report.json' })).toContain(
      `| high | <code>identity/setuid-file</code> | ${SETUID_MARKDOWN} |`
    )
  })
})

describe('the terminal table', () => {
  it('shows control, bidi and separator characters as visible escapes', () => {
    // Wide enough for the whole headline on one line; the default width wraps it at spaces.
    const wide = renderTable(report, { color: false, width: 300 })
    expect(wide.split('\n').filter((line) => line.includes('identity/setuid-file'))).toEqual([
      '  HIGH      identity/setuid-file: Setuid file /usr/bin/<!-- container-gate:7c62c1d0349baa37 --><img src=x onerror=alert(1)>@octocat a|b\\x0ac `x` \\x1b[31m \\u202e \\u2028 \\x0d'
    ])
    expect(wide).not.toMatch(BIDI_AND_CONTROLS)
    expect(renderTable(report, { color: false, width: 60 })).not.toMatch(BIDI_AND_CONTROLS)
  })
})

describe('JUnit XML', () => {
  it('escapes markup and keeps one line per finding in the failure message', () => {
    const xml = renderJunit(report, [])
    expect(xml).toContain(
      [
        '<failure message="2 blocking findings" type="blocking findings">2 blocking findings',
        '[critical] identity/empty-password: Account &quot;&lt;img src=x&gt;@octocat&quot; has an empty password',
        '[high] identity/setuid-file: Setuid file /usr/bin/&lt;!-- container-gate:7c62c1d0349baa37 --&gt;&lt;img src=x onerror=alert(1)&gt;@octocat a|b\\x0ac `x` \\x1b[31m \\u202e \\u2028 \\x0d</failure>'
      ].join('\n')
    )
    expect(xml).not.toMatch(/<(img|b)\b|\r/)
    expect(xml).not.toMatch(BIDI_AND_CONTROLS)
  })
})

describe('SARIF', () => {
  interface Log {
    runs: Array<{
      tool: {
        driver: {
          rules: Array<{
            id: string
            shortDescription: { text: string }
            help: { markdown: string }
          }>
        }
      }
      results: Array<{ ruleId: string; message: { text: string } }>
    }>
  }
  const log = (): Log => JSON.parse(renderSarif(report)) as Log

  it('escapes embedded-link brackets in plain text and shows invisible characters', () => {
    const results = log().runs[0]!.results
    expect(results.find((r) => r.ruleId === 'code/sarif-semgrep-x')!.message.text).toBe(
      'Semgrep x: <!-- container-gate:7c62c1d0349baa37 --> \\[click\\](javascript:alert(1)) @octocat (src/a%25b%0D%0Ac%3Ad%2Ce.py:3). Fix the code Semgrep points at. Imported from semgrep.sarif.'
    )
    expect(results.find((r) => r.ruleId === 'identity/setuid-file')!.message.text).toMatch(
      /^Setuid file \/usr\/bin\/<!-- container-gate:7c62c1d0349baa37 --><img src=x onerror=alert\(1\)>@octocat a\|b\\x0ac `x` \\x1b\\\[31m \\u202e \\u2028 \\x0d\. /
    )
  })

  it('escapes help.markdown as Markdown', () => {
    const rule = log().runs[0]!.tool.driver.rules.find((r) => r.id === 'identity/empty-password')!
    expect(rule.help.markdown).toBe(
      'Anyone can log in as &lt;img src=x&gt;@\u200boctocat (shell /bin/sh) without a password. Lock the account (\\`passwd -l &lt;img src=x&gt;@\u200boctocat\\`, i.e. \\`\\!\\` in the password field) or give it a nologin shell.\n\n[identity/empty-password](https://github.com/container-gate/container-gate/blob/main/docs/rules/identity.md)'
    )
    const markdown = log()
      .runs[0]!.tool.driver.rules.map((r) => r.help.markdown)
      .join('\n')
    expect(markdown).not.toMatch(/<!--|<(img|b)\b|@octocat/)
  })
})

describe('workflow commands', () => {
  let dir: string
  const saved = { ...process.env }
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'escaping-'))
  })
  afterAll(() => rmSync(dir, { recursive: true, force: true }))
  afterEach(() => {
    process.env = { ...saved }
    jest.restoreAllMocks()
  })

  it('keep a file name with %, CR, LF, : and , inside its property and the message on one line', async () => {
    process.env.GITHUB_OUTPUT = join(dir, 'output')
    writeFileSync(process.env.GITHUB_OUTPUT, '')
    const output = captureOutput()
    await publish(report, { reportPath: 'report.json', comment: false, checkRun: false, env: {} })
    const commands = output.stdout.split('\n').filter((line) => line.startsWith('::'))
    expect(commands).toEqual([
      '::error title=CRITICAL identity/empty-password::Account "<img src=x>@octocat" has an empty password (/etc/shadow)%0AAnyone can log in as <img src=x>@octocat (shell /bin/sh) without a password. Lock the account (`passwd -l <img src=x>@octocat`, i.e. `!` in the password field) or give it a nologin shell.',
      '::error title=CRITICAL hardening/secret-github-pat::GitHub personal access token (classic) in label <b>@octocat|x%0Aghp_… (40 characters). Anyone who pulls the image can read its config and build history. Pass it at run time (an orchestrator secret or a mounted file) instead of baking it into the image. Revoke or rotate it.',
      '::error title=HIGH identity/setuid-file::Setuid file /usr/bin/<!-- container-gate:7c62c1d0349baa37 --><img src=x onerror=alert(1)>@octocat a|b\\x0ac `x` \\x1b[31m \\u202e \\u2028 \\x0d%0AIt runs as its owner (UID 0) whoever starts it. Remove the bit (`chmod u-s /usr/bin/<!-- container-gate:7c62c1d0349baa37 --><img src=x onerror=alert(1)>@octocat a|b\\x0ac `x` \\x1b[31m \\u202e \\u2028 \\x0d`), delete the file, or allow it with allowed-setuid.',
      '::error title=HIGH code/sarif-semgrep-x,file=src/a%25b%0D%0Ac%3Ad%2Ce.py,line=3::Semgrep x: <!-- container-gate:7c62c1d0349baa37 --> [click](javascript:alert(1)) @octocat (src/a%2525b%250D%250Ac%253Ad%252Ce.py:3)%0AFix the code Semgrep points at. Imported from semgrep.sarif.',
      '::warning title=MEDIUM identity/non-numeric-user::User "@octocat`<img src=x onerror=alert(1)>`" is not numeric%0AKubernetes runAsNonRoot cannot verify a user name and refuses or cannot check the pod. Set `USER UID:GID` with numbers, e.g. `USER 10001:10001`.',
      '::warning title=MEDIUM identity/unknown-user::User "@octocat`<img src=x onerror=alert(1)>`" is not in /etc/passwd%0AThe runtime cannot resolve the name and refuses to start the container. Add the user to /etc/passwd or use a numeric `USER UID:GID`.'
    ])
    expect(readFileSync(process.env.GITHUB_OUTPUT, 'utf8')).toContain('verdict<<')
  })
})

describe('the sticky comment on the pull request', () => {
  let api: FakeApi | undefined
  afterEach(async () => {
    await api?.close()
    api = undefined
  })

  const OURS = { login: 'github-actions[bot]', type: 'Bot' }
  const MALLORY = { login: 'mallory', type: 'User' }

  async function upsert(listed: Array<{ id: number; user: object; body: string }>) {
    api = await startApi((request) => {
      if (request.method === 'POST' && request.path === '/graphql') {
        return { status: 200, body: { data: { viewer: { login: 'github-actions[bot]' } } } }
      }
      if (request.method === 'GET') return { status: 200, body: listed }
      return { status: request.method === 'POST' ? 201 : 200, body: { id: 9 } }
    })
    const context: GitHubContext = {
      owner: 'acme',
      repo: 'app',
      apiUrl: api.url,
      serverUrl: 'https://github.com',
      workflow: 'image',
      job: 'gate',
      pullRequest: 7,
      fork: false
    }
    const body = renderComment(report, { marker: MARKER })
    const { result } = await upsertComment(
      createOctokit('t0ken', context),
      context,
      7,
      MARKER,
      body
    )
    return { result, requests: api.requests.map(({ method, path }) => [method, path]), body }
  }

  it("is not another user's comment that carries our marker: a new comment is created", async () => {
    const forged = `${MARKER}\n## ✅ container-gate: pass for <code>test</code>`
    const { result, requests } = await upsert([{ id: 1, user: MALLORY, body: forged }])
    expect(result).toBe('created')
    expect(requests).toEqual([
      ['POST', '/graphql'],
      ['GET', '/repos/acme/app/issues/7/comments?per_page=100'],
      ['POST', '/repos/acme/app/issues/7/comments']
    ])
  })

  it("is our own user's comment, updated in place, even after a forged one", async () => {
    const { result, requests, body } = await upsert([
      { id: 1, user: MALLORY, body: `${MARKER}\nforged` },
      // Our bot quoting the marker elsewhere (a comment that names a file) is not the sticky one.
      { id: 2, user: OURS, body: `see ${MARKER}\n` },
      { id: 3, user: OURS, body: `${MARKER}\nold` }
    ])
    expect(result).toBe('updated')
    expect(requests.at(-1)).toEqual(['PATCH', '/repos/acme/app/issues/comments/3'])
    expect(api!.requests.at(-1)!.body).toEqual({ body })
  })
})
