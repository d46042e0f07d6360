import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { buildImage, writeOciArchive } from '../../../__fixtures__/image-builder.js'
import { runGate } from '../../../src/engine.js'
import { silentLogger } from '../../../src/log.js'
import { defaultPolicy } from '../../../src/policy/defaults.js'
import { createTestsStep } from '../../../src/steps/tests/index.js'
import { parseStructureTests } from '../../../src/steps/tests/parse.js'
import { detectRuntime, prepareImage, type Exec } from '../../../src/steps/tests/runtime.js'
import { ACQUIRE } from '../../../__fixtures__/memory-source.js'

/**
 * A stand-in `docker` CLI that records every command line (one JSON array per line) and answers
 * like the engine: `create` prints a container ID, `commit` an image ID, `load` what it loaded,
 * `start --attach` and `run` print and exit as `RUNS` says for a command line ending in a key.
 */
function installDocker(
  dir: string,
  runs: Record<string, { stdout?: string; stderr?: string; exit?: number }>
): string {
  const script = `#!${process.execPath}
const { appendFileSync, readFileSync, writeFileSync, existsSync } = require('node:fs')
const args = process.argv.slice(2)
const dir = ${JSON.stringify(dir)}
appendFileSync(dir + '/docker.log', JSON.stringify(args) + '\\n')
const RUNS = ${JSON.stringify(runs)}
const counter = dir + '/counter'
const next = () => { const n = existsSync(counter) ? Number(readFileSync(counter, 'utf8')) + 1 : 1; writeFileSync(counter, String(n)); return n }
const answer = (a) => { process.stdout.write(a.stdout ?? ''); process.stderr.write(a.stderr ?? ''); process.exit(a.exit ?? 0) }
switch (args[0]) {
  case 'info': answer({ stdout: '27.1.1\\n' }); break
  case 'load': answer({ stdout: 'Loaded image: app:test\\n' }); break
  case 'create': answer({ stdout: 'container-' + next() + '\\n' }); break
  case 'commit': answer({ stdout: 'sha256:image-' + args[1].split('-')[1] + '\\n' }); break
  default: {
    const line = args.join(' ')
    const key = Object.keys(RUNS).find((k) => line.endsWith(k))
    answer(key === undefined ? {} : RUNS[key])
  }
}
`
  writeFileSync(join(dir, 'docker'), script)
  chmodSync(join(dir, 'docker'), 0o755)
  return dir
}

const SUITE = `schemaVersion: 2.0.0
globalEnvVars:
  - key: "VIRTUAL_ENV"
    value: "/env"
  - key: "PATH"
    value: "/env/bin:$PATH"
containerRunOptions:
  user: "10001"
  capabilities: [NET_BIND_SERVICE]
commandTests:
  - name: "gunicorn flask"
    setup: [["virtualenv", "/env"], ["pip", "install", "gunicorn", "flask"]]
    command: "which"
    args: ["gunicorn"]
    expectedOutput: ["/env/bin/gunicorn"]
  - name:  "apt-get upgrade"
    command: "apt-get"
    args: ["-qqs", "upgrade"]
    excludedOutput: [".*Inst.*Security.* | .*Security.*Inst.*"]
    excludedError: [".*Inst.*Security.* | .*Security.*Inst.*"]
  - name: exit code and stderr
    envVars:
      - key: GREETING
        value: hello from $HOME
    command: sh
    args: ["-c", "echo $GREETING >&2; exit 3"]
    exitCode: 3
    expectedError: ["^hello"]
    excludedError: ["panic"]
    teardown: [["rm", "-rf", "/tmp/cache"]]
  - name: wrong exit code
    command: "false"
  - name: failing setup
    setup: [["apk", "add", "curl"]]
    command: curl
    args: ["--version"]
`

describe('command tests through a container runtime', () => {
  let dir: string
  let archive: string
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'command-tests-'))
    archive = join(dir, 'app.tar')
    const image = buildImage({
      layers: [{ entries: [{ path: 'etc/' }, { path: 'etc/hostname', content: 'app\n' }] }],
      config: { Env: ['PATH=/usr/local/bin:/usr/bin:/bin', 'HOME=/home/app'] }
    })
    writeOciArchive(archive, [{ image, ref: 'app:test' }])
    installDocker(dir, {
      'sha256:image-2 which gunicorn': { stdout: '/env/bin/gunicorn\n' },
      'app:test apt-get -qqs upgrade': {
        stdout: 'Inst libc6 [2.36-9] (2.36-9+deb12u4 Debian-Security:12/stable-security [amd64])\n'
      },
      'app:test sh -c echo  >&2; exit 3': { stderr: 'hello from /home/app\n', exit: 3 },
      'app:test false': { exit: 1 },
      'start --attach container-3': {
        stderr: 'ERROR: unable to select packages: curl (no such package)\n',
        exit: 1
      }
    })
  })
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('runs setup, the command and teardown with the exact docker command lines, and judges the output', async () => {
    const policy = defaultPolicy()
    policy.tests = {
      ...policy.tests,
      builtinTests: false,
      structureTests: [parseStructureTests(SUITE, 'tests/commands.yaml')]
    }
    const { report, artifacts } = await runGate(
      { image: `oci-archive:${archive}`, policy, acquire: ACQUIRE },
      silentLogger,
      [createTestsStep({ env: { PATH: dir } })]
    )
    const run = ['--entrypoint', '', '--user', '10001', '--cap-add', 'NET_BIND_SERVICE']
    const env = ['--env', 'VIRTUAL_ENV=/env', '--env', 'PATH=/env/bin:/usr/local/bin:/usr/bin:/bin']
    const log = readFileSync(join(dir, 'docker.log'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as string[])
    expect(log).toEqual([
      ['info', '--format', '{{.ServerVersion}}'],
      ['load', '--input', archive],
      ['create', ...run, ...env, 'app:test', 'virtualenv', '/env'],
      ['start', '--attach', 'container-1'],
      ['commit', 'container-1'],
      ['rm', 'container-1'],
      ['create', ...run, ...env, 'sha256:image-1', 'pip', 'install', 'gunicorn', 'flask'],
      ['start', '--attach', 'container-2'],
      ['commit', 'container-2'],
      ['rm', 'container-2'],
      ['run', '--rm', ...run, ...env, 'sha256:image-2', 'which', 'gunicorn'],
      ['rmi', 'sha256:image-2', 'sha256:image-1'],
      ['run', '--rm', ...run, ...env, 'app:test', 'apt-get', '-qqs', 'upgrade'],
      [
        'run',
        '--rm',
        ...run,
        ...env,
        '--env',
        'GREETING=hello from /home/app',
        'app:test',
        'sh',
        '-c',
        // cst expands the image's ENV into arguments: GREETING is not in it.
        'echo  >&2; exit 3'
      ],
      [
        'run',
        '--rm',
        ...run,
        ...env,
        '--env',
        'GREETING=hello from /home/app',
        'app:test',
        'rm',
        '-rf',
        '/tmp/cache'
      ],
      ['run', '--rm', ...run, ...env, 'app:test', 'false'],
      ['create', ...run, ...env, 'app:test', 'apk', 'add', 'curl'],
      ['start', '--attach', 'container-3'],
      ['rm', 'container-3']
    ])
    expect(
      artifacts.testResults?.map(({ name, status, message, stdout, stderr }) => ({
        name,
        status,
        message,
        stdout,
        stderr
      }))
    ).toEqual([
      {
        name: 'gunicorn flask',
        status: 'pass',
        message: undefined,
        stdout: '/env/bin/gunicorn\n',
        stderr: ''
      },
      {
        name: 'apt-get upgrade',
        status: 'fail',
        message:
          'expected stdout not to match /.*Inst.*Security.* | .*Security.*Inst.*/; actual: it matches.',
        stdout: 'Inst libc6 [2.36-9] (2.36-9+deb12u4 Debian-Security:12/stable-security [amd64])\n',
        stderr: ''
      },
      {
        name: 'exit code and stderr',
        status: 'pass',
        message: undefined,
        stdout: '',
        stderr: 'hello from /home/app\n'
      },
      {
        name: 'wrong exit code',
        status: 'fail',
        message: 'exit code: expected 0, actual 1.',
        stdout: '',
        stderr: ''
      },
      {
        name: 'failing setup',
        status: 'fail',
        message:
          'setup command ["apk","add","curl"] exited 1: ERROR: unable to select packages: curl (no such package).',
        stdout: undefined,
        stderr: undefined
      }
    ])
    expect(report.findings.map((f) => [f.rule, f.subject])).toEqual([
      ['tests/command', 'tests/commands.yaml: apt-get upgrade'],
      ['tests/command', 'tests/commands.yaml: failing setup'],
      ['tests/command', 'tests/commands.yaml: wrong exit code']
    ])
  })

  it('detects no runtime when docker has no engine and podman is absent', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'no-runtime-'))
    writeFileSync(
      join(empty, 'docker'),
      `#!/bin/sh\necho "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?" >&2\nexit 1\n`
    )
    chmodSync(join(empty, 'docker'), 0o755)
    const { processExec } = await import('../../../src/steps/tests/runtime.js')
    expect(await detectRuntime('auto', processExec({ PATH: empty }))).toEqual({
      reason:
        'no container runtime (`docker info` failed: Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?; `podman info` failed: podman not found on PATH)'
    })
    expect(await detectRuntime('none', processExec({ PATH: empty }))).toEqual({
      reason: 'container-runtime is none'
    })
    rmSync(empty, { recursive: true, force: true })
  })

  it.each([
    [
      'docker',
      'ghcr.io/org/app:1.0',
      [['pull', '--quiet', 'ghcr.io/org/app@sha256:' + 'a'.repeat(64)]],
      'ghcr.io/org/app@sha256:' + 'a'.repeat(64)
    ],
    ['docker', 'docker-daemon:app:dev', [], 'app:dev'],
    [
      'podman',
      'docker://alpine:3.20',
      [['pull', '--quiet', 'docker://docker.io/library/alpine@sha256:' + 'a'.repeat(64)]],
      'docker.io/library/alpine@sha256:' + 'a'.repeat(64)
    ],
    ['podman', 'oci:build/app:1.0', [['pull', '--quiet', 'oci:build/app:1.0']], 'sha256:podman-id']
  ] as const)(
    'gives %s the image %s pinned to the scanned digest',
    async (runtime, reference, calls, expected) => {
      const seen: string[][] = []
      const exec: Exec = async (_program, args) => {
        seen.push(args)
        return {
          stdout: args[0] === 'pull' ? 'Trying to pull...\nsha256:podman-id\n' : '',
          stderr: '',
          exitCode: 0
        }
      }
      const digest = 'sha256:' + 'a'.repeat(64)
      expect(await prepareImage(runtime, exec, { reference, digest })).toBe(expected)
      expect(seen).toEqual(calls)
    }
  )

  it('says why docker cannot run an oci: layout directory', async () => {
    const exec: Exec = async () => ({ stdout: '', stderr: '', exitCode: 0 })
    await expect(
      prepareImage('docker', exec, { reference: 'oci:build', digest: 'sha256:x' })
    ).rejects.toThrow(
      'docker cannot load an oci: layout directory; pass the image as oci-archive:FILE (tar -cf FILE -C DIR .) or use podman'
    )
  })
})
