import { describe, expect, it } from '@jest/globals'
import {
  buildImage,
  type FixtureEntry,
  type ImageSpec
} from '../../../__fixtures__/image-builder.js'
import { combineLayers } from '../../../src/image/filesystem.js'
import type { TarEntry } from '../../../src/image/types.js'
import type { ImageView } from '../../../src/steps/step.js'
import { checkFileExistence } from '../../../src/steps/tests/checks.js'
import { parseStructureTests } from '../../../src/steps/tests/parse.js'
import { CST_DOC_EXAMPLES } from './examples.js'
import { gateTests } from './helpers.js'
import { tokenLike } from '../../../__fixtures__/tokens.js'

const docs = parseStructureTests(CST_DOC_EXAMPLES, 'tests/cst-docs.yaml')
const NO_RUNTIME_REASON =
  'command tests need a container runtime: no container runtime (`docker info` failed: Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?; `podman info` failed: podman not found on PATH).'

const dirs = (...paths: string[]): FixtureEntry[] => paths.map((path) => ({ path }))

/** An image the documentation's examples describe: they pass on it, but for "Root". */
const documented: ImageSpec = {
  layers: [
    {
      entries: [
        { path: './', mode: 0o755 },
        ...dirs('etc/', 'etc/apt/', 'usr/', 'usr/share/', 'usr/share/doc/'),
        {
          path: 'etc/apt/sources.list',
          content: 'deb http://httpredir.debian.org/debian stretch main\n'
        },
        ...dirs('usr/share/doc/bash/', 'usr/share/doc/libc6/', 'usr/share/doc/libgnutls30/'),
        { path: 'usr/share/doc/bash/copyright', content: 'License: GPL-3+\n' },
        { path: 'usr/share/doc/libc6/copyright', content: 'License: LGPL-2.1+\n' },
        { path: 'usr/share/doc/libc-dev', type: 'symlink', linkTarget: 'libc6' },
        ...dirs('foo/', 'baz/'),
        { path: 'foo/bar', content: 'MIT License\n' },
        { path: 'baz/bat', content: 'Apache License 2.0\n' }
      ]
    }
  ],
  config: {
    Env: ['PATH=/usr/local/bin:/usr/bin:/bin', 'foo=baz'],
    Labels: {
      'com.example.vendor': 'ACME Incorporated',
      'build-date': '2024-01-02T03:04:05.123456'
    },
    ExposedPorts: { '8080/tcp': {}, '2345/tcp': {} },
    Volumes: { '/test': {} },
    Cmd: ['/bin/bash'],
    WorkingDir: '/app',
    User: 'luke'
  }
}

/** The same image gone wrong in every way the examples check. */
const broken: ImageSpec = {
  layers: [
    documented.layers[0]!,
    {
      entries: [
        {
          path: 'etc/apt/sources.list',
          content: 'deb http://gce_debian_mirror.storage.googleapis.com/ stretch main\n'
        },
        { path: 'usr/share/doc/zlib1g/' },
        { path: 'foo/bar', content: 'GNU Affero General Public License (AGPL) v3\n' },
        { path: 'baz/.wh.bat' }
      ]
    }
  ],
  config: {
    Env: ['PATH=/usr/bin', 'foo=secret-value'],
    Labels: { 'com.example.vendor': 'ACME Incorporated', 'build-date': 'yesterday' },
    ExposedPorts: { '80/tcp': {} },
    Entrypoint: ['/entrypoint.sh'],
    Cmd: ['/bin/sh'],
    WorkingDir: '/',
    User: '10001'
  }
}

describe('tests step', () => {
  it("passes the documentation's examples on the image they describe, skipping command tests without a runtime", async () => {
    const { report, artifacts } = await gateTests(documented, { structureTests: [docs] })
    const layer = buildImage(documented).layers[0]!.digest
    expect(artifacts.testResults).toEqual([
      {
        suite: 'tests/cst-docs.yaml',
        name: 'gunicorn flask',
        kind: 'command',
        status: 'skipped',
        message: NO_RUNTIME_REASON,
        durationMs: expect.any(Number)
      },
      {
        suite: 'tests/cst-docs.yaml',
        name: 'apt-get upgrade',
        kind: 'command',
        status: 'skipped',
        message: NO_RUNTIME_REASON,
        durationMs: expect.any(Number)
      },
      {
        suite: 'tests/cst-docs.yaml',
        name: 'Root',
        kind: 'file-existence',
        status: 'fail',
        message:
          '/ permissions: expected -rw-r--r--, actual drwxr-xr-x; / uid: expected 1000, actual 0; / gid: expected 1000, actual 0.',
        durationMs: expect.any(Number)
      },
      ...['Debian Sources', 'Metadata Test', 'License Test'].map((name, i) => ({
        suite: 'tests/cst-docs.yaml',
        name,
        kind: ['file-content', 'metadata', 'license'][i],
        status: 'pass',
        durationMs: expect.any(Number)
      }))
    ])
    expect(report.findings).toEqual([
      {
        fingerprint: expect.stringMatching(/^[0-9a-f]{16}$/),
        step: 'tests',
        rule: 'tests/file-existence',
        severity: 'high',
        title: 'File existence test "Root" failed',
        detail:
          '/ permissions: expected -rw-r--r--, actual drwxr-xr-x; / uid: expected 1000, actual 0; / gid: expected 1000, actual 0. Fix the image, or the test (tests/cst-docs.yaml, line 19).',
        subject: 'tests/cst-docs.yaml: Root',
        location: { path: '/', layerDigest: layer },
        blocking: true
      }
    ])
    expect(report.steps.find((s) => s.id === 'tests')).toEqual({
      id: 'tests',
      title: 'Security unit tests',
      status: 'fail',
      durationMs: expect.any(Number),
      notes: [
        '6 tests: 3 passed, 1 failed, 2 skipped, 0 could not run',
        '2 command tests skipped: no container runtime (`docker info` failed: Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?; `podman info` failed: podman not found on PATH)'
      ]
    })
  })

  it('fails each example with the expected and the actual value, never quoting ENV or label values', async () => {
    const { report } = await gateTests(broken, { structureTests: [docs] })
    const layers = buildImage(broken).layers.map((l) => l.digest)
    expect(
      report.findings.map(({ rule, title, detail, subject, location }) => ({
        rule,
        title,
        detail,
        subject,
        location
      }))
    ).toEqual([
      {
        rule: 'tests/file-content',
        title: 'File content test "Debian Sources" failed',
        detail:
          'expected /etc/apt/sources.list to match /.*httpredir\\.debian\\.org.*/; actual: no match; expected /etc/apt/sources.list not to match /.*gce_debian_mirror.*/; actual: it matches at line 1. Fix the image, or the test (tests/cst-docs.yaml, line 27).',
        subject: 'tests/cst-docs.yaml: Debian Sources',
        location: { path: '/etc/apt/sources.list', layerDigest: layers[1] }
      },
      expect.objectContaining({
        rule: 'tests/file-existence',
        subject: 'tests/cst-docs.yaml: Root'
      }),
      {
        rule: 'tests/license',
        title: 'License test "License Test" failed',
        detail:
          '/usr/share/doc/zlib1g/copyright is missing; /foo/bar names the license AGPL; /baz/bat is missing. Fix the image, or the test (tests/cst-docs.yaml, line 48).',
        subject: 'tests/cst-docs.yaml: License Test',
        location: { path: '/usr/share/doc/zlib1g/copyright' }
      },
      {
        rule: 'tests/metadata',
        title: 'Metadata test "Metadata Test" failed',
        detail:
          'env var foo: expected "baz", actual: a different value; label build-date: expected /^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{6}$/, actual: a different value; ' +
          'port 8080: expected exposed, actual exposed ports ["80/tcp"]; port 2345: expected exposed, actual exposed ports ["80/tcp"]; ' +
          'volume /test: expected declared, actual volumes []; ' +
          'entrypoint: expected [], actual ["/entrypoint.sh"]; cmd: expected ["/bin/bash"], actual ["/bin/sh"]; ' +
          'workdir: expected "/app", actual "/"; user: expected "luke", actual "10001". Fix the image, or the test (tests/cst-docs.yaml, line 32).',
        subject: 'tests/cst-docs.yaml: Metadata Test',
        location: {}
      }
    ])
    expect(JSON.stringify(report)).not.toContain('secret-value')
    expect(JSON.stringify(report)).not.toContain('yesterday')
  })

  it('redacts a secret in the actual command line of a failing metadata test', async () => {
    const token = `ghp_${tokenLike(36)}`
    const suite = parseStructureTests(
      'schemaVersion: 2.0.0\nmetadataTest:\n  cmd: ["/app/run"]\n',
      'cmd.yaml'
    )
    const { report } = await gateTests(
      {
        layers: [{ entries: [{ path: 'app/' }] }],
        config: { Cmd: ['/app/run', `--api-token=${token}`] }
      },
      { structureTests: [suite] }
    )
    const finding = report.findings.find((f) => f.rule === 'tests/metadata')
    expect(finding?.detail).toMatch(
      /^cmd: expected \["\/app\/run"\], actual \["\/app\/run","--api-token=/
    )
    expect(JSON.stringify(report)).not.toContain(token)
  })

  it('follows a symlink to read the file a content test names', async () => {
    const suite = parseStructureTests(
      'schemaVersion: 2.0.0\nfileContentTests:\n  - name: Debian 12\n    path: /etc/os-release\n    expectedContents: [\'(?m)^VERSION_ID="12"$\']\n',
      'os.yaml'
    )
    const { artifacts } = await gateTests(
      {
        layers: [
          {
            entries: [
              ...dirs('etc/', 'usr/', 'usr/lib/'),
              { path: 'usr/lib/os-release', content: 'ID=debian\nVERSION_ID="12"\n' },
              { path: 'etc/os-release', type: 'symlink', linkTarget: '../usr/lib/os-release' }
            ]
          }
        ]
      },
      { structureTests: [suite] }
    )
    expect(artifacts.testResults?.map((r) => r.status)).toEqual(['pass'])
  })

  it('expands the image ENV in paths, as cst does', async () => {
    const suite = parseStructureTests(
      'schemaVersion: 2.0.0\nfileExistenceTests:\n  - {name: home, path: $HOME/.config, uid: 10001}\n',
      'env.yaml'
    )
    const { artifacts } = await gateTests(
      {
        layers: [
          { entries: [...dirs('home/', 'home/app/'), { path: 'home/app/.config/', uid: 10001 }] }
        ],
        config: { Env: ['HOME=/home/app'] }
      },
      { structureTests: [suite] }
    )
    expect(artifacts.testResults?.map((r) => [r.status, r.message])).toEqual([['pass', undefined]])
  })

  it('reports a step without tests as skipped, never as passed', async () => {
    const { report, artifacts } = await gateTests(documented, { structureTests: [] })
    expect(report.steps.find((s) => s.id === 'tests')).toEqual(
      expect.objectContaining({
        status: 'skipped',
        reason:
          'no structure tests: builtin-tests is false and structure-tests names no file with tests'
      })
    )
    expect(artifacts.testResults).toBeUndefined()
  })
})

/** A well-built image: the built-in pack passes (or does not apply). */
const wellBuilt: ImageSpec = {
  layers: [
    {
      entries: [
        ...dirs(
          'etc/',
          'etc/ssl/',
          'etc/ssl/certs/',
          'usr/',
          'usr/bin/',
          'home/',
          'home/app/',
          'app/'
        ),
        { path: 'tmp/', mode: 0o1777 },
        { path: 'etc/shadow', content: 'root:*:19000:0:99999:7:::\n', mode: 0o640, gid: 42 },
        { path: 'etc/ssl/certs/ca-certificates.crt', content: '-----BEGIN CERTIFICATE-----\n' },
        { path: 'usr/bin/curl', content: '\u007fELF', mode: 0o755 },
        { path: 'home/app/.profile', content: 'PATH=$HOME/bin:$PATH\n' },
        { path: 'home/app/.ssh/' },
        { path: 'home/app/.ssh/id_ed25519.pub', content: 'ssh-ed25519 AAAA app\n' },
        { path: 'app/server.js', content: 'console.log(1)\n' }
      ]
    }
  ],
  config: { User: '10001:10001' }
}

describe('the built-in pack', () => {
  it('passes a well-built image', async () => {
    const { report, artifacts } = await gateTests(wellBuilt, { builtinTests: true })
    expect(artifacts.testResults?.map((r) => [r.suite, r.name, r.status])).toEqual([
      ['built-in', 'no SSH directory for root', 'pass'],
      ['built-in', 'no SSH private keys in home directories', 'pass'],
      ['built-in', '/tmp is world-writable with the sticky bit', 'pass'],
      ['built-in', '/etc/shadow is not world-readable', 'pass'],
      ['built-in', 'no .git in application directories', 'pass'],
      ['built-in', 'CA certificates present when TLS clients are installed', 'pass'],
      ['built-in', 'no private keys in home directories', 'pass']
    ])
    expect(report.findings).toEqual([])
  })

  it('skips the tests that do not apply to an empty image', async () => {
    const { artifacts } = await gateTests({ layers: [{ entries: [] }] }, { builtinTests: true })
    expect(
      artifacts.testResults?.filter((r) => r.status !== 'pass').map((r) => [r.name, r.message])
    ).toEqual([
      ['/tmp is world-writable with the sticky bit', 'none of /tmp exists in the image'],
      ['/etc/shadow is not world-readable', 'none of /etc/shadow exists in the image'],
      [
        'CA certificates present when TLS clients are installed',
        'none of /{usr/,usr/local/,}bin/{curl,wget,openssl}, /{usr/,}lib/**/libcurl.so* exists in the image'
      ]
    ])
  })

  it('fails a badly built image on every test, with severities from the pack', async () => {
    const key =
      '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----\n'
    const { report } = await gateTests(
      {
        layers: [
          {
            entries: [
              ...dirs(
                'etc/',
                'usr/',
                'usr/bin/',
                'home/',
                'home/app/',
                'home/app/.ssh/',
                'root/',
                'root/.ssh/'
              ),
              { path: 'tmp/', mode: 0o777 },
              { path: 'etc/shadow', content: 'root:*:19000:0:99999:7:::\n', mode: 0o644 },
              { path: 'usr/bin/wget', content: '\u007fELF', mode: 0o755 },
              { path: 'root/.ssh/authorized_keys', content: 'ssh-ed25519 AAAA admin\n' },
              { path: 'home/app/.ssh/id_ed25519', content: key, mode: 0o600 },
              { path: 'home/app/deploy.pem', content: `notes\n${key}` },
              { path: 'srv/site/.git/', mode: 0o755 },
              { path: 'srv/site/.git/HEAD', content: 'ref: refs/heads/main\n' }
            ]
          }
        ]
      },
      { builtinTests: true }
    )
    expect(report.findings.map((f) => [f.severity, f.rule, f.subject, f.detail])).toEqual([
      [
        'high',
        'tests/file-content',
        'built-in: no private keys in home directories',
        'expected /home/app/.ssh/id_ed25519 not to match /-----BEGIN ([A-Z0-9]+ )*PRIVATE KEY-----/; actual: it matches at line 1; expected /home/app/deploy.pem not to match /-----BEGIN ([A-Z0-9]+ )*PRIVATE KEY-----/; actual: it matches at line 2. Fix the image, or the test (the built-in pack, line 34).'
      ],
      [
        'high',
        'tests/file-existence',
        'built-in: /etc/shadow is not world-readable',
        '/etc/shadow expected not to be readable by other, actual -rw-r--r--. Fix the image, or the test (the built-in pack, line 18).'
      ],
      [
        'high',
        'tests/file-existence',
        'built-in: no SSH directory for root',
        'expected /root/.ssh not to exist; actual: /root/.ssh exists. Fix the image, or the test (the built-in pack, line 5).'
      ],
      [
        'high',
        'tests/file-existence',
        'built-in: no SSH private keys in home directories',
        'expected /home/*/.ssh/id_{rsa,dsa,ecdsa,ed25519,ecdsa_sk,ed25519_sk} not to exist; actual: /home/*/.ssh/id_{rsa,dsa,ecdsa,ed25519,ecdsa_sk,ed25519_sk} matches /home/app/.ssh/id_ed25519. Fix the image, or the test (the built-in pack, line 9).'
      ],
      [
        'medium',
        'tests/file-existence',
        'built-in: /tmp is world-writable with the sticky bit',
        '/tmp permissions: expected dtrwxrwxrwx, actual drwxrwxrwx. Fix the image, or the test (the built-in pack, line 13).'
      ],
      [
        'medium',
        'tests/file-existence',
        'built-in: CA certificates present when TLS clients are installed',
        'expected a file matching /etc/{ssl/certs/ca-certificates.crt,pki/tls/certs/ca-bundle.crt,ssl/cert.pem}; actual: nothing matches. Fix the image, or the test (the built-in pack, line 27).'
      ],
      [
        'medium',
        'tests/file-existence',
        'built-in: no .git in application directories',
        'expected /{app,srv,opt,home,workspace,usr/src,usr/local/src,var/www}/**/.git not to exist; actual: /{app,srv,opt,home,workspace,usr/src,usr/local/src,var/www}/**/.git matches /srv/site/.git. Fix the image, or the test (the built-in pack, line 23).'
      ]
    ])
    expect(JSON.stringify(report)).not.toContain('b3BlbnNzaC1rZXktdjEAAAAA')
  })
})

describe('glob paths', () => {
  it('lists a file once however many spellings of its directory the glob holds', () => {
    const node = (path: string, type: TarEntry['type']): TarEntry => ({
      path,
      type,
      mode: 0o644,
      uid: 0,
      gid: 0,
      size: 0
    })
    const fs = combineLayers([
      {
        entries: [node('/etc', 'dir'), node('/etc/passwd', 'file'), node('/usr', 'dir')],
        whiteouts: [],
        contents: new Map()
      }
    ])
    for (const path of ['/{etc,./etc}/pass*', '{/etc,//etc}/pass*', '/usr/../etc/pass*']) {
      const result = checkFileExistence(
        { fs } as ImageView,
        {
          kind: 'file-existence',
          name: 't',
          severity: 'high',
          line: 1,
          path,
          shouldExist: false,
          ifExists: []
        },
        new Map()
      )
      expect([path, result.message]).toEqual([
        path,
        `expected ${path} not to exist; actual: ${path} matches /etc/passwd.`
      ])
    }
  })
})
