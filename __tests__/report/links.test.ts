import { describe, expect, it } from '@jest/globals'
import {
  advisoryLink,
  displayPath,
  dockerfileLink,
  sourceLinks,
  type SourceLinks
} from '../../src/report/links.js'

const SHA = 'a'.repeat(40)
const GITHUB: SourceLinks = {
  serverUrl: 'https://github.com',
  repository: 'acme/app',
  sha: SHA,
  workspace: '/home/runner/work/app/app',
  runnerTemp: '/home/runner/work/_temp'
}

describe('advisoryLink', () => {
  it.each([
    ['CVE-2021-23337', '[CVE-2021-23337](https://osv.dev/vulnerability/CVE-2021-23337)'],
    [
      'GHSA-35jh-r3h4-6jhm',
      '[GHSA-35jh-r3h4-6jhm](https://osv.dev/vulnerability/GHSA-35jh-r3h4-6jhm)'
    ],
    ['DSA-5139-1', '[DSA-5139-1](https://osv.dev/vulnerability/DSA-5139-1)']
  ])('links the advisory id %s to osv.dev', (id, markdown) => {
    expect(advisoryLink(id)).toBe(markdown)
  })

  it.each([
    ['javascript:alert(1)', 'javascript:alert(1)'],
    ['CVE-2021-1](https://e.vil)', 'CVE-2021-1\\](https:\u200b//e.vil)'],
    ['<img src=x>@octocat', '&lt;img src=x&gt;@\u200boctocat'],
    ['CVE-2021-1 x', 'CVE-2021-1 x']
  ])('shows %s, which is not an advisory id, as escaped text without a link', (id, markdown) => {
    expect(advisoryLink(id)).toBe(markdown)
  })
})

describe('dockerfileLink', () => {
  it('links a repository Dockerfile to its line at the commit', () => {
    expect(dockerfileLink('docker/Dockerfile', 12, GITHUB)).toBe(
      `[<code>docker/Dockerfile:12</code>](https://github.com/acme/app/blob/${SHA}/docker/Dockerfile#L12)`
    )
  })

  it('links a Dockerfile in the workspace by its path in the repository', () => {
    expect(dockerfileLink('/home/runner/work/app/app/Dockerfile', 3, GITHUB)).toBe(
      `[<code>Dockerfile:3</code>](https://github.com/acme/app/blob/${SHA}/Dockerfile#L3)`
    )
  })

  it.each([
    ['no server URL', { ...GITHUB, serverUrl: undefined }],
    ['no repository', { ...GITHUB, repository: undefined }],
    ['no commit', { ...GITHUB, sha: undefined }]
  ])('shows the line as code without a link with %s', (_, links) => {
    expect(dockerfileLink('Dockerfile', 3, links as SourceLinks)).toBe('<code>Dockerfile:3</code>')
  })

  it.each([
    [
      'a file outside the checkout',
      '/srv/build/Dockerfile',
      '<code>/srv/build/Dockerfile:3</code>'
    ],
    [
      'a runner temp file',
      '/home/runner/work/_temp/Dockerfile.gen',
      '<code>Dockerfile.gen:3</code>'
    ],
    ['a path leaving the repository', '../other/Dockerfile', '<code>../other/Dockerfile:3</code>']
  ])('does not link %s', (_, file, markdown) => {
    expect(dockerfileLink(file, 3, GITHUB)).toBe(markdown)
  })
})

describe('displayPath', () => {
  it.each([
    ['a RUNNER_TEMP file by its name', '/home/runner/work/_temp/abc/Dockerfile', 'Dockerfile'],
    [
      'a checkout file relative to the workspace',
      '/home/runner/work/app/app/a/Dockerfile',
      'a/Dockerfile'
    ],
    [
      'another runner work path by its name',
      '/home/runner/work/other/other/Dockerfile',
      'Dockerfile'
    ],
    ['a repository path unchanged', 'build/Dockerfile', 'build/Dockerfile']
  ])('shows %s', (_, file, shown) => {
    expect(displayPath(file, GITHUB)).toBe(shown)
  })

  it('hides a RUNNER_TEMP outside /home/runner/work', () => {
    expect(
      displayPath('/opt/actions-runner/_temp/x/Dockerfile', {
        runnerTemp: '/opt/actions-runner/_temp/'
      })
    ).toBe('Dockerfile')
  })
})

describe('sourceLinks', () => {
  it('reads the Actions variables and ignores empty ones', () => {
    expect(
      sourceLinks({
        GITHUB_SERVER_URL: 'https://github.com',
        GITHUB_REPOSITORY: 'acme/app',
        GITHUB_SHA: '',
        RUNNER_TEMP: '/tmp/r'
      })
    ).toEqual({ serverUrl: 'https://github.com', repository: 'acme/app', runnerTemp: '/tmp/r' })
  })
})
