import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import * as http from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Logger } from '../../src/log.js'
import {
  parseWwwAuthenticate,
  RegistryAuthenticator,
  type Challenge
} from '../../src/image/registry/auth.js'
import { resolveCredentials, type HostCredentials } from '../../src/image/registry/docker-config.js'
import { isLoopback, plainHttpAllowed } from '../../src/image/registry/client.js'

describe('parseWwwAuthenticate', () => {
  const cases: Array<[string, Challenge[]]> = [
    [
      'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/alpine:pull"',
      [
        {
          scheme: 'bearer',
          params: {
            realm: 'https://auth.docker.io/token',
            service: 'registry.docker.io',
            scope: 'repository:library/alpine:pull'
          }
        }
      ]
    ],
    [
      'Bearer realm="https://ghcr.io/token", service="ghcr.io", scope="repository:org/app:pull,push"',
      [
        {
          scheme: 'bearer',
          params: {
            realm: 'https://ghcr.io/token',
            service: 'ghcr.io',
            scope: 'repository:org/app:pull,push'
          }
        }
      ]
    ],
    ['Basic realm="Registry Realm"', [{ scheme: 'basic', params: { realm: 'Registry Realm' } }]],
    ['basic Realm=simple', [{ scheme: 'basic', params: { realm: 'simple' } }]],
    ['Basic realm="say \\"hi\\", ok"', [{ scheme: 'basic', params: { realm: 'say "hi", ok' } }]],
    [
      'Basic realm="a", Bearer realm="https://t/token",service="s"',
      [
        { scheme: 'basic', params: { realm: 'a' } },
        { scheme: 'bearer', params: { realm: 'https://t/token', service: 's' } }
      ]
    ],
    ['', []]
  ]
  it.each(cases)('parses %j', (value, expected) => {
    expect(parseWwwAuthenticate(value)).toEqual(expected)
  })
})

describe('credentials sent to a token service on another host', () => {
  let server: http.Server
  let tokenHost: string
  beforeAll(async () => {
    server = http.createServer((_req, res) => res.end('{"token":"t"}'))
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.2', resolve))
    tokenHost = `127.0.0.2:${(server.address() as AddressInfo).port}`
  })
  afterAll(async () => {
    server.closeAllConnections()
    await new Promise<void>((resolve) => server.close(() => resolve()))
  })

  function authenticator(
    credentials: HostCredentials | undefined,
    infos: string[]
  ): RegistryAuthenticator {
    const logger: Logger = {
      debug: () => undefined,
      info: (message) => infos.push(message),
      warning: () => undefined,
      error: () => undefined,
      group: (_name, fn) => fn()
    }
    return new RegistryAuthenticator({
      host: 'registry.test',
      repository: 'app',
      credentials: () => Promise.resolve(credentials),
      allowHttp: () => true,
      logger
    })
  }

  const basic: HostCredentials = {
    kind: 'basic',
    username: 'alice',
    password: 'secret',
    source: 'registry-username/registry-password'
  }

  it('says once, naming the host, that the credentials go there', async () => {
    const infos: string[] = []
    const auth = authenticator(basic, infos)
    const challenge = `Bearer realm="http://${tokenHost}/token",service="registry.test"`
    await auth.respond(challenge, 'repository:app:pull')
    await auth.respond(challenge, 'repository:app:pull,push')
    expect(auth.authorization('repository:app:pull,push')).toBe('Bearer t')
    expect(infos).toEqual([
      `registry registry.test: sending its credentials to the token service ${tokenHost} it names in its challenge.`
    ])
  })

  it('says nothing when no credentials are sent', async () => {
    const infos: string[] = []
    const auth = authenticator(undefined, infos)
    await auth.respond(`Bearer realm="http://${tokenHost}/token"`, 'repository:app:pull')
    expect(auth.authorization('repository:app:pull')).toBe('Bearer t')
    expect(infos).toEqual([])
  })
})

describe('plain HTTP', () => {
  it.each([
    ['127.0.0.1', true],
    ['127.8.9.10', true],
    ['localhost', true],
    ['[::1]', true],
    ['128.0.0.1', false],
    ['127.example.com', false],
    ['ghcr.io', false]
  ])('treats %s as loopback: %s', (host, expected) => {
    expect(isLoopback(host)).toBe(expected)
  })

  it('allows listed insecure registries by host or host:port', () => {
    expect(plainHttpAllowed(new URL('http://registry.lan:5000/'), ['registry.lan'])).toBe(true)
    expect(plainHttpAllowed(new URL('http://registry.lan:5000/'), ['registry.lan:5000'])).toBe(true)
    expect(plainHttpAllowed(new URL('http://registry.lan:5000/'), ['registry.lan:5001'])).toBe(
      false
    )
    expect(plainHttpAllowed(new URL('http://other.lan/'), ['registry.lan'])).toBe(false)
  })
})

describe('resolveCredentials', () => {
  let dir: string
  let bin: string
  const warnings: string[] = []
  const logger: Logger = {
    debug: () => undefined,
    info: () => undefined,
    warning: (message) => warnings.push(message),
    error: () => undefined,
    group: (_name, fn) => fn()
  }
  const basic = (user: string, password: string): string =>
    Buffer.from(`${user}:${password}`).toString('base64')

  function configDir(name: string, config: unknown): string {
    const path = join(dir, name)
    mkdirSync(path, { recursive: true })
    writeFileSync(join(path, 'config.json'), JSON.stringify(config))
    return path
  }

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'container-gate-credentials-'))
    bin = join(dir, 'bin')
    mkdirSync(bin)
    // A credential helper speaking the docker-credential-helpers protocol: server URL on stdin.
    const helper = join(bin, 'docker-credential-fake')
    writeFileSync(
      helper,
      [
        '#!/bin/sh',
        'read server',
        'case "$server" in',
        '  https://index.docker.io/v1/) echo \'{"ServerURL":"x","Username":"hub-user","Secret":"hub-pass"}\' ;;',
        '  helper.example) echo \'{"ServerURL":"x","Username":"<token>","Secret":"refresh"}\' ;;',
        '  *) echo "credentials not found in native keychain"; exit 1 ;;',
        'esac',
        ''
      ].join('\n')
    )
    chmodSync(helper, 0o755)
  })

  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  const cases: Array<{
    name: string
    host: string
    config?: unknown
    explicit?: { username: string; password: string; host?: string }
    env?: NodeJS.ProcessEnv
    expected: HostCredentials | undefined
    warning?: string
  }> = [
    {
      name: 'explicit credentials win over the Docker config',
      host: 'registry.example',
      explicit: { username: 'input-user', password: 'input-pass' },
      config: { auths: { 'registry.example': { auth: basic('file-user', 'file-pass') } } },
      expected: {
        kind: 'basic',
        username: 'input-user',
        password: 'input-pass',
        source: 'inputs registry-username/registry-password'
      }
    },
    {
      name: 'explicit credentials bound to one registry are never sent to another host',
      host: 'evil.example',
      explicit: { username: 'input-user', password: 'input-pass', host: 'registry.example' },
      expected: undefined
    },
    {
      name: 'explicit credentials bound to Docker Hub serve its aliases',
      host: 'registry-1.docker.io',
      explicit: { username: 'input-user', password: 'input-pass', host: 'docker.io' },
      expected: {
        kind: 'basic',
        username: 'input-user',
        password: 'input-pass',
        source: 'inputs registry-username/registry-password'
      }
    },
    {
      name: 'auths[host].auth is base64 user:password (a password may contain colons)',
      host: 'registry.example:5000',
      config: { auths: { 'registry.example:5000': { auth: basic('file-user', 'pa:ss') } } },
      expected: { kind: 'basic', username: 'file-user', password: 'pa:ss', source: 'CONFIG' }
    },
    {
      name: 'Docker Hub credentials stored under https://index.docker.io/v1/',
      host: 'docker.io',
      config: { auths: { 'https://index.docker.io/v1/': { auth: basic('hub', 'secret') } } },
      expected: { kind: 'basic', username: 'hub', password: 'secret', source: 'CONFIG' }
    },
    {
      name: 'an identitytoken is used as an OAuth2 refresh token',
      host: 'registry.example',
      config: { auths: { 'https://registry.example': { identitytoken: 'refresh-token' } } },
      expected: { kind: 'identity-token', token: 'refresh-token', source: 'CONFIG' }
    },
    {
      name: 'credHelpers[host] runs docker-credential-NAME get',
      host: 'helper.example',
      config: { credHelpers: { 'helper.example': 'fake' } },
      expected: {
        kind: 'identity-token',
        token: 'refresh',
        source: 'credential helper docker-credential-fake'
      }
    },
    {
      name: 'credsStore asks the helper with the Docker Hub server URL',
      host: 'docker.io',
      config: { credsStore: 'fake' },
      expected: {
        kind: 'basic',
        username: 'hub-user',
        password: 'hub-pass',
        source: 'credential helper docker-credential-fake'
      }
    },
    {
      name: 'a helper without credentials falls back to auths',
      host: 'other.example',
      config: { credsStore: 'fake', auths: { 'other.example': { auth: basic('a', 'b') } } },
      expected: { kind: 'basic', username: 'a', password: 'b', source: 'CONFIG' }
    },
    {
      name: 'a helper that is not on PATH is skipped with a warning',
      host: 'registry.example',
      config: { credHelpers: { 'registry.example': 'missing' } },
      expected: undefined,
      warning:
        'The Docker config names the credential helper "missing", but docker-credential-missing is not on PATH; continuing without its credentials.'
    },
    {
      name: 'GITHUB_TOKEN for ghcr.io when nothing else is configured',
      host: 'ghcr.io',
      env: { GITHUB_TOKEN: 'ghs_abc' },
      expected: { kind: 'basic', username: 'token', password: 'ghs_abc', source: 'GITHUB_TOKEN' }
    },
    {
      name: 'GITHUB_TOKEN is not sent to other registries',
      host: 'registry.example',
      env: { GITHUB_TOKEN: 'ghs_abc' },
      expected: undefined
    }
  ]

  it.each(cases)('$name', async ({ name, host, config, explicit, env, expected, warning }) => {
    warnings.length = 0
    const docker = configDir(name.replace(/\W+/g, '-'), config ?? {})
    const found = await resolveCredentials(host, {
      ...(explicit !== undefined ? { credentials: explicit } : {}),
      env: { PATH: `${bin}:/usr/bin:/bin`, HOME: dir, DOCKER_CONFIG: docker, ...env },
      logger
    })
    const source = `Docker config ${join(docker, 'config.json')}`
    expect(found).toEqual(expected?.source === 'CONFIG' ? { ...expected, source } : expected)
    expect(warnings).toEqual(warning !== undefined ? [warning] : [])
  })

  it('warns about a Docker config that is not JSON and continues anonymously', async () => {
    warnings.length = 0
    const docker = join(dir, 'broken')
    mkdirSync(docker)
    writeFileSync(join(docker, 'config.json'), '{ not json')
    const found = await resolveCredentials('registry.example', {
      env: { PATH: '/usr/bin:/bin', HOME: dir, DOCKER_CONFIG: docker },
      logger
    })
    expect(found).toBeUndefined()
    expect(warnings).toEqual([
      `Docker config ${join(docker, 'config.json')} is not a JSON object; ignoring it for registry credentials.`
    ])
  })

  it('reads ~/.docker/config.json when DOCKER_CONFIG is unset', async () => {
    const home = join(dir, 'home')
    mkdirSync(join(home, '.docker'), { recursive: true })
    writeFileSync(
      join(home, '.docker', 'config.json'),
      JSON.stringify({ auths: { 'registry.example': { auth: basic('h', 'p') } } })
    )
    const found = await resolveCredentials('registry.example', {
      env: { PATH: '/usr/bin:/bin', HOME: home },
      logger
    })
    expect(found).toEqual({
      kind: 'basic',
      username: 'h',
      password: 'p',
      source: `Docker config ${join(home, '.docker', 'config.json')}`
    })
  })
})
